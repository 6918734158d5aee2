package mcp_firewall.packs.no_exfiltration_test

import rego.v1

import data.mcp_firewall.packs.no_exfiltration

call(classes, trust, confidentiality) := {
	"phase": "call",
	"tool": {"name": "http_post", "classes": classes},
	"session": {"context": {"trust": trust, "confidentiality": confidentiality}},
}

test_egress_after_private_and_untrusted_is_denied if {
	some f in no_exfiltration.deny with input as call(["egress"], "untrusted", "private")
	f.rule_id == "no_exfiltration.egress_after_private_and_untrusted"
}

test_egress_with_only_private_data_is_allowed if {
	count(no_exfiltration.deny) == 0 with input as call(["egress"], "internal", "private")
}

test_egress_with_only_untrusted_content_is_allowed if {
	count(no_exfiltration.deny) == 0 with input as call(["egress"], "untrusted", "public")
}

test_non_egress_is_allowed if {
	count(no_exfiltration.deny) == 0 with input as call(["sink"], "untrusted", "private")
}

diff_from_git := [{"path": ["details"], "kind": "substring", "trust": "internal", "confidentiality": "private", "sources": [3], "servers": ["git"]}]

flow(server, cleared, derived) := {
	"phase": "call",
	"tool": {"name": "log_activity", "classes": ["source"]},
	"server": {"name": server, "trust": "untrusted", "confidentiality": "public", "cleared": cleared},
	"session": {"context": {"trust": "trusted", "confidentiality": "private"}},
	"provenance": {"derived_from": derived},
}

test_private_data_to_a_server_holding_nothing_private_is_denied if {
	some f in no_exfiltration.deny with input as flow("logger", "public", diff_from_git)
	f.rule_id == "no_exfiltration.private_data_to_uncleared_server"
}

test_private_data_to_a_server_cleared_for_it_is_allowed if {
	count(no_exfiltration.deny) == 0 with input as flow("mail", "private", diff_from_git)
}

test_a_servers_own_private_data_going_back_to_it_is_not_a_leak if {
	own := [{"path": ["id"], "kind": "identifier", "trust": "untrusted", "confidentiality": "private", "sources": [3], "servers": ["logger"]}]
	count(no_exfiltration.deny) == 0 with input as flow("logger", "public", own)
}

package mcp_firewall.packs.no_exfiltration_test

import rego.v1

import data.mcp_firewall.packs.no_exfiltration

private_body := [{"path": ["body"], "kind": "substring", "trust": "internal", "confidentiality": "private", "sources": [3], "servers": ["files"]}]

public_body := [{"path": ["body"], "kind": "substring", "trust": "untrusted", "confidentiality": "public", "sources": [4], "servers": ["web"]}]

# The call's body derives from content of the session's confidentiality.
call(classes, trust, confidentiality) := {
	"phase": "call",
	"tool": {"name": "http_post", "classes": classes},
	"arguments": {"url": "https://collector.example/in", "body": "..."},
	"session": {"context": {"trust": trust, "confidentiality": confidentiality}},
	"provenance": {"derived_from": body_of(confidentiality), "user_given": []},
}

body_of("private") := private_body

body_of("public") := public_body

test_egress_after_private_and_untrusted_is_denied if {
	some f in no_exfiltration.deny with input as call(["egress"], "untrusted", "private")
	f.rule_id == "no_exfiltration.egress_after_private_and_untrusted"
}

test_egress_carrying_nothing_private_is_allowed_after_untrusted_content if {
	nothing := object.union(call(["egress"], "untrusted", "private"), {"provenance": {"derived_from": [], "user_given": []}})
	count(no_exfiltration.deny) == 0 with input as nothing
}

test_private_data_to_the_users_own_address_is_allowed if {
	own := {
		"phase": "call",
		"tool": {"name": "send_email", "classes": ["egress"]},
		"arguments": {"to": "me@home.example", "body": "summary"},
		"session": {"context": {"trust": "untrusted", "confidentiality": "private"}},
		"provenance": {"derived_from": private_body, "user_given": [["to"]]},
	}
	count(no_exfiltration.deny) == 0 with input as own
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

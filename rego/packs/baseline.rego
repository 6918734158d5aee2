# baseline: the pack that runs with no configuration at all.
# - A sink, egress or destructive call whose arguments derive from untrusted content is denied:
#   an injected instruction cannot steer where data goes or what gets changed.
# - Once the session context is untrusted, a call to a tool *declared* destructive (by annotation,
#   config or catalog, not by the spec's default for a tool that says nothing) needs approval.
# - A call to a tool whose definition changed since it was first listed this session is denied.
package mcp_firewall.packs.baseline

import rego.v1

# The phases this pack judges; the firewall skips evaluating it for the others.
phases := {"call"}

side_effects := {"sink", "egress", "destructive"}

deny contains finding if {
	input.phase == "call"
	effects := [class | some class in input.tool.classes; class in side_effects]
	count(effects) > 0
	some argument in input.provenance.derived_from
	argument.trust == "untrusted"
	finding := {
		"rule_id": "baseline.untrusted_argument_to_side_effect",
		"reason": sprintf(
			"argument %v of %v (%v) derives from untrusted content (%v match)",
			[concat(".", [sprintf("%v", [p]) | some p in argument.path]), input.tool.name, concat(", ", effects), argument.kind],
		),
	}
}

# A tool whose definition (description, schema, annotations) changed after it was first listed in
# this session is not the tool the agent (or its user) approved: a rug pull.
deny contains finding if {
	input.phase == "call"
	input.tool.pin == "changed"
	finding := {
		"rule_id": "baseline.tool_definition_changed",
		"reason": sprintf("the definition of %v changed after it was first listed in this session", [input.tool.name]),
	}
}

ask contains finding if {
	input.phase == "call"
	"destructive" in input.tool.classes
	input.tool.classes_from != "defaults"
	input.session.context.trust == "untrusted"
	finding := {
		"rule_id": "baseline.destructive_in_untrusted_context",
		"reason": sprintf("%v is destructive and the session has read untrusted content", [input.tool.name]),
	}
}

# baseline: the pack that runs with no configuration at all.
# - A sink, egress or destructive call whose arguments derive from untrusted content is denied:
#   an injected instruction cannot steer where data goes or what gets changed. Two things are
#   not steering: untrusted prose quoted in a free-text argument (a mail's body or subject: only
#   untrusted addresses count there), and a network read of a URL copied whole from an output
#   (following a link carries nothing out).
# - Once the session context is untrusted, a call to a tool *declared* destructive (by annotation,
#   config or catalog, not by the spec's default for a tool that says nothing) needs approval,
#   unless the user asked for exactly that call (every argument is in their own words).
# - A call to a tool whose definition changed since it was first listed this session is denied.
package mcp_firewall.packs.baseline

import rego.v1

# The phases this pack judges; the firewall skips evaluating it for the others.
phases := {"call"}

side_effects := {"sink", "egress", "destructive"}

# Free-text arguments: what they say is data, not direction.
content_arguments := {
	"body", "content", "text", "message", "subject", "comment", "note", "notes",
	"description", "title", "summary", "html", "markdown",
}

# Values that say where something goes: these steer even inside free text.
addressing_kinds := {"email", "url", "domain"}

steering(argument) if not argument.path[0] in content_arguments

# In what goes to people (egress), an untrusted link or address still steers: a phishing relay.
steering(argument) if {
	argument.path[0] in content_arguments
	"egress" in input.tool.classes
	argument.kind in addressing_kinds
}

# A read over the network (egress, no sink or destructive class) of a URL copied whole from
# content: the agent follows a link, and the request carries nothing it composed.
followed_link(argument) if {
	every class in input.tool.classes {
		class in {"source", "egress"}
	}
	some copied in input.provenance.derived_from
	copied.path == argument.path
	copied.kind in {"url", "field"}
	copied.whole
}

deny contains finding if {
	input.phase == "call"
	effects := [class | some class in input.tool.classes; class in side_effects]
	count(effects) > 0
	some argument in input.provenance.derived_from
	argument.trust == "untrusted"
	steering(argument)
	not followed_link(argument)
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

# The user asked for exactly this: every argument that says what to act on (not free text) is
# in their own words.
user_requested if {
	targets := [path |
		walk(input.arguments, [path, value])
		is_string(value)
		count(path) > 0
		not path[0] in content_arguments
	]
	count(targets) > 0
	every path in targets {
		path in input.provenance.user_given
	}
}

ask contains finding if {
	input.phase == "call"
	"destructive" in input.tool.classes
	input.tool.classes_from != "defaults"
	input.session.context.trust == "untrusted"
	not user_requested
	finding := {
		"rule_id": "baseline.destructive_in_untrusted_context",
		"reason": sprintf("%v is destructive and the session has read untrusted content", [input.tool.name]),
	}
}

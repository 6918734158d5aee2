# no_exfiltration: private data follows its own flows. Once the session has read untrusted content
# (which may be instructions to send private data out), an egress call that carries private data
# (an argument derived from private content) to a destination the user did not give is denied; a
# summary the user mails to their own address passes, and so does any send that carries nothing
# private. And private data from one server never goes to a server that holds nothing private
# itself.
package mcp_firewall.packs.no_exfiltration

import rego.v1

# The phases this pack judges; the firewall skips evaluating it for the others.
phases := {"call"}

# Free-text arguments carry the data; the others say where it goes.
content_arguments := {
	"body", "content", "text", "message", "subject", "comment", "note", "notes",
	"description", "title", "summary", "html", "markdown", "location",
}

destinations := [path |
	walk(input.arguments, [path, value])
	is_string(value)
	count(path) > 0
	not path[0] in content_arguments
]

# Every destination is in the user's own words (their address, the channel they named).
user_destination if {
	count(destinations) > 0
	every path in destinations {
		path in input.provenance.user_given
	}
}

deny contains finding if {
	input.phase == "call"
	"egress" in input.tool.classes
	input.session.context.trust == "untrusted"
	some argument in input.provenance.derived_from
	argument.confidentiality == "private"
	not user_destination
	finding := {
		"rule_id": "no_exfiltration.egress_after_private_and_untrusted",
		"reason": sprintf(
			"%v would send private data (argument %v) to a destination the user did not give, and this session has read untrusted content",
			[input.tool.name, concat(".", [sprintf("%v", [p]) | some p in argument.path])],
		),
	}
}

# Private data from one server, handed to a server that holds nothing private itself (not
# cleared for it), leaves: whatever the tool claims to do with it (a "logger" that collects
# diffs). A mail server whose inbox is private may receive private data; a server's own data
# going back to it (a message id to its mailbox) is not a flow.
deny contains finding if {
	input.phase == "call"
	input.server.cleared == "public"
	some argument in input.provenance.derived_from
	argument.confidentiality == "private"
	some origin in argument.servers
	origin != input.server.name
	finding := {
		"rule_id": "no_exfiltration.private_data_to_uncleared_server",
		"reason": sprintf(
			"argument %v of %v carries private data to %v, which holds nothing private",
			[concat(".", [sprintf("%v", [p]) | some p in argument.path]), input.tool.name, input.server.name],
		),
	}
}

# no_exfiltration: once the session has seen private data and untrusted content, nothing may leave:
# egress calls are denied (the untrusted content may be instructions to send the private data out).
# And private data from one server never goes to a server that holds nothing private itself.
package mcp_firewall.packs.no_exfiltration

import rego.v1

# The phases this pack judges; the firewall skips evaluating it for the others.
phases := {"call"}

deny contains finding if {
	input.phase == "call"
	"egress" in input.tool.classes
	input.session.context.confidentiality == "private"
	input.session.context.trust == "untrusted"
	finding := {
		"rule_id": "no_exfiltration.egress_after_private_and_untrusted",
		"reason": sprintf("%v can send data out, and this session holds private data and untrusted content", [input.tool.name]),
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

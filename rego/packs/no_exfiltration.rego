# no_exfiltration: once the session has seen private data and untrusted content, nothing may leave:
# egress calls are denied (the untrusted content may be instructions to send the private data out).
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

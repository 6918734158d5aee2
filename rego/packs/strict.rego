# strict: read-only unless granted. Any call to a tool that is a sink (changes something) is denied
# unless data.mcp_firewall.config.grants has an entry for it (the same grants the allowlist uses).
package mcp_firewall.packs.strict

import rego.v1

# The phases this pack judges; the firewall skips evaluating it for the others.
phases := {"call"}

deny contains finding if {
	input.phase == "call"
	"sink" in input.tool.classes
	not granted
	finding := {
		"rule_id": "strict.sink_not_granted",
		"reason": sprintf("%v changes state and is not granted (strict pack: read-only unless granted)", [input.tool.name]),
	}
}

default grants := []

grants := data.mcp_firewall.config.grants

granted if {
	some grant in grants
	glob.match(object.get(grant, "server", "*"), [], input.server.name)
	glob.match(grant.tool, [], input.tool.name)
}

# allowlist: only explicitly granted tools may be called, within their argument constraints.
# Grants live in data.mcp_firewall.config.grants (set from [policy] grants in the config):
#   {"server": "files", "tool": "write_file", "path_prefixes": {"path": ["/tmp/work/"]}}
#   {"server": "mail", "tool": "send_*", "recipient_domains": {"to": ["example.com"]}}
package mcp_firewall.packs.allowlist

import rego.v1

# The phases this pack judges; the firewall skips evaluating it for the others.
phases := {"call"}

default grants := []

grants := data.mcp_firewall.config.grants

matching contains grant if {
	some grant in grants
	glob.match(object.get(grant, "server", "*"), [], input.server.name)
	glob.match(grant.tool, [], input.tool.name)
}

deny contains finding if {
	input.phase == "call"
	count(matching) == 0
	finding := {"rule_id": "allowlist.not_granted", "reason": sprintf("%v on %v is not granted", [input.tool.name, input.server.name])}
}

# A call is allowed if at least one matching grant's constraints all hold.
deny contains finding if {
	input.phase == "call"
	count(matching) > 0
	not some_grant_satisfied
	finding := {"rule_id": "allowlist.constraint_violated", "reason": sprintf("the arguments of %v are outside every grant for it", [input.tool.name])}
}

some_grant_satisfied if {
	some grant in matching
	paths_ok(grant)
	recipients_ok(grant)
}

paths_ok(grant) if {
	every argument, prefixes in object.get(grant, "path_prefixes", {}) {
		value := input.arguments[argument]
		is_string(value)
		not contains(value, "..")
		some prefix in prefixes
		startswith(value, prefix)
	}
}

recipients_ok(grant) if {
	every argument, domains in object.get(grant, "recipient_domains", {}) {
		recipients := as_list(input.arguments[argument])
		every recipient in recipients {
			parts := split(lower(recipient), "@")
			count(parts) == 2
			parts[1] in {lower(d) | some d in domains}
		}
	}
}

as_list(value) := value if is_array(value)

as_list(value) := [value] if is_string(value)

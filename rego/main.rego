# The entry point the firewall evaluates: data.mcp_firewall.result.
# Composes the packs named in data.mcp_firewall.config.packs; the most severe finding wins
# (deny > ask > redact > allow), exactly as the firewall combines its own stages.
package mcp_firewall

import rego.v1

default selected := ["baseline"]

selected := data.mcp_firewall.config.packs

findings contains finding if {
	some name in selected
	some level in ["deny", "ask", "redact"]
	some f in data.mcp_firewall.packs[name][level]
	finding := object.union(f, {"level": level, "pack": name})
}

levels := {f.level | some f in findings}

decision := "deny" if "deny" in levels
else := "ask" if "ask" in levels
else := "redact" if "redact" in levels
else := "allow"

result := {
	"decision": decision,
	"findings": sort_findings,
	"rule_ids": sort({f.rule_id | some f in findings}),
}

sort_findings := [f | some f in findings]

# The entry point the firewall evaluates: data.mcp_firewall.result.
# Composes the packs named in data.mcp_firewall.config.packs (default: baseline); the most severe finding wins
# (deny > ask > redact > allow), exactly as the firewall combines its own stages.
package mcp_firewall

import rego.v1

default selected := ["baseline"]

selected := data.mcp_firewall.config.packs

# `findings` (every selected pack's deny, ask and redact findings, each tagged with its level and
# pack) is defined in a module the firewall generates from the packs it loads: one rule per pack
# and level, guarded by `name in selected`, so a pack that is not selected is never evaluated
# (a dynamic data.mcp_firewall.packs[name] lookup would evaluate every pack on every decision).

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

# What the firewall queries: the findings as a list. The firewall combines them exactly as it
# combines its own stages (most severe level wins), so it does not need `result` on every decision.
finding_list := [f | some f in findings]

# data_leakage: secrets and credentials never leave in call arguments.
package mcp_firewall.packs.data_leakage

import rego.v1

# The phases this pack judges; the firewall skips evaluating it for the others.
phases := {"call"}

# Name -> pattern. Patterns are deliberately specific (low false positives on ordinary text).
patterns := {
	"aws_access_key": `\b(AKIA|ASIA)[0-9A-Z]{16}\b`,
	"github_token": `\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{60,}\b`,
	"slack_token": `\bxox[abprs]-[A-Za-z0-9-]{10,}\b`,
	"openai_key": `\bsk-(proj-)?[A-Za-z0-9_-]{32,}\b`,
	"anthropic_key": `\bsk-ant-[A-Za-z0-9_-]{32,}\b`,
	"private_key": `-----BEGIN ([A-Z ]+ )?PRIVATE KEY-----`,
	"jwt": `\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b`,
	"password_in_url": `[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`,
	"password_assignment": `(?i)\b(password|passwd|pwd|secret|api[_-]?key)\s*[:=]\s*\S{6,}`,
}

deny contains finding if {
	input.phase == "call"
	walk(input.arguments, [path, value])
	is_string(value)
	some name, pattern in patterns
	regex.match(pattern, value)
	finding := {
		"rule_id": sprintf("data_leakage.%v", [name]),
		"reason": sprintf("argument %v of %v looks like a %v", [concat(".", [sprintf("%v", [p]) | some p in path]), input.tool.name, name]),
	}
}

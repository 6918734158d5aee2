package mcp_firewall.packs.strict_test

import rego.v1

import data.mcp_firewall.packs.strict

call(tool, classes) := {"phase": "call", "server": {"name": "files"}, "tool": {"name": tool, "classes": classes}}

test_sink_without_grant_is_denied if {
	some f in strict.deny with input as call("write_file", ["source", "sink"])
	f.rule_id == "strict.sink_not_granted"
}

test_read_only_is_allowed if {
	count(strict.deny) == 0 with input as call("read_file", ["source"])
}

test_granted_sink_is_allowed if {
	count(strict.deny) == 0 with input as call("write_file", ["source", "sink"])
		with data.mcp_firewall.config.grants as [{"server": "files", "tool": "write_*"}]
}

test_grant_for_another_server_does_not_count if {
	count(strict.deny) == 1 with input as call("write_file", ["source", "sink"])
		with data.mcp_firewall.config.grants as [{"server": "other", "tool": "write_*"}]
}

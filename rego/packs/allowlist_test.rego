package mcp_firewall.packs.allowlist_test

import rego.v1

import data.mcp_firewall.packs.allowlist

grants := [
	{"server": "files", "tool": "write_file", "path_prefixes": {"path": ["/tmp/work/"]}},
	{"server": "mail", "tool": "send_*", "recipient_domains": {"to": ["example.com"]}},
	{"server": "files", "tool": "read_*"},
]

call(server, tool, arguments) := {"phase": "call", "server": {"name": server}, "tool": {"name": tool}, "arguments": arguments}

denied(server, tool, arguments) := ids if {
	ids := {f.rule_id | some f in allowlist.deny} with input as call(server, tool, arguments)
		with data.mcp_firewall.config.grants as grants
}

test_ungranted_tool_is_denied if {
	denied("files", "delete_file", {"path": "/tmp/work/a"}) == {"allowlist.not_granted"}
}

test_granted_tool_without_constraints_is_allowed if {
	count(denied("files", "read_file", {"path": "/etc/passwd"})) == 0
}

test_path_inside_prefix_is_allowed if {
	count(denied("files", "write_file", {"path": "/tmp/work/report.txt"})) == 0
}

test_path_outside_prefix_is_denied if {
	denied("files", "write_file", {"path": "/etc/cron.d/x"}) == {"allowlist.constraint_violated"}
}

test_path_traversal_is_denied if {
	denied("files", "write_file", {"path": "/tmp/work/../../etc/passwd"}) == {"allowlist.constraint_violated"}
}

test_recipient_in_domain_is_allowed if {
	count(denied("mail", "send_email", {"to": "Bob@Example.com"})) == 0
}

test_recipient_list_with_one_outsider_is_denied if {
	denied("mail", "send_email", {"to": ["bob@example.com", "eve@evil.example"]}) == {"allowlist.constraint_violated"}
}

test_missing_constrained_argument_is_denied if {
	denied("mail", "send_email", {"subject": "hi"}) == {"allowlist.constraint_violated"}
}

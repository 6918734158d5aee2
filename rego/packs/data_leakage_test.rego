package mcp_firewall.packs.data_leakage_test

import rego.v1

import data.mcp_firewall.packs.data_leakage

call(arguments) := {"phase": "call", "tool": {"name": "post"}, "arguments": arguments}

denied_as(arguments, rule_id) if {
	some f in data_leakage.deny with input as call(arguments)
	f.rule_id == rule_id
}

test_aws_key_is_denied if denied_as({"body": "key AKIAIOSFODNN7EXAMPLE here"}, "data_leakage.aws_access_key")

test_github_token_in_nested_argument_is_denied if {
	denied_as({"msg": {"parts": ["x", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"]}}, "data_leakage.github_token")
}

test_private_key_is_denied if denied_as({"file": "-----BEGIN RSA PRIVATE KEY-----\nMIIE"}, "data_leakage.private_key")

test_password_in_url_is_denied if denied_as({"url": "https://admin:hunter2@db.example/x"}, "data_leakage.password_in_url")

test_password_assignment_is_denied if denied_as({"text": "password: correct-horse-battery"}, "data_leakage.password_assignment")

test_slack_token_is_denied if denied_as({"t": "xoxb-1234567890-abcdefghij"}, "data_leakage.slack_token")

test_ordinary_text_is_allowed if {
	count(data_leakage.deny) == 0 with input as call({
		"to": "bob@example.com",
		"body": "The password policy changed; see https://intranet.example/policy for the new rules.",
		"n": 3,
	})
}

"""`mcp-firewall policy schema|test|lint|eval` against the real regorus engine and the bundled packs."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from firewall.policy.document import PolicyInput
from firewall.tools.policy_commands import EXIT_FAILED, EXIT_OK, EXIT_USAGE, run_policy_command
from tests.support.policy_inputs import CUSTOM_PACK_HEADER, READ_ONLY_CALL

PACK = CUSTOM_PACK_HEADER
CALL = READ_ONLY_CALL  # a read-only call the baseline pack allows


def command(
    name: str, *, config: Path | None = None, paths=(), coverage=False, input=None
) -> argparse.Namespace:
    return argparse.Namespace(
        policy_command=name, config=config, paths=list(paths), coverage=coverage, input=input
    )


def config_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "firewall.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_schema_prints_the_policy_input_schema(capsys):
    assert run_policy_command(command("schema")) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == PolicyInput.model_json_schema()


def test_the_bundled_packs_pass_their_own_tests_with_coverage(capsys):
    assert run_policy_command(command("test", coverage=True)) == EXIT_OK
    out = capsys.readouterr().out
    assert "PASS data.mcp_firewall" in out and "FAIL" not in out
    passed = re.search(r"^(\d+) passed, 0 failed$", out, re.M)
    assert passed and int(passed.group(1)) > 10
    assert re.search(r"^coverage: [\d.]+% of \d+ policy lines$", out, re.M)


def test_a_failing_rego_test_fails_the_command_and_is_named(tmp_path, capsys):
    (tmp_path / "custom.rego").write_text(PACK + 'phases := {"call"}\n', encoding="utf-8")
    (tmp_path / "custom_test.rego").write_text(
        PACK.replace("custom", "custom_test") + "test_true if { true }\n\ntest_false if { 1 == 2 }\n",
        encoding="utf-8",
    )
    assert run_policy_command(command("test", paths=[tmp_path])) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "PASS data.mcp_firewall.packs.custom_test.test_true" in out
    assert "FAIL data.mcp_firewall.packs.custom_test.test_false" in out
    assert "1 passed, 1 failed" in out


def test_a_folder_without_tests_fails(tmp_path, capsys):
    (tmp_path / "custom.rego").write_text(PACK + 'phases := {"call"}\n', encoding="utf-8")
    assert run_policy_command(command("test", paths=[tmp_path])) == EXIT_FAILED
    assert "no test_* rules found" in capsys.readouterr().err


def test_lint_is_clean_on_the_bundled_packs_and_flags_an_unknown_input_field(tmp_path, capsys):
    assert run_policy_command(command("lint")) == EXIT_OK
    assert ", 0 issues" in capsys.readouterr().out
    bad = tmp_path / "custom.rego"
    bad.write_text(
        PACK + 'deny contains {"rule_id": "custom.x", "reason": "x"} if input.tool.nmae == "rm"\n',
        encoding="utf-8",
    )
    assert run_policy_command(command("lint", paths=[tmp_path])) == EXIT_FAILED
    assert f"{bad}:5: input.tool.nmae is not in the policy input schema" in capsys.readouterr().out


def test_a_missing_policy_path_is_a_usage_error(tmp_path, capsys):
    assert run_policy_command(command("lint", paths=[tmp_path / "nowhere"])) == EXIT_USAGE
    assert "policy path not found" in capsys.readouterr().err


def test_eval_prints_the_full_result_of_the_configured_packs(tmp_path, capsys):
    document = tmp_path / "call.json"
    document.write_text(json.dumps(CALL), encoding="utf-8")
    assert run_policy_command(command("eval", input=document)) == EXIT_OK
    result = json.loads(capsys.readouterr().out)
    assert result["decision"] == "allow" and result["findings"] == []


def test_eval_warns_about_an_input_off_the_schema_but_still_evaluates(tmp_path, capsys):
    document = tmp_path / "call.json"
    document.write_text(
        json.dumps(
            {**CALL, "tool": {**CALL["tool"], "name": "delete_all", "classes": ["destructive"]}, "extra": 1}
        )
    )
    assert run_policy_command(command("eval", input=document)) == EXIT_OK
    captured = capsys.readouterr()
    assert "does not match the policy input schema" in captured.err
    assert json.loads(captured.out)["decision"] in ("allow", "ask", "deny")


@pytest.mark.parametrize("content", [None, "{not json"])
def test_eval_of_an_unreadable_input_is_a_usage_error(tmp_path, capsys, content):
    document = tmp_path / "call.json"
    if content is not None:
        document.write_text(content, encoding="utf-8")
    assert run_policy_command(command("eval", input=document)) == EXIT_USAGE
    assert "cannot read" in capsys.readouterr().err


def test_eval_with_no_packs_selected_allows(tmp_path, capsys):
    config = config_file(tmp_path, "[policy]\npacks = []\n")
    document = tmp_path / "call.json"
    document.write_text(json.dumps(CALL), encoding="utf-8")
    assert run_policy_command(command("eval", config=config, input=document)) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["note"] == "no policy packs selected"


def test_a_bad_config_is_a_usage_error(tmp_path, capsys):
    config = config_file(tmp_path, "[policy]\npacks = ['no-such-pack']\n")
    document = tmp_path / "call.json"
    document.write_text(json.dumps(CALL), encoding="utf-8")
    assert run_policy_command(command("eval", config=config, input=document)) == EXIT_USAGE
    assert "unknown pack" in capsys.readouterr().err

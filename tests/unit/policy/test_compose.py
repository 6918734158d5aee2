"""The pack composition is derived from the compiled policy: every way of writing a pack's deny either
denies or stops loading, and lint reports the pack rules the composition does not read."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firewall.app import build_policy_engine
from firewall.config import PolicyConfig
from firewall.core.errors import ConfigError
from firewall.policy.document import PolicyInput
from firewall.policy.engine import EmbeddedEngine
from firewall.tools.policy_tooling import lint
from tests.support.policy_inputs import CUSTOM_PACK_HEADER, READ_ONLY_CALL

HEADER = CUSTOM_PACK_HEADER
FINDING = '{"rule_id": "custom.sample", "reason": "sample"}'

# A read-only call the bundled baseline pack allows: any deny comes from the custom pack.
SAMPLE_CALL = PolicyInput.model_validate(READ_ONLY_CALL).model_dump(exclude_none=True)


def load(pack: Path) -> EmbeddedEngine:
    """The firewall's engine with the baseline and the custom pack selected, as the config loads it."""
    engine = build_policy_engine(PolicyConfig(packs=["baseline", "custom"], extra=[pack]))
    assert isinstance(engine, EmbeddedEngine)
    return engine


def custom_denies(engine: EmbeddedEngine) -> bool:
    findings = engine.evaluate_now(SAMPLE_CALL)
    return {"rule_id": "custom.sample", "reason": "sample", "level": "deny", "pack": "custom"} in findings


DENYING = {
    "indented contains": f'  deny contains {FINDING} if {{\n    input.phase == "call"\n  }}\n',
    "tab-indented contains": f"\tdeny contains finding if {{\n\t\tfinding := {FINDING}\n\t}}\n",
    "set literal": f"deny := {{{FINDING}}}\n",
    "set literal with =": f"deny = {{{FINDING}}}\n",
    "conditional set literal": f'default deny := set()\n\ndeny := {{{FINDING}}} if input.phase == "call"\n',
    "set comprehension": f'deny := {{f | f := {FINDING}; input.phase == "call"}}\n',
    "array": f"deny := [{FINDING}]\n",
}


@pytest.mark.parametrize("rule", DENYING.values(), ids=DENYING.keys())
def test_every_valid_way_of_writing_deny_denies(tmp_path, rule):
    pack = tmp_path / "custom.rego"
    pack.write_text(HEADER + rule)
    assert custom_denies(load(pack))
    assert lint_messages(pack) == []


UNREADABLE = {
    "keyed (deny[msg] if)": (f"deny[msg] if {{\n  msg := {FINDING}\n}}\n", "makes deny an object"),
    "nested (deny.sub)": (f"deny.sub contains {FINDING} if true\n", "makes deny an object"),
    "function": (f"deny(x) := {{{FINDING}}} if x\n", "is a function"),
    "boolean (deny if)": ('deny if input.phase == "call"\n', "makes deny true"),
    "single finding": (f"deny := {FINDING}\n", "deny is an object"),
    "comparison": ('deny := input.phase == "call"\n', "deny is a boolean"),
    "both forms": (f"deny := {{{FINDING}}}\n\ndeny contains {FINDING} if true\n", "both with `contains`"),
}


@pytest.mark.parametrize(("rule", "why"), UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_deny_the_composition_cannot_read_is_a_lint_issue_and_stops_loading(tmp_path, rule, why):
    pack = tmp_path / "custom.rego"
    pack.write_text(HEADER + rule)
    (message,) = lint_messages(pack)
    assert message.startswith(f"{pack}:5: pack custom: ") and why in message
    with pytest.raises(ConfigError, match="composition cannot read") as info:
        load(pack)
    assert f"{pack}:5:" in str(info.value) and why in str(info.value)


def test_a_deny_in_a_package_nested_below_a_pack_is_reported_and_stops_loading(tmp_path):
    pack = tmp_path / "nested.rego"
    pack.write_text(
        f"package mcp_firewall.packs.custom.rules\n\nimport rego.v1\n\ndeny contains {FINDING} if true\n"
    )
    (message,) = lint_messages(pack)
    assert "data.mcp_firewall.packs.custom.rules.deny is never read" in message
    with pytest.raises(ConfigError, match="never read"):
        load(pack)


def test_an_unreadable_rule_in_a_pack_that_is_not_selected_does_not_stop_the_firewall(tmp_path):
    pack = tmp_path / "custom.rego"
    pack.write_text(HEADER + 'deny if input.phase == "call"\n')
    assert build_policy_engine(PolicyConfig(packs=["baseline"], extra=[pack])) is not None


def test_lint_reports_rules_that_look_like_decisions_but_that_nothing_reads(tmp_path):
    pack = tmp_path / "custom.rego"
    pack.write_text(
        HEADER + f"violation contains {FINDING} if true\n\n"
        'allow if input.phase == "call"\n\n'
        f"deny_writes contains {FINDING} if true\n\n"
        # Read by deny: a helper with a decision-like name is fine.
        f"denied_tools contains {FINDING} if true\n\n"
        "deny contains f if some f in denied_tools\n"
    )
    messages = lint_messages(pack)
    assert len(messages) == 3
    for message, name in zip(messages, ("violation", "allow", "deny_writes"), strict=True):
        assert (
            f"pack custom: rule {name} is never read: the composition reads only deny, ask and redact"
            in message
        )
    load(pack)  # suspicious, not unusable: the pack still loads


def test_lint_reports_a_pack_that_decides_nothing(tmp_path):
    pack = tmp_path / "custom.rego"
    pack.write_text(HEADER + 'phases := {"call"}\n')
    assert lint_messages(pack) == [
        f"{pack}:1: pack custom defines no deny, ask or redact rule: it never decides anything"
    ]


def test_policy_lint_command_exits_1_on_unreached_rules(tmp_path, capsys):
    from firewall.cli import main

    pack = tmp_path / "custom.rego"
    pack.write_text(HEADER + 'deny if input.phase == "call"\n')
    assert main(["policy", "lint", str(pack)]) == 1
    out = capsys.readouterr().out
    assert f"{pack}:5: pack custom: `deny if ...` makes deny true" in out and "1 files, 1 issues" in out


def lint_messages(pack: Path) -> list[str]:
    from firewall.policy.engine import read_sources

    return [str(issue) for issue in lint(read_sources([pack]))]


# Layouts of one deny rule: indentation, `if` or not, `contains` or a set literal, comments and
# blank lines between its lines. Whatever the layout, the rule denies the sample call or the
# policy is rejected when it loads (Rego v1 requires `if` before a body); it never loads and
# silently allows.
FORMS = {
    "contains block": ["deny contains finding if {", 'input.phase == "call"', f"finding := {FINDING}", "}"],
    "contains expression": [f'deny contains {FINDING} if input.phase == "call"'],
    "contains without if": ["deny contains finding {", f"finding := {FINDING}", "}"],
    "set literal": [f"deny := {{{FINDING}}}"],
    "set literal over lines": ["deny := {", f"{FINDING},", "}"],
    "set literal with if": [f"deny := {{{FINDING}}} if {{", 'input.phase == "call"', "}"],
    "set literal without if": [f"deny := {{{FINDING}}} {{", 'input.phase == "call"', "}"],
    "set comprehension": [f"deny := {{f | f := {FINDING}}}"],
}


@st.composite
def deny_layouts(draw: st.DrawFn) -> tuple[str, str]:
    form = draw(st.sampled_from(sorted(FORMS)))
    lines = FORMS[form]
    indent = draw(st.sampled_from(["", " ", "  ", "\t", "    ", "\t\t"]))
    inner = indent + draw(st.sampled_from(["", " ", "\t", "    "]))
    text = draw(st.sampled_from(["", f"{indent}# the sample rule\n"]))
    for number, line in enumerate(lines):
        first_or_last = number in (0, len(lines) - 1)
        text += (indent if first_or_last else inner) + line
        text += draw(st.sampled_from(["", "  # note"])) + "\n"
        if number < len(lines) - 1:
            text += draw(st.sampled_from(["", "\n", f"{inner}# between\n", "\n\n"]))
    return form, text


@settings(max_examples=80, deadline=None)
@given(deny_layouts())
def test_every_layout_of_a_deny_rule_denies_or_is_rejected_loudly(layout):
    form, rule = layout
    with tempfile.TemporaryDirectory() as folder:
        pack = Path(folder) / "custom.rego"
        pack.write_text(HEADER + rule)
        if form.endswith("without if"):
            with pytest.raises(ConfigError, match="does not compile"):
                load(pack)
        else:
            assert custom_denies(load(pack)), f"loaded, but the deny rule never fires:\n{rule}"

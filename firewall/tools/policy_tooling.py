"""Tools for policy authors: run *_test.rego like `opa test` (with coverage), evaluate one input,
and lint policies for references to input fields the documented schema does not have (a typo in
an input path makes a rule silently never fire, or a deny-all silently always fire)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from firewall.policy.document import PolicyInput
from firewall.policy.engine import (
    COMPOSITION,
    EmbeddedEngine,
    PolicyError,
    Source,
    composition_module,
    read_packs,
    rego_message,
)

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)
_INPUT_REF = re.compile(r"\binput((?:\.[A-Za-z_]\w*)+)")


@dataclass(frozen=True)
class TestResult:
    """One test_* rule's outcome (``error``: why it could not be evaluated)."""

    package: str
    name: str
    passed: bool
    error: str | None = None


@dataclass(frozen=True)
class Coverage:
    """Policy lines (outside tests and the composition) the tests evaluated, and regorus' report."""

    covered: int
    total: int
    report: str

    @property
    def percent(self) -> float:
        """Covered lines as a percentage (100 when there are none)."""
        return 100.0 * self.covered / self.total if self.total else 100.0


def discover_tests(sources: Sequence[Source]) -> list[tuple[str, str]]:
    """(package, rule) of every test_* rule in the sources, in file order."""
    tests: list[tuple[str, str]] = []
    for source in sources:
        package = _PACKAGE.search(source.text)
        if package is None:
            continue
        for name in dict.fromkeys(_TEST_RULE.findall(source.text)):
            tests.append((package.group(1), name))
    return tests


def run_tests(sources: Sequence[Source], data: dict[str, Any]) -> tuple[list[TestResult], Coverage]:
    """Evaluate every test_* rule; a test passes when it is defined and true. Coverage counts the
    lines of the non-test files that the tests evaluated."""
    engine_wrapper = EmbeddedEngine(sources, data)
    engine = engine_wrapper.engine()
    engine.set_enable_coverage(True)
    results: list[TestResult] = []
    for package, name in discover_tests(sources):
        try:
            value = engine.eval_rule(f"data.{package}.{name}")
            results.append(TestResult(package, name, value is True))
        except RuntimeError as exc:
            results.append(TestResult(package, name, False, rego_message(exc)))
    report = engine.get_coverage_report_as_json()
    return results, _coverage(report, engine.get_coverage_report_pretty())


def _coverage(report_json: str, pretty: str) -> Coverage:
    import json

    covered = total = 0
    for entry in json.loads(report_json).get("files", []):
        if entry.get("path", "").endswith("_test.rego") or entry.get("path") == COMPOSITION:
            continue
        hit, missed = len(entry.get("covered", [])), len(entry.get("not_covered", []))
        covered += hit
        total += hit + missed
    return Coverage(covered, total, pretty)


def schema_paths() -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """(every known input path, the paths below which anything goes: free-form objects)."""
    schema = PolicyInput.model_json_schema()
    definitions = schema.get("$defs", {})
    known: set[tuple[str, ...]] = set()
    open_ended: set[tuple[str, ...]] = set()

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        if "$ref" in node:
            node = definitions[node["$ref"].rsplit("/", 1)[1]]
        for option in node.get("anyOf", []):
            if option.get("type") != "null":
                walk(option, path)
        if node.get("type") == "array" and "items" in node:
            walk(node["items"], path)  # array elements are reached through a variable, not a dot
        properties = node.get("properties")
        if properties:
            for key, child in properties.items():
                known.add((*path, key))
                walk(child, (*path, key))
        elif node.get("type") == "object" or node.get("additionalProperties") is not None:
            open_ended.add(path)

    walk(schema, ())
    return known, open_ended


@dataclass(frozen=True)
class LintIssue:
    """One lint finding at a file and line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def lint(sources: Sequence[Source]) -> list[LintIssue]:
    """Compile, then flag the pack rules the composition does not read (a deny it cannot use, a
    rule that looks like a decision but that nothing reads, a pack that decides nothing) and
    `input.a.b` references the input schema does not define."""
    sources = [s for s in sources if s.path != COMPOSITION]  # rebuilt below from the readable rules
    try:
        composition = read_packs(sources)
        EmbeddedEngine([*sources, composition_module(composition)], {})
    except PolicyError as exc:
        return [LintIssue("(compile)", 0, str(exc))]
    issues = [LintIssue(i.path, i.line, i.message) for i in composition.issues]
    known, open_ended = schema_paths()
    for source in sources:
        if source.path.endswith("_test.rego"):
            continue  # tests build their own inputs
        for line_number, line in _code_lines(source.text):
            for match in _INPUT_REF.finditer(line):
                parts = tuple(match.group(1).strip(".").split("."))
                bad = _unknown_prefix(parts, known, open_ended)
                if bad is not None:
                    issues.append(
                        LintIssue(
                            source.path,
                            line_number,
                            f"input.{'.'.join(bad)} is not in the policy input schema ({PolicyInput.model_fields['version'].default})",
                        )
                    )
    return issues


def _code_lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        yield number, line.split("#", 1)[0]


def _unknown_prefix(
    parts: tuple[str, ...], known: set[tuple[str, ...]], open_ended: set[tuple[str, ...]]
) -> tuple[str, ...] | None:
    for depth in range(1, len(parts) + 1):
        prefix = parts[:depth]
        if prefix[:-1] in open_ended:
            return None
        if prefix not in known:
            return prefix
    return None

"""What the packs of a compiled policy define, read from regorus's AST, and which of their rules the
generated composition reads.

The composition is derived from the rules the engine compiled, not from the source text: a regex
over the text missed an indented `deny contains`, a `deny := {...}` and every other layout, and a
pack whose rules the composition misses silently allows everything. What the composition cannot
read is reported: a rule named deny, ask or redact with a shape it cannot use stops loading (it
would never fire), and a rule that looks like a decision but that nothing reads is a lint issue.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

PACKS = ("mcp_firewall", "packs")
LEVELS = ("deny", "ask", "redact")

# A pack rule with one of these names (or starting with one) is meant to decide something; if
# nothing reads it, the pack does not do what its author thinks. `allow`, `violation`, `warn` and
# the like are the decision names of other Rego tools (OPA examples, Gatekeeper, conftest).
_DECISION_WORDS = ("deny", "deni", "ask", "redact", "allow", "violation", "warn", "block", "reject", "forbid")

# AST kinds of values that cannot be a set of findings: literals (`deny := {"rule_id": ...}` is one
# finding, and iterating it yields its strings) and comparisons. Other values are computed, and
# regorus raises if one is not a collection when the composition iterates it (DENY).
_NOT_A_SET = {
    "BoolExpr": "a boolean",
    "Membership": "a boolean",
    "Object": "an object",
    "String": "a string",
    "RawString": "a string",
    "Number": "a number",
    "Bool": "a boolean",
    "Null": "null",
}
_HEADS = ("Compr", "Set", "Func")
_FIX = "write `{level} contains finding if {{ ... }}`"


@dataclass(frozen=True)
class PackIssue:
    """A rule in a pack that the composition does not read."""

    path: str
    line: int
    pack: str
    message: str
    blocking: bool
    """A deny/ask/redact rule the composition cannot use: loading the pack fails (lint reports the
    others, which are only suspicious)."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Composition:
    """Every pack the policy defines, the levels the composition reads from it, and what it cannot."""

    levels: dict[str, list[str]] = field(default_factory=dict)
    issues: list[PackIssue] = field(default_factory=list)


@dataclass(frozen=True)
class _Rule:
    path: str
    line: int
    ref: tuple[str | None, ...]
    """The full data path the rule defines; None where the head computes a key (`deny[x]`)."""
    form: str
    """contains, value (`:=`, `=`), default, true (a head with no value: `deny if ...`), function."""
    literal: str | None = None
    """For a value: what literal it is, when it is one that cannot be a set (an object, a string...)."""


def read_composition(ast: list[dict[str, Any]]) -> Composition:
    """Classify the rules of every pack (package mcp_firewall.packs.NAME, tests excluded) in the
    engine's AST (`Engine.get_ast_as_json()`, parsed). Raises ValueError on an AST it cannot read."""
    rules: list[_Rule] = []
    packages: dict[str, tuple[str, int]] = {}
    referenced: set[str] = set()
    for module in ast:
        tree, path = module["ast"], module["source"]["file"]
        package = _ref(tree["package"]["refr"])
        if package and str(package[-1]).endswith("_test"):
            continue  # tests read the packs' rules, but the composition does not: they reach nothing
        if package[:2] == PACKS and len(package) > 2 and package[2] is not None:
            packages.setdefault(package[2], (path, tree["package"]["span"]["line"]))
        for node in tree["rules"]:
            rule = _rule(path, package, node)
            rules.append(rule)
            referenced.update(_names(node, skip_head=True))
        for node in tree.get("imports", []):
            referenced.update(_names(node))
    return _classify(rules, packages, referenced)


def _classify(rules: list[_Rule], packages: dict[str, tuple[str, int]], referenced: set[str]) -> Composition:
    forms: dict[tuple[str, str], set[str]] = {}
    first: dict[tuple[str, str], _Rule] = {}
    issues: list[PackIssue] = []
    for rule in rules:
        if rule.ref[:2] != PACKS or len(rule.ref) < 3 or rule.ref[2] is None:
            continue
        pack, inner = rule.ref[2], rule.ref[3:]
        if pack.endswith("_test"):
            continue
        packages.setdefault(pack, (rule.path, rule.line))
        message = _unusable(inner, rule)
        if message is not None:
            issues.append(PackIssue(rule.path, rule.line, pack, f"pack {pack}: {message}", blocking=True))
        elif inner and inner[0] in LEVELS:
            level = str(inner[0])
            forms.setdefault((pack, level), set()).add("set" if rule.form == "contains" else "value")
            first.setdefault((pack, level), rule)
        elif inner and inner[0] is not None and _looks_like_decision(inner[0]) and inner[0] not in referenced:
            issues.append(
                PackIssue(
                    rule.path,
                    rule.line,
                    pack,
                    f"pack {pack}: rule {inner[0]} is never read: the composition reads only deny, ask and "
                    "redact, so it decides nothing (rename it, or use it in one of those)",
                    blocking=False,
                )
            )
    for (pack, level), kinds in sorted(forms.items()):
        if len(kinds) > 1:
            rule = first[(pack, level)]
            issues.append(
                PackIssue(
                    rule.path,
                    rule.line,
                    pack,
                    f"pack {pack}: {level} is defined both with `contains` and with `:=` (OPA rejects "
                    "that, regorus merges or rejects it by rule order): use one form",
                    blocking=True,
                )
            )
    levels = {
        pack: [level for level in LEVELS if (pack, level) in forms and len(forms[(pack, level)]) == 1]
        for pack in sorted(packages)
    }
    for pack, found in levels.items():
        if not found and not any(issue.pack == pack and issue.blocking for issue in issues):
            path, line = packages[pack]
            issues.append(
                PackIssue(
                    path,
                    line,
                    pack,
                    f"pack {pack} defines no deny, ask or redact rule: it never decides anything",
                    blocking=False,
                )
            )
    return Composition(levels, sorted(issues, key=lambda i: (i.path, i.line)))


def _unusable(inner: tuple[str | None, ...], rule: _Rule) -> str | None:
    """Why the composition cannot read this rule as a pack's deny/ask/redact, or None when it can
    (or the rule is not one of those)."""
    level_at = next((i for i, part in enumerate(inner) if part in LEVELS), None)
    if level_at is None:
        return None
    level = str(inner[level_at])
    fix = _FIX.format(level=level)
    if level_at > 0:
        dotted = ".".join(str(part) for part in rule.ref[:3]) + "." + _show(inner)
        return f"data.{dotted} is never read: the composition reads {level} only in package mcp_firewall.packs.NAME itself"
    if len(inner) > 1:
        return f"{_show(inner)} makes {level} an object, not a set of findings: {fix}"
    if rule.form == "function":
        return f"{level}(...) is a function, but the composition reads {level} as a set of findings: {fix}"
    if rule.form == "true":
        return f"`{level} if ...` makes {level} true, not a set of findings: {fix}"
    if rule.literal is not None:
        return (
            f"{level} is {rule.literal}, not a set of findings: write `{level} := {{finding, ...}}` "
            f"or `{level} contains finding if {{ ... }}`"
        )
    return None


def _looks_like_decision(name: str) -> bool:
    return name.lower().startswith(_DECISION_WORDS)


def _show(inner: tuple[str | None, ...]) -> str:
    return str(inner[0]) + "".join("[_]" if part is None else f".{part}" for part in inner[1:])


def _rule(path: str, package: tuple[str | None, ...], node: dict[str, Any]) -> _Rule:
    if "Default" in node:
        spec = node["Default"]
        form = "function" if spec.get("args") else "default"
        return _Rule(path, spec["span"]["line"], package + _ref(spec["refr"]), form, _literal(spec["value"]))
    spec = node["Spec"]
    ((kind, head),) = spec["head"].items()
    line, ref = spec["span"]["line"], package + _ref(head["refr"])
    if kind == "Set":
        return _Rule(path, line, ref, "contains")
    if kind == "Func":
        return _Rule(path, line, ref, "function")
    if kind == "Compr":
        if head["assign"] is None:
            return _Rule(path, line, ref, "true")
        return _Rule(path, line, ref, "value", _literal(head["assign"]["value"]))
    raise ValueError(f"unknown rule head {kind!r} at {path}:{line}")


def _literal(value: dict[str, Any]) -> str | None:
    ((kind, body),) = value.items()
    if kind == "Object" and not body["fields"]:
        return None  # `default deny := {}`: no findings, which the composition reads fine
    return _NOT_A_SET.get(kind)


def _ref(node: dict[str, Any]) -> tuple[str | None, ...]:
    """The path a reference names: `a.b["c"][x]` is (a, b, c, None)."""
    ((kind, body),) = node.items()
    if kind == "Var":
        return (body["value"],)
    if kind == "RefDot":
        return (*_ref(body["refr"]), body["field"][1])
    if kind == "RefBrack":
        index = body["index"]
        key = index.get("String", index.get("RawString"))
        return (*_ref(body["refr"]), key["value"] if key else None)
    raise ValueError(f"unexpected reference {kind!r}")


def _names(node: Any, *, skip_head: bool = False) -> Iterator[str]:
    """Every name a rule (or import) refers to: variables, `.field`s and `["key"]`s, but not the
    rule's own name (skip_head: the head's `refr`). Over-approximates (a local variable of the same
    name counts): it only keeps lint from calling a rule unread."""
    if isinstance(node, list):
        for item in node:
            yield from _names(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if skip_head and key == "refr":
                continue
            if key == "Var":
                yield value["value"]
            elif key == "RefDot":
                yield value["field"][1]
            elif key == "RefBrack":
                literal = value["index"].get("String", value["index"].get("RawString"))
                if literal is not None:
                    yield literal["value"]
            # Only the head's own refr is the definition; the rest of the rule is references.
            yield from _names(value, skip_head=skip_head and key in ("Spec", "Default", "head", *_HEADS))

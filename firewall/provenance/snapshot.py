"""Codecs for `SessionGraph.dump()`/`load()`: labels, matches and node or edge attributes as JSON
values, and checks that turn malformed snapshot data into a ValueError naming what is wrong."""

from __future__ import annotations

from typing import Any

from firewall.core.labels import Confidentiality, Label, Trust
from firewall.provenance.match import Match


def label_to_json(label: Label) -> dict[str, str]:
    """A label as `{"trust": ..., "confidentiality": ...}` (lower-case names)."""
    return label.to_json()


def label_from_json(data: Any, where: str) -> Label:
    """The label `label_to_json` wrote; ValueError (naming `where`) for anything else."""
    if not isinstance(data, dict) or set(data) != {"trust", "confidentiality"}:
        raise ValueError(f"{where}: expected a label {{trust, confidentiality}}")
    trust, confidentiality = data["trust"], data["confidentiality"]
    if trust not in {t.name.lower() for t in Trust} or confidentiality not in {
        c.name.lower() for c in Confidentiality
    }:
        raise ValueError(f"{where}: unknown trust or confidentiality {trust!r}/{confidentiality!r}")
    return Label.parse(trust, confidentiality)


def match_to_json(match: Match) -> list[Any]:
    """A match as `[path, kind, start, end, sources]`."""
    return [list(match.path), match.kind, match.start, match.end, list(match.sources)]


def match_from_json(data: Any, where: str) -> Match:
    """The match `match_to_json` wrote."""
    if not isinstance(data, list) or len(data) != 5:
        raise ValueError(f"{where}: expected [path, kind, start, end, sources]")
    path, kind, start, end, sources = data
    return Match(
        json_path(path, f"{where}.path"),
        text(kind, f"{where}.kind"),
        integer(start, where),
        integer(end, where),
        tuple(integer(s, f"{where}.sources") for s in array_of(sources, where)),
    )


def attributes_to_json(attributes: dict[str, Any]) -> dict[str, Any]:
    """Node or edge attributes with labels and matches encoded (everything else is plain JSON)."""
    data = dict(attributes)
    if "label" in data:
        data["label"] = label_to_json(data["label"])
    if "matches" in data:
        data["matches"] = [match_to_json(m) for m in data["matches"]]
    return data


def attributes_from_json(data: Any, where: str) -> dict[str, Any]:
    """The attributes `attributes_to_json` wrote; `kind` is required and every value checked."""
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        raise ValueError(f"{where}: expected an attribute object with a string 'kind'")
    attributes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "label":
            attributes[key] = label_from_json(value, f"{where}.label")
        elif key == "matches":
            values = array_of(value, f"{where}.matches")
            attributes[key] = [match_from_json(m, f"{where}.matches[{i}]") for i, m in enumerate(values)]
        elif key == "bytes":
            attributes[key] = integer(value, f"{where}.bytes")
        elif key in ("kind", "server", "name"):
            attributes[key] = text(value, f"{where}.{key}")
        else:
            raise ValueError(f"{where}: unknown attribute {key!r}")
    return attributes


def json_path(data: Any, where: str) -> tuple[str | int, ...]:
    """A JSON path: a list of object keys (strings) and array indexes (integers)."""
    items = array_of(data, where)
    if not all(isinstance(p, str) or type(p) is int for p in items):
        raise ValueError(f"{where}: a path holds only strings and integers")
    return tuple(items)


def integer(data: Any, where: str) -> int:
    """An int (not a bool)."""
    if type(data) is not int:
        raise ValueError(f"{where}: expected an integer, got {type(data).__name__}")
    return data


def text(data: Any, where: str) -> str:
    """A string."""
    if not isinstance(data, str):
        raise ValueError(f"{where}: expected a string, got {type(data).__name__}")
    return data


def array_of(data: Any, where: str) -> list[Any]:
    """A list."""
    if not isinstance(data, list):
        raise ValueError(f"{where}: expected a list, got {type(data).__name__}")
    return data

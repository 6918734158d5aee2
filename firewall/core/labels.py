"""Trust and confidentiality labels (lattices that only join upward) and tool classes.

Trust: TRUSTED < INTERNAL < UNTRUSTED. Confidentiality: PUBLIC < PRIVATE. Joining two labels takes
the worse of each, so content derived from several sources is as untrusted and as private as the
worst of them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class Trust(enum.IntEnum):
    """Who could have written content: the principal (TRUSTED), the deployer's own systems
    (INTERNAL, e.g. local files and git), or anyone (UNTRUSTED). Higher is worse."""

    TRUSTED = 0
    INTERNAL = 1
    UNTRUSTED = 2


class Confidentiality(enum.IntEnum):
    """Whether content may leave the session (PUBLIC) or must not (PRIVATE). Higher is worse."""

    PUBLIC = 0
    PRIVATE = 1


@dataclass(frozen=True)
class Label:
    """A piece of content's trust and confidentiality; the default (BOTTOM) is trusted and public."""

    trust: Trust = Trust.TRUSTED
    confidentiality: Confidentiality = Confidentiality.PUBLIC

    def join(self, other: Label) -> Label:
        """The least upper bound: the worse of each dimension (content derived from both)."""
        return Label(max(self.trust, other.trust), max(self.confidentiality, other.confidentiality))

    def meet(self, other: Label) -> Label:
        """The greatest lower bound: the better of each dimension (see `meet_all`)."""
        return Label(min(self.trust, other.trust), min(self.confidentiality, other.confidentiality))

    def flows_to(self, other: Label) -> bool:
        """The lattice order: self is no worse than other in both dimensions."""
        return self.trust <= other.trust and self.confidentiality <= other.confidentiality

    def to_json(self) -> dict[str, str]:
        """{"trust": ..., "confidentiality": ...} with lower-case names, as the policy input and the
        audit log carry it."""
        return {"trust": self.trust.name.lower(), "confidentiality": self.confidentiality.name.lower()}

    @classmethod
    def parse(cls, trust: str | None, confidentiality: str | None, base: Label | None = None) -> Label:
        """A label from config names (any case); an unset one falls through to `base` (default
        BOTTOM). An unknown name raises KeyError."""
        base = base or BOTTOM
        return cls(
            Trust[trust.upper()] if trust else base.trust,
            Confidentiality[confidentiality.upper()] if confidentiality else base.confidentiality,
        )


BOTTOM = Label()
UNTRUSTED_PUBLIC = Label(Trust.UNTRUSTED, Confidentiality.PUBLIC)


def meet_all(labels: Iterable[Label]) -> Label:
    """The greatest lower bound (BOTTOM for none): a value seen in several places is only as tainted
    as the cleanest place it could have been learned from."""
    result: Label | None = None
    for label in labels:
        result = label if result is None else result.meet(label)
    return result or BOTTOM


def join_all(labels: Iterable[Label]) -> Label:
    """The least upper bound (BOTTOM for none): content derived from several sources is as
    untrusted and as private as the worst of them."""
    result = BOTTOM
    for label in labels:
        result = result.join(label)
    return result


class ToolClass(enum.StrEnum):
    """What a tool can do, as the policy reads it; a tool may have several classes."""

    SOURCE = "source"  # brings content into the session
    SINK = "sink"  # changes state somewhere
    EGRESS = "egress"  # can send data outside (open world, not read-only)
    DESTRUCTIVE = "destructive"  # may destroy or overwrite data


def classes_from_annotations(annotations: Mapping[str, Any] | None) -> frozenset[ToolClass]:
    """Classes from MCP tool annotations, with the spec's defaults for absent hints.

    Spec defaults: readOnlyHint false, destructiveHint true, openWorldHint true. So a tool that says
    nothing is treated as a destructive egress sink, and every tool's output is a source.
    """
    hints = annotations or {}
    read_only = bool(hints.get("readOnlyHint", False))
    classes = {ToolClass.SOURCE}
    if not read_only:
        classes.add(ToolClass.SINK)
        if hints.get("destructiveHint", True):
            classes.add(ToolClass.DESTRUCTIVE)
        if hints.get("openWorldHint", True):
            classes.add(ToolClass.EGRESS)
    return frozenset(classes)

"""JSON codecs and checks the provenance snapshot is built from: key digests as base64, labels,
and typed reads that raise ValueError naming where the data is wrong."""

from __future__ import annotations

import base64
import binascii
import sys
from array import array
from collections.abc import Iterable
from typing import Any

from firewall.core.labels import Confidentiality, Label, Trust


def digests_to_text(digests: Iterable[int]) -> str:
    """Signed 64-bit digests as base64 of their little-endian bytes."""
    data = array("q", digests)
    if sys.byteorder == "big":
        data.byteswap()
    return base64.b64encode(data.tobytes()).decode("ascii")


def digests_from_text(data: Any, where: str) -> array[int]:
    """The digests `digests_to_text` wrote."""
    try:
        raw = base64.b64decode(text(data, where), validate=True)
    except binascii.Error:
        raise ValueError(f"{where}: digests are not base64") from None
    if len(raw) % 8:
        raise ValueError(f"{where}: digests are not a whole number of int64")
    digests = array("q")
    digests.frombytes(raw)
    if sys.byteorder == "big":
        digests.byteswap()
    return digests


def label_from_json(data: Any, where: str) -> Label:
    """The label `Label.to_json` wrote; ValueError (naming `where`) for anything else."""
    if not isinstance(data, dict) or set(data) != {"trust", "confidentiality"}:
        raise ValueError(f"{where}: expected a label {{trust, confidentiality}}")
    trust, confidentiality = data["trust"], data["confidentiality"]
    if trust not in {t.name.lower() for t in Trust} or confidentiality not in {
        c.name.lower() for c in Confidentiality
    }:
        raise ValueError(f"{where}: unknown trust or confidentiality {trust!r}/{confidentiality!r}")
    return Label.parse(trust, confidentiality)


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

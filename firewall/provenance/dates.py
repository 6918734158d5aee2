"""Calendar dates in text, as month-day keys ("05-13"), however they are written.

A user writes "May 13th", "the 1st of January" or "2024-05-13"; a tool's argument is usually ISO.
The same day reads as the same key in all of them, so the firewall can tell a date the user gave
from one an instruction in content gave. The year is left out of the key: people often leave it
out ("October 15th"), and two different days of one year never share a key. Numeric forms other
than ISO ("05/06/2024") are left out: whether they are day or month first cannot be told.
"""

from __future__ import annotations

import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:])"
_TO = r"\s*(?:-|\u2013|to|until|till|through|and)\s*(?:the\s+)?"

_PATTERNS = (
    # 2024-05-13, 2024-05-13 09:00, 2024-05-13T09:00
    re.compile(r"(?<!\d)\d{4}-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?!\d)"),
    # the 13th to the 17th of May; 13-17 May
    re.compile(
        r"(?<![\w.])" + _DAY.format("day") + _TO + _DAY.format("day2") + r"\s+(?:of\s+)?" + _MONTH + r"\b"
    ),
    # May 13 to 17; May 13-17
    re.compile(r"\b" + _MONTH + r"\s+" + _DAY.format("day") + _TO + _DAY.format("day2")),
    # May 13th, May 13
    re.compile(r"\b" + _MONTH + r"\s+(?:the\s+)?" + _DAY.format("day")),
    # 13th of May, 13 May
    re.compile(r"(?<![\w.])" + _DAY.format("day") + r"\s+(?:of\s+)?" + _MONTH + r"\b"),
)


def dates(text: str) -> set[str]:
    """The month-day keys ("05-13") of the dates written in `text` (any case)."""
    found: set[str] = set()
    lowered = text.lower()
    for pattern in _PATTERNS:
        for match in pattern.finditer(lowered):
            month_text = match.group("month")
            month = _MONTHS.get(month_text) or int(month_text)
            for group in ("day", "day2"):
                day = match.groupdict().get(group)
                if day is not None and 1 <= int(day) <= 31 and 1 <= month <= 12:
                    found.add(f"{month:02d}-{int(day):02d}")
    return found

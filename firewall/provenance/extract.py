"""Values worth tracing, pulled out of normalised text: emails, URLs and domains, IBAN-like and long
digit runs, identifiers, file paths, whole short fields and lines, and word shingles for long
substrings.

What counts as too short or too common to create an edge is decided here, per kind, by information
content rather than by frequency (a frequency cut would let new outputs make old matches vanish):
- digit runs need 6+ digits, IBAN-like strings 15+ characters with 10+ digits;
- identifiers need 8+ characters mixing letters and digits; paths two segments and 6+ characters;
- domains need a dot and an alphabetic top-level label that is not a file extension;
- whole fields and lines need 8+ characters and must not be a stop value ("true", "success", ...);
- free text matches as shingles of SHINGLE_WORDS words, winnowed; a shared run of
  SHINGLE_WORDS + WINDOW - 1 words (13) is always found, shorter ones sometimes.
Bare numbers like "1", words like "yes" and booleans never qualify under any kind.

Which shingles winnowing keeps is decided by a fixed hash of their words (CRC-32 of the UTF-8), not
by Python's per-process salted hash(), so the same session gives the same matches, and so the same
decisions, in every process.
"""

from __future__ import annotations

import re
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from firewall.provenance.normalize import fold_quotes

SHINGLE_WORDS = 6
WINDOW = 8
MAX_FIELD = 256

_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,24}")
_URL = re.compile(r"https?://[^\s<>\"'`)\]}]+")
_DOMAIN = re.compile(r"(?<![\w@.\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![\w\-@])")
"""Not before an "@": the local part of an address (john.mitchell@...) is not a domain."""
_IBAN = re.compile(r"(?<![a-z0-9])[a-z]{2}\d{2}(?: ?[a-z0-9]{1,4}){3,8}(?![a-z0-9])")
_DIGITS = re.compile(r"(?<![\d])\d(?:[ \-./]?\d){5,}(?![\d])")
_IDENTIFIER = re.compile(r"(?<![\w\-])[a-z0-9][a-z0-9_\-]{6,}[a-z0-9](?![\w\-])")
_PATH = re.compile(r"(?<![\w:/.\-])(?:~|\.{1,2})?(?:/[\w.\-]+){2,}|[a-z]:\\(?:[\w.\-]+\\)*[\w.\-]+")
_ANY_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[\w@.\-/:]+")
_FILE_EXTENSIONS = frozenset(
    "txt py json md pdf csv yaml yml toml js ts html htm png jpg jpeg gif log xml sh exe zip gz tar ini cfg "
    "doc docx xls xlsx ppt pptx rs go java c h cpp rb php sql db".split()
)
STOP_VALUES = frozenset(
    "true false null none yes no ok okay success error failed unknown undefined default enabled disabled".split()
)


@dataclass(frozen=True)
class Value:
    """One traceable value: its kind, the key it is indexed under, and its span in the text."""

    kind: str
    key: str
    start: int
    end: int


def typed_values(text: str) -> Iterator[Value]:
    """Typed values in normalised text, each with its span in that text.

    Cheap character checks skip the patterns that cannot match (this runs on every argument and
    every output, so most texts should cost a few substring tests, not seven regex scans)."""
    has_digit = _ANY_DIGIT.search(text) is not None
    if "@" in text:
        yield from _emails(text)
    if "://" in text:
        yield from _urls(text)
    if "." in text:
        yield from _domains(text)
    if has_digit:
        yield from _numbers(text)
    if "/" in text or "\\" in text:
        yield from _paths(text)


def _emails(text: str) -> Iterator[Value]:
    for match in _EMAIL.finditer(text):
        yield Value("email", match.group(), *match.span())


def _urls(text: str) -> Iterator[Value]:
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?")
        yield Value("url", url, match.start(), match.start() + len(url))


def _domains(text: str) -> Iterator[Value]:
    for match in _DOMAIN.finditer(text):
        domain = match.group()
        if domain.rsplit(".", 1)[1] not in _FILE_EXTENSIONS:
            yield Value("domain", domain, *match.span())


def _numbers(text: str) -> Iterator[Value]:
    """IBAN-like strings, digit runs and identifiers all need a digit."""
    for match in _IBAN.finditer(text):
        groups = match.group().split(" ")
        while len(groups) > 1 and groups[-1].isalpha():  # a trailing word, not part of the number
            groups.pop()
        compact = "".join(groups)
        if 15 <= len(compact) <= 34 and sum(c.isdigit() for c in compact) >= 10:
            yield Value("iban", compact, match.start(), match.start() + len(" ".join(groups)))
    for match in _DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        yield Value("number", digits, *match.span())
    for match in _IDENTIFIER.finditer(text):
        token = match.group()
        if any(c.isdigit() for c in token) and any(c.isalpha() for c in token) and not token.isdigit():
            yield Value("identifier", token, *match.span())


def _paths(text: str) -> Iterator[Value]:
    for match in _PATH.finditer(text):
        if len(match.group()) >= 6:
            yield Value("path", match.group().rstrip("."), *match.span())


def is_field(text: str) -> bool:
    """Whether a whole normalised string is long and specific enough to count as a copied field."""
    return 8 <= len(text) <= MAX_FIELD and text not in STOP_VALUES


def field_value(text: str) -> Value | None:
    """The whole (normalised) string as one copied field, when it is short and not a stop value.

    Quotes are folded out of the key, so YAML's 'O''Brien' and JSON's "O'Brien" are one field."""
    return Value("field", fold_quotes(text), 0, len(text)) if is_field(text) else None


_KEY_VALUE = re.compile(r"^\s*[\"']?[\w\- ]{1,40}[\"']?\s*[:=]\s*(.+?)\s*,?$")


def line_fields(line: str) -> Iterator[Value]:
    """A normalised line as a field, and the value part of a `key: value` (YAML, JSON, INI) line."""
    for candidate in (line, *(m.group(1) for m in [_KEY_VALUE.match(line)] if m)):
        field = field_value(candidate)
        if field is not None:
            yield field


def shingle_hash(shingle: str) -> int:
    """The fixed hash winnowing orders shingles by: CRC-32 of the shingle's UTF-8 (its words joined
    by single spaces). It is the same in every process and on every platform (Python's hash() of a
    string is salted per process, which made matches differ between runs); it only chooses which
    shingles are indexed, the index is keyed by the shingle's words themselves."""
    return zlib.crc32(shingle.encode("utf-8", "surrogatepass"))


def shingles(text: str) -> Iterator[tuple[str, int, int]]:
    """Winnowed word shingles of normalised text: (shingle, start, end), the shingle being its
    SHINGLE_WORDS words joined by single spaces (words never include spaces or quote characters, so
    quoting styles do not change the shingles)."""
    matches = list(_WORD.finditer(text))
    if len(matches) < SHINGLE_WORDS:
        return
    words = [m.group() for m in matches]
    crc32 = zlib.crc32
    texts = [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]
    hashes = [crc32(t.encode("utf-8", "surrogatepass")) for t in texts]  # shingle_hash, inlined
    # Winnowing: the minimum hash of every window of WINDOW shingles (rightmost on ties), once.
    window: deque[int] = deque()
    last = -1
    for i, value in enumerate(hashes):
        while window and hashes[window[-1]] >= value:
            window.pop()
        window.append(i)
        if window[0] <= i - WINDOW:
            window.popleft()
        if i >= WINDOW - 1 or i == len(hashes) - 1:
            chosen = window[0]
            if chosen != last:
                last = chosen
                yield texts[chosen], matches[chosen].start(), matches[chosen + SHINGLE_WORDS - 1].end()

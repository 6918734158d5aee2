"""Decoded variants of an output: the plain form of values an attacker wrote in a form the agent
decodes but the value index would not see (`john dot doe at evil dot com`, `hxxps://evil[.]com`,
base64 of an address), so that an argument holding the plain value still traces to that output.

`variants(raw)` returns [] for an ordinary text (a few substring tests and one base64 scan), else
the decoded texts, which the caller indexes alongside the raw text:
- one text made of the lines that changed when every rewrite below was applied to the whole output
  (whole lines, so line fields and shingles around the value still work), and
- the decoded text of each base64 token that decodes to printable UTF-8 (rewritten the same way, and
  its own base64 tokens decoded once more), at most MAX_BASE64_TOKENS tokens tried, each cut to
  MAX_BASE64_CHARS characters; tokens in one case only, and tokens under 24 characters without a
  digit (identifiers like snake_case_names and CamelCaseWords), are not tried.

Recognised (case-insensitive), in this order:
- what normalize.py already undoes, done first so the forms below are seen through it: NFKC
  (full-width letters, `@` and `.`, the small commercial at), invisible and tag characters (zero-width spaces
  inside a word), one round of percent-encoding;
- HTML character references: numeric (`&#64;`, `&#x40;`, also double-escaped `&amp;#64;`) that
  decode to an ASCII letter, digit or one of `@.:/-_%+?=&#~` (others, like `&#39;`, are left: they
  never change a value), an invisible character (dropped), and the named `&commat; &period; &colon;
  &sol; &percnt; &lowbar; &hyphen; &num; &quest; &equals; &plus; &tilde;`;
- a second round of percent-encoding (`%2540`);
- look-alike letters (Cyrillic and Greek letters that look Latin, the ideographic and half-width full stops
  for a dot), but only
  inside a word that also has an ASCII letter (`paypal.com` with a Cyrillic a); all-Cyrillic or
  all-Greek words are text, not disguise;
- defanged schemes: `hxxp`, `hxxps`, `hXXp`, `hxtp`, `h**p`, `h[tt]p`, with `:`, `[:]`, `(:)` or
  `{:}` and `//` or `[/][/]`, and `http[://]`;
- bracketed separators between letters or digits (spaces allowed around and inside): `[.]`, `(.)`,
  `{.}`, `<.>`, `[dot]`, `(dot)`, `{dot}`, `<dot>` become `.`; `[at]`, `(at)`, `{at}`, `<at>`, `[@]`,
  `(@)`, `{@}` become `@` (any alphabetic top-level label of 2-24 letters then counts);
- spelled-out schemes: `https colon slash slash`, `http colon //`;
- spaced-out letters: a run of 7+ single characters separated by single spaces that contains `@`,
  `://` or a dot between letters (`h t t p s : / / e v i l . c o m`) is closed up;
- reversed addresses and URLs: a token containing `//:ptth` or `//:sptth`, or containing `@` and
  starting with a reversed common top-level domain and a dot (`moc.live@eod.nhoj`);
- spelled-out separators: the words `dot` and `at` between spaces, and `.`/`@` with spaces around
  (`john dot doe at evil dot com`, `support @ acme . com`, `evil dot com`), only when the pieces
  make an address or a domain: a local part and domain labels of letters, digits and `-_%+`, at
  most 5 local parts and 8 domain labels, a top-level label after a spelled or spaced dot from
  SPELLED_TLDS (common generic and country domains that are not English words: `com`, `org`,
  `io`, `uk`, ..., not `in`, `is`, `to`, `me`, `us`), no piece a common English word (STOPWORDS:
  `the dot com bubble`, `look at the dot`), and a spelled `at` needs at least one spelled or
  spaced dot in the address.

Not recognised: `john at evil.com` (a spelled `at` with only plain dots: indistinguishable from
"find us at example.com"); `dot`/`at` in other languages; `period`, `full stop`, `slash` in
paths; separators other than spaces between spaced-out letters (`e-v-i-l`); reversed bare domains,
and reversed tokens longer than MAX_TOKEN characters on either side of their `@` or `//:`;
ROT13, hex, base32 and other encodings; base64 tokens shorter than 16 characters (12 bytes) or
split across lines; base64 of binary or of text in a non-UTF-8 encoding; look-alikes outside the
small table (mathematical alphanumerics are NFKC's, so they are covered).

Every pattern has bounded repetition or a single greedy class followed by a fixed test, so a scan
is linear in the text (tests/unit/provenance/test_deobfuscate.py times 1 MB adversarial inputs).
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote

MAX_BASE64_TOKENS = 64
MAX_BASE64_CHARS = 4096
MAX_DEPTH = 2
"""Base64 inside decoded base64 is decoded once more, no deeper."""

SPELLED_TLDS = frozenset(
    "com net org edu gov mil int info biz io co ai app dev xyz top site online shop store tech cloud "
    "email live pro club link click page blog news wiki mobi name tel onion icu vip fun space website "
    "uk de fr ru cn jp br au ca es nl se ch pl kr tw hk sg nz za mx ar cz ro hu ua ir tr gr pt dk fi ie "
    "il ke ng eg vn th ph ly cc ws su ml tk ga cf gq pw bz vc la fm gg tv cl pe ve ec uy bg rs hr si sk "
    "lt lv ee by kz uz pk bd lk np ae sa qa kw om jo lb ma dz tn eu asia".split()
)
"""Top-level domains accepted after a spelled (`dot`) or spaced dot: common ones that are not
English words, so that prose ("a dot in the middle", "connect the dot to") makes no domain."""

STOPWORDS = frozenset(
    "the a an this that these those of in on at to for with by from and or but nor is are was were be "
    "been being it its my your our their his her no not new old big one all any each some same first "
    "last next here there what which who whom how when where why as if so then than too very just also "
    "only such me you we they he she i us them him up out off over into onto about per via dot".split()
)
"""Words no spelled-out address piece may be ("look at the dot com bubble")."""


_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_TAGS_TO_ASCII = {code: code - 0xE0000 for code in range(0xE0020, 0xE007F)}
# The invisible characters normalize.py drops (zero-width, bidi controls, tags, soft hyphen, ...).
_INVISIBLE = re.compile(
    "[\U000e0000-\U000e007f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad\u180e\u061c]"
)

_ENTITY = re.compile(
    r"&(?:amp;)?(?:#(?:x([0-9a-f]{1,6})|([0-9]{1,7}));?"
    r"|(commat|period|colon|sol|percnt|lowbar|hyphen|num|quest|equals|plus|tilde);)",
    re.IGNORECASE,
)
_NAMED = {
    "commat": "@",
    "period": ".",
    "colon": ":",
    "sol": "/",
    "percnt": "%",
    "lowbar": "_",
    "hyphen": "-",
    "num": "#",
    "quest": "?",
    "equals": "=",
    "plus": "+",
    "tilde": "~",
}
_VALUE_PUNCTUATION = frozenset("@.:/-_%+?=&#~")

_LOOKALIKES = {
    **dict(zip("\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456", "aeopcyxi", strict=True)),  # Cyrillic
    **dict(zip("\u0458\u0455\u0501\u04bb\u051b\u051d\u04cf", "jsdhqwl", strict=True)),
    **dict(zip("\u0410\u0412\u0415\u041a\u041c\u041d\u041e", "ABEKMHO", strict=True)),
    **dict(zip("\u0420\u0421\u0422\u0425\u0405\u0406\u0408", "PCTXSIJ", strict=True)),
    **dict(zip("\u03bf\u03b1\u03bd\u03b9\u03ba", "oavik", strict=True)),  # Greek
    **dict(zip("\u03c1\u03c4\u03c5\u03c7\u03b5", "ptuxe", strict=True)),
    **dict(zip("\u0391\u0392\u0395\u0396\u0397\u0399\u039a", "ABEZHIK", strict=True)),
    **dict(zip("\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7", "MNOPTYX", strict=True)),
    "\u3002": ".",  # ideographic full stop (IDNA treats it as a dot)
}
_LOOKALIKE_CHAR = re.compile("[" + "".join(_LOOKALIKES) + "]")
_LOOKALIKE_TABLE = str.maketrans(_LOOKALIKES)
_MIXED_WORD = re.compile(r"[\w.@\-\u3002]+")

_SCHEME = re.compile(
    r"\b(?:h(?:xx|tx|xt|\*\*|\[tt\])ps?(?:\[:\]|\(:\)|\{:\}|:)(?://|\[/\]\[/\])"
    r"|https?(?:\[:\]|\(:\)|\{:\})(?://|\[/\]\[/\])|https?\[://\])",
    re.IGNORECASE,
)
_SPELLED_SCHEME = re.compile(
    r"\b(https?)[ \t]{1,3}colon[ \t]{1,3}(?:slash[ \t]{1,3}slash|//)[ \t]{1,3}", re.I
)
# A word, a bracketed separator, and (looked at, not consumed, so that `a[.]b[.]c` chains) the
# next word: spaces outside the brackets count only between words that are not STOPWORDS.
_BRACKETED = re.compile(
    r"(?<![\w\-])([a-z0-9_%+][a-z0-9_%+\-]{0,63})([ \t]{0,2})"
    r"(?:\[[ ]?(\.|dot|@|at)[ ]?\]|\([ ]?(\.|dot|@|at)[ ]?\)|\{[ ]?(\.|dot|@|at)[ ]?\}|<[ ]?(\.|dot|at)[ ]?>)"
    r"([ \t]{0,2})(?=([a-z0-9][a-z0-9\-]{0,62}))",
    re.IGNORECASE,
)
_BRACKET_HINT = re.compile(r"[\[({<] ?(?:\.|dot|@|at) ?[\])}>]", re.IGNORECASE)
# A single character, then single-space-separated single characters: each step either extends the
# run or ends it, so the scan never backtracks over a run.
_SPACED = re.compile(r"(?<!\S)\S(?:[ ]\S(?!\S)){6,}")
_SPACED_VALUE = re.compile(r"@|://|[a-z0-9]\.[a-z]{2}", re.IGNORECASE)


def _alternation(words: frozenset[str]) -> str:
    """A regex matching any of the words, as a trie (`c(?:om|n|...)`): Python's re tries the
    branches of a flat alternation one by one, a trie dispatches on each character."""
    branches: dict[str, set[str]] = {}
    for word in words:
        branches.setdefault(word[:1], set()).add(word[1:])
    parts = []
    for first, rests in sorted(branches.items()):
        if first == "":
            continue
        longer = frozenset(r for r in rests if r)
        tail = _alternation(longer) if longer else ""
        if tail and "" in rests:
            tail += "?"
        parts.append(re.escape(first) + tail)
    return "(?:" + "|".join(parts) + ")"


# Tokens (for reversed addresses) are separated by spaces, quotes, brackets, commas, semicolons.
_TOKEN_BREAK = re.compile(r"[\s\"'<>()\[\]{},;`]")
_REVERSED_EMAIL = re.compile(
    rf"{_alternation(frozenset(t[::-1] for t in SPELLED_TLDS))}"
    r"(?:\.[a-z0-9\-]{1,63}){1,7}@[a-z0-9_%+\-]{1,64}(?:\.[a-z0-9_%+\-]{1,64}){0,4}\.?",
    re.IGNORECASE,
)
_REVERSED_URL = re.compile(r"\S{1,240}?//:s?ptth\.?", re.IGNORECASE)


# The spelled-out forms are checked by the patterns themselves (a top-level label from
# SPELLED_TLDS after a spelled or spaced dot, no STOPWORDS piece, at least one spelled or spaced
# separator, a spelled `at` only with a spelled or spaced dot), so that ordinary text is rejected
# inside one C-level scan rather than match by match in Python. Every repetition is bounded and
# label characters never overlap separator characters, so each start position costs a constant.
_WEAK_DOT = r"(?:[ \t]{1,3}dot[ \t]{1,3}|[ \t]{1,3}\.[ \t]{0,3})"
_SEP_DOT = rf"(?:{_WEAK_DOT}|\.)"
_SEP_AT = r"(?:[ \t]{1,3}at[ \t]{1,3}|[ \t]{0,3}@[ \t]{0,3})"
_NOT_STOPWORD = rf"(?!{_alternation(STOPWORDS)}(?![a-z0-9_%+\-]))"
_ATOM = rf"{_NOT_STOPWORD}[a-z0-9_%+\-]{{1,64}}"
_LABEL = rf"{_NOT_STOPWORD}[a-z0-9][a-z0-9\-]{{0,62}}"
_TLD_END = rf"(?:{_WEAK_DOT}{_alternation(SPELLED_TLDS)}|\.[a-z]{{2,24}})(?![\w\-])"
_PLAIN_LOCAL = r"[a-z0-9_%+\-]{1,64}(?:\.[a-z0-9_%+\-]{1,64}){0,4}"
_PLAIN_DOMAIN = r"[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,7}"
_SOMETHING_SPELLED = (
    rf"(?={_PLAIN_LOCAL}(?:{_WEAK_DOT}|[ \t]{{1,3}}at[ \t]{{1,3}}{_PLAIN_DOMAIN}{_WEAK_DOT}"
    rf"|[ \t]{{1,3}}@|@[ \t]{{1,3}}|@{_PLAIN_DOMAIN}{_WEAK_DOT}))"
)
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.@%+\-]){_SOMETHING_SPELLED}({_ATOM}(?:{_SEP_DOT}{_ATOM}){{0,4}})"
    rf"({_SEP_AT})({_LABEL}(?:{_SEP_DOT}{_LABEL}){{0,6}}{_TLD_END})",
    re.IGNORECASE,
)
_SPELLED_DOMAIN = re.compile(
    rf"(?<![\w.@%+\-])(?={_PLAIN_DOMAIN}[ \t]{{1,3}}dot[ \t])({_LABEL}(?:{_SEP_DOT}{_LABEL}){{0,6}}{_TLD_END})",
    re.IGNORECASE,
)
_DOT_WORD = re.compile(r"[ \t]dot[ \t]", re.IGNORECASE)
_DASH_WORD = re.compile(r"([a-z0-9]+)[ \t]{1,3}(?:dash|hyphen)[ \t]{1,3}([a-z0-9]+)", re.IGNORECASE)
"""A spelled hyphen between two pieces, rewritten only in text that also spells a dot."""
_SPLIT_DOT = re.compile(_SEP_DOT, re.IGNORECASE)

_ANY_DIGIT = re.compile(r"[0-9]")
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=_\-])[A-Za-z0-9+/_\-]{16,}+={0,2}+(?![A-Za-z0-9+/=_\-])")


def variants(raw: str) -> list[str]:
    """Decoded variants of an output's text (see the module docstring); [] when it holds none of
    the recognised forms."""
    return _variants(raw, 1)


def _variants(raw: str, depth: int) -> list[str]:
    if not raw:
        return []
    text = _fold(raw)
    found: list[str] = []
    rewritten = _rewrite(text)
    if rewritten != text:
        before = set(text.splitlines())
        changed = [line for line in rewritten.splitlines() if line not in before]
        if changed:
            found.append("\n".join(changed))
    for decoded in _base64_texts(text):
        plain = _rewrite(_fold(decoded))
        found.append(plain)
        if depth < MAX_DEPTH:
            found.extend(_variants(plain, depth + 1))
    return list(dict.fromkeys(v for v in found if v and v != raw))


def _fold(text: str) -> str:
    """What normalize() also undoes, minus case and whitespace: the forms below are then seen
    through full-width letters, invisible characters and one round of percent-encoding."""
    if not text.isascii():
        if _INVISIBLE.search(text):  # (translate with a table is slow: only when there are any)
            text = _INVISIBLE.sub("", text.translate(_TAGS_TO_ASCII))
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    if "%" in text and _PERCENT.search(text):
        text = unquote(text)
    return text


def _rewrite(text: str) -> str:
    """Every recognised form in the text rewritten into its plain form; each step is gated by a
    substring test, so an ordinary text costs a few scans."""
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
        if "%" in text and _PERCENT.search(text):
            text = unquote(text)
    elif "%" in text and _PERCENT.search(text):  # what was left by the first round: %2540
        text = unquote(text)
    if not text.isascii() and _LOOKALIKE_CHAR.search(text):
        text = _MIXED_WORD.sub(_unmix, text)
    lower = text.lower()
    if any(s in lower for s in ("xxp", "xtp", "txp", "**p", "[tt]", "[:]", "(:)", "{:}", "[://]")):
        text = _SCHEME.sub(_scheme, text)
    if "colon" in lower:
        text = _SPELLED_SCHEME.sub(lambda m: m.group(1) + "://", text)
    if _BRACKET_HINT.search(text):
        text = _BRACKETED.sub(_bracketed, text)
    if " . " in text or " @ " in text or ": / /" in text:
        text = _SPACED.sub(_close_up, text)
    if "@" in text or "//:ptth" in lower or "//:sptth" in lower:
        text = _reverse_tokens(text)
    dot_word = "dot" in lower and _DOT_WORD.search(text) is not None
    if dot_word and ("dash" in lower or "hyphen" in lower):  # nordpay dash settlements dot com
        text = _DASH_WORD.sub(_dash, text)
    spaced_at = ("@ " in text or " @" in text) and _has_spaced_at(text)
    if dot_word or spaced_at or (" at " in lower and " . " in text):
        text = _search_replace(_SPELLED_EMAIL, _email, text)
    if dot_word:
        text = _search_replace(_SPELLED_DOMAIN, _domain, text)
    return text


def _dash(match: re.Match[str]) -> str:
    """`nordpay dash settlements` -> `nordpay-settlements`, unless a side is an English word."""
    left, right = match.group(1), match.group(2)
    if left.lower() in STOPWORDS or right.lower() in STOPWORDS:
        return match.group(0)
    return f"{left}-{right}"


def _has_spaced_at(text: str) -> bool:
    """Whether an `@` has spaces on a side and a letter or digit on both (`support @ acme`), looked
    for around each `@` (a regex starting at every word character costs more)."""
    position = text.find("@")
    while position >= 0:
        left = text[max(0, position - 4) : position]
        right = text[position + 1 : position + 5]
        if (left.endswith((" ", "\t")) or right.startswith((" ", "\t"))) and (
            left.rstrip(" \t")[-1:].isalnum() and right.lstrip(" \t")[:1].isalnum()
        ):
            return True
        position = text.find("@", position + 1)
    return False


def _entity(match: re.Match[str]) -> str:
    hexadecimal, decimal, name = match.groups()
    if name:
        return _NAMED[name.lower()]
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    if code > 0x10FFFF:
        return match.group()
    char = chr(code)
    if (char.isascii() and char.isalnum()) or char in _VALUE_PUNCTUATION:
        return char
    if unicodedata.category(char) == "Cf":  # an invisible character hidden as an entity
        return ""
    return match.group()


def _unmix(match: re.Match[str]) -> str:
    word = match.group()
    if any("a" <= c <= "z" or "A" <= c <= "Z" for c in word) and _LOOKALIKE_CHAR.search(word):
        return word.translate(_LOOKALIKE_TABLE)
    return word


def _scheme(match: re.Match[str]) -> str:
    secure = "s" if match.group().lower().rstrip("[]():/{}").endswith("s") else ""
    return f"http{secure}://"


def _bracketed(match: re.Match[str]) -> str:
    left, before, *separators, after, right = match.groups()
    separator = next(s for s in separators if s is not None).lower()
    if (before or after) and (left.lower() in STOPWORDS or right.lower() in STOPWORDS):
        return match.group()  # "this {.} or that": brackets in prose or code, between words
    return left + ("." if separator in (".", "dot") else "@")


def _close_up(match: re.Match[str]) -> str:
    run = match.group()
    closed = run.replace(" ", "")
    return closed if _SPACED_VALUE.search(closed) else run


def _reverse_tokens(text: str) -> str:
    """Whole tokens that read as an address or URL backwards, reversed. The patterns run on the
    token around each `@` (or `//:`) only: a scan of the whole text from every token start
    costs more than all the other steps together."""
    for mark, pattern in (("@", _REVERSED_EMAIL), ("//:", _REVERSED_URL)):
        if mark not in text:
            continue
        spans: list[tuple[int, int]] = []
        position = text.find(mark)
        while position >= 0:
            start = position
            before = _TOKEN_BREAK.split(text[max(0, position - MAX_TOKEN) : position])[-1]
            start = position - len(before)
            after = _TOKEN_BREAK.split(text[position : position + MAX_TOKEN], maxsplit=1)[0]
            end = position + len(after)
            if (not spans or start >= spans[-1][1]) and pattern.fullmatch(text, start, end):
                spans.append((start, end))
            position = text.find(mark, end)
        if spans:
            out: list[str] = []
            done = 0
            for start, end in spans:
                token = text[start:end]
                stop = "." if token.endswith(".") else ""  # the sentence's full stop stays last
                out += [text[done:start], token[: len(token) - len(stop)][::-1], stop]
                done = end
            text = "".join([*out, text[done:]])
    return text


MAX_TOKEN = 256


def _search_replace(
    pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None], text: str
) -> str:
    """Like pattern.sub, except that a match `replace` rejects (None) is retried one character later,
    so that a rejected prefix ("me at john dot doe") does not hide an address starting inside it.
    Each match is bounded in length, so the retries keep the scan linear."""
    out: list[str] = []
    done = position = 0
    while (match := pattern.search(text, position)) is not None:
        replacement = replace(match)
        if replacement is None:
            position = match.start() + 1
            continue
        out.append(text[done : match.start()])
        out.append(replacement)
        done = position = match.end()
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def _pieces(text: str) -> tuple[list[str], list[bool]]:
    """The labels of a dotted run and, for each separator, whether it was spelled or spaced."""
    labels = _SPLIT_DOT.split(text)
    weak = [sep != "." for sep in _SPLIT_DOT.findall(text)]
    return labels, weak


def _domain_end(labels: list[str], weak: list[bool]) -> int:
    """How many labels make the longest plausible domain (0 if none): its top-level label is
    alphabetic and 2-24 letters, one from SPELLED_TLDS when the dot before it was spelled or spaced."""
    for end in range(len(labels), 1, -1):
        tld = labels[end - 1].lower()
        if (
            tld.isalpha()
            and tld.isascii()
            and 2 <= len(tld) <= 24
            and (not weak[end - 2] or tld in SPELLED_TLDS)
        ):
            return end
    return 0


def _plausible(words: list[str]) -> bool:
    return not any(word.lower() in STOPWORDS for word in words)


def _email(match: re.Match[str]) -> str | None:
    local_text, at, domain_text = match.groups()
    local, local_weak = _pieces(local_text)
    labels, weak = _pieces(domain_text)
    end = _domain_end(labels, weak)
    if not end:
        return None
    used_weak = local_weak + weak[: end - 1]
    spelled_at = at.strip() != "@"
    if not (any(used_weak) or at != "@"):
        return None  # a plain address: nothing to rewrite
    if spelled_at and not any(used_weak):
        return None  # "find us at example.com"
    if (any(used_weak) or spelled_at) and not _plausible(local + labels[:end]):
        return None
    address = ".".join(local) + "@" + ".".join(labels[:end])
    return address + _rest(domain_text, labels, end)


def _domain(match: re.Match[str]) -> str | None:
    labels, weak = _pieces(match.group())
    end = _domain_end(labels, weak)
    spelled = [" dot " in f" {sep.group().lower()} " for sep in _SPLIT_DOT.finditer(match.group())]
    # A spaced plain dot makes an address only next to an @: "ask the news . info follows".
    if not end or not any(spelled[: end - 1]) or not _plausible(labels[:end]):
        return None
    return ".".join(labels[:end]) + _rest(match.group(), labels, end)


def _rest(text: str, labels: list[str], end: int) -> str:
    """What follows the first `end` labels of a dotted run, verbatim."""
    if end == len(labels):
        return ""
    separators = list(_SPLIT_DOT.finditer(text))
    consumed = separators[end - 1].start()
    return text[consumed:]


def _base64_texts(text: str) -> list[str]:
    """The printable UTF-8 texts that base64 tokens of 16+ characters decode to (bounded)."""
    if len(text) < 16:
        return []
    decoded: list[str] = []
    tried = 0
    for match in _BASE64.finditer(text):
        token = match.group()[:MAX_BASE64_CHARS]
        if token.islower() or token.isupper() or (len(token) < 24 and not _ANY_DIGIT.search(token)):
            continue  # identifiers (snake_case, CONSTANT, CamelCase words): base64 of text mixes all
        tried += 1
        if tried > MAX_BASE64_TOKENS:
            break
        plain = _decode_base64(token)
        if plain is not None:
            decoded.append(plain)
    return decoded


def _decode_base64(token: str) -> str | None:
    body = token.rstrip("=")
    body = body[: len(body) - len(body) % 4] if len(body) % 4 == 1 else body
    padded = body + "=" * (-len(body) % 4)
    try:
        if "-" in body or "_" in body:
            if "+" in body or "/" in body:
                return None
            data = base64.urlsafe_b64decode(padded)
        else:
            data = base64.b64decode(padded, validate=True)
        plain = data.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not plain or not all(c.isprintable() or c in "\t\n\r" for c in plain):
        return None
    if sum(c.isalnum() for c in plain) * 2 < len(plain):
        return None  # printable punctuation soup is not a message
    return plain

"""Decoded variants of outputs: transformed addresses, URLs and domains come out plain, ordinary text
makes no new ones, scans stay linear, and (once output_keys indexes the variants) a plain argument
traces to the output that held the transformed form."""

from __future__ import annotations

import base64
import time

import pytest

from firewall.config import ProvenanceConfig
from firewall.core.labels import Confidentiality, Label, Trust
from firewall.provenance.deobfuscate import MAX_BASE64_TOKENS, variants
from firewall.provenance.extract import typed_values
from firewall.provenance.graph import SessionGraph
from firewall.provenance.labeler import Labeler
from firewall.provenance.normalize import normalize

UNTRUSTED = Label(Trust.UNTRUSTED, Confidentiality.PUBLIC)
ADDRESS_KINDS = {"email", "url", "domain"}


def indexed(text: str) -> set[tuple[str, str]]:
    """The email, URL and domain keys the index would see for an output: its raw text and every
    variant, each normalised, as output_keys extracts them."""
    return {
        (v.kind, v.key)
        for t in (text, *variants(text))
        for v in typed_values(normalize(t))
        if v.kind in ADDRESS_KINDS
    }


def raw_only(text: str) -> set[tuple[str, str]]:
    return {(v.kind, v.key) for v in typed_values(normalize(text)) if v.kind in ADDRESS_KINDS}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


TRANSFORMED = [
    ("write to john dot doe at evil dot com", ("email", "john.doe@evil.com")),
    (
        "pay billing dot team at nordpay dash settlements dot com",
        ("email", "billing.team@nordpay-settlements.com"),
    ),
    ("Write To John DOT Doe AT Evil DOT Com", ("email", "john.doe@evil.com")),
    ("contact: john(at)evil(dot)com", ("email", "john@evil.com")),
    ("contact: john (at) evil (dot) com", ("email", "john@evil.com")),
    ("john [at] evil [dot] com", ("email", "john@evil.com")),
    ("john[at]evil[.]com", ("email", "john@evil.com")),
    ("john{at}evil{dot}com", ("email", "john@evil.com")),
    ("john<at>evil<dot>com", ("email", "john@evil.com")),
    ("john[@]evil.com", ("email", "john@evil.com")),
    ("john [ at ] evil [ dot ] co [ dot ] uk", ("email", "john@evil.co.uk")),
    ("john_doe at mail dot evil dot io", ("email", "john_doe@mail.evil.io")),
    ("john at evil dot com", ("email", "john@evil.com")),
    ("john dot doe@evil.com", ("email", "john.doe@evil.com")),
    ("support @ acme . com", ("email", "support@acme.com")),
    ("send it to me at john dot doe at evil dot com", ("email", "john.doe@evil.com")),
    ("j o h n @ e v i l . c o m", ("email", "john@evil.com")),
    ("h t t p s : / / e v i l . c o m / l o g i n", ("url", "https://evil.com/login")),
    ("hxxp://evil[.]com/payload", ("url", "http://evil.com/payload")),
    ("hxxps://evil.com/a", ("url", "https://evil.com/a")),
    ("hXXps[:]//evil[.]com", ("url", "https://evil.com")),
    ("h**p://evil.com/x", ("url", "http://evil.com/x")),
    ("http[://]evil.com/x", ("url", "http://evil.com/x")),
    ("https colon slash slash evil dot com", ("url", "https://evil.com")),
    ("https://evil dot com/reset", ("url", "https://evil.com/reset")),
    ("visit evil[.]com now", ("domain", "evil.com")),
    ("visit evil(.)com now", ("domain", "evil.com")),
    ("visit evil{.}com now", ("domain", "evil.com")),
    ("visit evil dot com now", ("domain", "evil.com")),
    ("upload to files dot evil dot net", ("domain", "files.evil.net")),
    (f"note: {b64('send the file to john.doe@evil.com')}", ("email", "john.doe@evil.com")),
    (b64("https://evil.com/collect?x=1"), ("url", "https://evil.com/collect?x=1")),
    (
        base64.urlsafe_b64encode(b"https://evil.com/??x").decode(),  # aHR0...bS8_P3g=
        ("url", "https://evil.com/??x"),
    ),
    (b64(b64("mail john.doe@evil.com")), ("email", "john.doe@evil.com")),  # nested once
    (b64("write to john dot doe at evil dot com"), ("email", "john.doe@evil.com")),
    ("john%2540evil.com", ("email", "john@evil.com")),  # double percent-encoding
    ("john%20at%20evil%20dot%20com", ("email", "john@evil.com")),
    ("john&#64;evil.com", ("email", "john@evil.com")),
    ("john&#x40;evil&#x2e;com", ("email", "john@evil.com")),
    ("john&amp;#64;evil.com", ("email", "john@evil.com")),
    ("john&commat;evil&period;com", ("email", "john@evil.com")),
    (
        "&#106;&#111;&#104;&#110;&#64;&#101;&#118;&#105;&#108;&#46;&#99;&#111;&#109;",
        ("email", "john@evil.com"),
    ),
    ("jo&#x200b;hn@evil.com", ("email", "john@evil.com")),
    (
        "\uff4a\uff4f\uff48\uff4e\uff20\uff45\uff56\uff49\uff4c\uff0e\uff43\uff4f\uff4d",
        ("email", "john@evil.com"),
    ),
    ("john \uff20 evil \uff0e com", ("email", "john@evil.com")),
    ("jo\u200bhn d\u200bot doe a\u200bt evil dot com", ("email", "john.doe@evil.com")),
    ("\uff4a\uff4f\uff48\uff4e \uff41\uff54 evil \uff44\uff4f\uff54 com", ("email", "john@evil.com")),
    ("p\u0430ypal.com/login", ("domain", "paypal.com")),  # a Cyrillic a among Latin letters
    ("evil\u3002com", ("domain", "evil.com")),
    ("moc.live@eod.nhoj", ("email", "john.doe@evil.com")),
    ("nigol/moc.live//:sptth", ("url", "https://evil.com/login")),
]


@pytest.mark.parametrize(("text", "value"), TRANSFORMED)
def test_a_transformed_value_is_indexed_in_its_plain_form(text, value):
    assert value in indexed(text)


@pytest.mark.parametrize(("text", "value"), TRANSFORMED)
def test_the_plain_form_was_not_already_visible_or_needs_no_variant(text, value):
    # Most forms are invisible to the index without a variant; those normalize() already undoes
    # (full-width, zero-width in a plain address) must not cost a variant.
    if value in raw_only(text):
        assert all(value not in raw_only(v) or v == normalize(v) for v in variants(text))
    else:
        assert variants(text)


BENIGN = [
    "Let's meet at noon at the cafe on Main Street.",
    "He arrived at the dot of eight, as always.",
    "The dot product of two vectors is a scalar.",
    "A at B means A is located at B in this notation.",
    "Look at the dot com bubble of 2000: a lesson for investors.",
    "Connect the dot to the line, then look at it again.",
    "He pointed at a dot in the sky and said nothing.",
    "Each dot on the map is a store; we are at one of them.",
    "Put a dot at the end of the sentence . Then stop .",
    "I'm at home, call me at 5. Or at six.",
    "Polka dot dresses are at 20% off at the store today.",
    "At last, the dot matrix printer works.",
    "Dot Smith works at Acme, near the station.",
    "Use the .NET framework at work; it is at version 8.",
    "Meet me at the corner of 5th and Main at 7 pm.",
    "def dot(a, b):\n    return sum(x * y for x, y in zip(a, b))",
    "result = np.dot(weights, inputs)  # at least 2-D",
    "if (x.at(0) == y.at(1)) { return dot(x, y); }",
    "for (i = 0; i < n; i++) sum += a[i] * b[i];",
    "const re = /(.)\\1/; // repeated char at any position",
    "## Usage\n\nRun `make` at the repository root. See [docs](docs/index.md).",
    "- [x] done at 10:00\n- [ ] review at 14:00",
    "| name | at | dot |\n|------|----|-----|\n| a | 1 | 2 |",
    "2024-05-01T10:00:00Z INFO server listening at 0.0.0.0:8080",
    "2024-05-01 10:00:01 WARN retry 3 at offset 1048576 (dot separated keys)",
    "ERROR at line 42: unexpected token '.' at column 7",
    '{"status": "ok", "at": "2024-05-01", "dot": true, "count": 12}',
    '{"user": {"id": 42, "name": "Ann"}, "roles": ["admin", "dev"]}',
    "commit 3f786850e387550fdab836ed7e6dc881de23001b\nAuthor: Ann <ann@corp.example>",
    "Merge: 9fceb02 d3c4d15 — fixed at last",
    "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "token: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
    "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "request id 123e4567-e89b-12d3-a456-426614174000 completed at 12ms",
    "uuid=550e8400-e29b-41d4-a716-446655440000 dot=false",
    "AKIAIOSFODNN7EXAMPLE is not a key we use",
    "Checksum d41d8cd98f00b204e9800998ecf8427e matches.",
    "/usr/local/lib/python3.11/site-packages/firewall/provenance",
    "ConfigurationManagerFactoryBeanPostProcessor at startup",
    "The meeting (at noon) is in room 4 (dot matrix room).",
    "Prices: apples at $2, pears at $3 . Oranges at $1 .",
    "She said: 'at the end of the day, it is what it is'.",
    "Version 1.2.3 released at https://example.org/releases (see notes).",
    "Email ann@corp.example or visit corp.example for details.",
    "a b c d e f g h i j k",
    "x = y . z ; w = v . u",
    "Loading . . . . . . done",
    "Q: what is at stake? A: the dot release 2.1",
    "Mr. Smith. Mrs. Jones. Dr. Who. Prof. X at the U.S. office.",
    "It's ten. Then it's eleven. Ask the news . Info follows",
    "html &amp; css &lt;div&gt; &#39;quoted&#39; &nbsp; &copy; 2024",
    "Percent: 100% done, 50%off, %s placeholder, %d items",
    # Russian, Greek and Chinese (with ideographic full stops)
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430? "
    "\u0393\u03b5\u03b9\u03ac \u03c3\u03bf\u03c5 \u03ba\u03cc\u03c3\u03bc\u03b5. "
    "\u4f60\u597d\u3002\u4e16\u754c\u3002",
    "regex: [a-z]+(.)?[0-9]{2} and {.} or <.> as literals",
    "bullet • at • dot • end",
    "John Doe, Evil Corp, Dot Com Street 5, London",
]


def test_the_benign_table_is_large_enough():
    assert len(BENIGN) >= 40


@pytest.mark.parametrize("text", BENIGN)
def test_ordinary_text_gains_no_address_url_or_domain(text):
    assert indexed(text) == raw_only(text)


@pytest.mark.parametrize(
    "text",
    [line for line in BENIGN if "eyJ" not in line and "&" not in line and "%" not in line],
)
def test_ordinary_text_has_no_variants_at_all(text):
    # Stricter than the above, for lines with nothing encoded: the ordinary case costs no variant
    # (the JWT decodes, entities and percent signs may decode, harmlessly).
    assert variants(text) == []


def test_base64_tokens_are_bounded():
    payload = b64("mail john.doe@evil.com please")
    noise = " ".join(b64(f"filler number {i} text") for i in range(MAX_BASE64_TOKENS))
    assert ("email", "john.doe@evil.com") in indexed(f"{payload} {noise}")
    assert ("email", "john.doe@evil.com") not in indexed(f"{noise} {payload}")


def test_binary_base64_and_hex_are_not_text():
    blob = base64.b64encode(bytes(range(256))).decode()
    assert variants(blob) == []
    assert variants("3f786850e387550fdab836ed7e6dc881de23001b") == []


ADVERSARIAL = [
    "a dot " * 170_000,
    "a at " * 200_000,
    "a . " * 250_000,
    "x @ " * 250_000,
    "a " * 500_000 + "zz",
    "a[.]" * 250_000,
    "a[at]" * 200_000,
    "A" * 1_000_000,
    "AAAA/" * 200_000,
    "hxxp://" * 140_000,
    "moc.a@" * 160_000,
    "moc.live@eod.nhoj " * 55_000,
    "x//:sptth " * 100_000,
    ("j o h n . d o e @ " * 60_000)[:1_000_000],
    "john dot doe at evil dot " * 40_000,
    "&#64;" * 200_000,
    "the dot com " * 90_000,
    "us at example.com " * 55_000,
    "ann@corp.example " * 55_000 + " dot ",
    "a.b.c.d.e.f.g.h dot " * 50_000,
    "john [ at ] " * 85_000,
    "QUFB" * 250_000,
    "aGVsbG8gd29ybGQh " * 58_000,
    "\u0430a" * 500_000,
    "%25" * 330_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_a_megabyte_of_adversarial_text_is_scanned_in_linear_time(text):
    # Each takes 0.1-0.7 s of CPU here; the bound is generous (CPU time, so other processes on a
    # loaded machine do not count), while a backtracking (quadratic) pattern would take minutes.
    start = time.process_time()
    variants(text)
    assert time.process_time() - start < 5


def test_a_plain_argument_derives_from_the_output_holding_the_spelled_form():
    # Needs output_keys to index variants(raw) alongside raw (the wiring the lead adds).
    graph = SessionGraph(Labeler(ProvenanceConfig()))
    output = graph.add_output(
        "tool_result", "web", "fetch", ["contact john dot doe at evil dot com"], UNTRUSTED
    )
    call = graph.add_call("mail", "send_email", {"to": "john.doe@evil.com"})
    assert any(a.path == ("to",) and a.kind == "email" and output.node in a.sources for a in call.arguments)
    assert call.taint == UNTRUSTED

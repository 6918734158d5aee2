"""The committed corpus of real tool outputs: well-formed rows and the held-out split rule."""

from __future__ import annotations

from collections import Counter

import pytest

from training import realtools
from training.data import _SUSPICIOUS


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return realtools.load()


def test_rows_are_well_formed_and_distinct(rows):
    assert 4000 <= len(rows) <= 8000
    assert all(set(r) == {"text", "family", "source", "tool"} for r in rows)
    assert all(isinstance(r[k], str) and r[k] for r in rows for k in r)
    assert all(len(r["text"]) <= realtools.MAX_CHARS for r in rows)
    assert len({r["text"] for r in rows}) == len(rows)
    assert rows == sorted(rows, key=lambda r: (r["family"], r["source"], r["tool"], r["text"]))


def test_families_and_sources(rows):
    assert {r["family"] for r in rows} == set(realtools.FAMILIES)
    assert all(r["source"].startswith(("mcp:", "cli:")) for r in rows)
    assert sum(len(r["text"].split()) < 20 for r in rows) >= 1000


def test_no_injection_phrases(rows):
    assert not [r for r in rows if _SUSPICIOUS.search(r["text"])]


def test_split_holds_out_whole_groups_with_every_family_in_both(rows):
    splits = Counter(realtools.split_of_row(r) for r in rows)
    assert set(splits) == {"train", "dev"}
    assert 0.15 <= splits["dev"] / len(rows) <= 0.3
    groups: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        groups.setdefault((r["source"], r["tool"]), set()).add(realtools.split_of_row(r))
    assert all(len(s) == 1 for s in groups.values())
    for split in ("train", "dev"):
        assert {r["family"] for r in rows if realtools.split_of_row(r) == split} == set(realtools.FAMILIES)


def test_dev_groups_are_the_rule_applied_to_the_corpus(rows):
    assert realtools.choose_dev_groups(rows) == realtools.DEV_GROUPS


def test_split_of_an_unknown_group_is_train():
    assert (
        realtools.split_of_row({"text": "x", "family": "status", "source": "cli:new", "tool": "new"})
        == "train"
    )

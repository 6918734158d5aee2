"""Plain requests to the agent and their benign twins (training/requests.py): determinism, the
train/dev split of every template pool, carriers, languages, labels, lengths and the absence of
override framing in the positives."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from training import requests as R
from training.pools import BAD_DOMAINS, split_list

SPLITS = ["train", "dev"]
N = 1500

# override framing the positives must not lean on (case-insensitive phrases, case-sensitive tags)
OVERRIDE = re.compile(
    r"ignore (all |the |any |your )?(previous|prior|above|earlier)|disregard|"
    r"forget (everything|all (previous|prior)|your instructions)|new instructions|override|"
    r"\[system\]|<\|?system\|?>",
    re.IGNORECASE,
)
OVERRIDE_TAGS = re.compile(r"IMPORTANT|SYSTEM:|ATTENTION|URGENT|\bADMIN\b|\[INST\]")


def _rows(fn, split: str, seed: int = 0, n: int = N) -> list[dict]:
    rng = random.Random(seed)
    return [fn(rng, split) for _ in range(n)]


def _pools() -> dict[str, list]:
    pools: dict[str, list] = {
        "ACTIONS_EN": R.ACTIONS_EN,
        "FORMS_EN": R.FORMS_EN,
        "ADDRESSEES_EN": R.ADDRESSEES_EN,
        "JUSTIFICATIONS_EN": R.JUSTIFICATIONS_EN,
        "STANDALONE_EN": R.STANDALONE_EN,
        "HUMAN_ACTIONS_EN": R.HUMAN_ACTIONS_EN,
        "BENIGN_FORMS_EN": R.BENIGN_FORMS_EN,
        "BENIGN_STANDALONE_EN": R.BENIGN_STANDALONE_EN,
    }
    pools.update({f"CARRIER_BENIGN_EN[{k}]": v for k, v in R.CARRIER_BENIGN_EN.items()})
    pools.update({f"FILLER_EN[{k}]": v for k, v in R.FILLER_EN.items()})
    pools.update({f"POS_LANG[{k}]": v for k, v in R.POS_LANG.items()})
    pools.update({f"NEG_LANG[{k}]": v for k, v in R.NEG_LANG.items()})
    pools.update({f"FILLER_LANG[{k}]": v for k, v in R.FILLER_LANG.items()})
    return pools


def _pattern(template: str) -> re.Pattern[str]:
    """A template as a regex: each known placeholder matches any text."""
    parts = re.split(r"(\{[a-z_0-9]+\})", template)
    body = "".join(
        ".+?" if re.fullmatch(r"\{[a-z_0-9]+\}", p) and p[1:-1] in R._GEN else re.escape(p) for p in parts
    )
    return re.compile(body, re.DOTALL)


@pytest.mark.parametrize("split", SPLITS)
def test_deterministic_for_a_seed(split: str) -> None:
    for fn in (R.plain_request, R.injected_carrier, R.benign_carrier):
        assert _rows(fn, split, seed=5, n=200) == _rows(fn, split, seed=5, n=200)
    assert _rows(R.injected_carrier, split, seed=5, n=50) != _rows(R.injected_carrier, split, seed=6, n=50)


def test_every_pool_is_split_into_disjoint_train_and_dev_halves() -> None:
    for name, pool in _pools().items():
        train, dev = split_list(pool, "train"), split_list(pool, "dev")
        assert train and dev, name
        assert not set(map(str, train)) & set(map(str, dev)), name
        assert sorted(map(str, train + dev)) == sorted(map(str, pool)), name
        assert len(set(map(str, pool))) == len(pool), f"duplicate template in {name}"


def test_template_counts() -> None:
    assert set(R.FILLER_EN) == set(R.CARRIERS)
    for carrier in R.CARRIERS:
        assert len(R.FILLER_EN[carrier]) >= 15, carrier
    assert len(R.LANGS) >= 10
    for lang in R.LANGS[1:]:
        assert len(R.POS_LANG[lang]) >= 12, lang
        assert len(R.NEG_LANG[lang]) >= 12, lang
        assert len(R.FILLER_LANG[lang]) >= 10, lang
    assert {"zh", "ja", "ru"} <= set(R.LANGS)


def test_dev_requests_never_fill_a_train_template() -> None:
    train_lang = {lang: [_pattern(t) for t in split_list(R.POS_LANG[lang], "train")] for lang in R.LANGS[1:]}
    dev_lang = {lang: [_pattern(t) for t in split_list(R.POS_LANG[lang], "dev")] for lang in R.LANGS[1:]}
    train_en = [_pattern(t) for t in split_list(R.STANDALONE_EN, "train")]
    for text, lang in _rows(R.plain_request, "dev", n=800):
        if lang == "en":
            assert not any(p.fullmatch(text) for p in train_en), text
        else:
            assert any(p.fullmatch(text) for p in dev_lang[lang]), text
            assert not any(p.fullmatch(text) for p in train_lang[lang]), text


@pytest.mark.parametrize("split", SPLITS)
def test_every_carrier_and_language_with_both_labels(split: str) -> None:
    for fn, label in ((R.injected_carrier, 1), (R.benign_carrier, 0)):
        rows = _rows(fn, split, n=3000)
        assert {r["carrier"] for r in rows} == set(R.CARRIERS)
        assert {r["lang"] for r in rows} == set(R.LANGS)
        for r in rows:
            assert set(r) == {"text", "carrier", "lang", "label"}
            assert r["label"] == label
            assert isinstance(r["text"], str) and r["text"].strip()


@pytest.mark.parametrize("split", SPLITS)
def test_about_a_fifth_is_not_english(split: str) -> None:
    for fn in (R.injected_carrier, R.benign_carrier):
        langs = Counter(r["lang"] for r in _rows(fn, split, n=3000))
        share = 1 - langs["en"] / 3000
        assert 0.14 < share < 0.26, (fn.__name__, share)
    share = sum(lang != "en" for _, lang in _rows(R.plain_request, split, n=3000)) / 3000
    assert 0.14 < share < 0.26


@pytest.mark.parametrize("split", SPLITS)
def test_positives_carry_no_override_framing(split: str) -> None:
    texts = [t for t, _ in _rows(R.plain_request, split)] + [
        r["text"] for r in _rows(R.injected_carrier, split)
    ]
    for text in texts:
        assert not OVERRIDE.search(text), text
        assert not OVERRIDE_TAGS.search(text), text


@pytest.mark.parametrize("split", SPLITS)
def test_lengths_and_twins_alike(split: str) -> None:
    pos, neg = _rows(R.injected_carrier, split), _rows(R.benign_carrier, split)
    for r in pos + neg:
        assert R.MIN_WORDS <= R.word_count(r["text"]) <= R.MAX_WORDS, r
    mean_pos = sum(R.word_count(r["text"]) for r in pos) / len(pos)
    mean_neg = sum(R.word_count(r["text"]) for r in neg) / len(neg)
    assert 0.7 < mean_pos / mean_neg < 1.4
    lengths = [R.word_count(r["text"]) for r in pos]
    assert min(lengths) < 25 and max(lengths) > 100


def test_some_positives_are_just_the_request_in_a_short_note_or_post() -> None:
    rng = random.Random(1)
    found = 0
    for _ in range(3000):
        r = R.injected_carrier(rng, "train")
        if r["carrier"] in ("note", "social") and "\n" not in r["text"] and R.word_count(r["text"]) < 40:
            found += 1
    assert found > 10


def test_positive_targets_mix_attacker_and_ordinary_addresses() -> None:
    texts = [t for t, _ in _rows(R.plain_request, "train", n=3000)]
    with_target = [t for t in texts if "@" in t or "https://" in t]
    bad = sum(any(d in t for d in BAD_DOMAINS) for t in with_target)
    assert 0.25 < bad / len(with_target) < 0.75


def test_fill_request_leaves_unknown_braces_and_repeats_a_key() -> None:
    rng = random.Random(0)
    out = R.fill_request('{"k": 1} {first} and {first} at {to}', rng)
    assert out.startswith('{"k": 1} ')
    first = out.split()[2]
    assert out.split()[4] == first
    assert "@" in out

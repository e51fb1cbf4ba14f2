"""Entity-level scoring by the conlleval rules (exact type and span)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rasid.entities.conll import bio_spans

__all__ = ["score_entities"]


def score_entities(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict:
    """Micro and per-type precision, recall and F1 over sentences of BIO tags.

    Example:
        >>> s = score_entities([["B-PERS", "I-PERS", "O", "B-LOC"]], [["B-PERS", "I-PERS", "O", "B-ORG"]])
        >>> s["micro"]["f1"], s["PERS"]["f1"], s["LOC"]["recall"]
        (0.5, 1.0, 0.0)
    """
    tp: Counter = Counter()
    n_gold: Counter = Counter()
    n_pred: Counter = Counter()
    for g, p in zip(gold, predicted, strict=True):
        gs, ps = set(bio_spans(list(g))), set(bio_spans(list(p)))
        for kind, *_ in gs:
            n_gold[kind] += 1
        for kind, *_ in ps:
            n_pred[kind] += 1
        for kind, *_ in gs & ps:
            tp[kind] += 1
    out = {}
    for kind in sorted(set(n_gold) | set(n_pred)):
        out[kind] = _prf(tp[kind], n_pred[kind], n_gold[kind])
    out["micro"] = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "predicted": n_pred, "gold": n_gold}

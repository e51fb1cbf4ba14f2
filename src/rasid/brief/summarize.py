"""Extractive summaries: central sentences, confirmed by several sources, without repeating copies.

Each candidate sentence is scored by

* **centrality**: the cosine of its TF-IDF vector with the centroid of all candidates (the
  background frequencies of the stories stage give the IDF);
* **position**: news puts the development first, so early sentences of each article gain
  ``POSITION_WEIGHT / (1 + index)``;
* **length**: a sentence with more content terms says more (``LENGTH_WEIGHT``, full at
  ``LENGTH_FULL`` terms);
* **support**: the number of *other* sources with a sentence saying much the same thing
  (cosine ≥ ``SUPPORT_COSINE``), up to ``SUPPORT_CAP``;

(The weights were chosen on the even-numbered half of EASC; ``bench/bench_brief.py`` reports the
other half separately.) Sentences are then taken greedily, best first, skipping any too close to one already taken
(cosine ≥ ``REDUNDANT_COSINE``: a wire passage copied by three outlets is said once). The summary
is returned in reading order. On one article (EASC) support is zero and the scorer is centrality
plus position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rasid.stories.terms import TermWeights, cosine, story_terms

__all__ = ["Candidate", "summarize", "POSITION_WEIGHT"]

POSITION_WEIGHT = 0.7
SUPPORT_WEIGHT = 0.15
SUPPORT_CAP = 3
SUPPORT_COSINE = 0.35
REDUNDANT_COSINE = 0.5
LENGTH_WEIGHT = 0.5  # a bonus for sentences that say more, up to LENGTH_FULL terms
LENGTH_FULL = 20
MIN_TERMS = 4  # shorter "sentences" are headings, credits or fragments


@dataclass
class Candidate:
    """A sentence that may enter a summary, with where it came from."""

    text: str
    doc_id: str = ""
    source: str = ""
    index: int = 0  # position among its article's sentences, from 0
    span: tuple[int, int] = (0, 0)
    line: int | None = None
    date: str | None = None
    score: float = 0.0
    support: list[str] = field(default_factory=list)  # other sources saying the same

    def as_dict(self) -> dict:
        return {"text": self.text, "doc_id": self.doc_id, "source": self.source, "span": list(self.span),
                "line": self.line, "support": self.support, "score": round(self.score, 3)}


_WEIGHTS: TermWeights | None = None


def _weights() -> TermWeights:
    global _WEIGHTS
    if _WEIGHTS is None:
        _WEIGHTS = TermWeights.from_data()
    return _WEIGHTS


def summarize(candidates: Sequence[Candidate], k: int = 3, *, weights: TermWeights | None = None) -> list[Candidate]:
    """Pick up to `k` sentences (see the module text); return them in reading order, scored.

    Example:
        >>> s = summarize([Candidate("دخلت قوات الوفاق مدينة سرت بعد معارك عنيفة مع قوات حفتر", "a", "A", 0),
        ...                Candidate("وقال شهود إن الطقس كان حارا جدا في المدينة أمس الأحد", "a", "A", 1),
        ...                Candidate("قوات الوفاق تدخل مدينة سرت بعد معارك مع قوات حفتر", "b", "B", 0)], k=1)
        >>> [(c.index, len(c.support)) for c in s]  # a lead sentence that the other source confirms
        [(0, 1)]
    """
    weights = weights or _weights()
    terms = [story_terms(c.text) for c in candidates]
    vectors = [weights.vector(t) for t in terms]
    centroid: dict[str, float] = {}
    for v in vectors:
        for t, x in v.items():
            centroid[t] = centroid.get(t, 0.0) + x
    norm = sum(x * x for x in centroid.values()) ** 0.5 or 1.0
    centroid = {t: x / norm for t, x in centroid.items()}
    usable = [i for i, t in enumerate(terms) if len(t) >= MIN_TERMS]
    for i in usable:
        c = candidates[i]
        others = {candidates[j].source for j in usable
                  if candidates[j].source != c.source and cosine(vectors[i], vectors[j]) >= SUPPORT_COSINE}
        c.support = sorted(others)
        c.score = (cosine(vectors[i], centroid) + POSITION_WEIGHT / (1 + c.index)
                   + SUPPORT_WEIGHT * min(len(others), SUPPORT_CAP)
                   + LENGTH_WEIGHT * min(1.0, len(terms[i]) / LENGTH_FULL))
    chosen: list[int] = []
    for i in sorted(usable, key=lambda i: (-candidates[i].score, candidates[i].doc_id, candidates[i].index)):
        if len(chosen) >= k:
            break
        if any(cosine(vectors[i], vectors[j]) >= REDUNDANT_COSINE for j in chosen):
            continue
        chosen.append(i)
    return sorted((candidates[i] for i in chosen), key=lambda c: (c.date or "", c.doc_id, c.index))


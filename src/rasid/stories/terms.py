"""Story terms: content words (matching keys, proclitics stripped) weighted by inverse document frequency."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from rasid.text.normalize import match_key

__all__ = ["story_terms", "TermWeights"]

MIN_TERM_LETTERS = 3
_CLITICS = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل")


def _stem(word: str) -> str:
    """Strip one proclitic group so وبالجفرة, الجفرة and بالجفرة count as one term (a light stem)."""
    for clitic in _CLITICS:
        if word.startswith(clitic) and len(word) - len(clitic) >= MIN_TERM_LETTERS:
            return word[len(clitic):]
    return word


def _load_stopwords() -> frozenset[str]:
    from rasid.resources import data_path

    text = data_path("stories/data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(match_key(w) for w in text.splitlines() if w.strip() and not w.startswith("#"))


_STOPWORDS: frozenset[str] | None = None


def story_terms(text: str) -> list[str]:
    """Return the content terms of `text` in order (stopwords, digits and short words left out).

    Example:
        >>> story_terms("وقالت قوات الوفاق إنها دخلت مدينة سرت")
        ['قوات', 'وفاق', 'دخلت', 'مدينه', 'سرت']
    """
    global _STOPWORDS
    if _STOPWORDS is None:
        _STOPWORDS = _load_stopwords()
    out = []
    for word in match_key(text).split():
        if word in _STOPWORDS or word.isdigit() or not word.isalpha():
            continue
        stem = _stem(word)
        if len(stem) >= MIN_TERM_LETTERS and stem not in _STOPWORDS:
            out.append(stem)
    return out


class TermWeights:
    """Inverse document frequencies from a shipped background corpus plus the user's own corpus.

    Unknown terms get the IDF of a term seen once, so rare names (درياق، الوشكة) weigh most.
    """

    def __init__(self, background: dict[str, int], background_docs: int):
        self.background = background
        self.background_docs = background_docs
        self.corpus: Counter = Counter()
        self.corpus_docs = 0

    @classmethod
    def from_data(cls, path: str | Path | None = None) -> TermWeights:
        """Load the shipped background frequencies (``stories/data/background_df.tsv``)."""
        from rasid.resources import data_path

        p = Path(path) if path else data_path("stories/data/background_df.tsv")
        df: dict[str, int] = {}
        n = 0
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.startswith("#N\t"):
                n = int(line.split("\t")[1])
            elif line and not line.startswith("#"):
                term, count = line.split("\t")
                df[term] = int(count)
        return cls(df, n)

    def observe(self, terms: list[str]) -> None:
        """Count one more document of the user's corpus."""
        self.corpus.update(set(terms))
        self.corpus_docs += 1

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency of `term`."""
        n = self.background_docs + self.corpus_docs
        df = self.background.get(term, 0) + self.corpus.get(term, 0)
        return math.log((n + 1) / (df + 1))

    def vector(self, terms: list[str]) -> dict[str, float]:
        """Unit-length TF-IDF vector (sublinear term frequency) of a term list."""
        counts = Counter(terms)
        vec = {t: (1 + math.log(c)) * self.idf(t) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two unit sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())

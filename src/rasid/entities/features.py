"""Token features for the CRF entity tagger.

Each token is described by strings (crfsuite's binary features): its matching key and the stem
left after proclitics (و ف ب ل ك ال), affixes, shape, word clusters learnt from news text,
gazetteer hits (multi-word, proclitics allowed on the first word) and the same for its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rasid.text.normalize import match_key
from rasid.text.tokens import strip_proclitics

__all__ = ["Gazetteer", "FeatureExtractor", "token_key"]

_ARABIC = range(0x0600, 0x0700)
MAX_GAZ_WORDS = 5


def token_key(token: str) -> str:
    """The matching key of one token (folded letters, no diacritics); punctuation kept."""
    return match_key(token, keep_punctuation=True) or token


def _stem(key: str) -> str:
    return strip_proclitics(key)[-1]


@dataclass
class Gazetteer:
    """Names by type, as tuples of matching keys, looked up longest first."""

    entries: dict[tuple[str, ...], set[str]] = field(default_factory=dict)

    def add(self, name: str, kind: str) -> None:
        words = tuple(token_key(w) for w in name.split())
        if words and len(words) <= MAX_GAZ_WORDS:
            self.entries.setdefault(words, set()).add(kind)

    def __len__(self) -> int:
        return len(self.entries)

    def matches(self, keys: Sequence[str]) -> list[tuple[int, int, frozenset[str]]]:
        """Longest non-overlapping matches ``(start, end, kinds)`` in a sequence of token keys.

        The first word may carry proclitics (وبطرابلس matches طرابلس).
        """
        out = []
        i, n = 0, len(keys)
        while i < n:
            best = None
            for first in strip_proclitics(keys[i]):
                for j in range(min(n, i + MAX_GAZ_WORDS), i, -1):
                    kinds = self.entries.get((first, *keys[i + 1:j]))
                    if kinds and (best is None or j > best[1]):
                        best = (i, j, frozenset(kinds))
                        break
            if best:
                out.append(best)
                i = best[1]
            else:
                i += 1
        return out


class FeatureExtractor:
    """Turns a sentence of tokens into per-token feature lists."""

    def __init__(self, clusters: dict[str, tuple[str, ...]] | None = None, gazetteer: Gazetteer | None = None):
        self.clusters = clusters or {}
        self.gazetteer = gazetteer or Gazetteer()

    def _cluster(self, key: str, stem: str) -> tuple[str, ...] | None:
        return self.clusters.get(key) or self.clusters.get(stem)

    def sentence_features(self, tokens: Sequence[str]) -> list[list[str]]:
        keys = [token_key(t) for t in tokens]
        stems = [_stem(k) for k in keys]
        clusters = [self._cluster(k, s) for k, s in zip(keys, stems, strict=True)]
        gaz: list[list[str]] = [[] for _ in tokens]
        for a, b, kinds in self.gazetteer.matches(keys):
            for kind in kinds:
                gaz[a].append(f"B{kind}")
                for j in range(a + 1, b):
                    gaz[j].append(f"I{kind}")
        n = len(tokens)
        out = []
        for i in range(n):
            k, s, tok = keys[i], stems[i], tokens[i]
            f = ["b", "w=" + k, "s=" + s, "p2=" + s[:2], "x1=" + k[-1:], "x2=" + k[-2:], "x3=" + k[-3:],
                 "sx2=" + s[-2:], "len=" + str(min(len(s), 8))]
            if s != k:
                f.append("clitic=" + k[: len(k) - len(s)])
            if tok[:1].isdigit() or k[:1].isdigit():
                f.append("num")
            elif not any(ord(c) in _ARABIC for c in tok):
                f.append("latin" if any(c.isalpha() for c in tok) else "punct")
            c = clusters[i]
            if c:
                f.extend(("c0=" + c[0], "c1=" + c[1], "c2=" + c[2]))
            else:
                f.append("c=none")
            for g in gaz[i]:
                f.append("g=" + g)
            for d in (-2, -1, 1, 2):
                j = i + d
                if 0 <= j < n:
                    f.append(f"{d}w=" + keys[j])
                    if abs(d) == 1:
                        f.append(f"{d}s=" + stems[j])
                        cj = clusters[j]
                        if cj:
                            f.append(f"{d}c1=" + cj[1])
                        for g in gaz[j]:
                            f.append(f"{d}g=" + g)
                else:
                    f.append(f"{d}w=<pad>")
            if i > 0:
                f.append("-1w|w=" + keys[i - 1] + "|" + k)
            if i + 1 < n:
                f.append("w|+1w=" + k + "|" + keys[i + 1])
            out.append(f)
        return out

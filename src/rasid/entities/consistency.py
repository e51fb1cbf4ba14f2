"""One name, one label within a document: label propagation over the tagger's output.

A sequence tagger decides each mention from its sentence alone, so a club named once as
"نادي الغرافة" is missed when the next sentence says only "الغرافة", and a name can come out
as ORG in one sentence and LOC in the next. News text is consistent within an article (the
one-sense-per-discourse observation behind Krishnan & Manning 2006's document-level NER), so
the tagger's own decisions elsewhere in the document are evidence:

1. **Retyping**: a mention takes the type its name has most often among the document's
   mentions, when that type has strictly more votes than its own.
2. **Filling**: an untagged occurrence of a name tagged elsewhere in the document is tagged
   too, when at least `min_ratio` of the name's occurrences are tagged (so "الاتحاد", tagged
   once as an organisation and used ten times as a common noun, is left alone).

Names are compared with a leading conjunction or preposition (و ف ب ل ك, لل for ال) set
aside on the first word, as ANERcorp and news text attach them ("وسورية", "للفاتيكان").
Long documents are read in windows of `window` sentences either side.

    >>> sents = [["وقال", "نادي", "الغرافة", "إن"], ["وفاز", "الغرافة", "على", "الخور"]]
    >>> tags = [["O", "O", "B-ORG", "O"], ["O", "O", "O", "B-ORG"]]
    >>> propagate(sents, tags)[1]
    ['O', 'B-ORG', 'O', 'B-ORG']
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from rasid.entities.conll import bio_spans

__all__ = ["propagate", "WINDOW", "MIN_RATIO"]

WINDOW = 20
MIN_RATIO = 0.3
_PROCLITICS = "وفبلك"
_MIN_CHARS = 3  # single-word names shorter than this are never propagated


def _base(token: str) -> str:
    """The word without one attached proclitic ("وسورية" -> "سورية", "للفاتيكان" -> "الفاتيكان")."""
    if len(token) > 4 and token.startswith("لل"):
        return "ال" + token[2:]
    if len(token) > 3 and token[0] in _PROCLITICS:
        return token[1:]
    return token


def propagate(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]],
              documents: Sequence | None = None, *, window: int = WINDOW,
              min_ratio: float = MIN_RATIO) -> list[list[str]]:
    """BIO tags made consistent within each document (sentences in reading order; `documents`
    names each sentence's document, None: one document). Returns new lists; inputs are unchanged."""
    out = [list(t) for t in tags]
    if window <= 0 or not sentences:
        return out
    docs = list(documents) if documents is not None else [0] * len(sentences)
    spans = [bio_spans(list(t)) for t in tags]
    # per sentence: base form of each word -> positions, to find a name's occurrences quickly
    where: list[dict[str, list[int]]] = []
    for sent in sentences:
        index: dict[str, list[int]] = defaultdict(list)
        for i, tok in enumerate(sent):
            index[_base(tok)].append(i)
        where.append(index)
    start = 0
    while start < len(sentences):
        end = start
        while end < len(sentences) and docs[end] == docs[start]:
            end += 1
        for i in range(start, end):
            lo, hi = max(start, i - window), min(end, i + window + 1)
            _fix_sentence(i, lo, hi, sentences, spans, where, out, min_ratio)
        start = end
    return out


def _key(sent: Sequence[str], a: int, b: int) -> tuple[str, ...]:
    return (_base(sent[a]), *sent[a + 1:b])


def _occurrences(key: tuple[str, ...], sent: Sequence[str], index: dict[str, list[int]]) -> list[int]:
    n = len(key)
    return [a for a in index.get(key[0], ()) if tuple(sent[a + 1:a + n]) == key[1:]]


def _fix_sentence(i, lo, hi, sentences, spans, where, out, min_ratio) -> None:
    votes: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for j in range(lo, hi):
        for kind, a, b in spans[j]:
            votes[_key(sentences[j], a, b)][kind] += 1
    if not votes:
        return
    sent, tags = sentences[i], out[i]

    def label(a: int, b: int, kind: str) -> None:
        tags[a] = "B-" + kind
        for x in range(a + 1, b):
            tags[x] = "I-" + kind

    for kind, a, b in spans[i]:
        v = votes[_key(sent, a, b)]
        best, count = v.most_common(1)[0]
        if best != kind and count > v[kind]:
            label(a, b, best)
    for key, v in votes.items():
        if len(key) == 1 and len(key[0]) < _MIN_CHARS:
            continue
        here = _occurrences(key, sent, where[i])
        if not here:
            continue
        occurrences = sum(len(_occurrences(key, sentences[j], where[j])) for j in range(lo, hi))
        if sum(v.values()) < min_ratio * occurrences:
            continue
        best = v.most_common(1)[0][0]
        n = len(key)
        for a in here:
            free = all(tags[x] == "O" for x in range(a, a + n))
            if free and (a + n == len(tags) or not tags[a + n].startswith("I-")):
                label(a, a + n, best)

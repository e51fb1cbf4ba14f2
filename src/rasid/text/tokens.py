"""Tokenisation with character offsets and clitic-aware matching stems."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rasid.text.letters import DIACRITICS, TATWEEL
from rasid.text.normalize import match_key

__all__ = ["Token", "tokenize", "strip_proclitics", "longest_entry"]

_MARKS = re.escape(DIACRITICS + TATWEEL)
_TOKEN_RE = re.compile(
    r"(?P<num>[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,\u066b\u066c][0-9\u0660-\u0669\u06f0-\u06f9]+)*)"
    rf"|(?P<word>(?:[^\W\d_]|[{_MARKS}])+)"
    r"|(?P<punct>[^\w\s])"
)
# A proclitic is stripped only when this much of the word remains, so وليد and بلد stay whole.
MIN_STEM_AFTER_CLITIC = 3


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its surface text and half-open offsets into the text it came from."""

    text: str
    start: int
    end: int
    kind: str  # "word", "num" or "punct"

    @property
    def key(self) -> str:
        """The matching key (folded, no diacritics or tatweel)."""
        return match_key(self.text, keep_punctuation=True)

    @property
    def stems(self) -> tuple[str, ...]:
        """Matching keys of the readings with and without attached proclitics, longest first."""
        return strip_proclitics(self.key) if self.kind == "word" else (self.key,)


@lru_cache(maxsize=262_144)
def strip_proclitics(key: str) -> tuple[str, ...]:
    """List the readings of a word key with its proclitics removed, the whole word first.

    Arabic stacks proclitics in a fixed order: a conjunction (و ف), a preposition (ب ل ك), then
    the article (ال; ل + ال is written لل). Every reading is kept because spelling alone cannot
    tell وليد (a name) from و+ليد; the caller picks the reading its lexicon knows. A reading must
    keep at least ``MIN_STEM_AFTER_CLITIC`` letters.

    Example:
        >>> strip_proclitics("وبالجفره")
        ('وبالجفره', 'بالجفره', 'الجفره', 'جفره')
        >>> strip_proclitics("لقوات")
        ('لقوات', 'قوات')
        >>> strip_proclitics("للقوات")
        ('للقوات', 'القوات', 'لقوات', 'قوات')
    """
    readings = [key]
    for conj in ("", "و", "ف"):
        if not key.startswith(conj):
            continue
        after_conj = key[len(conj):]
        for prep in ("", "ب", "ل", "ك"):
            if not after_conj.startswith(prep):
                continue
            after_prep = after_conj[len(prep):]
            candidates = [after_prep]
            if after_prep.startswith("ال"):
                candidates.append(after_prep[2:])
            if prep == "ل" and after_prep.startswith("ل"):  # لل = ل + ال
                candidates += [after_prep[1:], "ا" + after_prep]  # "للجيش": "جيش" and "الجيش"
            for rest in candidates:
                if len(rest) >= MIN_STEM_AFTER_CLITIC and rest not in readings:
                    readings.append(rest)
    readings.sort(key=len, reverse=True)
    return tuple(readings)


def proclitic_of(key: str, reading: str) -> str:
    """The letters set aside on `key` to read it as `reading` (one of its :func:`strip_proclitics`
    readings); a reading that restores the article (لل read as ل + ال) sets aside the ل alone.

    Example:
        >>> proclitic_of("وبالجفره", "الجفره"), proclitic_of("وللجفره", "الجفره")
        ('وب', 'ول')
    """
    if key.endswith(reading):
        return key[:len(key) - len(reading)]
    return key[:len(key) - len(reading) + 1]


def tokenize(text: str, *, offset: int = 0) -> list[Token]:
    """Split `text` into word, number and punctuation tokens with offsets (plus `offset`).

    Diacritics and tatweel stay inside their word; numbers keep their separators.

    Example:
        >>> [t.text for t in tokenize("قتل 1,200 شخصٍ في سرت.")]
        ['قتل', '1,200', 'شخصٍ', 'في', 'سرت', '.']
        >>> tokenize("وقال حفتر", offset=10)[1].start
        15
    """
    out = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup or "punct"
        out.append(Token(m.group(), m.start() + offset, m.end() + offset, kind))
    return out


_FIRST_WORDS: dict[int, tuple[object, frozenset[str]]] = {}
_MAX_TABLES = 1024


def _first_words(table) -> frozenset[str]:
    """The first words of a table's entries, kept with the table itself so its id is not reused."""
    entry = _FIRST_WORDS.get(id(table))
    if entry is None or entry[0] is not table:
        if len(_FIRST_WORDS) > _MAX_TABLES:  # tables made on the fly (one per day of descriptions) come and go
            _FIRST_WORDS.clear()
        entry = _FIRST_WORDS[id(table)] = (table, frozenset(words[0] for words in table if words))
    return entry[1]


def longest_entry(table, keys, i: int, *, max_words: int = 5, clitics: bool = True):
    """The longest entry of `table` (a set or dict of word-key tuples) that starts at token i, as
    (entry, tokens used), or None. With `clitics` the first token may carry proclitics (و ف ب ل ك ال).
    A word that begins no entry is turned away at once, which is what most words are.

    Example:
        >>> longest_entry({("قوات", "الوفاق"), ("قوات",)}, ["ولقوات", "الوفاق", "تتقدم"], 0)
        (('قوات', 'الوفاق'), 2)
    """
    starts = _first_words(table)
    firsts = [first for first in (strip_proclitics(keys[i]) if clitics else (keys[i],)) if first in starts]
    if not firsts:
        return None
    for n in range(min(max_words, len(keys) - i), 0, -1):
        rest = tuple(keys[i + 1:i + n])
        for first in firsts:
            words = (first, *rest)
            if words in table:
                return words, n
    return None

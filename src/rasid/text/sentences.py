"""Sentence splitting for Arabic news with offsets into the original text.

A sentence ends at a line break, or at . ! ? ؟ followed by a space or the end, except:
inside a number (3.5), after an abbreviation (د.ب.أ، "د." before a name, Dr.), on the Arabic
headline pause ".." and inside a quotation that closes on the same line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SentenceSplitter", "split_sentences"]

_CANDIDATE_RE = re.compile(r"(?<!\.)(?:[.!?\u061f]+|\u2026)(?=[\s\"'\u00bb\u201d)\]]|$)")
_LINE_RE = re.compile(r"[^\r\n\u2028\u2029\x0b\x0c\x85]+")
_QUOTE_PAIRS = {"\u00ab": "\u00bb", "\u201c": "\u201d", '"': '"'}
_OPENER_RE = re.compile("[" + "".join(_QUOTE_PAIRS) + "]")
_CLOSERS = "\"'\u00bb\u201d)]"
_MAX_QUOTE = 800  # a "quotation" longer than this is an unbalanced quote mark, not a quote


@dataclass(frozen=True, slots=True)
class SentenceSplitter:
    """Split text into sentence spans.

    Args:
        abbreviations: extra tokens (with their final dot) whose dot never ends a sentence.
    """

    abbreviations: frozenset[str] = frozenset()

    @classmethod
    def from_data(cls) -> SentenceSplitter:
        """Build the splitter with the shipped abbreviation list."""
        from rasid.resources import load_yaml

        data = load_yaml("text/data/abbreviations.yaml")
        return cls(frozenset(str(a) for a in data["abbreviations"]))

    def split(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Return half-open ``(start, end)`` spans of the sentences in ``text[start:end]``.

        Spans are stripped of surrounding white space and index into `text` itself.
        """
        end = len(text) if end is None else end
        spans: list[tuple[int, int]] = []
        for line in _LINE_RE.finditer(text, start, end):
            spans.extend(self._split_line(text, line.start(), line.end()))
        return spans

    def _split_line(self, text: str, lo: int, hi: int) -> Iterable[tuple[int, int]]:
        quoted = _quote_regions(text, lo, hi)
        cut = lo
        for m in _CANDIDATE_RE.finditer(text, lo, hi):
            mark = m.group()
            if mark == "." and self._is_abbreviation_or_number(text, m.start(), lo):
                continue
            if mark == "\u2026" or (len(mark) > 1 and set(mark) == {"."}):
                continue  # ".." and "..." are pauses in Arabic news prose, not full stops
            if any(a < m.start() < b - 1 for a, b in quoted):
                continue
            stop = m.end()
            while stop < hi and text[stop] in _CLOSERS:
                stop += 1
            span = _strip(text, cut, stop)
            if span:
                yield span
            cut = stop
        span = _strip(text, cut, hi)
        if span:
            yield span

    def _is_abbreviation_or_number(self, text: str, dot: int, lo: int) -> bool:
        word_start = dot
        while word_start > lo and not text[word_start - 1].isspace():
            word_start -= 1
        word = text[word_start:dot + 1]
        if word in self.abbreviations:
            return True
        letters = word.rstrip(".").split(".")
        # one letter ("د.") or a dotted acronym of single letters ("د.ب.أ", "U.S.")
        return all(len(part) == 1 and part.isalpha() for part in letters) and len(letters) >= 1 and word[0].isalpha()


def _quote_regions(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Find quotations that open and close within ``text[lo:hi]`` (and are not absurdly long)."""
    regions = []
    pos = lo
    while True:
        m = _OPENER_RE.search(text, pos, hi)
        if m is None:
            return regions
        i = m.start()
        j = text.find(_QUOTE_PAIRS[m.group()], i + 1, min(hi, i + 1 + _MAX_QUOTE))
        if j == -1:
            pos = i + 1
            continue
        regions.append((i, j + 1))
        pos = j + 1


def _strip(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if b > a else None


_DEFAULT: SentenceSplitter | None = None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split `text` into sentence spans with the shipped abbreviation list.

    Example:
        >>> text = 'قال العميد: "سنتقدم. لن نتراجع". وأفادت د.ب.أ بمقتل 3.5 بالمئة. انتهى'
        >>> [text[a:b] for a, b in split_sentences(text)]
        ['قال العميد: "سنتقدم. لن نتراجع".', 'وأفادت د.ب.أ بمقتل 3.5 بالمئة.', 'انتهى']
        >>> headline = "ليبيا.. الوفاق توجه ضربات\\nسطر ثان"
        >>> [headline[a:b] for a, b in split_sentences(headline)]
        ['ليبيا.. الوفاق توجه ضربات', 'سطر ثان']
    """
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SentenceSplitter.from_data()
    return _DEFAULT.split(text)

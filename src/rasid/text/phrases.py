"""Find lexicon phrases in text: longest match first, on matching keys, proclitics allowed on the first word."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rasid.text.normalize import match_words
from rasid.text.tokens import Token, strip_proclitics, tokenize

__all__ = ["PhraseMatcher", "PhraseMatch"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PhraseMatch(Generic[T]):
    """One phrase found: token range, character span in the text, and the phrase's payload."""

    first: int
    last: int  # exclusive
    start: int
    end: int
    value: T


class PhraseMatcher(Generic[T]):
    """A table of Arabic phrases, each with a payload, matched on tokens.

    Phrases are compared on matching keys (diacritics, hamza/alef forms, ى/ي and ة/ه folded);
    the first word of the text may carry proclitics the phrase does not (و ف ب ل ك ال).

    Example:
        >>> m = PhraseMatcher([("ميليشيات حفتر", "GNA"), ("حفتر", "name")])
        >>> [(x.value, x.start, x.end) for x in m.find("قصفت ميليشيات حفتر ولحفتر")]
        [('GNA', 5, 18), ('name', 19, 25)]
    """

    def __init__(self, phrases: Iterable[tuple[str, T]] = ()):
        self._table: dict[tuple[str, ...], T] = {}
        self._longest = 0
        for phrase, value in phrases:
            self.add(phrase, value)

    def add(self, phrase: str, value: T) -> None:
        """Add a phrase (a later duplicate replaces the earlier payload)."""
        key = match_words(phrase)
        if key:
            self._table[key] = value
            self._longest = max(self._longest, len(key))

    def __len__(self) -> int:
        return len(self._table)

    def match_at(self, keys: Sequence[str], i: int) -> tuple[int, T] | None:
        """The longest phrase starting at token `i` of `keys`: ``(length, payload)``, or None."""
        for n in range(min(self._longest, len(keys) - i), 0, -1):
            rest = tuple(keys[i + 1:i + n])
            for first in strip_proclitics(keys[i]):
                value = self._table.get((first, *rest))
                if value is not None:
                    return n, value
        return None

    def find_in_tokens(self, tokens: Sequence[Token]) -> list[PhraseMatch[T]]:
        """Non-overlapping matches in `tokens`, left to right, the longest at each position."""
        keys = [t.key for t in tokens]
        out: list[PhraseMatch[T]] = []
        i = 0
        while i < len(keys):
            hit = self.match_at(keys, i) if tokens[i].kind == "word" else None
            if hit is None:
                i += 1
                continue
            n, value = hit
            out.append(PhraseMatch(i, i + n, tokens[i].start, tokens[i + n - 1].end, value))
            i += n
        return out

    def find(self, text: str, *, offset: int = 0) -> list[PhraseMatch[T]]:
        """Non-overlapping matches in `text` (spans plus `offset`)."""
        return self.find_in_tokens(tokenize(text, offset=offset))

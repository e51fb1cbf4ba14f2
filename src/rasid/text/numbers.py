"""Reading quantities from Arabic news text: digits, number words and vague amounts.

Vague words get the value the ACLED Codebook prescribes for fatality counts ("dozens" = 12,
"hundreds" = 100, "several" = 10); qualifiers such as "على الأقل" (at least) and "نحو"
(about) are kept as flags so a coder can apply its own conventions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rasid.text.normalize import match_key
from rasid.text.tokens import Token, tokenize

__all__ = ["NumberReader", "Quantity", "read_quantities"]


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number found in text.

    Attributes:
        value: the number (an ACLED-style stand-in for vague words such as عشرات).
        start, end: half-open offsets of the number phrase in the text.
        text: the surface phrase.
        vague: the phrase names no exact number (عشرات، عدة).
        lower_bound: the number is a minimum ("على الأقل 6"، "أكثر من 400").
        approximate: the number is hedged ("نحو 30"، "حوالي").
    """

    value: int | float
    start: int
    end: int
    text: str
    vague: bool = False
    lower_bound: bool = False
    approximate: bool = False


def _fold_keys(table: dict) -> dict[str, int]:
    return {match_key(str(k)): int(v) for k, v in (table or {}).items()}


class NumberReader:
    """Read quantities from text using an editable number lexicon (``text/data/numbers.yaml``)."""

    def __init__(self, lexicon: dict):
        self.units = _fold_keys(lexicon.get("units"))
        self.tens = _fold_keys(lexicon.get("tens"))
        self.hundreds = _fold_keys(lexicon.get("hundreds"))
        self.scales = _fold_keys(lexicon.get("scales"))
        self.vague = _fold_keys(lexicon.get("vague"))
        self.lower_bound = [match_key(p).split() for p in lexicon.get("lower_bound", [])]
        self.approximate = [match_key(p).split() for p in lexicon.get("approximate", [])]
        self._words = set(self.units) | set(self.tens) | set(self.hundreds) | set(self.scales)
        compound = "|".join(sorted((re.escape(u) for u in self.units if self.units[u] < 10), key=len, reverse=True))
        hundred = "|".join(re.escape(h) for h, v in self.hundreds.items() if v == 100)
        self._compound_hundred = re.compile(rf"^({compound})({hundred})$")  # ثلاثمائة

    @classmethod
    def from_data(cls, path: str | None = None) -> NumberReader:
        """Build a reader from the shipped lexicon, or from a user's YAML file at `path`."""
        from rasid.resources import load_yaml

        return cls(load_yaml(path or "text/data/numbers.yaml"))

    def _word_value(self, key: str) -> tuple[str, int] | None:
        """Classify one word key (proclitics allowed) as a number word: (kind, value)."""
        for reading in _number_readings(key):
            for kind, table in (("unit", self.units), ("ten", self.tens), ("hundred", self.hundreds),
                                ("scale", self.scales)):
                if reading in table:
                    return kind, table[reading]
            m = self._compound_hundred.match(reading)
            if m:
                return "hundred", self.units[m.group(1)] * 100
        return None

    def read(self, text: str) -> list[Quantity]:
        """Find every quantity in `text`, in order.

        Example:
            >>> reader = NumberReader.from_data()
            >>> [(q.text, q.value) for q in reader.read("قتل ستة على الأقل وأصيب 12 بجروح")]
            [('ستة', 6), ('12', 12)]
            >>> [(q.value, q.lower_bound) for q in reader.read("مقتل أكثر من 400 جندي")]
            [(400, True)]
            >>> [q.value for q in reader.read("خلال الأربع والعشرين ساعة، نزوح عشرات العائلات")]
            [24, 12]
            >>> [q.value for q in reader.read("ثلاثمائة وخمسة وعشرون و١٬٢٠٠")]
            [325, 1200]
        """
        tokens = [t for t in tokenize(text) if t.kind != "punct" or t.text in "،,"]
        out: list[Quantity] = []
        i = 0
        while i < len(tokens):
            q, i_next = self._read_at(text, tokens, i)
            if q is None:
                i += 1
                continue
            out.append(q)
            i = i_next
        return out

    def _read_at(self, text: str, tokens: list[Token], i: int) -> tuple[Quantity | None, int]:
        tok = tokens[i]
        if tok.kind == "num":
            value = _parse_digits(tok.text)
            j = i + 1
            # "3 آلاف", "2 مليون"
            if j < len(tokens) and tokens[j].kind == "word":
                wv = self._word_value(tokens[j].key)
                if wv and wv[0] == "scale" and wv[1] >= 1000:
                    value *= wv[1] if wv[1] != 2000 else 1000
                    j += 1
            return self._qualify(text, tokens, i, j, value, vague=False), j
        if tok.kind != "word":
            return None, i + 1
        key = tok.key
        if key in self.vague or _strip_conj(key) in self.vague:
            wv = self._word_value(key)
            if not wv or wv[0] != "scale":
                value = self.vague.get(key, self.vague.get(_strip_conj(key)))
                return self._qualify(text, tokens, i, i + 1, value, vague=True), i + 1
        total, current, j, seen = 0, 0, i, False
        while j < len(tokens) and tokens[j].kind == "word":
            wv = self._word_value(tokens[j].key if j == i or not seen else _strip_conj(tokens[j].key))
            if wv is None:
                break
            kind, v = wv
            if j > i and not tokens[j].key.startswith("و") and kind != "scale" and not (
                    kind == "unit" and v == 10 and current < 10):
                break  # "ستة سبعة" are two numbers; only و or عشر/scale words continue one
            if kind == "unit" and v == 10 and 0 < current < 10 and j > i:
                current += 10  # أحد عشر، ثلاثة عشر
            elif kind == "scale":
                total += max(current, 1) * v if v in (1000, 1000000) else v
                current = 0
            else:
                current += v
            seen = True
            j += 1
        if not seen:
            return None, i + 1
        return self._qualify(text, tokens, i, j, total + current, vague=False), j

    def _qualify(self, text: str, tokens: list[Token], i: int, j: int, value, *, vague: bool) -> Quantity:
        before = [t.key for t in tokens[max(0, i - 4):i]]
        after = [t.key for t in tokens[j:j + 4]]
        # a qualifier stands before the number or after it, possibly after the counted noun ("ستة جنود على الأقل")
        lower = any(_ends_with(before, p) or _starts_with(after, p) or _starts_with(after[1:], p)
                    for p in self.lower_bound)
        approx = any(_ends_with(before, p) or _starts_with(after, p) or _starts_with(after[1:], p)
                     for p in self.approximate)
        start, end = tokens[i].start, tokens[j - 1].end
        return Quantity(value, start, end, text[start:end], vague=vague, lower_bound=lower, approximate=approx)


def _strip_conj(key: str) -> str:
    return key[1:] if key.startswith("و") and len(key) > 3 else key


def _number_readings(key: str) -> list[str]:
    out = [key]
    for prefix in ("وال", "بال", "لل", "ال", "و", "ب", "ل"):
        if key.startswith(prefix) and len(key) - len(prefix) >= 2:
            out.append(key[len(prefix):])
    return out


def _ends_with(words: list[str], phrase: list[str]) -> bool:
    return len(words) >= len(phrase) and [_strip_conj(w) for w in words[-len(phrase):]] == phrase


def _starts_with(words: list[str], phrase: list[str]) -> bool:
    return len(words) >= len(phrase) and words[:len(phrase)] == phrase


def _parse_digits(raw: str) -> int | float:
    s = match_key(raw, keep_punctuation=True)  # Arabic-Indic and Persian digits to ASCII
    s = s.replace("\u066c", ",").replace("\u066b", ".")
    if re.fullmatch(r"\d{1,3}(,\d{3})+", s):
        return int(s.replace(",", ""))
    s = s.replace(",", ".")
    try:
        return int(s)
    except ValueError:
        try:
            return float(s)
        except ValueError:
            return int(re.sub(r"\D", "", s) or 0)


_DEFAULT: NumberReader | None = None


def read_quantities(text: str) -> list[Quantity]:
    """Read quantities with the shipped lexicon (see :meth:`NumberReader.read`)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = NumberReader.from_data()
    return _DEFAULT.read(text)

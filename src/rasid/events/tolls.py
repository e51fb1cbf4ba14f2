"""Step 4c, toll: the deaths and the wounded a clause reports, with the words that say so.

Numbers in a list that a killing word opens count as dead, plus the named people in it ("مقتل آمر
العمليات سالم درياق، ومعاونه ...، و8 من عناصرهم" = 10); numbers next to a wounding word are the
wounded; a number followed by a unit word (vehicles, kilometres) is no toll, nor a vague plural
("آلاف") or a total over a period ("خلال ثلاثة أشهر"، "منذ نحو 4 أشهر"); "دون وقوع إصابات" is 0 and a
dual verb ("قتلا") is 2. Replace it with any object that has ``count(sentence, clause)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rasid.events.lexicon import Lexicon
from rasid.events.model import Clause, Evidence, Sentence, has, has_any
from rasid.text.numbers import read_quantities
from rasid.text.tokens import strip_proclitics

__all__ = ["LexiconTolls", "Toll"]

MAX_TOLL = 100_000  # a larger number is a count of something else (money, a population)
YEARS = range(1800, 2101)  # a four-digit number in this range is a year, never a toll ("احتجاجات عام 2011")
NOT_DEAD_REACH = 2  # tokens on either side of a number searched for words of the missing, captured, deployed
KILLED_REACH = 12  # tokens after a killing word whose numbers and names are its dead
WOUNDED_BACK = 3  # tokens before a figure searched for a wounding word ("وأصيب أكثر من 200")
PERIOD_REACH = 12  # tokens after a figure searched for a period it totals ("... خلال ثلاثة أشهر")


@dataclass
class Toll:
    """What a clause says of the dead and the wounded, and where."""

    killed: int | None = None
    wounded: int | None = None
    killed_evidence: Evidence | None = None
    wounded_evidence: Evidence | None = None


def _cover(s: Sentence, ranges: list[tuple[int, int]], label: str) -> Evidence | None:
    """Evidence from the first to the last of the token ranges that made a figure."""
    if not ranges:
        return None
    return s.evidence(min(a for a, _ in ranges), max(b for _, b in ranges), label, "tolls")


class LexiconTolls:
    """Deaths and wounded from number words, digits, named dead and the lexicon's casualty words."""

    name = "tolls"

    def __init__(self, lexicon: Lexicon, actors=None):
        self.lexicon = lexicon

    def _year(self, s: Sentence, i: int, j: int, value: int) -> bool:
        """A year ("2014", "عام 2011"), not a count of people."""
        digits = j - i == 1 and s.tokens[i].kind == "num" and len(s.tokens[i].text.strip()) == 4
        return (digits and value in YEARS) or (i > 0 and has(self.lexicon.year_words, s.keys, i - 1) > 0)

    def _period_total(self, s: Sentence, a: int, j: int) -> bool:
        """Whether a period word and a span of time stand around the figure (tokens ``a`` to PERIOD_REACH
        after ``j``): a total over weeks or months ("خلال رمضان بلغوا 1452"، "750 قتلوا خلال ثلاثة أشهر")."""
        lex = self.lexicon
        for k in range(a, min(j + PERIOD_REACH, len(s.keys))):
            if has(lex.period_phrases, s.keys, k):
                return True
            n = has(lex.period, s.keys, k)
            if n and any(has(lex.period_spans, s.keys, m) for m in range(k + n, min(k + n + 4, len(s.keys)))):
                return True
        return False

    def count(self, s: Sentence, clause: Clause) -> Toll:
        lex = self.lexicon
        lo, hi = clause.lo, clause.hi
        for i in range(lo, hi):
            n = has(lex.no_casualties, s.keys, i)
            if n:
                return Toll(0, None, s.evidence(i, i + n, "fatalities", "tolls"), None)
        killed = wounded = None
        killed_at: list[tuple[int, int]] = []
        wounded_at: list[tuple[int, int]] = []
        starts = [i for i in range(lo, hi) if has(lex.killed, s.keys, i)]
        dead: dict[int, list[tuple[int, int, int]]] = {}  # killing word -> the figures it counts
        numbers = []
        i = lo
        while i < hi:
            t = s.tokens[i]
            if t.kind == "num" or _number_word(s.keys[i]):
                text = " ".join(x.text for x in s.tokens[i:i + 4])
                qs = read_quantities(text)
                if qs and qs[0].start == 0 and isinstance(qs[0].value, int) and qs[0].value < MAX_TOLL:
                    n_words = max(1, len(text[:qs[0].end].split()))
                    numbers.append((i, i + n_words, qs[0].value))
                    i += n_words
                    continue
            i += 1
        breakdown = None  # where a breakdown of a count ("منهم"، "هم") began
        for i, j, value in numbers:
            if any(has(lex.units, s.keys, k) for k in range(j, min(j + 2, hi))):
                continue
            if self._year(s, i, j, value) or any(has(lex.not_dead, s.keys, k) for k in range(
                    max(lo, i - NOT_DEAD_REACH), min(j + NOT_DEAD_REACH, hi)) if not i <= k < j):
                continue
            if any(has(lex.subset, s.keys, k) for k in range(max(lo, i - 2), i)):
                breakdown = i
                continue  # "مقتل 8 أشخاص من بينهم خمسة أطفال": a part of a count already made
            if breakdown is not None and not any(has(lex.killed, s.keys, k) for k in range(breakdown, i)):
                continue  # "... هم 9 أطفال و6 نساء و33 رجلا": the rest of the breakdown
            if has(lex.vague, s.keys, i) or self._period_total(s, max(lo, i - PERIOD_REACH), j):
                continue  # "آلاف القتلى"; "750 شخصا قتلوا ... خلال ثلاثة أشهر": no one event's toll
            if any(has(lex.wounded, s.keys, k) for k in range(max(lo, i - WOUNDED_BACK), min(j + 2, hi))) and \
                    not any(has(lex.killed, s.keys, k) for k in range(j, min(j + 2, hi))):
                wounded = (wounded or 0) + value
                wounded_at.append((i, j))
                continue
            after = next((k for k in range(j, min(j + 3, hi)) if has(lex.killed, s.keys, k)), None)
            before = next((st for st in reversed(starts) if st < i and i - st <= KILLED_REACH), None)
            anchor = after if after is not None else before
            if anchor is not None:
                dead.setdefault(anchor, []).append((i, j, value))
        if len(dead) > 1:
            # two killing words with their own figures ("22 قتيلا في باردو ... مقتل 38 في سوسة") report two
            # incidents: the event's toll is the one told nearest its trigger
            nearest = min(dead, key=lambda k: abs(k - clause.hit.start))
            dead = {nearest: dead[nearest]}
        for group in dead.values():
            killed = sum(v for _, _, v in group)
            killed_at = [(i, j) for i, j, _ in group]
        if starts:
            st = starts[0]
            a_off = s.tokens[st].end
            b_off = s.tokens[min(hi, len(s.tokens)) - 1].end
            named = [m for m in s.mentions if m["type"] == "PERS" and a_off <= m["span"][0] <= b_off
                     and s.tok_index(m["span"][0]) - st <= KILLED_REACH]
            if named:
                killed = (killed or 0) + len(named)
                killed_at.extend((s.tok_index(m["span"][0]), s.tok_index(m["span"][1] - 1) + 1) for m in named)
        if killed is None and has_any(lex.killed_dual, s.keys, lo, hi):
            i = next(i for i in range(lo, hi) if has(lex.killed_dual, s.keys, i))
            killed, killed_at = 2, [(i, i + has(lex.killed_dual, s.keys, i))]
        return Toll(killed, wounded, _cover(s, killed_at, "fatalities"), _cover(s, wounded_at, "wounded"))


@cache
def _number_word(key: str) -> bool:
    return any(_number_reader()._word_value(r) for r in strip_proclitics(key))


@cache
def _number_reader():
    from rasid.text.numbers import NumberReader

    return NumberReader.from_data()

"""Resolve Arabic date expressions against the publication date, with ACLED time precision.

ACLED time precision: 1 = the day is known, 2 = the week (or a few days) is known, 3 = only the
month. Reports are about the past, so a bare weekday ("السبت") is the latest such day on or before
publication, unless the sentence speaks of the future (سوف، سـ + verb).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from rasid.resources import load_yaml
from rasid.text.normalize import match_key, match_words
from rasid.text.numbers import NumberReader
from rasid.text.tokens import Token, longest_entry, strip_proclitics, tokenize

__all__ = ["DateMention", "DateResolver", "find_dates", "resolve_date"]

MAX_WORDS = 4
MONTH_INTRODUCERS = frozenset({"في", "خلال", "منذ", "شهر", "حتي", "من", "الي", "مطلع", "اواخر", "منتصف", "نهايه",
                               "بدايه", "اوائل", "اواسط", "قبل", "بعد", "طيله", "طوال"})


@dataclass(frozen=True)
class DateMention:
    """A date expression found in text: raw span, resolved day, ACLED precision and the rule used."""

    start: int
    end: int
    text: str
    date: date
    precision: int
    rule: str

    def as_dict(self) -> dict:
        return {"span": [self.start, self.end], "text": self.text, "date": self.date.isoformat(),
                "time_precision": self.precision, "rule": self.rule}


def _keys(table) -> dict[tuple[str, ...], object]:
    return {match_words(k): v for k, v in table.items()}


def _key_set(words) -> frozenset[tuple[str, ...]]:
    return frozenset(match_words(w) for w in words)


class DateResolver:
    """Rules over the words of ``dates/data/dates.yaml``."""

    def __init__(self, data: dict):
        self.weekdays = _keys(data["weekdays"])
        self.months = _keys(data["months"])
        self.ordinals = _keys(data["ordinals"])
        self.relative = _keys(data["relative_days"])
        self.day_parts = _key_set(data["day_parts"])
        self.past = _key_set(data["past"])
        self.future = _key_set(data["future"])
        self.current = _key_set(data["current"])
        self.years = frozenset(match_key(w) for w in data.get("years", ()))
        self.this = frozenset(match_key(w) for w in data.get("this", ()))
        self.month_parts = _keys(data["month_parts"])
        self.units = _keys(data["units"])
        self.plural_units = frozenset(match_key(w) for w in data.get("plural_units", ()))
        self.numbers = NumberReader.from_data()
        self.name_heads = frozenset(match_key(w) for w in data.get("name_heads", ()))
        self.not_future = tuple(match_key(w) for w in data.get("not_future_prefixes", ()))
        self.not_future_words = frozenset(match_key(w) for w in data.get("not_future_words", ()))

    @classmethod
    def from_data(cls, path: str | None = None) -> DateResolver:
        return _resolver(path or "dates/data/dates.yaml")

    # -- matching helpers over token keys ---------------------------------------------------
    @staticmethod
    def _match(table, keys: list[str], i: int, *, clitics: bool = False):
        """Longest entry of `table` starting at token i: (value or True, tokens used) or None."""
        found = longest_entry(table, keys, i, max_words=MAX_WORDS, clitics=clitics)
        if found is None:
            return None
        words, n = found
        return (table[words] if isinstance(table, dict) else True), n

    def find(self, text: str, published: date | None) -> list[DateMention]:
        """Every date expression in `text`, resolved against `published` (relative ones need it)."""
        tokens = [t for t in tokenize(text)]
        keys = [t.key for t in tokens]
        out: list[DateMention] = []
        i = 0
        while i < len(tokens):
            found = self._at(tokens, keys, i, published)
            if found:
                day, precision, rule, j = found
                if rule in ("day month", "month") and i and any(w in self.name_heads
                                                                 for w in strip_proclitics(keys[i - 1])) \
                        and not any(tokens[k].kind == "num" and len(keys[k]) == 4 for k in range(i, j)):
                    i = j  # "ثورة 17 فبراير": a name; "ثورة 25 يناير 2011" is also the day it happened
                    continue
                out.append(DateMention(tokens[i].start, tokens[j - 1].end, text[tokens[i].start:tokens[j - 1].end],
                                       day, precision, rule))
                i = j
            else:
                i += 1
        return out

    def _marker(self, keys: list[str], j: int) -> tuple[str | None, int]:
        for name, table in (("past", self.past), ("future", self.future), ("current", self.current)):
            m = self._match(table, keys, j) if j < len(keys) else None
            if m:
                return name, j + m[1]
        return None, j

    def _year(self, tokens: list[Token], keys: list[str], j: int) -> tuple[int | None, int]:
        k = j
        if k < len(keys) and keys[k] in ("/", "-", "(", ")"):  # "يونيو/حزيران 2020", "يونيو (حزيران) 2020"
            k += 1
        if k < len(keys) and tokens[k].kind == "num" and len(keys[k]) == 4 and keys[k].isdigit() and 1900 < int(keys[k]) < 2100:
            return int(keys[k]), k + 1
        return None, j

    def _year_ref(self, tokens: list[Token], keys: list[str], j: int, pub: date | None) -> tuple[int | None, int]:
        """The year after a month name: "2014", "عام 2014", "(من) العام الماضي / الجاري / المقبل",
        "(من) هذا العام"; relative years need `pub`. (None, j) when none is named."""
        year, k = self._year(tokens, keys, j)
        if year:
            return year, k
        n = len(keys)
        k = j + 1 if j < n and keys[j] == "من" else j
        if k < n and keys[k] in self.this and k + 1 < n and keys[k + 1] in self.years:
            return (pub.year, k + 2) if pub else (None, j)
        if k < n and keys[k] in self.years:
            year, k2 = self._year(tokens, keys, k + 1)
            if year:
                return year, k2
            marker, k2 = self._marker(keys, k + 1)
            if marker and pub:
                return pub.year + {"past": -1, "future": 1, "current": 0}[marker], k2
        return None, j

    def _alt_month(self, keys: list[str], j: int) -> int:
        """Skip a month name given again in the other series: "يونيو/حزيران", "يونيو (حزيران)"."""
        k = j
        if k < len(keys) and self._match(self.months, keys, k):  # "يونيو حزيران"
            return k + self._match(self.months, keys, k)[1]
        if k < len(keys) and keys[k] in ("/", "(", "-"):
            m = self._match(self.months, keys, k + 1)
            if m:
                k = k + 1 + m[1]
                if k < len(keys) and keys[k] == ")":
                    k += 1
                return k
        return j

    def _future_context(self, keys: list[str], i: int) -> bool:
        for k in keys[max(0, i - 5):i]:
            if k[:1] in ("و", "ف") and len(k) > 5:
                k = k[1:]
            if k == "سوف" or (len(k) > 4 and k[0] == "س" and k[1] in "يتن" and not k.startswith(self.not_future)
                                                        and k not in self.not_future_words):
                return True
        return False

    def _at(self, tokens: list[Token], keys: list[str], i: int, pub: date | None):
        n = len(keys)
        # explicit numeric date: d/m/yyyy, d-m-yyyy, yyyy-m-d
        if tokens[i].kind == "num" and i + 4 < n and keys[i + 1] in "/-." and keys[i + 3] == keys[i + 1] \
                and tokens[i + 2].kind == "num" and tokens[i + 4].kind == "num":
            a, b, c = (int(float(keys[i + k])) for k in (0, 2, 4))
            y, m, d = (a, b, c) if a > 1900 else (c, b, a)
            if 1900 < y < 2100:
                day = _safe_date(y, m, d)
                if day:
                    return day, 1, "numeric", i + 5
        j = i
        # part of the day ("فجر", "مساء") is only a prefix
        part = self._match(self.day_parts, keys, i, clitics=True)
        if part and not self._match(self.relative, keys, i, clitics=True):
            j = i + part[1]
        if j >= n:
            return None
        # relative day words, possibly followed by a weekday that confirms them: "فجر اليوم الأربعاء"
        rel = self._match(self.relative, keys, j, clitics=True)
        if rel and pub:
            offset, used = rel
            k = j + used
            wd = self._match(self.weekdays, keys, k) if k < n else None
            if wd:
                k += wd[1]
            marker, k2 = self._marker(keys, k)
            if rel[0] == 0 and keys[j].endswith("ليله") and marker == "past":
                offset, k = -1, k2
            return pub + timedelta(days=int(offset)), 1, "relative day", k
        # "يوم" + weekday, or weekday alone
        k = j
        if keys[k] in ("يوم", "ويوم", "اليوم") and k + 1 < n:
            k += 1
        wd = self._match(self.weekdays, keys, k, clitics=True)
        if wd and pub:
            target = int(wd[0])
            k += wd[1]
            # "السبت 6 يونيو": an explicit date that follows wins
            explicit = self._day_month(tokens, keys, k, pub)
            if explicit:
                return explicit
            marker, k = self._marker(keys, k)
            back = (pub.weekday() - target) % 7
            if marker is None and k + 1 < n and keys[k] == "قبل" and self._marker(keys, k + 1)[0] == "past":
                k = self._marker(keys, k + 1)[1]  # "الجمعة قبل الماضية": the one before last
                return pub - timedelta(days=(back or 7) + 7), 1, "weekday before last", k
            if marker == "past":
                back = back or 7
            elif marker == "future" or (marker is None and self._future_context(keys, i)):
                fwd = (target - pub.weekday()) % 7 or 7
                return pub + timedelta(days=fwd), 1, "weekday " + (marker or "future"), k
            return pub - timedelta(days=back), 1, "weekday" + (" past" if marker == "past" else ""), k
        found = self._day_month(tokens, keys, i, pub)
        if found:
            return found
        # parts of a month: "منتصف الشهر الماضي", "أواخر يونيو"
        mp = self._match(self.month_parts, keys, i, clitics=True)
        if mp and pub:
            (dom, precision), used = mp
            k = i + used
            month = self._month_ref(tokens, keys, k, pub)
            if month:
                (y, m), k2 = month
                last = calendar.monthrange(y, m)[1]
                return date(y, m, min(int(dom), last)), int(precision), "part of month", k2
        # "الأسبوع الماضي", "الشهر الجاري", "يونيو الماضي"
        month = self._month_ref(tokens, keys, i, pub) if pub else None
        if month:
            (y, m), k = month
            # a bare month name must read as a time ("في مايو", "مايو الماضي", "مايو 2020"), not as part
            # of a name ("قناة فبراير", "ثورة 17 فبراير")
            prev = keys[i - 1] if i > 0 else ""
            timed = k - i > 1 or strip_proclitics(keys[i])[0] != keys[i] or prev in MONTH_INTRODUCERS \
                or keys[i] in ("الشهر", "والشهر", "بالشهر", "للشهر") or strip_proclitics(keys[i])[-1] == "شهر"
            if timed:
                return date(y, m, 1), 3, "month", k
        if pub and keys[i] in ("الاسبوع", "الاسبوع", "والاسبوع", "بالاسبوع", "خلال"):
            k = i + 1 if keys[i] == "خلال" else i
            if k < n and keys[k].endswith("اسبوع"):
                marker, k2 = self._marker(keys, k + 1)
                if marker:
                    shift = {"past": -7, "future": 7, "current": 0}[marker]
                    return pub + timedelta(days=shift), 2, "week", k2
        # "قبل ثلاثة أيام", "منذ يومين"
        if pub and strip_proclitics(keys[i])[-1] in ("قبل", "منذ") and i + 1 < n:
            k = i + 1
            count = 1
            unit = self._match(self.units, keys, k)
            if unit and keys[k] in self.plural_units:
                unit = None  # "منذ شهور": months, but how many is not said
            elif not unit:
                q = self.numbers.read(" ".join(keys[k:k + 3]))
                if q and q[0].start == 0 and isinstance(q[0].value, int) and not q[0].vague:
                    words = len(" ".join(keys[k:k + 3])[:q[0].end].split())
                    count, k = q[0].value, k + words
                    unit = self._match(self.units, keys, k) if k < n else None
            if unit:
                (days, precision), used = unit
                return pub - timedelta(days=int(days) * count), int(precision), "days ago", k + used
        return None

    def _month_ref(self, tokens, keys, k, pub):
        """A month: "الشهر الماضي/الجاري/المقبل" or a month name with an optional marker or year."""
        n = len(keys)
        if k >= n:
            return None
        start = k
        if strip_proclitics(keys[k])[-1] in ("شهر",) or keys[k] in ("الشهر", "والشهر", "بالشهر", "للشهر"):
            marker, k2 = self._marker(keys, k + 1)
            if marker:
                shift = {"past": -1, "future": 1, "current": 0}[marker]
                return _add_months(pub.year, pub.month, shift), k2
            return None
        mo = self._match(self.months, keys, k, clitics=True)
        if not mo:
            return None
        month = int(mo[0])
        k += mo[1]
        k = self._alt_month(keys, k)
        year, k2 = self._year_ref(tokens, keys, k, pub)
        if year:
            return (year, month), k2
        marker, k3 = self._marker(keys, k)
        if marker == "future":
            y = pub.year if month > pub.month else pub.year + 1
        elif marker == "past":
            y = pub.year if month < pub.month else pub.year - 1
        elif self._future_context(keys, start):  # "ستجرى الانتخابات في ديسمبر"
            y = pub.year if month >= pub.month else pub.year + 1
        else:  # the latest such month, or the next one ("اعتبارا من أغسطس" in late July)
            y = pub.year if date(pub.year, month, 1) <= pub + timedelta(days=31) else pub.year - 1
        return (y, month), k3

    def _day_month(self, tokens, keys, i, pub):
        """"8 يونيو 2020", "الثامن من يونيو", "الثامن من الشهر الجاري"."""
        n = len(keys)
        if i >= n:
            return None
        if tokens[i].kind == "num" and keys[i].isdigit() and 1 <= int(keys[i]) <= 31:
            dom, k = int(keys[i]), i + 1
        else:
            o = self._match(self.ordinals, keys, i, clitics=True)
            if not o:
                return None
            dom, k = int(o[0]), i + o[1]
        if k < n and keys[k] == "من":
            k += 1
        if k >= n:
            return None
        is_month_word = keys[k] in ("الشهر",)
        mo = self._match(self.months, keys, k)
        if not mo and not is_month_word:
            return None
        if mo is None and pub is None:
            return None
        if mo is None:
            ref = self._month_ref(tokens, keys, k, pub)
            if not ref:
                return None
            (y, m), k = ref
            day = _safe_date(y, m, dom)
            return (day, 1, "day of month", k) if day else None
        m = int(mo[0])
        k = self._alt_month(keys, k + mo[1])
        year, k2 = self._year_ref(tokens, keys, k, pub)
        if year is None:
            if pub is None:
                return None
            marker, k2 = self._marker(keys, k)
            ahead = marker == "future" or (marker is None and self._future_context(keys, i))
            y = pub.year
            cand = _safe_date(y, m, dom)
            if cand and ahead and cand < pub:
                y += 1
            elif cand and not ahead and cand > pub + timedelta(days=60):
                y -= 1
            year = y
        day = _safe_date(year, m, dom)
        return (day, 1, "day month", k2) if day else None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _add_months(y: int, m: int, shift: int) -> tuple[int, int]:
    total = y * 12 + (m - 1) + shift
    return total // 12, total % 12 + 1


@cache
def _resolver(path: str) -> DateResolver:
    return DateResolver(load_yaml(path))


def find_dates(text: str, published: date | None) -> list[DateMention]:
    """Every date expression in `text` resolved against the publication date.

    Example:
        >>> [(m.text, str(m.date), m.precision) for m in find_dates("قصفت الطائرات فجر اليوم الأربعاء مواقع", date(2020, 6, 10))]
        [('فجر اليوم الأربعاء', '2020-06-10', 1)]
    """
    return DateResolver.from_data().find(text, published)


def resolve_date(phrase: str, published: date | None) -> DateMention | None:
    """Resolve a single date phrase (the first expression found in it), or None."""
    found = find_dates(phrase, published)
    return found[0] if found else None

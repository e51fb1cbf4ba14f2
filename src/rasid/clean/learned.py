"""A learned line model: is a line of page text the article, or page chrome?

The rules of ``clean/data/boilerplate.yaml`` speak first; the lines they leave as kept are read by
a logistic regression over features of the line and its neighbours that carry from site to site:
length and word shapes, digits and date shapes (month and weekday names, times, numeric dates),
Latin script, list separators, final punctuation, function words (running prose has many), link-like
openings ("اقرأ", "شاهد", "اضغط"), the position in the page, runs of short lines (menus and teaser
lists), where the article's first paragraph starts, and likeness to the headline. Classes are
``kept`` (article body), ``heading`` (headlines and sub-headings: short lines shaped much like page
chrome, so they are a class of their own), ``boilerplate``, ``caption`` and ``dateline``; a line is
taken out when the model's probability of ``kept`` or ``heading`` falls below the model's threshold
(chosen on the development sites), with the likeliest other class as its status. A line of running prose (15 words
or more, two of them function words) is always kept: chrome is short, and a news file's one-line
lede must not be lost.

The weights ship as ``clean/data/line_model.json``; ``rasid train-clean`` rebuilds them from a
labelled page set (``bench/data/pages``). Scoring is a dot product: deterministic and fast, no
learning library at run time.

Example:
    >>> from rasid.document import split_lines
    >>> text = "الرئيسية\\nرياضة\\nاقتصاد\\nفاز الهلال على النصر بهدفين في المباراة التي أقيمت مساء أمس على ملعب المملكة أرينا في الرياض."
    >>> rows = line_features(text, split_lines(text))
    >>> rows[0]["short_run"] > 0 and rows[3]["function_words"] > 0
    True
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache

from rasid.document import Line
from rasid.text.normalize import fold, match_key

__all__ = ["LineModel", "line_features", "CLASSES", "FEATURES"]

CLASSES = ("kept", "heading", "boilerplate", "caption", "dateline")
KEPT_CLASSES = ("kept", "heading")
# a line of running prose (this many words, this many function words) is never taken out by the model:
# page chrome is short, and an article's one-line lede must not be lost to a model trained on pages
PROSE_WORDS = 15
PROSE_FUNCTION_WORDS = 2
MODEL_FILE = "clean/data/line_model.json"

_FUNCTION_WORDS = frozenset(match_key(w) for w in (
    "في", "من", "على", "إلى", "الى", "عن", "مع", "أن", "إن", "التي", "الذي", "الذين", "هذا", "هذه", "ذلك", "تلك",
    "كان", "كانت", "قد", "لقد", "حيث", "كما", "بعد", "قبل", "خلال", "بين", "عند", "حتى", "لم", "لن", "ما", "لا",
    "وقال", "قال", "وأضاف", "أضاف", "وأكد", "أكد", "وأشار", "أشار", "أوضح", "وأوضح", "وفق", "وفقا", "إلا", "أو",
    "ثم", "هو", "هي", "هم", "أنه", "أنها", "بأن", "لأن", "عليه", "عليها", "فيه", "فيها", "منه", "منها"))
_LINKISH = tuple(match_key(w) for w in (
    "اقرأ", "إقرأ", "اقرا", "شاهد", "تابع", "تابعونا", "اضغط", "إضغط", "انقر", "للمزيد", "المزيد", "اشترك",
    "سجل", "تسجيل", "دخول", "حمل", "تحميل", "شارك", "انضم", "اتصل", "راسلنا", "الرئيسية", "الرئيسيه"))
_SEPARATORS = re.compile(r"[|•·▪►»«/\\،,;؛\-–—]")
_LATIN_LETTER = re.compile("[a-z]")
_TIME = re.compile(r"\b\d{1,2}[:٫.]\d{2}\b")
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[/\-.]\d{1,2}[/\-.]\d{1,4}\b")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_BRACKET_CREDIT = re.compile(r"[(\[]\s*[^()\[\]]{1,30}\s*[)\]]\s*$")
_FINAL = tuple(".!?؟…\"'»”")


@cache
def _date_words() -> frozenset[str]:
    from rasid.resources import load_yaml

    data = load_yaml("dates/data/dates.yaml")
    words = set()
    for section in ("weekdays", "months"):
        for name in data.get(section, {}):
            words.update(match_key(name).split())
    return frozenset(w for w in words if len(w) > 2)


def _with_proclitics(words: frozenset[str], proclitics: str, min_len: int) -> frozenset[str]:
    """The words, and each written after one of the one-letter `proclitics` when that makes it longer than
    `min_len`: one set lookup a word instead of two (وفي for في, بالسبت for السبت)."""
    return words | {p + w for p in proclitics for w in words if len(p + w) > min_len}


_FUNCTION_FORMS = _with_proclitics(_FUNCTION_WORDS, "وفبل", 2)


@cache
def _date_forms() -> frozenset[str]:
    return _with_proclitics(_date_words(), "وب", 3)


def _shape(raw: str, key: str) -> dict[str, float]:
    words = key.split()
    n = len(words)
    chars = max(1, len(raw))
    digits = sum(map(str.isdigit, raw))
    latin = len(_LATIN_LETTER.findall(raw.lower()))
    utf8 = raw.encode("utf-8", "surrogatepass")  # U+0600-06FF are the characters whose UTF-8 starts D8-DB
    arabic = utf8.count(0xD8) + utf8.count(0xD9) + utf8.count(0xDA) + utf8.count(0xDB)
    seps = len(_SEPARATORS.findall(raw))
    func = sum(map(_FUNCTION_FORMS.__contains__, words))
    dates = sum(map(_date_forms().__contains__, words))
    first = words[0] if words else ""
    stripped = raw.rstrip()
    return {
        "log_words": math.log1p(n), "words_le3": float(n <= 3), "words_le6": float(n <= 6),
        "words_ge15": float(n >= 15), "words_ge30": float(n >= 30),
        "final_punct": float(stripped.endswith(_FINAL)), "ends_colon": float(stripped.endswith((":", "："))),
        "comma_inside": float("،" in stripped[:-1] or ", " in stripped[:-1]),
        "digit_ratio": digits / chars, "has_year": float(bool(_YEAR.search(raw))), "has_time": float(bool(_TIME.search(raw))),
        "numeric_date": float(bool(_NUMERIC_DATE.search(raw))), "date_words": min(dates, 3) / 3,
        "date_line": float(dates > 0 and n <= 8 and (digits > 0)),
        "latin_ratio": latin / chars, "mostly_latin": float(latin > arabic),
        "separators": min(seps, 8) / 8, "separator_list": float(seps >= 2 and n / (seps + 1) <= 4),
        "function_words": min(func / max(1, n), 0.5) * 2, "no_function_words": float(func == 0),
        "linkish": float(first in _LINKISH or (len(first) > 2 and first[0] == "و" and first[1:] in _LINKISH)),
        "bracket_credit": float(bool(_BRACKET_CREDIT.search(raw)) and n <= 20),
        "hashtag": float("#" in raw), "no_arabic": float(arabic == 0),
        "prose": float(n >= PROSE_WORDS and func >= PROSE_FUNCTION_WORDS),
    }


def line_features(text: str, lines: list[Line], title: str | None = None, *,
                  keys: list[str] | None = None) -> list[dict[str, float]]:
    """Features of every line of a page (see the module docstring), in line order. `keys` are the
    lines' ``match_key``s when the caller has them already."""
    raws = [text[ln.start:ln.end] for ln in lines]
    keys = [match_key(r) for r in raws] if keys is None else keys
    shapes = [_shape(fold(r), k) for r, k in zip(raws, keys, strict=True)]
    counts = [len(k.split()) for k in keys]
    n = len(lines)
    short = [c <= 8 for c in counts]
    body = next((i for i, (c, s) in enumerate(zip(counts, shapes, strict=True))
                 if c >= 20 and s["function_words"] > 0.2), n)
    head_words = set(match_key(title).split()) if title else set()
    # the headline sits right above the first paragraph, perhaps with a credit or a date between
    lead_in = next((i for i in range(min(body, n) - 1, -1, -1) if counts[i] >= 4), -1)
    run = [0] * n
    i = 0
    while i < n:  # runs of consecutive short lines: menus, tickers, teaser lists
        j = i
        while j < n and short[j]:
            j += 1
        for k in range(i, j):
            run[k] = j - i
        i = max(j, i + 1)
    rows = []
    for i in range(n):
        f = dict(shapes[i])
        words = set(keys[i].split())
        overlap = len(words & head_words) / len(words | head_words) if words and head_words else 0.0
        prev_c = counts[i - 1] if i else 0
        next_c = counts[i + 1] if i + 1 < n else 0
        f.update({
            "bias": 1.0, "position": i / max(1, n - 1), "first_line": float(i == 0), "last_line": float(i == n - 1),
            "before_body": float(i < body), "after_body_end": float(i > _last_body(counts, shapes)),
            "short_run": math.log1p(run[i]) if short[i] else 0.0, "long_short_run": float(short[i] and run[i] >= 4),
            "prev_log_words": math.log1p(prev_c), "next_log_words": math.log1p(next_c),
            "between_long": float(prev_c >= 15 and next_c >= 15),
            "like_headline": overlap, "is_headline_copy": float(overlap >= 0.8),
            "lead_in": float(i == lead_in), "double_dot": float(".." in raws[i] or "…" in raws[i]),
            "quotes": float(any(q in raws[i] for q in '"«»“”')),
            "prev_final": shapes[i - 1]["final_punct"] if i else 0.0,
        })
        rows.append(f)
    return rows


def _last_body(counts: list[int], shapes: list[dict]) -> int:
    for i in range(len(counts) - 1, -1, -1):
        if counts[i] >= 20 and shapes[i]["function_words"] > 0.2:
            return i
    return len(counts)


FEATURES = tuple(sorted({*_shape("", "").keys(), "bias", "position", "first_line", "last_line", "before_body",
                         "after_body_end", "short_run", "long_short_run", "prev_log_words", "next_log_words",
                         "between_long", "like_headline", "is_headline_copy", "prev_final", "lead_in", "double_dot",
                         "quotes"}))


@dataclass
class LineModel:
    """Weights of the line model: one row per class over :data:`FEATURES`, and the threshold on
    the probability of ``kept`` under which a line is taken out."""

    weights: dict[str, dict[str, float]]
    threshold: float
    about: dict

    @classmethod
    def load(cls, path: str | None = None) -> LineModel | None:
        """The shipped model (or a user's file); None when the shipped file is absent."""
        from rasid.resources import data_path

        try:
            raw = json.loads((open(path, encoding="utf-8") if path else data_path(MODEL_FILE).open(encoding="utf-8")).read())
        except FileNotFoundError:
            if path:
                raise
            return None
        return cls(raw["weights"], float(raw["threshold"]), raw.get("about", {}))

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        """Softmax over the classes."""
        scores = {c: sum(w.get(k, 0.0) * v for k, v in features.items()) for c, w in self.weights.items()}
        top = max(scores.values())
        exp = {c: math.exp(s - top) for c, s in scores.items()}
        total = sum(exp.values())
        return {c: v / total for c, v in exp.items()}

    def decide(self, features: dict[str, float]) -> str:
        """``kept``, or the status of a line to take out (never a line of running prose)."""
        if features.get("prose"):
            return "kept"
        p = self.probabilities(features)
        if sum(p.get(c, 0.0) for c in KEPT_CLASSES) >= self.threshold:
            return "kept"  # (a heading is marked as such later, by its place between paragraphs)
        return max((c for c in p if c not in KEPT_CLASSES), key=p.get)

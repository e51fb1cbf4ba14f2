"""Give every line of a document a status: kept, repeated, boilerplate, caption, heading or dateline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from rasid.document import Line, LineStatus
from rasid.errors import LexiconError
from rasid.text.letters import CLAUSE_FINAL_PUNCT
from rasid.text.normalize import fold

__all__ = ["LineRule", "LineClassifier"]

NEAR_REPEAT_SIMILARITY = 0.9  # normalised Indel similarity; wire copy pasted twice differs by a few characters
NEAR_REPEAT_MIN_CHARS = 40  # shorter lines must repeat exactly (short phrases recur legitimately)
MAX_FUZZY_LINES = 2000  # beyond this many lines a document is compared by exact keys only
HEADING_MAX_WORDS = 6
HEADING_MAX_CHARS = 60
BODY_MIN_WORDS = 8  # a paragraph around a heading has at least this many words
DOUBLED_TAG_MAX_WORDS = 8


@dataclass(frozen=True, slots=True)
class LineRule:
    """One editable rule of ``clean/data/boilerplate.yaml``."""

    id: str
    status: str
    pattern: re.Pattern
    max_words: int = 12
    end_of_article: bool = False
    names_outlet: bool = False
    raw: bool = False

    def match(self, raw_folded: str, key: str, words: int) -> re.Match | None:
        """Return the match of this rule on a line (folded text or key), or None."""
        if words > self.max_words:
            return None
        return self.pattern.search(raw_folded if self.raw else key)


def _fold_pattern(pattern: str) -> str:
    """Fold a pattern's letters like the text it matches, keeping escaped characters (\\W, \\S) as written."""
    folded = list(fold(pattern))  # length-preserving, so positions line up
    for i in range(1, len(pattern)):
        if pattern[i - 1] == "\\":
            folded[i] = pattern[i]
    return "".join(folded)


def load_rules(data: dict, *, path: str = "boilerplate.yaml") -> list[LineRule]:
    """Validate and compile the rules of a boilerplate data file."""
    rules = []
    seen = set()
    for i, item in enumerate(data.get("rules", []), 1):
        rid = item.get("id") or f"rule-{i}"
        if rid in seen:
            raise LexiconError(path, None, f"duplicate rule id {rid!r}")
        seen.add(rid)
        status = item.get("status", LineStatus.BOILERPLATE)
        if status not in LineStatus.ALL or status == LineStatus.KEPT:
            raise LexiconError(path, None, f"rule {rid!r}: status must be one of {LineStatus.ALL[1:]}, got {status!r}")
        try:
            pattern = re.compile(_fold_pattern(str(item["pattern"])))
        except (KeyError, re.error) as exc:
            raise LexiconError(path, None, f"rule {rid!r}: bad or missing pattern ({exc})") from exc
        rules.append(LineRule(rid, status, pattern, int(item.get("max_words", 12)),
                              bool(item.get("end_of_article")), bool(item.get("names_outlet")), bool(item.get("raw"))))
    return rules


class LineClassifier:
    """Classify the lines of one document in place (pure apart from writing the line statuses).

    Args:
        rules: compiled rules, first match wins.
        near_repeat: similarity above which a long line counts as a repeat of an earlier one.
    """

    def __init__(self, rules: list[LineRule], *, near_repeat: float = NEAR_REPEAT_SIMILARITY, model=None):
        if not 0 < near_repeat <= 1:
            raise ValueError(f"near_repeat must be in (0, 1], got {near_repeat}")
        self.rules = rules
        self.rules_by_id = {r.id: r for r in rules}
        self.near_repeat = near_repeat
        self.model = model  # a rasid.clean.learned.LineModel for the lines the rules leave kept, or None

    @classmethod
    def from_data(cls, path: str | None = None, *, model: str | bool | None = True, **kwargs) -> LineClassifier:
        """Build the classifier from the shipped rules, or a user's YAML file at `path`; `model` is
        True for the shipped line model (``clean/data/line_model.json``), a path for a user's, or
        False / None for the rules alone."""
        from rasid.clean.learned import LineModel
        from rasid.resources import load_yaml

        line_model = LineModel.load(None if model is True else str(model)) if model else None
        return cls(load_rules(load_yaml(path or "clean/data/boilerplate.yaml"), path=str(path or "boilerplate.yaml")),
                   model=line_model, **kwargs)

    def classify(self, text: str, lines: list[Line], title: str | None = None) -> list[str]:
        """Set status, rule and role of each line of `text`; return the lines' matching keys. The
        rules speak first; the line model reads what they leave kept; then repeats and headings."""
        from rasid.dedup.keys import line_keys

        keys = line_keys([text[ln.start:ln.end] for ln in lines])  # (match_key of each line, in one numpy pass)
        for ln, key in zip(lines, keys, strict=True):
            raw = text[ln.start:ln.end]
            words = key.count(" ") + 1 if key else 0
            self._apply_rules(ln, raw, key, words)
            if ln.status == LineStatus.KEPT and not key:
                ln.status, ln.rule = LineStatus.BOILERPLATE, "no-text"
            if ln.status == LineStatus.KEPT and _is_doubled_tag(key):
                ln.status, ln.rule = LineStatus.BOILERPLATE, "doubled-tag"
        if self.model is not None and lines:
            from rasid.clean.learned import line_features

            for ln, features in zip(lines, line_features(text, lines, title, keys=keys), strict=True):
                if ln.status == LineStatus.KEPT:
                    decision = self.model.decide(features)
                    if decision != LineStatus.KEPT:
                        ln.status, ln.rule = decision, "learned"
        first_seen: dict[str, int] = {}
        long_lines: list[int] = []
        for i, (ln, key) in enumerate(zip(lines, keys, strict=True)):
            if ln.status == LineStatus.KEPT and key:
                earlier = first_seen.get(key)
                if earlier is None and len(key) >= NEAR_REPEAT_MIN_CHARS and len(lines) <= MAX_FUZZY_LINES:
                    earlier = self._near_repeat(keys, long_lines, key)
                if earlier is not None:
                    self._mark_repeat(lines, earlier, i)
            if key and key not in first_seen:
                first_seen[key] = i
                if len(key) >= NEAR_REPEAT_MIN_CHARS:
                    long_lines.append(i)
        _mark_headings(text, lines, keys)
        return keys

    def _apply_rules(self, ln: Line, raw: str, key: str, words: int) -> None:
        folded = fold(raw)
        for rule in self.rules:
            if rule.match(folded, key, words):
                ln.status, ln.rule = rule.status, rule.id
                return

    def _near_repeat(self, keys: list[str], candidates: list[int], key: str) -> int | None:
        n = len(key)
        for j in candidates:
            other = keys[j]
            if 0.8 * n <= len(other) <= 1.25 * n and Indel.normalized_similarity(key, other) >= self.near_repeat:
                return j
        return None

    @staticmethod
    def _mark_repeat(lines: list[Line], earlier: int, i: int) -> None:
        ln, first = lines[i], lines[earlier]
        if earlier == i - 1 and first.status == LineStatus.KEPT:
            # a line printed twice in a row: an image caption (alt text, then the figure caption)
            ln.status, ln.rule = LineStatus.CAPTION, f"repeat_of:{first.n}"
            first.role = "caption"
        else:
            ln.status, ln.rule = LineStatus.REPEATED, f"repeat_of:{first.n}"


def _is_doubled_tag(key: str) -> bool:
    """Tell whether a line is one short phrase written twice (a tag or link text and its title)."""
    words = key.split()
    half = len(words) // 2
    return 0 < half <= DOUBLED_TAG_MAX_WORDS and len(words) % 2 == 0 and words[:half] == words[half:]


def _mark_headings(text: str, lines: list[Line], keys: list[str]) -> None:
    """Mark short unpunctuated kept lines set between body paragraphs as section headings."""
    kept = [i for i, ln in enumerate(lines) if ln.status == LineStatus.KEPT and ln.role != "caption"]
    for pos in range(1, len(kept) - 1):
        i = kept[pos]
        ln = lines[i]
        raw = text[ln.start:ln.end]
        words = len(keys[i].split())
        if not (0 < words <= HEADING_MAX_WORDS and len(raw) <= HEADING_MAX_CHARS) or raw.endswith(CLAUSE_FINAL_PUNCT):
            continue
        prev_words = len(keys[kept[pos - 1]].split())
        next_words = len(keys[kept[pos + 1]].split())
        if prev_words >= BODY_MIN_WORDS and next_words >= BODY_MIN_WORDS:
            ln.status, ln.rule = LineStatus.HEADING, "short-line-between-paragraphs"

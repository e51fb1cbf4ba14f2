"""The framing lexicon: how outlets name the sides, and in whose voice.

Each outlet's words are counted in two voices: its own (narration) and the voices it quotes (text
inside quotation marks, or after a speech verb: "قال المتحدث ..."). An outlet that quotes the LNA
spokesman calling GNA forces "الميليشيات الإرهابية" has not itself used the phrase, so the lean
estimate weighs the outlet's own voice fully and quoted words at ``QUOTED_WEIGHT``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rasid.errors import LexiconError
from rasid.resources import load_yaml
from rasid.text.phrases import PhraseMatcher
from rasid.text.tokens import tokenize

__all__ = ["FramingLexicon", "FramingTerm", "TermUse", "QUOTED_WEIGHT"]

QUOTED_WEIGHT = 0.25  # quoting a side's words says less about the outlet than using them
QUOTES = {'"': '"', "«": "»", "“": "”", "„": "“", "'": "'"}


@dataclass(frozen=True, slots=True)
class FramingTerm:
    """One phrase of the lexicon."""

    term: str
    en: str
    favours: str | None = None  # None: loaded but sideless
    about: str | None = None
    weight: float = 1.0


@dataclass(slots=True)
class TermUse:
    """A term found in a sentence: where, and in whose voice."""

    term: FramingTerm
    span: tuple[int, int]
    quoted: bool


@dataclass
class FramingLexicon:
    """Side-marked terms, loaded words, and the territorial claim cues, from ``compare/data/framing.yaml``."""

    sides: dict[str, dict]
    terms: PhraseMatcher[FramingTerm]
    loaded: PhraseMatcher[FramingTerm]
    control_full: PhraseMatcher[str]
    control_limited: PhraseMatcher[str]
    speech: PhraseMatcher[str] = field(default_factory=PhraseMatcher)

    @classmethod
    def from_data(cls, path: str | Path | None = None) -> FramingLexicon:
        """Load the shipped lexicon, or a user's copy at `path`."""
        where = str(path or "compare/data/framing.yaml")
        data = load_yaml(where)
        if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
            raise LexiconError(where, None, "expected a mapping with a 'terms' list")
        sides = data.get("sides") or {}
        terms: PhraseMatcher[FramingTerm] = PhraseMatcher()
        for i, row in enumerate(data["terms"], 1):
            if not isinstance(row, dict) or not row.get("term") or not row.get("favours"):
                raise LexiconError(where, None, f"terms entry {i}: needs 'term' and 'favours' ({row!r})")
            if sides and row["favours"] not in sides:
                raise LexiconError(where, None, f"terms entry {i} ({row['term']}): side {row['favours']!r} "
                                                f"is not under 'sides' ({', '.join(sides)})")
            terms.add(row["term"], FramingTerm(row["term"], row.get("en", ""), row["favours"], row.get("about"),
                                               float(row.get("weight", 1.0))))
        loaded: PhraseMatcher[FramingTerm] = PhraseMatcher()
        for row in data.get("loaded") or []:
            loaded.add(row["term"], FramingTerm(row["term"], row.get("en", "")))
        control = data.get("control") or {}
        speech = load_yaml("events/data/triggers.yaml").get("attribution", {})
        return cls(sides, terms, loaded,
                   PhraseMatcher((w, w) for w in control.get("full", [])),
                   PhraseMatcher((w, w) for w in control.get("limited", [])),
                   PhraseMatcher((w, w) for w in [*speech.get("verbs", []), *speech.get("prepositions", []),
                                                  *speech.get("spokesman", [])]))

    def uses(self, text: str, offset: int = 0) -> tuple[list[TermUse], list[TermUse]]:
        """Side-marked and loaded terms in one sentence, each marked quoted or in the narrator's voice."""
        tokens = tokenize(text)
        quoted = _quoted_regions(text)
        speech_at = _reported_speech_start(tokens, self.speech)
        marked = self.terms.find_in_tokens(tokens)
        taken = {i for m in marked for i in range(m.first, m.last)}
        loaded = [m for m in self.loaded.find_in_tokens(tokens) if m.first not in taken]

        def use(m) -> TermUse:
            in_quote = any(a <= m.start < b for a, b in quoted) or (speech_at is not None and speech_at < m.start)
            return TermUse(m.value, (m.start + offset, m.end + offset), in_quote)

        return [use(m) for m in marked], [use(m) for m in loaded]

    def control_claim(self, text: str) -> tuple[str, str] | None:
        """``("limited" | "full", cue)`` when the sentence says how far a side got; limited wins."""
        tokens = tokenize(text)
        for kind, matcher in (("limited", self.control_limited), ("full", self.control_full)):
            found = matcher.find_in_tokens(tokens)
            if found:
                m = found[0]
                # the cue with the words that follow it ("تقدموا مسافة 30 متر")
                stop = min(len(tokens), m.last + 3)
                return kind, text[m.start:tokens[stop - 1].end]
        return None


def lean(counts: Counter, sides: dict[str, dict]) -> dict:
    """The side an outlet's wording favours: weighted term counts, own voice first.

    ``counts`` maps ``(favours, quoted)`` to summed weights. The estimate is the share of the
    weighted total that favours the leading side; under 60 %, or on fewer than 2 points, it is
    "unclear".
    """
    score: Counter = Counter()
    for (side, quoted), w in counts.items():
        score[side] += w * (QUOTED_WEIGHT if quoted else 1.0)
    total = sum(score.values())
    if not score or total < 2:
        return {"side": None, "label": "unclear", "share": None, "points": round(total, 2)}
    side, top = score.most_common(1)[0]
    share = top / total
    if share < 0.6:
        return {"side": None, "label": "unclear", "share": round(share, 2), "points": round(total, 2)}
    return {"side": side, "label": f"leans {side}", "share": round(share, 2), "points": round(total, 2)}


COMPLEMENTIZERS = {"ان", "انه", "انها", "انهم", "بان", "بانه", ":"}


def _reported_speech_start(tokens, speech: PhraseMatcher) -> int | None:
    """Where reported speech begins: after a speech verb, at its "أن"/"إن"/":" ("قال المتحدث إن ...").

    A speech verb alone ("أعلن الجيش استهداف ...") leaves the sentence in the narrator's words.
    """
    for m in speech.find_in_tokens(tokens):
        for t in tokens[m.last:m.last + 12]:
            if t.key in COMPLEMENTIZERS:
                return t.start
    return None


def _quoted_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges inside quotation marks (an unclosed quote runs to the end of the sentence)."""
    out = []
    i = 0
    while i < len(text):
        close = QUOTES.get(text[i])
        if close is None:
            i += 1
            continue
        j = text.find(close, i + 1)
        if j < 0:
            j = len(text)
        if j - i > 25 or text[i] not in "\"'":  # a short "..." is a name in quotes, not speech
            out.append((i, j))
        i = j + 1
    return out

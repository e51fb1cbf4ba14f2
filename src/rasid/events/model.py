"""The typed values the event coder's steps hand each other, all anchored in the document text.

A sentence (:class:`Sentence`) is searched for triggers (:class:`TriggerHit`); each chosen trigger
opens a :class:`Clause`; roles are filled from :class:`Candidate` actors; every field that comes
from the text keeps its :class:`Evidence`: a :class:`rasid.document.Span` of the document plus the
text it covers, so ``document.text[start:end] == text`` always holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rasid.document import Span
from rasid.text.tokens import Token, longest_entry

__all__ = ["counted", "Evidence", "Sentence", "Trigger", "TriggerHit", "Clause", "Candidate", "Speaker", "Event", "has", "has_any"]

# the fields of an event that come from the text, in the order the dashboard lists them
EVIDENCE_FIELDS = ("trigger", "actor1", "actor2", "location", "date", "fatalities", "wounded", "claimant")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where one field of an event stands in the document: a span and the text it covers."""

    span: Span
    text: str

    @classmethod
    def of(cls, doc_id: str, text: str, start: int, end: int, label: str, source: str = "") -> Evidence:
        """Return the evidence for ``text[start:end]`` (the whole document text), labelled with its field.

        Example:
            >>> Evidence.of("d", "قصفت قوات حفتر سرت", 5, 14, "actor1").text
            'قوات حفتر'
        """
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"span {start}:{end} is outside the document ({len(text)} characters)")
        return cls(Span(doc_id, start, end, label, source), text[start:end])

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end

    def relabel(self, label: str) -> Evidence:
        """The same place in the text, as evidence for another field (a claimant's side as actor1)."""
        return Evidence(Span(self.span.doc_id, self.span.start, self.span.end, label, self.span.source), self.text)

    def as_dict(self) -> dict:
        return {"text": self.text, "start": self.span.start, "end": self.span.end}


def counted(event: dict) -> bool:
    """Whether an event counts in tolls, maps and exports of incidents: a denied one, or one a coder
    rejected (:mod:`rasid.review`), is kept, not counted.

    Example:
        >>> counted({"modality": "denied"}), counted({"modality": "attributed"})
        (False, True)
        >>> counted({"modality": "asserted", "reviewed": {"action": "reject"}})
        False
    """
    return event.get("modality") != "denied" and (event.get("reviewed") or {}).get("action") != "reject"


def has(table, keys: Sequence[str], i: int) -> int:
    """Length of the longest entry of `table` at token i (first token may carry proclitics), or 0."""
    found = longest_entry(table, keys, i)
    return found[1] if found else 0


def has_any(table, keys: Sequence[str], a: int = 0, b: int | None = None) -> bool:
    """Whether an entry of `table` starts at any token in ``[a, b)``."""
    b = len(keys) if b is None else b
    return any(has(table, keys, i) for i in range(max(0, a), min(b, len(keys))))


@dataclass
class Sentence:
    """A kept sentence of a document: its tokens, their matching keys and its entity mentions."""

    doc_id: str
    text: str  # the whole document text: offsets below index it
    start: int
    end: int
    line: int
    segment: int | None
    tokens: list[Token]
    keys: list[str]
    mentions: list[dict]  # entity rows (entities.jsonl) inside the sentence

    def tok_index(self, offset: int) -> int:
        """Index of the token that holds (or first follows) character `offset`."""
        for i, t in enumerate(self.tokens):
            if t.end > offset:
                return i
        return len(self.tokens) - 1

    def evidence(self, a: int, b: int, label: str, source: str = "") -> Evidence:
        """Evidence for tokens ``[a, b)`` of the sentence."""
        return Evidence.of(self.doc_id, self.text, self.tokens[a].start, self.tokens[b - 1].end, label, source)

    def mention_evidence(self, mention: dict, label: str, source: str = "") -> Evidence | None:
        """Evidence for an entity row (by its span), or None for a row with no span."""
        span = mention.get("span")
        if not span:
            return None
        return Evidence.of(self.doc_id, self.text, span[0], span[1], label, source)

    def words(self, a: int, b: int) -> str:
        return " ".join(t.text for t in self.tokens[a:b])


@dataclass(frozen=True)
class Trigger:
    """A lexicon entry: the words that report an event of one ACLED type (``triggers.yaml``)."""

    id: str
    event_type: str
    sub_event_type: str
    rank: int
    role: str  # attack | territory | withdraw | other
    kind: str  # verb | noun | any
    requires_any: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TriggerHit:
    """A trigger found at tokens ``[start, end)`` of a sentence."""

    start: int
    end: int
    trigger: Trigger


@dataclass(frozen=True)
class Clause:
    """A chosen trigger and the tokens ``[lo, hi)`` of the clause whose arguments it takes."""

    hit: TriggerHit
    lo: int
    hi: int
    modality: str = "asserted"  # asserted | uncertain | denied (attributed is set from the claimant)


@dataclass(frozen=True)
class Candidate:
    """An actor the sentence names at tokens ``[start, end)``: the event actor and its evidence."""

    start: int
    end: int
    actor: dict  # {"id", "label_en", "label_ar", "surface", "side"}
    mention: dict = field(default_factory=dict)  # the entity row, {} for words the lexicon read
    evidence: Evidence | None = None

    @property
    def id(self) -> str:
        return self.actor["id"]


@dataclass
class Speaker:
    """Who a sentence says is speaking: a name as written (persons by canonical name) and a side."""

    name: str
    actor: dict | None
    span: tuple[int, int]  # the words that name the speaker (character offsets)
    sentence: int  # start of the sentence that named him
    evidence: Evidence | None = None  # the name itself
    actor_evidence: Evidence | None = None  # the words that give his side


@dataclass
class Event:
    """One coded event, linked to the sentence it came from, each textual field with its evidence."""

    event_id: str
    doc_id: str
    line: int
    span: tuple[int, int]
    sentence: str
    trigger: str
    event_type: str
    sub_event_type: str
    actor1: dict | None = None
    actor2: dict | None = None
    location: dict | None = None
    event_date: str | None = None
    time_precision: int = 3
    fatalities: int | None = None
    wounded: int | None = None
    attributed_to: str | None = None
    attributed_side: str | None = None  # the camp of the claimant, when the actor dictionary knows it
    confidence: float = 0.5
    modality: str = "asserted"  # asserted | attributed | uncertain | denied
    story_id: str | None = None
    same_as: list[str] = field(default_factory=list)
    outlet: str | None = None
    notes_en: str = ""
    also_lines: list[int] = field(default_factory=list)  # other sentences of the document reporting it
    specificity: float = 0.0  # how much the report says (picks the representative of merged reports)
    date_from: str = "sentence"  # or "publication": no date in the text, the article's date stands in
    evidence: dict[str, Evidence] = field(default_factory=dict)  # field name -> where the text says it

    def as_dict(self) -> dict:
        return {"event_id": self.event_id, "doc_id": self.doc_id, "line": self.line, "span": list(self.span),
                "sentence": self.sentence, "story_id": self.story_id, "trigger": self.trigger,
                "event_type": self.event_type, "sub_event_type": self.sub_event_type, "actor1": self.actor1,
                "actor2": self.actor2, "location": self.location, "event_date": self.event_date,
                "time_precision": self.time_precision,
                "date_from": self.date_from, "fatalities": self.fatalities, "wounded": self.wounded,
                "attributed_to": self.attributed_to,
                "attributed_side": self.attributed_side, "confidence": round(self.confidence, 2),
                "modality": self.modality, "outlet": self.outlet, "notes_en": self.notes_en, "same_as": self.same_as,
                "also_lines": self.also_lines,
                "spans": {k: self.evidence[k].as_dict() for k in EVIDENCE_FIELDS if k in self.evidence}}

"""ACLED-style event coding of one document, sentence by sentence, from triggers and entity mentions.

For each kept sentence: find the triggers of the lexicon (``events/data/triggers.yaml``); the
strongest one types the event and the sentence's cue words refine an attack's sub-event type.
Then fill the arguments from the document's entity mentions: the agent (actor1) and the target
(actor2) by position and the little words around them, the place the clause names, the date the
sentence gives (else the publication date), the death toll and who says so. Threats, intentions,
denials and hypotheses are not coded as events.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from rasid.document import Document, LineStatus
from rasid.resources import load_yaml
from rasid.text.normalize import match_key, match_words
from rasid.text.numbers import read_quantities
from rasid.text.tokens import Token, longest_entry, strip_proclitics, tokenize

__all__ = ["Event", "EventCoder", "Lexicon"]

log = logging.getLogger(__name__)

MAX_ACTOR_GAP = 12  # tokens between a trigger and an actor that can still be its argument
LONG_RUNNING_REACH = 14  # tokens after a trigger where "منذ ..." makes it a war described (the two sides' names between)


@dataclass
class Trigger:
    id: str
    event_type: str
    sub_event_type: str
    rank: int
    role: str
    kind: str
    requires_any: frozenset[str] = frozenset()


@dataclass
class Event:
    """One coded event, linked to the sentence it came from."""

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
    modality: str = "asserted"
    story_id: str | None = None
    same_as: list[str] = field(default_factory=list)
    outlet: str | None = None
    notes_en: str = ""
    also_lines: list[int] = field(default_factory=list)  # other sentences of the document reporting it
    specificity: float = 0.0  # how much the report says (picks the representative of merged reports)
    date_from: str = "sentence"  # or "publication": no date in the text, the article's date stands in

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
                "also_lines": self.also_lines}


def _keyset(words) -> frozenset[tuple[str, ...]]:
    return frozenset(k for k in map(match_words, words) if k)


class Lexicon:
    """The trigger lexicon and its word lists, matched on token keys."""

    def __init__(self, data: dict):
        self.triggers: dict[tuple[str, ...], list[Trigger]] = {}
        for t in data["triggers"]:
            trig = Trigger(t["id"], t["event_type"], t["sub_event_type"], int(t.get("rank", 5)), t.get("role", "other"),
                           t.get("kind", "any"), frozenset(match_key(w) for w in t.get("requires_any", ())))
            for form in t["forms"]:
                key = match_words(form)
                if key:
                    self.triggers.setdefault(key, []).append(trig)
        self.max_words = max(len(k) for k in self.triggers)
        self.cues = {sub: _keyset(words) for sub, words in data.get("cues", {}).items()}
        self.civilian = _keyset(data.get("civilian_words", ()))
        self.government_sides = frozenset(data.get("government_sides", ()))
        self.side_forces = dict(data.get("side_forces", {}))
        mod = data.get("modality", {})
        self.modality = {name: _keyset(words) for name, words in mod.items()}
        att = data.get("attribution", {})
        self.speech = _keyset(att.get("verbs", ()))
        self.according = _keyset(att.get("prepositions", ()))
        self.stop = frozenset(match_key(w, keep_punctuation=True) or w for w in att.get("stop", ()))
        self.own_forces = _keyset(att.get("own_forces", ()))
        self.not_triggers = _keyset(data.get("not_triggers", ()))
        self.passive = _keyset(data.get("passive", ()))
        self.spokesman = _keyset(att.get("spokesman", ()))
        self.perspective = {side: (v["other"], _keyset(v["words"])) for side, v in data.get("perspective_terms", {}).items()}
        cas = data.get("casualties", {})
        self.units = _keyset(cas.get("units", ()))
        self.killed = _keyset(cas.get("killed", ()))
        self.wounded = _keyset(cas.get("wounded", ()))
        self.no_casualties = _keyset(cas.get("none", ()))
        self.killed_dual = _keyset(cas.get("killed_dual", ()))
        # single words that place an actor or a place in the clause (matching keys)
        words = data.get("argument_words", {})
        self.additive = _keyset(words.get("additive", ()))
        self.destinations = frozenset(match_key(w) for w in words.get("destinations", ()))
        for name in ("target_markers", "affiliation", "doer_verbs", "noun_context", "clause_breaks",
                     "place_prepositions", "onset_verbs"):
            setattr(self, name, frozenset(match_key(w, keep_punctuation=True) or w for w in words.get(name, ())))

    @classmethod
    def from_data(cls, path: str | None = None) -> Lexicon:
        return _lexicon(path or "events/data/triggers.yaml")


@cache
def _lexicon(path: str) -> Lexicon:
    return Lexicon(load_yaml(path))


def _has(table: frozenset[tuple[str, ...]], keys: Sequence[str], i: int) -> int:
    """Length of the longest entry of `table` at token i (first token may carry proclitics), or 0."""
    found = longest_entry(table, keys, i)
    return found[1] if found else 0


def _any(table, keys: Sequence[str], a: int = 0, b: int | None = None) -> bool:
    b = len(keys) if b is None else b
    return any(_has(table, keys, i) for i in range(max(0, a), min(b, len(keys))))


@dataclass
class _Sentence:
    start: int
    end: int
    line: int
    segment: int | None
    tokens: list[Token]
    keys: list[str]
    mentions: list[dict]  # entity rows of this sentence


class EventCoder:
    """Codes the events of documents from their text and entity mentions."""

    def __init__(self, lexicon: Lexicon | None = None, actors=None):
        from rasid.entities.actors import ActorDictionary

        self.lexicon = lexicon or Lexicon.from_data()
        self.actors = actors or ActorDictionary.from_data()

    # -- public ---------------------------------------------------------------------------------
    def code(self, doc: Document, mentions: Sequence[dict]) -> list[Event]:
        """Events of one document; `mentions` are its entity rows (entities.jsonl)."""
        sentences = self._sentences(doc, mentions)
        events: list[Event] = []
        speaker: dict | None = None
        last_place: dict | None = None
        segment_of = {ln.n: ln.segment for ln in doc.lines}
        doc_places = [dict(m, segment=segment_of.get(m.get("line"))) for m in mentions
                      if m.get("lat") is not None and m.get("place_kind") not in ("country", None)]
        segment = None
        sides: dict[str, dict] = {}  # speakers' camps as first given: "وقال أقعيم" after "... بالجيش الليبي فرج أقعيم"
        for s in sentences:
            if s.segment != segment:  # another article of the page: its context starts afresh
                segment, speaker, last_place, sides = s.segment, None, None, {}
            said = self._attribution(s)
            if said and said["actor"] is None:
                said = dict(said, actor=_known_side(sides, said["name"]))
            elif said and said["actor"]:
                sides.setdefault(match_key(said["name"]), said["actor"])
            if said:
                speaker = said
            elif not self._continues_speech(s):
                speaker = None
            found = self._events(doc, s, speaker, last_place, doc_places)
            primary, secondary = self._scene_places(s)
            places = primary or secondary
            if found and found[-1].location and found[-1].location.get("from") == "sentence":
                last_place = next((m for m in places if m.get("id") == found[-1].location.get("id")), last_place)
            elif places:
                last_place = places[-1]
            events.extend(found)
        return merge_reports(events)

    # -- sentences ------------------------------------------------------------------------------
    def _sentences(self, doc: Document, mentions: Sequence[dict]) -> list[_Sentence]:
        kept = {ln.n: ln for ln in doc.lines if ln.status == LineStatus.KEPT and ln.role != "caption"}
        if len(kept) > 3:  # a headline repeats what the body reports; code the body
            kept = {n: ln for n, ln in kept.items() if ln.role != "headline"}
        out = []
        for s in doc.sentences:
            if s.line not in kept:
                continue
            toks = tokenize(doc.text[s.start:s.end], offset=s.start)
            if not toks:
                continue
            ms = [m for m in mentions if s.start <= m["span"][0] and m["span"][1] <= s.end]
            out.append(_Sentence(s.start, s.end, s.line, s.segment, toks, [t.key for t in toks], ms))
        return out

    def _tok_index(self, s: _Sentence, offset: int) -> int:
        for i, t in enumerate(s.tokens):
            if t.end > offset:
                return i
        return len(s.tokens) - 1

    # -- triggers -------------------------------------------------------------------------------
    def _triggers(self, s: _Sentence) -> list[tuple[int, int, Trigger]]:
        lex = self.lexicon
        found = []
        i = 0
        while i < len(s.keys):
            blocked = _has(lex.not_triggers, s.keys, i)
            if blocked:
                i += blocked
                continue
            hit = None
            for n in range(min(lex.max_words, len(s.keys) - i), 0, -1):
                rest = tuple(s.keys[i + 1:i + n])
                for first in strip_proclitics(s.keys[i]):
                    trigs = lex.triggers.get((first, *rest))
                    if trigs:
                        hit = (i, i + n, max(trigs, key=lambda t: t.rank))
                        break
                if hit:
                    break
            if hit:
                trig = hit[2]
                window = s.keys[:hit[0]]
                referenced = trig.requires_any and s.keys[hit[0]][:1] == "ل"  # "دعم للمبادرة": named, not announced
                if not referenced and (not trig.requires_any
                                       or any(r in trig.requires_any for k in window for r in strip_proclitics(k))):
                    found.append(hit)
                i = hit[1]
            else:
                i += 1
        return found

    def _modality(self, s: _Sentence, a: int, role: str = "other") -> str:
        """asserted, or why not: attempt, future, threat, negation, purpose ("لتحرير": in order to)."""
        lex = self.lexicon
        key = s.keys[a]
        # "لتحرير المدينة", "للتصدي لأي هجوم": in order to (but "تعرضت لغارات" is a passive frame)
        purpose = role == "territory" and key[:1] == "ل" and len(key) > 4 \
            and not any(_has(lex.passive, s.keys, i) for i in range(max(0, a - 2), a))
        window = range(max(0, a - 6), a)
        for name in ("attempt", "future", "threat", "negation", "purpose"):
            table = lex.modality.get(name, frozenset())
            if any(_has(table, s.keys, i) for i in window):
                return name
        if _has(lex.modality.get("purpose", frozenset()), s.keys, a):
            return "purpose"  # "للتصدي لأي هجوم"
        if a + 1 < len(s.keys) and _has(lex.modality.get("upcoming", frozenset()), s.keys, a + 1):
            return "future"  # "الهجوم القادم"
        for i in window:  # سـ + present verb: "سيتم", "ستقصف"
            k = s.keys[i]
            k = k[1:] if k[:1] in "وف" and len(k) > 4 else k
            if len(k) > 3 and k[0] == "س" and k[1] in "يتن" and k not in ("سيطره", "سياسه", "سيارات", "سياره", "سيطرت"):
                return "future"
        if s.keys[a][:1] == "س" and len(s.keys[a]) > 4 and s.keys[a][1] in "يتن" and not s.keys[a].startswith("سيطر"):
            return "future"
        if purpose:
            return "purpose"
        return "asserted"

    def _subordinate(self, s: _Sentence, a: int) -> bool:
        """A trigger in a relative clause ("التي تراجعت") or about an earlier time ("بعد أن انسحبت")."""
        lex = self.lexicon
        rel = lex.modality.get("relative", frozenset())
        back = lex.modality.get("background", frozenset())
        start = self._clause_start(s, a)
        for i in range(a - 1, start - 1, -1):  # stop at the clause's own verb boundary (a comma)
            if s.keys[i] in ("،", ",", ":"):
                start = i
                break
        # "العملية بدأت بقصف ...": the operation began with the shelling, which is news
        onset = a > 0 and s.keys[a][:1] == "ب" and s.keys[a - 1] in lex.onset_verbs
        return any(_has(rel, s.keys, i) for i in range(max(0, a - 2), a)) or \
            any(_has(back, s.keys, i) for i in range(max(start, a - 10), a - onset))

    # -- the event ------------------------------------------------------------------------------
    def _events(self, doc: Document, s: _Sentence, speaker, last_place, doc_places) -> list[Event]:
        """The sentence's event, and a second one when another clause ("لكنها تعرضت لغارات")
        reports a development of another type."""
        triggers = self._triggers(s)
        asserted = [t for t in triggers if self._modality(s, t[0], t[2].role) == "asserted"]
        if not asserted:
            return []
        main = []
        for t in asserted:
            if self._subordinate(s, t[0]):
                continue
            if main and s.keys[t[0]][:1] == "و" and any(self._subordinate(s, u[0]) for u in triggers if u[0] < t[0]
                                                        and not self._new_clause(s, u[1], t[0])):
                continue  # "بعد طردها قوات حفتر ... واستعادتها السيطرة": coordinated with background
            if self._names_campaign(s, t[0], t[2]) or self._generic_fighting(s, t[0], t[1]) \
                    or self._long_running(s, t[1]):
                continue
            main.append(t)
        if not main:
            return []  # only background: "بعد يوم طويل من المعارك", "التي تراجعت"
        strong = [t for t in main if t[2].rank >= 5] or main
        chosen = [strong[0]]  # the first reported development of the main clause
        for t in strong[1:]:
            if t[2].event_type != chosen[0][2].event_type and self._new_clause(s, chosen[0][1], t[0]):
                chosen.append(t)
                break
            # "بقصف ... بالمدفعية الثقيلة، إضافة إلى ضربات جوية": a second means, a second event
            if t[2].event_type == chosen[0][2].event_type and t[2].sub_event_type != chosen[0][2].sub_event_type \
                    and _any(self.lexicon.additive, s.keys, chosen[0][1], t[0]):
                chosen.append(t)
                break
        out = []
        for k, (a, b, trig) in enumerate(chosen):
            clause_end = chosen[k + 1][0] if k + 1 < len(chosen) else len(s.keys)
            # "..., فيما واصل الجيش تقدمه": the next clause's actors are not this event's
            clause_end = next((i for i in range(b, clause_end) if s.keys[i] in self.lexicon.clause_breaks
                               or strip_proclitics(s.keys[i])[-1] in self.lexicon.clause_breaks), clause_end)
            clause_start = self._clause_start(s, a) if k else 0
            e = self._event(doc, s, a, b, trig, speaker, last_place, doc_places, clause_start, clause_end)
            if e:
                out.append(e)
        return out

    def _names_campaign(self, s: _Sentence, a: int, trig: Trigger) -> bool:
        """A territorial word naming an operation or campaign: "عملية استعادة سرت"، "معركة تحرير طرابلس"."""
        return trig.role == "territory" and a > 0 and \
            _has(self.lexicon.modality.get("campaign", frozenset()), s.keys, a - 1) > 0

    def _generic_fighting(self, s: _Sentence, a: int, b: int) -> bool:
        """A general word for the war ("المعركة الآن بين ..."، "عن القتال") that no verb says broke out."""
        generic = self.lexicon.modality.get("generic_fighting", frozenset())
        if b - a != 1 or not any((r,) in generic for r in strip_proclitics(s.keys[a])):
            return False
        occurrence = self.lexicon.modality.get("occurrence", frozenset())
        return not any(_has(occurrence, s.keys, i) for i in range(max(0, a - 3), a))

    def _long_running(self, s: _Sentence, b: int) -> bool:
        """"يخوضون معارك ... منذ أكثر من عام"، "اندلعت منذ أكتوبر 2014": a war described, not a development."""
        durations = self.lexicon.modality.get("durations", frozenset())
        for k in range(b, min(len(s.keys), b + LONG_RUNNING_REACH)):
            if s.keys[k] in self.lexicon.clause_breaks or s.keys[k] in ("،", ",", "."):
                return False
            if strip_proclitics(s.keys[k])[-1] == "منذ":
                after = s.tokens[k].end
                dated = any(m.get("type") == "DATE" and 0 <= m["span"][0] - after <= 12 for m in s.mentions)
                return dated or any(_has(durations, s.keys, j) for j in range(k + 1, min(len(s.keys), k + 4)))
        return False

    def _new_clause(self, s: _Sentence, after: int, at: int) -> bool:
        return any(s.keys[i] in self.lexicon.clause_breaks or strip_proclitics(s.keys[i])[-1] in self.lexicon.clause_breaks
                   for i in range(after, at))

    def _clause_start(self, s: _Sentence, a: int) -> int:
        for i in range(a - 1, -1, -1):
            if s.keys[i] in self.lexicon.clause_breaks or strip_proclitics(s.keys[i])[-1] in self.lexicon.clause_breaks:
                return i
        return 0

    def _event(self, doc: Document, s: _Sentence, a: int, b: int, trig: Trigger, speaker, last_place, doc_places,
               lo: int = 0, hi: int | None = None) -> Event | None:
        lex = self.lexicon
        hi = len(s.keys) if hi is None else hi
        modality = "asserted"
        if trig.kind == "verb" and a > 0 and strip_proclitics(s.keys[a - 1])[-1] in self.lexicon.noun_context:
            # "في قصف لقوات حفتر": after a preposition the form is the verbal noun, not the verb
            trig = Trigger(trig.id, trig.event_type, trig.sub_event_type, trig.rank, trig.role, "noun",
                           trig.requires_any)
        event_type, sub = trig.event_type, trig.sub_event_type
        specific = trig.rank
        if trig.role == "attack" and event_type == "Explosions/Remote violence":
            for cue_sub, words in lex.cues.items():
                if _any(words, s.keys, lo, hi):
                    specific += 2 if cue_sub != sub else 0
                    sub = cue_sub
                    break
        location = self._location(s, a, b, last_place, doc_places, lo, hi,
                                  (speaker or {}).get("span") if (speaker or {}).get("sentence") == s.start else None,
                                  withdrawal=trig.role == "withdraw")
        actor1, actor2 = self._actors(s, a, b, trig, speaker, (location or {}).get("country"), lo, hi)
        if trig.role == "territory":
            side = (actor1 or {}).get("side")
            sub = "Government regains territory" if side in lex.government_sides else "Non-state actor overtakes territory"
        if trig.role == "attack" and event_type == "Explosions/Remote violence" and actor2 is None \
                and _any(lex.civilian, s.keys, b, hi):
            actor2 = {"id": "Civilians", "label_en": "Civilians", "label_ar": "مدنيون", "surface": None, "side": "Civilians"}
        event_date, precision = self._date(doc, s, a)
        date_from = self._date_from(s) if event_date else "sentence"
        killed, wounded = self._casualties(s, lo, hi)
        start, end = s.start, s.end
        sentence = doc.text[start:end]
        digest = hashlib.sha1(f"{doc.doc_id}:{start}:{trig.id}".encode()).hexdigest()[:10]
        event = Event(f"ev-{digest}", doc.doc_id, s.line, (start, end), sentence, sentence[s.tokens[a].start - start:
                      s.tokens[b - 1].end - start], event_type, sub, actor1, actor2, location, event_date, precision,
                      killed, wounded, speaker.get("name") if speaker else None,
                      attributed_side=((speaker or {}).get("actor") or {}).get("side"), modality=modality,
                      date_from=date_from,
                      outlet=doc.outlet)
        if location is None or location.get("geo_precision") == 3 and location.get("id", "").startswith("cc:"):
            return None  # a development placed only in a whole country is the situation, not an event
        if (location or {}).get("from") == "context" and actor2 is None and killed is None \
                and trig.role in ("withdraw", "other") and trig.kind != "verb":
            return None  # a bare mention ("تظهر انسحاب قوات حفتر من المدينة"), nothing placed or counted
        if (location or {}).get("from") == "context" and actor1 is None and actor2 is None and killed is None \
                and event.wounded is None:
            return None  # no place, no one and no toll of its own: a word of comment, not a report
        event.specificity = specific + bool(actor1) + bool(actor2)
        event.confidence = 0.4 + 0.15 * bool(actor1) + 0.15 * bool(location) + 0.1 * bool(actor2) + 0.1 * (trig.rank >= 7)
        event.notes_en = describe(event)
        return event

    # -- arguments ------------------------------------------------------------------------------
    def _actor_of(self, m: dict) -> dict | None:
        """Event actor for an entity mention: forces as they are, people and governments as their side's force."""
        if not m.get("id") or m.get("type") not in ("ORG", "PERS", "LOC"):
            return None
        actor = self.actors.get(m["id"])
        if actor is None:
            return None
        target = actor
        if actor.leader_of:
            target = self.actors.get(actor.leader_of) or actor
        elif actor.type in ("person", "government") and actor.side in self.lexicon.side_forces:
            target = self.actors.get(self.lexicon.side_forces[actor.side]) or actor
        elif actor.type == "person" and actor.side and getattr(self.actors.get(actor.side), "type", None) == "state":
            target = self.actors.get(actor.side)
        return {"id": target.id, "label_en": target.name_en, "label_ar": target.name_ar, "surface": m["text"],
                "side": target.side}

    def _actor_type(self, actor: dict) -> str | None:
        found = self.actors.get(actor.get("id", ""))
        return found.type if found else None

    def _candidates(self, s: _Sentence, host: str | None = None) -> list[tuple[int, int, dict, dict]]:
        """(first token, end token, actor, mention) for every actor-bearing mention of the sentence.

        The country the event happens in is its setting, not an actor ("ليبيا" in a Libyan story)."""
        out = []
        for m in s.mentions:
            if m.get("place_kind") == "country":
                i = self._tok_index(s, m["span"][0])
                prev = s.keys[i - 1] if i > 0 else ""
                if m.get("country") == host or prev in ("في", "داخل", "الي", "من") or s.keys[i][:1] == "ب":
                    continue
            actor = self._actor_of(m)
            if actor is None and m.get("type") == "LOC" and m.get("place_kind") == "country":
                state = self.actors.get(m.get("name_en", ""))
                if state is not None:
                    actor = {"id": state.id, "label_en": state.name_en, "label_ar": state.name_ar,
                             "surface": m["text"], "side": state.side}
            if actor:
                out.append((self._tok_index(s, m["span"][0]), self._tok_index(s, m["span"][1] - 1) + 1, actor, m))
        return out

    def _own_forces(self, s: _Sentence, speaker) -> list[tuple[int, int, dict, dict]]:
        """"قواتنا"، "قواتهم": the forces of the side that speaks."""
        if not speaker or not speaker.get("actor"):
            return []
        out = []
        for i in range(len(s.keys)):
            n = _has(self.lexicon.own_forces, s.keys, i)
            if n:
                actor = dict(speaker["actor"], surface=" ".join(t.text for t in s.tokens[i:i + n]))
                out.append((i, i + n, actor, {}))
        return out

    def _perspective(self, s: _Sentence, speaker) -> list[tuple[int, int, dict, dict]]:
        """"الميليشيات" in the words of an LNA spokesman: the GNA (framing terms of the lexicon)."""
        side = ((speaker or {}).get("actor") or {}).get("side")
        if side not in self.lexicon.perspective:
            return []
        other_id, words = self.lexicon.perspective[side]
        other = self.actors.get(other_id)
        if other is None:
            return []
        out = []
        for i in range(len(s.keys)):
            n = _has(words, s.keys, i)
            if n:
                out.append((i, i + n, {"id": other.id, "label_en": other.name_en, "label_ar": other.name_ar,
                                       "surface": " ".join(t.text for t in s.tokens[i:i + n]), "side": other.side}, {}))
        return out

    def _actors(self, s: _Sentence, a: int, b: int, trig: Trigger, speaker,
                host: str | None = None, lo: int = 0, hi: int | None = None) -> tuple[dict | None, dict | None]:
        hi = len(s.keys) if hi is None else hi
        everyone = sorted(self._candidates(s, host) + self._own_forces(s, speaker) + self._perspective(s, speaker),
                          key=lambda c: c[0])
        taken_spans = set()
        cands = []
        for c in everyone:  # a framing word inside a dictionary name is not a second actor
            if not any(x <= c[0] < y for x, y in taken_spans):
                cands.append(c)
                taken_spans.add((c[0], c[1]))
        cands = [c for c in cands if lo <= c[0] < hi] or cands
        if not cands:
            return None, None
        passive = any(_has(self.lexicon.passive, s.keys, i) for i in range(max(lo, a - 2), a + 1))
        if passive and trig.role == "attack":
            # "تعرضت لغارات من طائرات ... زودت بها الإمارات حليفها حفتر": the agent follows, civilians
            # among the dead are victims, the subject (here a pronoun) is the target
            after = [c for c in everyone if c[0] >= b and c[2]["id"] != "Civilians"]
            before = [c for c in everyone if c[1] <= a]
            agent = after[-1] if after else None
            victim = before[-1] if before else None
            if victim is None and speaker and speaker.get("actor"):
                victim = (0, 0, speaker["actor"], {})
            return _clean(agent[2] if agent else None), _clean(victim[2] if victim else None)

        def marked_target(c) -> bool:
            i = c[0]
            first = s.keys[i]
            prev = s.keys[i - 1] if i > 0 else ""
            if prev in self.lexicon.affiliation or (first[:1] == "ل" and i > 0 and s.keys[i - 1] in self.lexicon.affiliation):
                return False
            if prev in self.lexicon.target_markers or strip_proclitics(prev)[-1] in self.lexicon.target_markers:
                return True
            return first[:1] == "ل" and not first.startswith("لل" + "ا") and c[3].get("text", "x")[:1] == "ل"

        def affiliated(c) -> bool:
            i = c[0]
            return i > 0 and (s.keys[i - 1] in self.lexicon.affiliation or (i > 1 and s.keys[i - 2] in self.lexicon.affiliation))

        after = [c for c in cands if c[0] >= b and c[0] - b <= MAX_ACTOR_GAP]
        before = [c for c in cands if c[1] <= a and a - c[1] <= MAX_ACTOR_GAP]
        agent = target = None
        if trig.role == "other" and trig.sub_event_type == "Agreement":
            # who announces or signs comes first ("أعلن الرئيس ... عن مبادرة"); the next side is the party
            first = cands[0]
            other = next((c for c in cands if c[2]["id"] != first[2]["id"] and not self._subordinate(s, c[0])), None)
            return _clean(first[2]), _clean(other[2]) if other else None
        if trig.event_type == "Battles":
            # "اشتباكات في وسط بنغازي بين قوات الحكومة ومقاتلين إسلاميين": the sides in the order named
            between = next((k for k in range(b, min(hi, b + 8)) if strip_proclitics(s.keys[k])[-1] == "بين"), None)
            if between is not None:
                sides = [c for c in cands if c[0] > between and c[0] - between <= MAX_ACTOR_GAP]
                if sides:
                    other = next((c for c in sides[1:] if c[2]["id"] != sides[0][2]["id"]), None)
                    return _clean(sides[0][2]), _clean(other[2]) if other else None
        # an actor owning the weapon or unit before the trigger ("سلاح الجو التابع لقوات ...") is the agent
        owners = [c for c in before if affiliated(c)]
        if owners:
            agent = owners[-1]
        elif after and trig.kind == "noun" and after[0][0] - b <= 1 and s.keys[after[0][0]][:1] == "ل" \
                and not s.keys[after[0][0]].startswith("لل" + "ي"):
            agent = after[0]  # "قصف لقوات حفتر": the shelling of (= by) Haftar's forces
        elif after and not marked_target(after[0]) and trig.kind != "noun" and after[0][0] - b <= 3 \
                and not any(s.keys[k] in ("في", "علي", "من", "الي") for k in range(b, after[0][0])):
            agent = after[0]  # verb-subject order: "قصفت قوات حفتر ..."
        elif before:
            unmarked = [c for c in before if not marked_target(c)]
            agent = unmarked[-1] if unmarked else None
        if agent is None and after and trig.kind == "noun":
            unmarked = [c for c in after if not marked_target(c)]
            agent = unmarked[0] if unmarked and trig.role in ("withdraw", "other") else None
        if trig.kind == "noun":
            # "قصف عشوائي تنفذه قوات حفتر", "هجوم ... شنه عناصر تنظيم داعش": the doer may follow a noun
            doer = [c for c in after if any(strip_proclitics(s.keys[k])[-1] in self.lexicon.doer_verbs
                                            for k in range(max(b, c[0] - 2), c[0]))]
            if doer:
                agent = doer[0]  # "قصف عشوائي تنفذه قوات حفتر"
        if agent is not None and trig.role in ("attack", "territory") and (
                agent[2]["id"] == "Civilians" or self._actor_type(agent[2]) in ("organisation", "company")):
            agent = None  # civilians, UN bodies and companies report or suffer violence; they do not fight
        if agent is None and speaker and speaker.get("actor") and trig.role in ("attack", "territory"):
            agent_actor = speaker["actor"]
        else:
            agent_actor = agent[2] if agent else None
        for c in after:
            if c is agent or (agent_actor and c[2]["id"] == agent_actor["id"]):
                continue
            target = c
            break
        if target is None and trig.role in ("attack", "territory"):
            for c in list(reversed(before)) + [c for c in cands if c[0] >= b]:
                if c is not agent and (not agent_actor or c[2]["id"] != agent_actor["id"]):
                    target = c
                    break
        target_actor = target[2] if target else None
        if trig.role in ("withdraw", "other") and trig.event_type == "Strategic developments" \
                and trig.sub_event_type != "Agreement":
            target_actor = None
        if agent_actor and target_actor and agent_actor["id"] == target_actor["id"]:
            target_actor = None
        return _clean(agent_actor), _clean(target_actor)

    def _location(self, s: _Sentence, a: int, b: int, last_place, doc_places, lo: int = 0,
                  hi: int | None = None, speaker_span: tuple[int, int] | None = None,
                  withdrawal: bool = False) -> dict | None:
        hi = len(s.keys) if hi is None else hi
        places, secondary = self._scene_places(s, a, hi, speaker_span)
        if withdrawal:  # "فروا من مطار المدينة إلى منطقة الجفرة": ACLED places a withdrawal where it was left
            def towards(m) -> bool:
                i = self._tok_index(s, m["span"][0])
                return i > b and strip_proclitics(s.keys[i - 1])[-1] in self.lexicon.destinations
            places = [m for m in places if not towards(m)]
            secondary = [m for m in secondary if not towards(m)]
        clause = [m for m in places if lo <= self._tok_index(s, m["span"][0]) < hi]
        places = clause or places or secondary
        if places:
            trig_at = s.tokens[a].start

            def score(m) -> float:
                i = self._tok_index(s, m["span"][0])
                prev = s.keys[i - 1] if i > 0 else ""
                own = strip_proclitics(s.keys[i])
                introduced = prev in self.lexicon.place_prepositions or strip_proclitics(prev)[-1] in self.lexicon.place_prepositions \
                    or s.keys[i][:1] in "بل" and len(own) > 1
                return (2 * introduced + (m["span"][0] >= trig_at) + 0.25 * (m.get("place_kind") in ("town", "city"))
                        - 0.15 * abs(i - a))

            m = max(places, key=score)
            source = "sentence"
        elif last_place is not None:
            m, source = last_place, "context"
        else:
            countries = [m for m in s.mentions if m.get("place_kind") == "country"]
            same_article = [m for m in doc_places if m.get("segment", s.segment) == s.segment
                            and not s.start <= m["span"][0] < s.end]  # this sentence's were weighed above
            m = countries[0] if countries else (same_article[0] if same_article else None)
            source = "context"
        if m is None:
            return None
        return {"name": m.get("name_en"), "name_ar": m["name"], "name_en": m.get("name_en"), "id": m.get("id"),
                "lat": m["lat"], "lon": m["lon"], "country": m.get("country"), "geo_precision": m.get("geo_precision"),
                "from": source}

    def _scene_places(self, s: _Sentence, a: int = 0, hi: int | None = None,
                      speaker_span: tuple[int, int] | None = None) -> tuple[list[dict], list[dict]]:
        """The sentence's places that may be where it happened, and weaker ones to fall back on.

        Left out: landmarks ("سبها ... جنوب طرابلس": Tripoli), places in a military title ("آمر
        عمليات سرت") and in a background clause after the trigger ("بعد أن انسحبت من ترهونة").
        Weaker: places in a civil title ("عميد بلدية سبها") and in the speaker's description
        ("مصدر عسكري بقاعدة بنينا"): taken only when the sentence names no other place.
        """
        lex = self.lexicon.modality
        hi = len(s.keys) if hi is None else hi
        places = [m for m in s.mentions if m.get("lat") is not None and m.get("place_kind") not in ("country",)]
        at = {id(m): self._tok_index(s, m["span"][0]) for m in places}
        landmarks = {id(m) for m in places if self._after(s, m["span"][0], lex.get("directions", frozenset()))
                     and any(o is not m and 0 < at[id(m)] - at[id(o)] <= 12 for o in places)}
        cut = next((i for i in range(a + 1, hi) if _has(lex.get("background_clause", frozenset()), s.keys, i)), None)
        military = lex.get("military_titles", frozenset())
        civil = lex.get("place_titles", frozenset())
        primary, secondary = [], []
        for m in places:
            if id(m) in landmarks or (cut is not None and at[id(m)] >= cut) or self._after(s, m["span"][0], military):
                continue
            if self._after(s, m["span"][0], civil) or (speaker_span and speaker_span[0] <= m["span"][0] < speaker_span[1]):
                secondary.append(m)
            else:
                primary.append(m)
        return primary, secondary

    def _date(self, doc: Document, s: _Sentence, a: int) -> tuple[str | None, int]:
        dates = [m for m in s.mentions if m.get("type") == "DATE"]
        starts = self.lexicon.modality.get("effective_from", frozenset())
        dates = [m for m in dates if not self._after(s, m["span"][0], starts)]
        if dates:
            trig_at = s.tokens[a].start
            best = min(dates, key=lambda m: abs(m["span"][0] - trig_at))
            return best["date"], int(best.get("time_precision") or 1)
        if doc.publication_date:
            return doc.publication_date[:10], 2
        return None, 3

    def _date_from(self, s: _Sentence) -> str:
        return "sentence" if any(m.get("type") == "DATE" for m in s.mentions) else "publication"

    def _after(self, s: _Sentence, char: int, table) -> bool:
        """Whether the token at character `char` follows one of `table`'s phrases (within two tokens)."""
        i = self._tok_index(s, char)
        return any(_has(table, s.keys, j) and j + _has(table, s.keys, j) >= i - 1 for j in range(max(0, i - 3), i))

    def _casualties(self, s: _Sentence, lo: int = 0, hi: int | None = None) -> tuple[int | None, int | None]:
        """Deaths and wounded the clause reports: numbers in a list that a killing word opens, plus
        the named people in it ("مقتل آمر العمليات سالم درياق، ومعاونه ...، و8 من عناصرهم" = 10);
        numbers next to a wounding word are the wounded. "دون وقوع إصابات" is 0."""
        lex = self.lexicon
        hi = len(s.keys) if hi is None else hi
        if _any(lex.no_casualties, s.keys, lo, hi):
            return 0, None
        raw_tokens = s.tokens
        killed = wounded = None
        starts = [i for i in range(lo, hi) if _has(lex.killed, s.keys, i)]
        numbers = []
        i = lo
        while i < hi:
            t = raw_tokens[i]
            if t.kind == "num" or _number_word(s.keys[i]):
                text = " ".join(x.text for x in raw_tokens[i:i + 4])
                qs = read_quantities(text)
                if qs and qs[0].start == 0 and isinstance(qs[0].value, int) and qs[0].value < 100_000:
                    n_words = max(1, len(text[:qs[0].end].split()))
                    numbers.append((i, i + n_words, qs[0].value))
                    i += n_words
                    continue
            i += 1
        used = set()
        for i, j, value in numbers:
            if any(_has(lex.units, s.keys, k) for k in range(j, min(j + 2, hi))):
                continue
            if any(_has(lex.wounded, s.keys, k) for k in range(max(lo, i - 2), min(j + 2, hi))) and \
                    not any(_has(lex.killed, s.keys, k) for k in range(j, min(j + 2, hi))):
                wounded = (wounded or 0) + value
                used.add(i)
            elif any(st < i and i - st <= 12 for st in starts) or any(_has(lex.killed, s.keys, k) for k in range(j, min(j + 3, hi))):
                killed = (killed or 0) + value
                used.add(i)
        if starts:
            st = starts[0]
            a_off = s.tokens[st].end
            b_off = s.tokens[min(hi, len(s.tokens)) - 1].end
            named = [m for m in s.mentions if m["type"] == "PERS" and a_off <= m["span"][0] <= b_off
                     and self._tok_index(s, m["span"][0]) - st <= 12]
            if named:
                killed = (killed or 0) + len(named)
        if killed is None and _any(lex.killed_dual, s.keys, lo, hi):
            killed = 2
        return killed, wounded

    # -- attribution ----------------------------------------------------------------------------
    def _attribution(self, s: _Sentence) -> dict | None:
        """Who the sentence says is speaking: its name as written (persons by canonical name) and side."""
        lex = self.lexicon
        for i in range(len(s.keys)):
            n = _has(lex.spokesman, s.keys, i)
            if n:  # "المتحدث باسم قوات الوفاق محمد قنونو"
                a = s.tokens[i].start
                b = s.tokens[min(len(s.tokens), i + n + 8) - 1].end
                inside = [m for m in s.mentions if a <= m["span"][0] < b]
                person = next((m for m in inside if m["type"] == "PERS"), None)
                actor = next((x for x in (self._actor_of(m) for m in inside) if x), None)
                if person or actor:
                    name = person["name"] if person else " ".join(t.text for t in s.tokens[i:i + n + 3])
                    return {"name": name, "actor": _clean(actor), "span": (a, b), "sentence": s.start}
        for i in range(len(s.keys)):
            n = _has(lex.speech, s.keys, i) or _has(lex.according, s.keys, i)
            if not n:
                continue
            j = i + n
            k = j
            while k < len(s.keys) and k - j < 7 and s.keys[k] not in lex.stop \
                    and strip_proclitics(s.keys[k])[-1] not in lex.stop and s.tokens[k].kind != "punct" \
                    and not any((r,) in lex.triggers for r in strip_proclitics(s.keys[k])):
                k += 1
            if k == j:
                continue
            a, b = s.tokens[j].start, s.tokens[k - 1].end
            inside = [m for m in s.mentions if a <= m["span"][0] and m["span"][1] <= b]
            person = next((m for m in inside if m["type"] == "PERS"), None)
            if person is None:  # a long title, then the name: "أعلن رئيس جهاز ... بالجيش الليبي الضابط فرج أقعيم"
                reach = s.tokens[min(len(s.tokens), k + 2) - 1].end
                person = next((m for m in s.mentions if m["type"] == "PERS" and b <= m["span"][0] < reach), None)
            name = person["name"] if person else " ".join(t.text for t in s.tokens[j:k])
            actor = None
            for m in inside:
                actor = self._actor_of(m)
                if actor:
                    break
            return {"name": name, "actor": _clean(actor) if actor else None, "span": (a, b), "sentence": s.start}
        return None

    def _continues_speech(self, s: _Sentence) -> bool:
        """A sentence that goes on quoting the last speaker ("وأضاف أن"، "وأكد أن")."""
        return bool(s.keys) and _has(self.lexicon.speech, s.keys, 0) > 0


def _known_side(sides: dict[str, dict], name: str) -> dict | None:
    """The camp of a speaker named before in the document, by full name or by family name alone."""
    key = match_key(name)
    if key in sides:
        return sides[key]
    if " " not in key:
        found = {k: v for k, v in sides.items() if k.rsplit(" ", 1)[-1] == key}
        if len(found) == 1:
            return next(iter(found.values()))
    return None


def merge_reports(events: list[Event]) -> list[Event]:
    """Fold repeated reports of one event within a document (headline, lead, later recap) into
    one: same type, same place, dates a day apart at most, no conflicting actors. The fuller
    report (more specific type, more actors) represents the event; missing actors, toll and
    source are filled from the others, whose lines are listed in ``also_lines``."""
    from rasid.events.passes import same_event

    out: list[Event] = []
    for e in events:
        for n, kept in enumerate(out):
            if not same_event(kept.as_dict(), e.as_dict(), within_document=True):
                continue
            best, other = (e, kept) if e.specificity > kept.specificity else (kept, e)
            best.actor1 = best.actor1 or other.actor1
            best.actor2 = best.actor2 or other.actor2
            if best.fatalities is None:
                best.fatalities = other.fatalities
            if best.wounded is None:
                best.wounded = other.wounded
            if not best.attributed_to:
                best.attributed_to, best.attributed_side = other.attributed_to, other.attributed_side
            best.also_lines = sorted(set(best.also_lines) | set(other.also_lines) | {other.line})
            best.notes_en = describe(best)
            out[n] = best
            break
        else:
            out.append(e)
    return out


@cache
def _number_word(key: str) -> bool:

    return any(_number_reader()._word_value(r) for r in strip_proclitics(key))


@cache
def _number_reader():
    from rasid.text.numbers import NumberReader

    return NumberReader.from_data()


def _clean(actor: dict | None) -> dict | None:
    if actor is None:
        return None
    return {k: actor.get(k) for k in ("id", "label_en", "label_ar", "surface", "side")}


def describe(e: Event) -> str:
    """A one-sentence English note from the event's fields."""
    from datetime import date

    when = ""
    if e.event_date:
        d = date.fromisoformat(e.event_date)
        when = f"On {d.day} {d.strftime('%B %Y')}" if e.time_precision == 1 else f"Around {d.day} {d.strftime('%B %Y')}"
    who = (e.actor1 or {}).get("label_en") or "Unidentified actors"
    whom = (e.actor2 or {}).get("label_en")
    where = (e.location or {}).get("name_en")
    verb = {
        "Air/drone strike": "carried out an air/drone strike against", "Shelling/artillery/missile attack": "shelled",
        "Armed clash": "clashed with", "Government regains territory": "regained territory from",
        "Non-state actor overtakes territory": "took territory from",
        "Non-violent transfer of territory": "withdrew from", "Agreement": "announced an agreement with",
        "Arrests": "arrested", "Remote explosive/landmine/IED": "set off an explosive against",
        "Suicide bomb": "carried out a suicide bombing against", "Abduction/forced disappearance": "abducted",
        "Attack": "attacked", "Peaceful protest": "protested", "Violent demonstration": "rioted",
        "Looting/property destruction": "destroyed or looted property of", "Other": "were reported in a development",
        "Headquarters or base established": "established a base",
    }.get(e.sub_event_type, "were involved in an event")
    ends_in_preposition = verb.endswith((" with", " from", " against", " of"))
    left = verb == "withdrew from" and not whom and where  # "withdrew from Sirte"
    if ends_in_preposition and not whom and not left:
        verb = verb.rsplit(" ", 1)[0]  # "clashed with" and no one named: "clashed"
    text = (when + " " if when else "") + who + " " + verb
    if whom and (ends_in_preposition or verb in ("shelled", "arrested", "abducted", "attacked")):
        text += " " + whom
    elif whom:
        text += f" ({whom})"
    if where:
        prep = "near" if ((e.location or {}).get("geo_precision") or 1) >= 2 else "in"
        text += f" {where}" if left else f" {prep} {where}"
    text += "."
    if e.fatalities is not None:
        text += f" {e.fatalities} {'fatality' if e.fatalities == 1 else 'fatalities'} reported" \
            + (f" by {e.attributed_to}" if e.attributed_to else "") + "."
    elif e.attributed_to:
        text += " Source: " + e.attributed_to + "."
    return text[0].upper() + text[1:]

"""ACLED-style event coding of one document, sentence by sentence, as a chain of replaceable steps.

Each step has one job and its own module; they hand each other the typed values of
:mod:`rasid.events.model`, every one anchored in the document text:

==============  =================================  =============================================
step            default (module)                   decides
==============  =================================  =============================================
triggers        LexiconTriggers (triggers.py)      which words report an event, of what type
clauses         LexiconClauses (clauses.py)        which triggers are fresh news, and their voice
roles           LexiconRoles (roles.py)            who is actor1 and who is actor2
places          LexiconPlaces (places.py)          where it happened
dates           LexiconDates (when.py)             when it happened
tolls           LexiconTolls (tolls.py)            how many were killed and wounded
attribution     LexiconAttribution (attribution)   who says so, and on which side
judge           LearnedJudge (judge.py)            whether a candidate is a fresh report; confidence
==============  =================================  =============================================

then :func:`rasid.events.linking.merge_reports` folds repeated reports of one event and
:func:`rasid.events.notes.describe` writes the English note. Replace a step through the
constructor, by object or by import path::

    EventCoder(steps={"roles": "mypackage.roles:LearnedRoles"})

A step named by path is built as ``Class(lexicon, actors)``. The learned steps' weights come
from ``model`` (a file written by ``rasid train-events``; the shipped ``events/data/learned.json`` by
default): the judge always, the place ranker when the file holds its weights.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import logging
from collections.abc import Mapping, Sequence

from rasid.document import Document, LineStatus
from rasid.entities.actors import GENERIC_TYPES
from rasid.events.attribution import known_side
from rasid.events.judge import Context, LearnedJudge, load_model
from rasid.events.kinds import Kinds
from rasid.events.lexicon import Lexicon
from rasid.events.linking import merge_reports
from rasid.events.model import Clause, Event, Evidence, Sentence, Speaker, has, has_any
from rasid.events.notes import describe
from rasid.events.places import LearnedPlaces, location_of
from rasid.events.roles import as_actor, clean_actor
from rasid.events.taxonomy import Taxonomy
from rasid.events.when import days_before
from rasid.text.normalize import match_key
from rasid.text.tokens import strip_proclitics, tokenize

__all__ = ["Event", "EventCoder", "Lexicon", "describe", "DEFAULT_STEPS"]

log = logging.getLogger(__name__)

DEFAULT_STEPS: dict[str, str] = {
    "triggers": "rasid.events.triggers:LexiconTriggers",
    "clauses": "rasid.events.clauses:LexiconClauses",
    "roles": "rasid.events.roles:LexiconRoles",
    "places": "rasid.events.places:LexiconPlaces",
    "dates": "rasid.events.when:LexiconDates",
    "tolls": "rasid.events.tolls:LexiconTolls",
    "attribution": "rasid.events.attribution:LexiconAttribution",
    "judge": "rasid.events.judge:LearnedJudge",
}
HEADLINE_MIN_LINES = 3  # with more kept lines than this, the body reports what the headline repeats
# an event the text dates more than this many days before its article is a recap of older fighting
# (background in ACLED's terms: the coders' manual makes it non-core), not the article's news
RECAP_DAYS = 30
CIVILIANS_TYPE = "civilians"  # the actor dictionary's type for ACLED's Civilians
UNIDENTIFIED_TYPE = "unidentified"  # and for its Unidentified Armed Group
STATE_TYPES = ("force", "state", "government")  # with a government's side: a state force


def check_steps(steps: Mapping[str, object]) -> None:
    """Raise a clear error for an unknown step name or an import path that names no class.

    Raises:
        RasidError: naming the step and what is wrong with it.
    """
    from rasid.errors import RasidError

    unknown = set(steps) - set(DEFAULT_STEPS)
    if unknown:
        raise RasidError(f"unknown event coder steps {sorted(unknown)}; the steps are {list(DEFAULT_STEPS)}")
    for name, spec in steps.items():
        if not isinstance(spec, str):
            continue
        module, _, cls = spec.partition(":")
        try:
            found = getattr(importlib.import_module(module), cls, None) if cls else None
        except ImportError as exc:
            raise RasidError(f"event coder step {name}: cannot import {module!r} ({exc})") from exc
        if not callable(found):
            raise RasidError(f"event coder step {name}: {spec!r} names no class (write 'module:Class')")


def build_step(spec, lexicon: Lexicon, actors):
    """A step from an object (used as it is) or an import path ``"module:Class"``."""
    if not isinstance(spec, str):
        return spec
    module, _, name = spec.partition(":")
    if not name:
        raise ValueError(f"a step is named 'module:Class', got {spec!r}")
    return getattr(importlib.import_module(module), name)(lexicon, actors)


class EventCoder:
    """Codes the events of documents from their text and entity mentions, step by step."""

    def __init__(self, lexicon: Lexicon | None = None, actors=None, *, steps: Mapping[str, object] | None = None,
                 taxonomy: Taxonomy | None = None, model=None, min_confidence: float | None = None):
        from rasid.entities.actors import ActorDictionary

        self.lexicon = lexicon or Lexicon.from_data()
        self.actors = actors or ActorDictionary.from_data()
        self.taxonomy = taxonomy or Taxonomy.load()
        check_steps(steps or {})
        chosen = {**DEFAULT_STEPS, **(steps or {})}
        self.steps = {name: build_step(spec, self.lexicon, self.actors) for name, spec in chosen.items()
                      if name != "judge" or spec != DEFAULT_STEPS["judge"]}
        # the learned steps read `model` (a file of `rasid train-events`; the shipped one by default);
        # the place ranker replaces the lexicon's only where the file has its weights
        if chosen["judge"] == DEFAULT_STEPS["judge"]:
            self.steps["judge"] = LearnedJudge(self.lexicon, self.actors, model=model)
        if chosen["places"] == DEFAULT_STEPS["places"] and load_model(model, "places") is not None:
            self.steps["places"] = LearnedPlaces(self.lexicon, self.actors, model=model)
        for name, step in self.steps.items():
            setattr(self, name, step)
        self.kinds = Kinds.load()
        self._explosions = self.taxonomy.by_key("explosions")
        self._countries: dict[str, str] | None = None  # English country names by code, read when first needed
        self.min_confidence = min_confidence or 0.0
        # ACLED's Civilians, the target an attack on "المدنيين" or "منازل" gets when no one else is named
        self.civilians = next((a for a in self.actors.actors.values() if a.type == CIVILIANS_TYPE), None)
        # ACLED's Unidentified Armed Group, the doer of a bomb nobody is named for
        self.unidentified = next((a for a in self.actors.actors.values() if a.type == UNIDENTIFIED_TYPE), None)

    # -- public ---------------------------------------------------------------------------------
    def code(self, doc: Document, mentions: Sequence[dict]) -> list[Event]:
        """Events of one document; `mentions` are its entity rows (entities.jsonl)."""
        events: list[Event] = []
        speaker: Speaker | None = None
        last_place: dict | None = None
        segment_of = {ln.n: ln.segment for ln in doc.lines}
        doc_places = [dict(m, segment=segment_of.get(m.get("line"))) for m in mentions
                      if m.get("lat") is not None and m.get("place_kind") not in ("country", None)]
        segment = None
        sides: dict[str, tuple] = {}  # speakers' camps as first given: "وقال أقعيم" after "... بالجيش الليبي فرج أقعيم"
        sentences = self.sentences(doc, mentions)
        for index, s in enumerate(sentences):
            if s.segment != segment:  # another article of the page: its context starts afresh
                segment, speaker, last_place, sides = s.segment, None, None, {}
            said = self.attribution.speaker(s)
            if said and said.actor is None:
                side = known_side(sides, said.name)
                if side:
                    said.actor, said.actor_evidence = side
            elif said and said.actor:
                sides.setdefault(match_key(said.name), (said.actor, said.actor_evidence))
            if said:
                speaker = said
            elif not self.attribution.continues(s):
                speaker = None
            hits = self.triggers.find(s)
            found = [e for k, clause in enumerate(self.clauses.select(s, hits))
                     if (e := self._event(doc, s, clause, speaker, last_place, doc_places,
                                          Context(s, clause, index, len(sentences), len(hits), k, doc.publication_date)))]
            found = [x for e in found for x in (e, *self._coordinated(doc, s, e))]
            primary, secondary = self.places.scene_places(s)
            places = primary or secondary
            if found and found[-1].location and found[-1].location.get("from") == "sentence":
                last_place = next((m for m in places if m.get("id") == found[-1].location.get("id")), last_place)
            elif places:
                last_place = places[-1]
            events.extend(found)
        return merge_reports(events, lambda e: describe(e, self.taxonomy))

    def sentences(self, doc: Document, mentions: Sequence[dict]) -> list[Sentence]:
        """The document's body sentences with their tokens and mentions (captions and a repeated headline left out)."""
        kept = {ln.n: ln for ln in doc.lines if ln.status == LineStatus.KEPT and ln.role != "caption"}
        if len(kept) > HEADLINE_MIN_LINES:
            kept = {n: ln for n, ln in kept.items() if ln.role != "headline"}
        out = []
        for s in doc.sentences:
            if s.line not in kept:
                continue
            toks = tokenize(doc.text[s.start:s.end], offset=s.start)
            if not toks:
                continue
            ms = [m for m in mentions if s.start <= m["span"][0] and m["span"][1] <= s.end]
            out.append(Sentence(doc.doc_id, doc.text, s.start, s.end, s.line, s.segment, toks, [t.key for t in toks], ms))
        return out

    # -- one event ------------------------------------------------------------------------------
    def _event(self, doc: Document, s: Sentence, clause: Clause, speaker: Speaker | None, last_place,
               doc_places, ctx: Context) -> Event | None:
        lex, tax = self.lexicon, self.taxonomy
        a, b, trig = clause.hit.start, clause.hit.end, clause.hit.trigger
        lo, hi = clause.lo, clause.hi
        if trig.kind == "verb" and a > 0 and _last_root(s.keys[a - 1]) in lex.noun_context:
            # "في قصف لقوات حفتر": after a preposition the form is the verbal noun, not the verb
            trig = type(trig)(trig.id, trig.event_type, trig.sub_event_type, trig.rank, trig.role, "noun",
                              trig.requires_any)
            clause = Clause(type(clause.hit)(a, b, trig), lo, hi, clause.modality)
        event_type, sub = trig.event_type, trig.sub_event_type
        specific = trig.rank
        if trig.role == "attack":
            for cue_sub, words in lex.cues.items():  # "قصف ... بطائرات مسيرة": an air strike
                if self.kinds.refines(event_type, cue_sub) and has_any(words, s.keys, lo, hi):
                    specific += 2 if cue_sub != sub else 0
                    sub = cue_sub
                    break
        said_here = speaker.span if speaker and speaker.sentence == s.start else None
        placed = self.places.locate(s, clause, last_place, doc_places, said_here)
        location, place_mention = placed if placed else (None, None)
        actor1, actor2 = self.roles.assign(s, clause, speaker, (location or {}).get("country"))
        evidence: dict[str, Evidence] = {"trigger": s.evidence(a, b, "trigger", "triggers")}
        if trig.role == "territory":
            side = actor1.actor.get("side") if actor1 else None
            sub = self.kinds.taken_by(event_type, side in lex.government_sides) or sub
        a2 = clean_actor(actor2.actor) if actor2 else None
        if trig.role == "attack" and event_type == tax.by_key("explosions") and actor2 is None:
            civilians = self._civilians(s, b, hi)
            if civilians:
                a2, evidence["actor2"] = civilians
        for name, c in (("actor1", actor1), ("actor2", actor2)):
            if c is not None and c.evidence is not None:
                evidence[name] = c.evidence.relabel(name)
        a1 = clean_actor(actor1.actor) if actor1 else None
        if self.kinds.unclaimed_doer(event_type, sub) and self.unidentified is not None \
                and (a1 is None or a2 is None and self._is_state_force(a1)):
            # "انفجار عبوة ناسفة استهدفت دورية للشرطة": nobody named set it; the police were its target
            if a1 is not None:
                a2 = a1
                if "actor1" in evidence:
                    evidence["actor2"] = evidence.pop("actor1").relabel("actor2")
            a1 = as_actor(self.unidentified, None)
            evidence["actor1"] = evidence["trigger"].relabel("actor1")
        country = self._country_name((location or {}).get("country"))
        a1, a2 = self._generic_in(a1, country), self._generic_in(a2, country)
        if place_mention is not None and place_mention.get("span"):
            evidence["location"] = Evidence.of(doc.doc_id, doc.text, *place_mention["span"], "location", "places")
        event_date, precision, date_mention = self.dates.date(doc, s, clause)
        ctx.flags["recap"] = date_mention is not None and days_before(event_date, doc.publication_date) > RECAP_DAYS
        if _earlier_year(s, lo, hi, doc.publication_date):
            return None  # "1943 - غارات على هامبورغ": history, whatever a judge would weigh
        if date_mention is not None:
            evidence["date"] = s.mention_evidence(date_mention, "date", "dates")
        toll = self.tolls.count(s, clause)
        for name, ev in (("fatalities", toll.killed_evidence), ("wounded", toll.wounded_evidence)):
            if ev is not None:
                evidence[name] = ev
        if speaker and speaker.evidence is not None:
            evidence["claimant"] = speaker.evidence
        modality = clause.modality
        if modality == "asserted" and speaker is not None:
            modality = "attributed"
        start, end = s.start, s.end
        sentence = doc.text[start:end]
        digest = hashlib.sha1(f"{doc.doc_id}:{start}:{trig.id}".encode()).hexdigest()[:10]
        event = Event(f"ev-{digest}", doc.doc_id, s.line, (start, end), sentence, evidence["trigger"].text,
                      event_type, sub, a1, a2, location, event_date,
                      precision, toll.killed, toll.wounded, speaker.name if speaker else None,
                      attributed_side=((speaker.actor if speaker else None) or {}).get("side"), modality=modality,
                      date_from="sentence" if date_mention is not None or not event_date else "publication",
                      outlet=doc.outlet, evidence=evidence)
        if location is None or location.get("geo_precision") == 3 and location.get("id", "").startswith("cc:"):
            return None  # a development placed only in a whole country is the situation, not an event
        # a bare mention ("تظهر انسحاب قوات حفتر من المدينة"), nothing placed or counted
        ctx.flags["bare_context"] = location.get("from") == "context" and event.actor2 is None \
            and toll.killed is None and trig.role in ("withdraw", "other") and trig.kind != "verb"
        # no place, no one and no toll of its own: a word of comment, not a report
        ctx.flags["context_only"] = location.get("from") == "context" and event.actor1 is None \
            and event.actor2 is None and toll.killed is None and toll.wounded is None
        confidence = self.judge.judge(event, ctx)
        if confidence is None or confidence < self.min_confidence:
            return None
        event.confidence = confidence
        event.specificity = specific + bool(actor1) + bool(actor2)
        event.notes_en = describe(event, tax)
        return event

    def _coordinated(self, doc: Document, s: Sentence, event: Event) -> list[Event]:
        """The same event at the places joined to its own ("في منطقتي البوشجل والملاحمة"، "على صنعاء،
        وصعدة"): one event per place, as ACLED codes them; the toll stays with the first."""
        ev = event.evidence.get("location")
        if ev is None or (event.location or {}).get("from") != "sentence" or event.event_type != self._explosions \
                or ev.start < event.evidence["trigger"].start:  # (places of the clause before are not its own)
            return []
        places = sorted((m for m in s.mentions if m.get("lat") is not None and m.get("place_kind") != "country"),
                        key=lambda m: m["span"][0])
        out: list[Event] = []
        end = ev.end
        for m in places:
            if m["span"][0] < end:
                continue
            gap = doc.text[end:m["span"][0]].strip()
            joined = gap in ("", "،", ",") and doc.text[m["span"][0]] == "و" or gap in ("و", "،", ",", "، و", ", و")
            if not joined or m.get("id") == event.location.get("id"):
                break
            twin = copy.copy(event)
            twin.location = location_of(m, "sentence")
            twin.evidence = {k: v for k, v in event.evidence.items() if k not in ("fatalities", "wounded")}
            twin.evidence["location"] = Evidence.of(doc.doc_id, doc.text, *m["span"], "location", "places")
            twin.fatalities = twin.wounded = None
            twin.event_id = event.event_id + f"-{len(out) + 2}"
            twin.notes_en = describe(twin, self.taxonomy)
            out.append(twin)
            end = m["span"][1]
        return out

    def _is_state_force(self, actor: dict) -> bool:
        entry = self.actors.get(actor.get("id"))
        return entry is not None and entry.type in STATE_TYPES and actor.get("side") in self.lexicon.government_sides

    def _country_name(self, code: str | None) -> str | None:
        if not code:
            return None
        if self._countries is None:
            from rasid.geo import PlaceGazetteer

            self._countries = {c: p.name_en for c, p in PlaceGazetteer.from_data().countries().items()}
        return self._countries.get(code)

    def _generic_in(self, actor: dict | None, country: str | None) -> dict | None:
        """ACLED's generic actors carry the country of the event: "Civilians (Iraq)"."""
        if actor is None or not country:
            return actor
        entry = self.actors.get(actor.get("id"))
        if entry is None or entry.type not in GENERIC_TYPES:
            return actor
        return dict(actor, label_en=f"{entry.name_en} ({country})")

    def _civilians(self, s: Sentence, b: int, hi: int) -> tuple[dict, Evidence] | None:
        """Civilians named as the target after an attack's trigger ("استهدف منازل المدنيين")."""
        if self.civilians is None:
            return None
        for i in range(b, min(hi, len(s.keys))):
            n = has(self.lexicon.civilian, s.keys, i)
            if n:
                return as_actor(self.civilians, s.words(i, i + n)), s.evidence(i, i + n, "actor2", "civilians")
        return None


def _earlier_year(s: Sentence, lo: int, hi: int, published: str | None) -> bool:
    """Whether the clause names a year before the article's ("احتجاجات عام 2011", "1943 - غارات على هامبورغ")."""
    if not published:
        return False
    year = int(published[:4])
    return any(t.kind == "num" and len(t.text) == 4 and t.text.isdigit() and 1800 <= int(t.text) < year
               for t in s.tokens[lo:hi])


def _last_root(key: str) -> str:
    return strip_proclitics(key)[-1]

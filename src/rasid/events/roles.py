"""Step 3, roles: who did it (actor1) and to whom (actor2), from the actors the clause names.

Candidates are the sentence's entity mentions that resolve to an actor of the dictionary (people
stand for their side's force, "قوات حفتر" for the LNA), the speaker's own forces ("قواتنا") and
each side's words for the other ("الميليشيات" in an LNA statement). The default step decides by
word order and the little words around a name: verb-subject order, "التابع لـ" owners, "على/ضد"
targets, passive frames ("تعرضت لغارات من ..."), "بين X و Y" for the sides of a clash, the doer
after a verbal noun ("قصف ... تنفذه قوات حفتر"). This file is the one place that decides who is
actor1 and who is actor2: replace :class:`LexiconRoles` (``steps={"roles": ...}``) with any object
that has ``assign(sentence, clause, speaker, host) -> (Candidate | None, Candidate | None)``.
"""

from __future__ import annotations

from rasid.events.clauses import is_subordinate
from rasid.events.kinds import Kinds
from rasid.events.lexicon import Lexicon
from rasid.events.model import Candidate, Clause, Sentence, Speaker, has
from rasid.text.tokens import strip_proclitics

__all__ = ["LexiconRoles", "actor_of", "as_actor", "clean_actor", "MAX_ACTOR_GAP"]

MAX_ACTOR_GAP = 12  # tokens between a trigger and an actor that can still be its argument
VERB_SUBJECT_GAP = 3  # tokens between a verb and the actor after it that is its subject
NON_COMBATANT_TYPES = ("organisation", "company", "civilians")  # they report or suffer violence; they do not fight


def clean_actor(actor: dict | None) -> dict | None:
    """The event actor's public fields."""
    if actor is None:
        return None
    return {k: actor.get(k) for k in ("id", "label_en", "label_ar", "surface", "side")}


def as_actor(target, surface: str | None) -> dict:
    """The event actor of a dictionary entry, as named by `surface`."""
    return {"id": target.id, "label_en": target.name_en, "label_ar": target.name_ar, "surface": surface,
            "side": target.side}


def actor_of(actors, lexicon: Lexicon, m: dict) -> dict | None:
    """Event actor for an entity mention: forces as they are, people and governments as their side's force."""
    if not m.get("id") or m.get("type") not in ("ORG", "PERS", "LOC"):
        return None
    actor = actors.get(m["id"])
    if actor is None:
        return None
    target = actor
    if actor.leader_of:
        target = actors.get(actor.leader_of) or actor
    elif actor.type in ("person", "government") and actor.side in lexicon.side_forces:
        target = actors.get(lexicon.side_forces[actor.side]) or actor
    elif actor.type == "person" and actor.side and getattr(actors.get(actor.side), "type", None) == "state":
        target = actors.get(actor.side)
    return as_actor(target, m["text"])


class LexiconRoles:
    """actor1 and actor2 of a clause by word order and the lexicon's argument words."""

    name = "roles"

    def __init__(self, lexicon: Lexicon, actors, kinds: Kinds | None = None):
        self.lexicon = lexicon
        self.actors = actors
        self.kinds = kinds or Kinds.load()

    # -- candidates -----------------------------------------------------------------------------
    def candidates(self, s: Sentence, speaker: Speaker | None, host: str | None = None) -> list[Candidate]:
        """Every actor the sentence names, in text order; a framing word inside a name is not a second one."""
        everyone = sorted(self._named(s, host) + self._own_forces(s, speaker) + self._perspective(s, speaker),
                          key=lambda c: c.start)
        taken: set[tuple[int, int]] = set()
        out = []
        for c in everyone:
            if not any(x <= c.start < y for x, y in taken):
                out.append(c)
                taken.add((c.start, c.end))
        return out

    def _named(self, s: Sentence, host: str | None) -> list[Candidate]:
        """Actor-bearing mentions. The country the event happens in is its setting, not an actor."""
        out = []
        for m in s.mentions:
            if m.get("place_kind") == "country":
                i = s.tok_index(m["span"][0])
                prev = s.keys[i - 1] if i > 0 else ""
                if m.get("country") == host or prev in ("في", "داخل", "الي", "من") or s.keys[i][:1] == "ب":
                    continue
            actor = actor_of(self.actors, self.lexicon, m)
            if actor is None and m.get("type") == "LOC" and m.get("place_kind") == "country":
                state = self.actors.get(m.get("name_en", ""))
                if state is not None:
                    actor = as_actor(state, m["text"])
            if actor:
                out.append(Candidate(s.tok_index(m["span"][0]), s.tok_index(m["span"][1] - 1) + 1, actor, m,
                                     s.mention_evidence(m, "actor", "mention")))
        return out

    def _own_forces(self, s: Sentence, speaker: Speaker | None) -> list[Candidate]:
        """"قواتنا"، "قواتهم": the forces of the side that speaks."""
        if not speaker or not speaker.actor:
            return []
        out = []
        for i in range(len(s.keys)):
            n = has(self.lexicon.own_forces, s.keys, i)
            if n:
                out.append(Candidate(i, i + n, dict(speaker.actor, surface=s.words(i, i + n)), {},
                                     s.evidence(i, i + n, "actor", "own_forces")))
        return out

    def _perspective(self, s: Sentence, speaker: Speaker | None) -> list[Candidate]:
        """"الميليشيات" in the words of an LNA spokesman: the GNA (framing terms of the lexicon)."""
        side = ((speaker.actor if speaker else None) or {}).get("side")
        if side not in self.lexicon.perspective:
            return []
        other_id, words = self.lexicon.perspective[side]
        other = self.actors.get(other_id)
        if other is None:
            return []
        out = []
        for i in range(len(s.keys)):
            n = has(words, s.keys, i)
            if n:
                out.append(Candidate(i, i + n, as_actor(other, s.words(i, i + n)), {},
                                     s.evidence(i, i + n, "actor", "perspective")))
        return out

    def _actor_type(self, c: Candidate) -> str | None:
        found = self.actors.get(c.id)
        return found.type if found else None

    def _speaker_side(self, speaker: Speaker | None) -> Candidate | None:
        """The speaker's camp as a candidate (no words of this clause name it)."""
        if not speaker or not speaker.actor:
            return None
        return Candidate(0, 0, speaker.actor, {}, speaker.actor_evidence)

    # -- roles ----------------------------------------------------------------------------------
    def assign(self, s: Sentence, clause: Clause, speaker: Speaker | None,
               host: str | None = None) -> tuple[Candidate | None, Candidate | None]:
        """Return (actor1, actor2) of the clause; either may be None."""
        lex = self.lexicon
        a, b, trig = clause.hit.start, clause.hit.end, clause.hit.trigger
        lo, hi = clause.lo, clause.hi
        everyone = self.candidates(s, speaker, host)
        cands = [c for c in everyone if lo <= c.start < hi] or everyone
        if not cands:
            return None, None
        passive = any(has(lex.passive, s.keys, i) for i in range(max(lo, a - 2), a + 1))
        if passive and trig.role == "attack":
            # "تعرضت لغارات من طائرات ... زودت بها الإمارات حليفها حفتر": the agent follows, civilians
            # among the dead are victims, the subject (here a pronoun) is the target
            after = [c for c in everyone if c.start >= b and self._actor_type(c) != "civilians"]
            before = [c for c in everyone if c.end <= a]
            victim = before[-1] if before else self._speaker_side(speaker)
            return (after[-1] if after else None), victim

        def marked_target(c: Candidate) -> bool:
            i = c.start
            first = s.keys[i]
            prev = s.keys[i - 1] if i > 0 else ""
            if prev in lex.affiliation or (first[:1] == "ل" and i > 0 and s.keys[i - 1] in lex.affiliation):
                return False
            if prev in lex.target_markers or strip_proclitics(prev)[-1] in lex.target_markers:
                return True
            return first[:1] == "ل" and not first.startswith("لل" + "ا") and c.mention.get("text", "x")[:1] == "ل"

        def affiliated(c: Candidate) -> bool:
            i = c.start
            return i > 0 and (s.keys[i - 1] in lex.affiliation or (i > 1 and s.keys[i - 2] in lex.affiliation))

        after = [c for c in cands if c.start >= b and c.start - b <= MAX_ACTOR_GAP]
        # "سيطرت القوات الموالية لحكومة الرئيس ... هادي على": a subject phrase opened by a force word
        opens_subject = b < len(s.keys) and s.keys[b][:1] not in "لب" \
            and any(r in lex.force_heads for r in strip_proclitics(s.keys[b]))  # ("لقوات": a target)
        subject_gap = MAX_ACTOR_GAP if opens_subject else VERB_SUBJECT_GAP
        before = [c for c in cands if c.end <= a and a - c.end <= MAX_ACTOR_GAP]
        agent = target = None
        if self.kinds.announced(trig.event_type, trig.sub_event_type) and trig.role == "other":
            # who announces or signs comes first ("أعلن الرئيس ... عن مبادرة"); the next side is the party
            first = cands[0]
            other = next((c for c in cands if c.id != first.id and not is_subordinate(s, lex, c.start)), None)
            return first, other
        if self.kinds.sides_between(trig.event_type, trig.sub_event_type):
            # "اشتباكات في وسط بنغازي بين قوات الحكومة ومقاتلين إسلاميين": the sides in the order named
            between = next((k for k in range(b, min(hi, b + 8)) if strip_proclitics(s.keys[k])[-1] == "بين"), None)
            if between is not None:
                sides = [c for c in cands if c.start > between and c.start - between <= MAX_ACTOR_GAP]
                if sides:
                    return sides[0], next((c for c in sides[1:] if c.id != sides[0].id), None)
        # an actor owning the weapon or unit before the trigger ("سلاح الجو التابع لقوات ...") is the agent
        owners = [c for c in before if affiliated(c)]
        # subject-verb order: "طيران التحالف استهدف بغارتين مبنى يتخذه الحوثيون" (not the actor after)
        subject = [c for c in before if c.end == a and not marked_target(c)] if trig.kind == "verb" else []
        if owners:
            agent = owners[-1]
        elif subject:
            agent = subject[-1]
        elif after and trig.kind == "noun" and after[0].start - b <= 1 and s.keys[after[0].start][:1] == "ل" \
                and not s.keys[after[0].start].startswith("لل" + "ي"):
            agent = after[0]  # "قصف لقوات حفتر": the shelling of (= by) Haftar's forces
        elif after and not marked_target(after[0]) and trig.kind != "noun" and after[0].start - b <= subject_gap \
                and not any(s.keys[k] in ("في", "علي", "من", "الي") for k in range(b, after[0].start)):
            agent = after[0]  # verb-subject order: "قصفت قوات حفتر ..."
        elif before:
            unmarked = [c for c in before if not marked_target(c)]
            agent = unmarked[-1] if unmarked else None
        if agent is None and after and trig.kind == "noun":
            unmarked = [c for c in after if not marked_target(c)]
            agent = unmarked[0] if unmarked and trig.role in ("withdraw", "other") else None
        if trig.kind == "noun":
            # "قصف عشوائي تنفذه قوات حفتر", "هجوم ... شنه عناصر تنظيم داعش": the doer may follow a noun
            doer = [c for c in after if any(strip_proclitics(s.keys[k])[-1] in lex.doer_verbs
                                            for k in range(max(b, c.start - 2), c.start))]
            if doer:
                agent = doer[0]
        if agent is not None and trig.role in ("attack", "territory") and self._actor_type(agent) in NON_COMBATANT_TYPES:
            agent = None
        if agent is None and trig.role in ("attack", "territory"):
            agent = self._speaker_side(speaker)
        for c in after:
            if c is agent or (agent and c.id == agent.id):
                continue
            target = c
            break
        if target is None and trig.role in ("attack", "territory"):
            for c in list(reversed(before)) + [c for c in cands if c.start >= b]:
                if c is not agent and (not agent or c.id != agent.id):
                    target = c
                    break
        if trig.role in ("withdraw", "other") and not self.kinds.has_target(trig.event_type, trig.sub_event_type):
            target = None
        if agent and target and agent.id == target.id:
            target = None
        return agent, target

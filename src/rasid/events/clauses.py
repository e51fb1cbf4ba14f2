"""Step 2, clauses and modality: which triggers report a fresh development, and in what voice.

A trigger is dropped when it is an attempt, an intention, a threat, a negation or a purpose
("لتحرير": in order to), when it sits in a relative or background clause ("التي تراجعت"، "بعد أن
انسحبت"), names a campaign ("عملية استعادة سرت"), is a general word for the war that no verb says
broke out, or describes a war going on "since" a date. Of the rest, the first strong trigger of
the main clause is the event; a second one opens another event when it starts a new clause with
another event type, or adds a second means of attack ("إضافة إلى ضربات جوية"). A sentence about
sport or markets ("خسر الفريق مباراته"، "معركة الأسهم") reports no event at all.

Kept triggers carry a modality: ``asserted``, ``uncertain`` ("أنباء عن"، "يعتقد"، "غير مؤكدة") or
``denied`` ("نفت قوات الوفاق قصف ..."). The coder turns ``asserted`` into ``attributed`` when a
named side says so. Replace the step with any object that has ``select(sentence, hits)``.
"""

from __future__ import annotations

from rasid.events.lexicon import Lexicon
from rasid.events.model import Clause, Sentence, TriggerHit, has, has_any
from rasid.text.tokens import strip_proclitics

__all__ = ["LexiconClauses", "KEPT_MODALITIES", "is_subordinate", "clause_start"]

LONG_RUNNING_REACH = 14  # tokens after a trigger where "منذ ..." makes it a war described (the two sides' names between)
MODALITY_WINDOW = 6  # tokens before a trigger searched for words of modality; chosen on the seeds
KEPT_MODALITIES = ("asserted", "uncertain", "denied")  # what is coded; the other voices are no event
# the voices checked before a trigger, in this order: a denial's "نفى" is also a negation word,
# and "أنباء غير مؤكدة" holds "غير"
MODALITY_ORDER = ("denial", "uncertain", "attempt", "future", "threat", "negation", "purpose")
VOICE = {"denial": "denied"}  # a table's name and the modality it gives, where they differ


def is_break(lex: Lexicon, key: str) -> bool:
    return key in lex.clause_breaks or strip_proclitics(key)[-1] in lex.clause_breaks


def clause_start(s: Sentence, lex: Lexicon, a: int) -> int:
    """The token where the clause of token `a` starts (a clause break before it, or 0)."""
    for i in range(a - 1, -1, -1):
        if is_break(lex, s.keys[i]):
            return i
    return 0


def new_clause(s: Sentence, lex: Lexicon, after: int, at: int) -> bool:
    """Whether a clause break stands between tokens `after` and `at`."""
    return any(is_break(lex, s.keys[i]) for i in range(after, at))


def is_subordinate(s: Sentence, lex: Lexicon, a: int) -> bool:
    """A trigger in a relative clause ("التي تراجعت") or about an earlier time ("بعد أن انسحبت")."""
    rel = lex.modality.get("relative", frozenset())
    back = lex.modality.get("background", frozenset())
    start = clause_start(s, lex, a)
    for i in range(a - 1, start - 1, -1):  # stop at the clause's own verb boundary (a comma)
        if s.keys[i] in ("،", ",", ":"):
            start = i
            break
    # "العملية بدأت بقصف ...": the operation began with the shelling, which is news
    onset = a > 0 and s.keys[a][:1] == "ب" and s.keys[a - 1] in lex.onset_verbs
    return any(has(rel, s.keys, i) for i in range(max(0, a - 2), a)) or \
        any(has(back, s.keys, i) for i in range(max(start, a - 10), a - onset))


class LexiconClauses:
    """Chooses the sentence's reported developments and their modality from the lexicon's cue words."""

    name = "clauses"

    def __init__(self, lexicon: Lexicon, actors=None):
        self.lexicon = lexicon

    def select(self, s: Sentence, hits: list[TriggerHit]) -> list[Clause]:
        """The events the sentence reports: a chosen trigger with the clause it governs and its voice."""
        lex = self.lexicon
        if hits and has_any(lex.modality.get("other_domain", frozenset()), s.keys):
            return []  # sport or markets: "خسر الفريق مباراته"، "معركة الأسهم"
        voiced = [(h, self.modality(s, h.start, h.trigger.role)) for h in hits]
        kept = [(h, m) for h, m in voiced if m in KEPT_MODALITIES]
        if not kept:
            return []
        main: list[tuple[TriggerHit, str]] = []
        for h, m in kept:
            if is_subordinate(s, lex, h.start):
                continue
            if main and s.keys[h.start][:1] == "و" and any(
                    is_subordinate(s, lex, u.start) for u in hits
                    if u.start < h.start and not new_clause(s, lex, u.end, h.start)):
                continue  # "بعد طردها قوات حفتر ... واستعادتها السيطرة": coordinated with background
            if self.names_campaign(s, h) or self.generic_fighting(s, h) or self.long_running(s, h.end):
                continue
            main.append((h, m))
        if not main:
            return []  # only background: "بعد يوم طويل من المعارك", "التي تراجعت"
        strong = [x for x in main if x[0].trigger.rank >= 5] or main
        chosen = [strong[0]]  # the first reported development of the main clause
        first = chosen[0][0]
        for h, m in strong[1:]:
            if h.trigger.event_type != first.trigger.event_type and new_clause(s, lex, first.end, h.start):
                chosen.append((h, m))
                break
            # "بقصف ... بالمدفعية الثقيلة، إضافة إلى ضربات جوية": a second means, a second event
            if h.trigger.event_type == first.trigger.event_type \
                    and h.trigger.sub_event_type != first.trigger.sub_event_type \
                    and has_any(lex.additive, s.keys, first.end, h.start):
                chosen.append((h, m))
                break
        out = []
        for k, (h, m) in enumerate(chosen):
            hi = chosen[k + 1][0].start if k + 1 < len(chosen) else len(s.keys)
            # "..., فيما واصل الجيش تقدمه": the next clause's actors are not this event's
            hi = next((i for i in range(h.end, hi) if is_break(lex, s.keys[i])), hi)
            lo = clause_start(s, lex, h.start) if k else 0
            out.append(Clause(h, lo, hi, m))
        return out

    def modality(self, s: Sentence, a: int, role: str = "other") -> str:
        """asserted, uncertain, denied, or why the trigger is no event: attempt, future, threat, negation, purpose."""
        lex = self.lexicon
        key = s.keys[a]
        # "لتحرير المدينة", "للتصدي لأي هجوم": in order to (but "تعرضت لغارات" is a passive frame)
        purpose = role == "territory" and key[:1] == "ل" and len(key) > 4 \
            and not any(has(lex.passive, s.keys, i) for i in range(max(0, a - 2), a))
        window = range(max(0, a - MODALITY_WINDOW), a)
        for name in MODALITY_ORDER:
            table = lex.modality.get(name, frozenset())
            if any(has(table, s.keys, i) for i in window):
                return VOICE.get(name, name)
        if has(lex.modality.get("purpose", frozenset()), s.keys, a):
            return "purpose"  # "للتصدي لأي هجوم"
        if a + 1 < len(s.keys) and has(lex.modality.get("upcoming", frozenset()), s.keys, a + 1):
            return "future"  # "الهجوم القادم"
        # سـ + present verb: "سيتم", "ستقصف"; not the stems listed in not_future ("سيطرة", "سيارات")
        stems = tuple(w[0] for w in lex.modality.get("not_future", frozenset()))
        for i in window:
            k = s.keys[i]
            k = k[1:] if k[:1] in "وف" and len(k) > 4 else k
            if len(k) > 3 and k[0] == "س" and k[1] in "يتن" and not k.startswith(stems):
                return "future"
        if key[:1] == "س" and len(key) > 4 and key[1] in "يتن" and not key.startswith(stems):
            return "future"
        if purpose:
            return "purpose"
        if has_any(lex.modality.get("unconfirmed", frozenset()), s.keys, a + 1):
            return "uncertain"  # "... في سرت، لم يتسن التأكد منها"
        return "asserted"

    def names_campaign(self, s: Sentence, h: TriggerHit) -> bool:
        """A territorial word naming an operation or campaign: "عملية استعادة سرت"، "معركة تحرير طرابلس"."""
        return h.trigger.role == "territory" and h.start > 0 and \
            has(self.lexicon.modality.get("campaign", frozenset()), s.keys, h.start - 1) > 0

    def generic_fighting(self, s: Sentence, h: TriggerHit) -> bool:
        """A general word for the war ("المعركة الآن بين ..."، "عن القتال") that no verb says broke out."""
        generic = self.lexicon.modality.get("generic_fighting", frozenset())
        if h.end - h.start != 1 or not any((r,) in generic for r in strip_proclitics(s.keys[h.start])):
            return False
        occurrence = self.lexicon.modality.get("occurrence", frozenset())
        return not any(has(occurrence, s.keys, i) for i in range(max(0, h.start - 3), h.start))

    def long_running(self, s: Sentence, b: int) -> bool:
        """"يخوضون معارك ... منذ أكثر من عام"، "اندلعت منذ أكتوبر 2014": a war described, not a development."""
        durations = self.lexicon.modality.get("durations", frozenset())
        for k in range(b, min(len(s.keys), b + LONG_RUNNING_REACH)):
            if s.keys[k] in self.lexicon.clause_breaks or s.keys[k] in ("،", ",", "."):
                return False
            if strip_proclitics(s.keys[k])[-1] == "منذ":
                after = s.tokens[k].end
                dated = any(m.get("type") == "DATE" and 0 <= m["span"][0] - after <= 12 for m in s.mentions)
                return dated or any(has(durations, s.keys, j) for j in range(k + 1, min(len(s.keys), k + 4)))
        return False

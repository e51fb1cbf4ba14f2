"""Step 1, triggers: the words of a sentence that report an event, found in the lexicon.

The default step matches the lexicon's forms on token keys (proclitics stripped from the first
word, longest form first; a single word also with its pronoun or subject suffix stripped, and a
listed verb in the present tense: :mod:`rasid.events.morphology`) and skips the phrases listed
in ``not_triggers`` ("محاور القتال").
Replace it through :class:`rasid.events.EventCoder`'s ``steps={"triggers": ...}`` with any object
that has ``find(sentence) -> list[TriggerHit]``.
"""

from __future__ import annotations

from rasid.events.lexicon import Lexicon
from rasid.events.model import Sentence, TriggerHit, has
from rasid.events.morphology import suffix_readings
from rasid.text.tokens import strip_proclitics

__all__ = ["LexiconTriggers"]


class LexiconTriggers:
    """Triggers of a sentence from the lexicon's surface forms."""

    name = "triggers"

    def __init__(self, lexicon: Lexicon, actors=None):
        self.lexicon = lexicon

    def find(self, s: Sentence) -> list[TriggerHit]:
        """Return the triggers of `s` in text order (the highest-ranked entry where forms coincide)."""
        lex = self.lexicon
        found = []
        i = 0
        while i < len(s.keys):
            blocked = has(lex.not_triggers, s.keys, i)
            if blocked:
                i += blocked
                continue
            hit = None
            for n in range(min(lex.max_words, len(s.keys) - i), 0, -1):
                rest = tuple(s.keys[i + 1:i + n])
                for first in strip_proclitics(s.keys[i]):
                    trigs = lex.triggers.get((first, *rest))
                    if trigs:
                        hit = TriggerHit(i, i + n, max(trigs, key=lambda t: t.rank))
                        break
                if hit:
                    break
            if hit is None:  # "استهدفتها"، "سيطروا": a listed word with a pronoun or subject suffix
                for first in strip_proclitics(s.keys[i]):
                    trigs = next((lex.triggers[(r,)] for r in suffix_readings(first) if (r,) in lex.triggers), None)
                    if trigs:
                        hit = TriggerHit(i, i + 1, max(trigs, key=lambda t: t.rank))
                        break
            if hit:
                trig = hit.trigger
                window = s.keys[:hit.start]
                referenced = trig.requires_any and s.keys[hit.start][:1] == "ل"  # "دعم للمبادرة": named, not announced
                if not referenced and (not trig.requires_any
                                       or any(r in trig.requires_any for k in window for r in strip_proclitics(k))):
                    found.append(hit)
                i = hit.end
            else:
                i += 1
        return found

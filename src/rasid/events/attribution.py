"""Step 4d, attribution: who the sentence says is speaking, and on which side.

"المتحدث باسم قوات الوفاق محمد قنونو" speaks without a speech verb; otherwise the words after a
speech verb or "وفقا لـ" up to the lexicon's stop words name the speaker (a person by his canonical
name). A sentence that goes on quoting ("وأضاف أن") keeps the last speaker, and a speaker named again
("وقال أقعيم") keeps the side he was first given. Replace it with any object that has
``speaker(sentence)`` and ``continues(sentence)``.
"""

from __future__ import annotations

from rasid.events.lexicon import Lexicon
from rasid.events.model import Sentence, Speaker, has
from rasid.events.roles import actor_of, clean_actor
from rasid.text.normalize import match_key
from rasid.text.tokens import strip_proclitics

__all__ = ["LexiconAttribution", "known_side"]

SPOKESMAN_REACH = 8  # tokens after "المتحدث باسم" that may hold the side and the name
SPEAKER_WORDS = 7  # tokens after a speech verb that may name the speaker


class LexiconAttribution:
    """Speakers from the lexicon's speech verbs, "according to" phrases and spokesman titles."""

    name = "attribution"

    def __init__(self, lexicon: Lexicon, actors):
        self.lexicon = lexicon
        self.actors = actors

    def _side(self, s: Sentence, inside: list[dict]) -> tuple[dict | None, dict | None]:
        for m in inside:
            actor = actor_of(self.actors, self.lexicon, m)
            if actor:
                return clean_actor(actor), m
        return None, None

    def speaker(self, s: Sentence) -> Speaker | None:
        """Who the sentence says is speaking: its name as written (persons by canonical name) and side."""
        lex = self.lexicon
        for i in range(len(s.keys)):
            n = has(lex.spokesman, s.keys, i)
            if n:  # "المتحدث باسم قوات الوفاق محمد قنونو"
                a = s.tokens[i].start
                end = min(len(s.tokens), i + n + SPOKESMAN_REACH)
                b = s.tokens[end - 1].end
                inside = [m for m in s.mentions if a <= m["span"][0] < b]
                person = next((m for m in inside if m["type"] == "PERS"), None)
                actor, side_mention = self._side(s, inside)
                if person or actor:
                    name = person["name"] if person else s.words(i, i + n + 3)
                    named = s.mention_evidence(person, "claimant") if person else \
                        s.evidence(i, min(len(s.tokens), i + n + 3), "claimant")
                    return Speaker(name, actor, (a, b), s.start, named,
                                   s.mention_evidence(side_mention, "actor") if side_mention else None)
        for i in range(len(s.keys)):
            n = has(lex.speech, s.keys, i) or has(lex.according, s.keys, i)
            if not n:
                continue
            j = k = i + n
            while k < len(s.keys) and k - j < SPEAKER_WORDS and s.keys[k] not in lex.stop \
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
            name = person["name"] if person else s.words(j, k)
            named = s.mention_evidence(person, "claimant") if person else s.evidence(j, k, "claimant")
            actor, side_mention = self._side(s, inside)
            return Speaker(name, actor, (a, b), s.start, named,
                           s.mention_evidence(side_mention, "actor") if side_mention else None)
        return None

    def continues(self, s: Sentence) -> bool:
        """A sentence that goes on quoting the last speaker ("وأضاف أن"، "وأكد أن")."""
        return bool(s.keys) and has(self.lexicon.speech, s.keys, 0) > 0


def known_side(sides: dict[str, tuple[dict, object]], name: str):
    """The camp (and its evidence) of a speaker named before in the document, by full or family name."""
    key = match_key(name)
    if key in sides:
        return sides[key]
    if " " not in key:
        found = {k: v for k, v in sides.items() if k.rsplit(" ", 1)[-1] == key}
        if len(found) == 1:
            return next(iter(found.values()))
    return None

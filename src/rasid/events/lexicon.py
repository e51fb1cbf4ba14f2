"""The trigger lexicon (``events/data/triggers.yaml``) and its word lists, matched on token keys."""

from __future__ import annotations

from functools import cache

from rasid.events.model import Trigger
from rasid.events.morphology import present_forms
from rasid.text.normalize import match_key, match_words

__all__ = ["Lexicon", "DEFAULT_TRIGGERS"]

DEFAULT_TRIGGERS = "events/data/triggers.yaml"


def _keyset(words) -> frozenset[tuple[str, ...]]:
    return frozenset(k for k in map(match_words, words) if k)


class Lexicon:
    """The trigger lexicon and its word lists, matched on token keys."""

    def __init__(self, data: dict):
        self.triggers: dict[tuple[str, ...], list[Trigger]] = {}
        inflected: dict[tuple[str, ...], list[Trigger]] = {}
        for t in data["triggers"]:
            trig = Trigger(t["id"], t["event_type"], t["sub_event_type"], int(t.get("rank", 5)), t.get("role", "other"),
                           t.get("kind", "any"), frozenset(match_key(w) for w in t.get("requires_any", ())))
            for form in t["forms"]:
                key = match_words(form)
                if key:
                    self.triggers.setdefault(key, []).append(trig)
                if trig.kind == "verb" and len(key) == 1:  # "سيطر": also "يسيطر"، "تسيطر" (rasid.events.morphology)
                    for present in present_forms(key[0]):
                        inflected.setdefault((present,), []).append(trig)
        for key, trigs in inflected.items():  # a listed form wins over an inflected one
            self.triggers.setdefault(key, trigs)
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
        self.no_casualties = _keyset(cas.get("none", ()))
        for name in ("units", "killed", "wounded", "killed_dual", "not_dead", "year_words", "subset", "period",
                     "period_spans", "period_phrases", "vague"):
            setattr(self, name, _keyset(cas.get(name, ())))
        # single words that place an actor or a place in the clause (matching keys)
        words = data.get("argument_words", {})
        self.additive = _keyset(words.get("additive", ()))
        self.destinations = frozenset(match_key(w) for w in words.get("destinations", ()))
        for name in ("target_markers", "affiliation", "doer_verbs", "noun_context", "clause_breaks",
                     "place_prepositions", "onset_verbs", "force_heads"):
            setattr(self, name, frozenset(match_key(w, keep_punctuation=True) or w for w in words.get(name, ())))

    @classmethod
    def from_data(cls, path: str | None = None) -> Lexicon:
        return _lexicon(str(path or DEFAULT_TRIGGERS))


@cache
def _lexicon(path: str) -> Lexicon:
    from rasid.events.taxonomy import load_triggers

    return Lexicon(load_triggers(path))  # validated: a bad user copy is one error naming file and line

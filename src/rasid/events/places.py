"""Step 4a, place: where the event happened, among the places the clause names.

The default step prefers a place the clause introduces with a preposition ("في"، "بـ"), after the
trigger, a town over a region, close to the trigger; it leaves out landmarks after a compass word
("سبها ... جنوب طرابلس"), places inside a military title ("آمر عمليات سرت") and in a background
clause ("بعد أن انسحبت من ترهونة"); a withdrawal is placed where it was left, not where the
force went. Without a place of its own the event takes the last place the article named, then a
country. Replace it with any object that has ``locate(...) -> (location dict, mention) | None``.
"""

from __future__ import annotations

from pathlib import Path

from rasid.events.lexicon import Lexicon
from rasid.events.model import Clause, Sentence, has
from rasid.text.tokens import strip_proclitics

__all__ = ["LexiconPlaces", "LearnedPlaces", "follows", "location_of"]


def follows(s: Sentence, char: int, table) -> bool:
    """Whether the token at character `char` follows one of `table`'s phrases (within two tokens)."""
    i = s.tok_index(char)
    return any(has(table, s.keys, j) and j + has(table, s.keys, j) >= i - 1 for j in range(max(0, i - 3), i))


class LexiconPlaces:
    """The event's place from the clause's geocoded mentions and the lexicon's place words."""

    name = "places"

    def __init__(self, lexicon: Lexicon, actors=None):
        self.lexicon = lexicon

    def locate(self, s: Sentence, clause: Clause, last_place: dict | None, doc_places: list[dict],
               speaker_span: tuple[int, int] | None = None) -> tuple[dict, dict] | None:
        """Return (location, the mention it came from), or None when nothing places the event."""
        a, b, lo, hi = clause.hit.start, clause.hit.end, clause.lo, clause.hi
        places, secondary = self.scene_places(s, a, hi, speaker_span)
        if clause.hit.trigger.role == "withdraw":  # "فروا من مطار المدينة إلى منطقة الجفرة": where it was left
            def towards(m) -> bool:
                i = s.tok_index(m["span"][0])
                return i > b and strip_proclitics(s.keys[i - 1])[-1] in self.lexicon.destinations
            places = [m for m in places if not towards(m)]
            secondary = [m for m in secondary if not towards(m)]
        clause_places = [m for m in places if lo <= s.tok_index(m["span"][0]) < hi]
        places = clause_places or places or secondary
        if places:
            trig_at = s.tokens[a].start
            lex = self.lexicon

            def score(m) -> float:
                i = s.tok_index(m["span"][0])
                prev = s.keys[i - 1] if i > 0 else ""
                own = strip_proclitics(s.keys[i])
                introduced = prev in lex.place_prepositions or strip_proclitics(prev)[-1] in lex.place_prepositions \
                    or s.keys[i][:1] in "بل" and len(own) > 1
                return (2 * introduced + (m["span"][0] >= trig_at) + 0.25 * (m.get("place_kind") in ("town", "city"))
                        - 0.15 * abs(i - a))

            m = max(places, key=score)
            source = "sentence"
        elif last_place is not None and not self._elsewhere(s, lo, hi, last_place):
            m, source = last_place, "context"
        else:
            countries = [m for m in s.mentions if m.get("place_kind") == "country"]
            same_article = [m for m in doc_places if m.get("segment", s.segment) == s.segment
                            and not s.start <= m["span"][0] < s.end]  # this sentence's were weighed above
            m = countries[0] if countries else (same_article[0] if same_article else None)
            source = "context"
        if m is None:
            return None
        return location_of(m, source), m

    def _countries_named(self, s: Sentence, lo: int, hi: int) -> set[str]:
        """The countries the clause places something in ("في سوريا"، "بسوريا")."""
        return {m.get("country") for m in s.mentions if m.get("place_kind") == "country"
                and lo <= s.tok_index(m["span"][0]) < hi and _introduced(s, self.lexicon, s.tok_index(m["span"][0]))}

    def _elsewhere(self, s: Sentence, lo: int, hi: int, place: dict) -> bool:
        """Whether the clause says the event is in a country other than `place`'s ("قصفت المقاتلات التركية
        مواقع لداعش في سوريا" after a paragraph about Ankara): the earlier place does not stand in."""
        named = self._countries_named(s, lo, hi)
        return bool(named) and place.get("country") not in named

    def scene_places(self, s: Sentence, a: int = 0, hi: int | None = None,
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
        at = {id(m): s.tok_index(m["span"][0]) for m in places}
        landmarks = {id(m) for m in places if follows(s, m["span"][0], lex.get("directions", frozenset()))
                     and any(o is not m and 0 < at[id(m)] - at[id(o)] <= 12 for o in places)}
        cut = next((i for i in range(a + 1, hi) if has(lex.get("background_clause", frozenset()), s.keys, i)), None)
        military = lex.get("military_titles", frozenset())
        civil = lex.get("place_titles", frozenset())
        primary, secondary = [], []
        for m in places:
            if id(m) in landmarks or (cut is not None and at[id(m)] >= cut) or follows(s, m["span"][0], military):
                continue
            if follows(s, m["span"][0], civil) or (speaker_span and speaker_span[0] <= m["span"][0] < speaker_span[1]):
                secondary.append(m)
            else:
                primary.append(m)
        return primary, secondary


class LearnedPlaces(LexiconPlaces):
    """Ranks every place the article names for a candidate event with learned weights.

    The candidates are the sentence's places and the other places of the same article; what is
    weighed (:meth:`features`): in the sentence or how far from it, inside the clause, before or
    after the trigger and how far, introduced by a preposition, a destination or an origin (by the
    trigger's role), what the lexicon step would leave out (a landmark after a compass word, a
    place in a title or a background clause) or weigh less (in a civil title or the speaker's
    words), the place's kind and precision, whether a finer place stands beside it, how often and
    how early the article names it. The weights are trained with the judge's
    (``rasid train-events``, section ``places`` of the model file). Without a place in the
    article, the event takes a country as the lexicon step does.
    """

    def __init__(self, lexicon: Lexicon, actors=None, model=None):
        super().__init__(lexicon, actors)
        from rasid.errors import LexiconError
        from rasid.events.judge import DEFAULT_MODEL, load_model

        self.model = model if model is not None and not isinstance(model, str | Path) else load_model(model, "places")
        if self.model is None:
            raise LexiconError(str(model or DEFAULT_MODEL), None, "the model file has no place-ranking weights")

    def locate(self, s: Sentence, clause: Clause, last_place: dict | None, doc_places: list[dict],
               speaker_span: tuple[int, int] | None = None) -> tuple[dict, dict] | None:
        options = self.options(s, clause, doc_places, speaker_span)
        if not options:
            return super().locate(s, clause, last_place, doc_places, speaker_span)
        m, f = max(options, key=lambda o: self.model.score(o[1]))
        return location_of(m, "sentence" if f.get("in_sentence") else "context"), m

    def options(self, s: Sentence, clause: Clause, doc_places: list[dict],
                speaker_span: tuple[int, int] | None = None) -> list[tuple[dict, dict[str, float]]]:
        """Every place the event may have happened in, with its features."""
        a, b, lo, hi = clause.hit.start, clause.hit.end, clause.lo, clause.hi
        primary, secondary = self.scene_places(s, a, hi, speaker_span)
        here = [m for m in s.mentions if m.get("lat") is not None and m.get("place_kind") != "country"]
        there = [m for m in doc_places if m.get("segment", s.segment) == s.segment and not s.start <= m["span"][0] < s.end]
        counts: dict[str, int] = {}
        for m in doc_places:
            counts[m.get("id")] = counts.get(m.get("id"), 0) + 1
        first_id = doc_places[0].get("id") if doc_places else None
        lex, role = self.lexicon, clause.hit.trigger.role
        finest = min((m.get("geo_precision") or 3 for m in here), default=3)
        out = []
        seen: set = set()
        for m in here:
            i = s.tok_index(m["span"][0])
            prev = s.keys[i - 1] if i > 0 else ""
            root = strip_proclitics(prev)[-1] if prev else ""
            own = strip_proclitics(s.keys[i])
            f = {"in_sentence": 1.0, "in_clause": float(lo <= i < hi), "after_trigger": float(i >= b),
                 "distance": min(abs(i - a), 20) / 20,
                 "introduced": float(prev in lex.place_prepositions or root in lex.place_prepositions
                                     or s.keys[i][:1] in "بل" and len(own) > 1),
                 f"to×{role}": float(i > b and root in lex.destinations),
                 f"from×{role}": float(i > b and root == "من"),
                 "primary": float(m in primary), "secondary": float(m in secondary),
                 "left_out": float(m not in primary and m not in secondary),
                 "finer_beside": float((m.get("geo_precision") or 3) > finest),
                 "dateline": float(i <= 1 and any(t.text in ("-", "–", ":") for t in s.tokens[i + 1:i + 3]))}
            out.append((m, self._common(f, m, counts, first_id)))
            seen.add(m.get("id"))
        for m in there:
            if m.get("id") in seen:
                continue
            seen.add(m.get("id"))
            before = m["span"][0] < s.start
            gap = (s.start - m["span"][1]) if before else (m["span"][0] - s.end)
            f = {"in_sentence": 0.0, "earlier": float(before), "far": min(max(gap, 0), 2000) / 2000}
            out.append((m, self._common(f, m, counts, first_id)))
        return out

    @staticmethod
    def _common(f: dict, m: dict, counts: dict, first_id) -> dict[str, float]:
        f[f"kind={m.get('place_kind')}"] = 1.0
        f[f"precision={m.get('geo_precision')}"] = 1.0
        f["named_often"] = min(counts.get(m.get("id"), 1), 5) / 5
        f["first_place"] = float(m.get("id") == first_id)
        return {k: v for k, v in f.items() if v}


def _introduced(s: Sentence, lex: Lexicon, i: int) -> bool:
    """Whether token i follows a place preposition or carries one ("في سوريا"، "بسوريا")."""
    prev = s.keys[i - 1] if i > 0 else ""
    return prev in lex.place_prepositions or strip_proclitics(prev)[-1] in lex.place_prepositions \
        or s.keys[i][:1] == "ب" and len(strip_proclitics(s.keys[i])[-1]) > 1


def location_of(m: dict, source: str) -> dict:
    """The event's location from a place mention, and whether it came from the sentence or the context."""
    return {"name": m.get("name_en"), "name_ar": m["name"], "name_en": m.get("name_en"), "id": m.get("id"),
            "lat": m["lat"], "lon": m["lon"], "country": m.get("country"), "geo_precision": m.get("geo_precision"),
            "from": source}

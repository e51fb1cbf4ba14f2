"""What a report says that tells one development from another of the same kind: its figures and places.

Two fires in Makkah on one day read alike; their neighbourhoods (حي العزيزية، حي العوالي) and
figures (35 evacuated, 15 rescued) do not. The signals are read cheaply from what clustering already
keeps of a report, its title and its story terms, so a reopened store gives its reports the same
signals: numbers from the title (years left out); towns from the gazetteer over the title and the
first terms, and words written after a town head ("بمحافظة عفيف"); sites inside a town from words
written after a site head ("بحي العوالي", "طريق عرعر"). The heads, the place kinds too wide to count
and the distances are in ``stories/data/signals.yaml``.

Example:
    >>> reader = SignalReader.from_data()
    >>> from rasid.stories.terms import story_terms
    >>> title = "إنقاذ 15 شخصاً من حريق بحي العوالي في مكة"
    >>> s = reader.read(title, story_terms(title))
    >>> sorted(s.numbers), sorted(s.sites), sorted(s.names)
    ([15], ['عوالي'], ['مكه'])
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rasid.errors import LexiconError
from rasid.geo.gazetteer import Place, PlaceGazetteer
from rasid.geo.geocoder import km
from rasid.stories.terms import story_terms
from rasid.text.normalize import match_key
from rasid.text.numbers import read_quantities
from rasid.text.tokens import strip_proclitics

__all__ = ["EntitySignals", "ReportSignals", "SignalReader", "entity_signals", "stored_entity_signals"]

_HEAD_PROCLITICS = ("وب", "فب", "و", "ف", "ب")


@dataclass(frozen=True)
class ReportSignals:
    """The figures and places of one report."""

    numbers: frozenset = frozenset()
    places: tuple[Place, ...] = ()  # gazetteer towns
    names: frozenset[str] = frozenset()  # the town words themselves (gazetteer hits and headed names)
    sites: frozenset[str] = frozenset()  # neighbourhoods, villages, roads: words after a site head
    words: frozenset[str] = frozenset()  # the title's and lead's story terms, to look a site up in


@dataclass(frozen=True)
class EntitySignals:
    """What the entity and event layers found in one report: who, where, and what happened.

    Read from the stored entity and event rows of the report's segment (:func:`entity_signals`),
    and stored with the report's story membership (``story_members.signals``) so a reopened store
    compares its reports as the run that assigned them did.
    """

    people: frozenset[str] = frozenset()  # actor dictionary ids, or the names' matching keys
    places: tuple[tuple[str, float | None, float | None], ...] = ()  # (id or name key, lat, lon), towns and finer
    events: frozenset[str] = frozenset()  # ACLED sub-event types

    def to_json(self) -> dict:
        """The compact form the store keeps."""
        return {"people": sorted(self.people), "places": [list(p) for p in self.places], "events": sorted(self.events)}

    @classmethod
    def from_json(cls, data: dict | None) -> EntitySignals | None:
        """Back from :meth:`to_json` (None stays None: a report stored before entities were read)."""
        if not data:
            return None
        return cls(frozenset(data.get("people", ())), tuple((p[0], p[1], p[2]) for p in data.get("places", ())),
                   frozenset(data.get("events", ())))


def entity_signals(start: int, end: int, entities: list[dict], events: list[dict],
                   wide_kinds: frozenset[str]) -> EntitySignals:
    """The people, places (towns and finer: `wide_kinds` are too wide to tell two developments apart)
    and event sub-types of the entity and event rows whose span starts in ``[start, end)``.

    Example:
        >>> rows = [{"span": [0, 4], "type": "PERS", "name": "خليفة حفتر", "id": None},
        ...         {"span": [9, 12], "type": "LOC", "name": "سرت", "id": "ly:sirte", "lat": 31.2, "lon": 16.6,
        ...          "place_kind": "town"},
        ...         {"span": [20, 25], "type": "LOC", "name": "ليبيا", "id": "ly", "place_kind": "country"}]
        >>> s = entity_signals(0, 100, rows, [{"span": [0, 30], "sub_event_type": "Armed clash"}],
        ...                    frozenset({"country", "region", "governorate"}))
        >>> sorted(s.people), s.places, sorted(s.events)
        (['خليفه حفتر'], (('ly:sirte', 31.2, 16.6),), ['Armed clash'])
    """
    people, places = set(), {}
    for r in entities:
        if not start <= r["span"][0] < end:
            continue
        if r.get("type") == "PERS":
            people.add(r.get("id") or match_key(r.get("name") or r.get("text") or ""))
        elif r.get("type") == "LOC" and r.get("place_kind") not in wide_kinds:
            key = r.get("id") or match_key(r.get("name") or r.get("text") or "")
            places.setdefault(key, (key, r.get("lat"), r.get("lon")))
    people.discard("")
    places.pop("", None)
    kinds = {e["sub_event_type"] for e in events if start <= e["span"][0] < end and e.get("sub_event_type")}
    return EntitySignals(frozenset(people), tuple(places[k] for k in sorted(places)), frozenset(kinds))


def stored_entity_signals(store, doc, wide_kinds: frozenset[str]) -> dict[int, EntitySignals | None]:
    """``{segment index: signals}`` of a stored document, from its stored entity and event rows (None for
    every segment when it has none: the layers have not run, or found nothing)."""
    entities = list(store.annotations("entity", doc.doc_id))
    events = list(store.annotations("event", doc.doc_id))
    return {seg.index: entity_signals(seg.start, seg.end, entities, events, wide_kinds) if entities or events
            else None for seg in doc.segments}


class SignalReader:
    """Read :class:`ReportSignals` from a report's title and story terms.

    Args:
        gazetteer: the place gazetteer.
        rules: the mapping of ``stories/data/signals.yaml``.
        common_words: frequent ordinary words, taken as places only when the place is very big.
        source: the rules' file, for error messages.
    """

    def __init__(self, gazetteer: PlaceGazetteer, rules: dict, common_words: frozenset[str] = frozenset(),
                 source: str = "stories/data/signals.yaml"):
        try:
            self.site_heads = frozenset(match_key(h) for h in rules["site_heads"])
            self.town_heads = frozenset(match_key(h) for h in rules["town_heads"])
            self.wide_kinds = frozenset(rules["wide_kinds"])
            self.min_population = int(rules["min_population"])
            self.common_min_population = int(rules["common_word_min_population"])
            self.same_place_km = float(rules["same_place_km"])
            self.lead_terms = int(rules["lead_terms"])
            self.years = (int(rules["years"][0]), int(rules["years"][1]))
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise LexiconError(source, None, f"missing or bad setting ({e!r})") from e
        self.gazetteer = gazetteer
        self.common_words = common_words
        self._places: dict[str, Place | None] = {}
        self._heads: dict[str, str | None] = {}

    @classmethod
    def from_data(cls, path: str | Path | None = None, gazetteer: PlaceGazetteer | None = None) -> SignalReader:
        """Load ``stories/data/signals.yaml`` (or a user's copy), the shipped gazetteer and common words."""
        from rasid.entities.actors import ActorDictionary
        from rasid.resources import load_yaml

        source = str(path or "stories/data/signals.yaml")
        return cls(gazetteer or PlaceGazetteer.from_data(), load_yaml(source), ActorDictionary.from_data().common_words,
                   source)

    def read(self, title: str, terms: list[str]) -> ReportSignals:
        """The signals of a report with this title and these story terms (title first, then body)."""
        low, high = self.years
        numbers = frozenset(q.value for q in read_quantities(title or "")
                            if not q.vague and not low <= q.value <= high)
        places, names, sites = [], set(), set()
        lead = terms[:self.lead_terms]
        # the title's own words keep the short heads (حي) that story terms leave out
        for words in (match_key(title or "").split(), lead):
            for k, word in enumerate(words):
                head = self._head(word)
                nxt = story_terms(words[k + 1]) if head and k + 1 < len(words) else []
                if nxt:
                    (sites if head == "site" else names).add(nxt[0])
                place = self._place(word)
                if place is not None:
                    places.append(place)
                    names.add(word)
        return ReportSignals(numbers, tuple(dict.fromkeys(places)), frozenset(names), frozenset(sites - names),
                             frozenset(lead) | frozenset(story_terms(title or "")))

    def _head(self, word: str) -> str | None:
        """"site" or "town" when the word (proclitics aside) is a place head word.

        Heads can be short (حي), so و ف ب are stripped here however few letters remain (بحي، وبحي).
        """
        if word not in self._heads:
            short = [word[len(p):] for p in _HEAD_PROCLITICS if word.startswith(p) and len(word) > len(p) + 1]
            found = None
            for reading in (*strip_proclitics(word), *short):
                if reading in self.site_heads or reading in self.town_heads:
                    found = "site" if reading in self.site_heads else "town"
                    break
            self._heads[word] = found
        return self._heads[word]

    def _place(self, term: str) -> Place | None:
        """The town a single word names (story terms lose the article: it is tried back)."""
        if term not in self._places:
            found = None
            for key in ((term,), ("ال" + term,)):
                cands = self.gazetteer.candidates(key)
                if cands:
                    best = cands[0]
                    floor = self.common_min_population if term in self.common_words else self.min_population
                    if best.kind not in self.wide_kinds and (best.curated or best.population >= floor):
                        found = best
                    break
            self._places[term] = found
        return self._places[term]

    def same_place(self, a: ReportSignals, b: ReportSignals) -> bool | None:
        """Whether two reports name one place, at the most precise level they give: True, False, or
        None when one of them names none. A site named by either decides: both name it, or the other
        names another site, or names places but never that site; towns decide otherwise."""
        if not ((a.places or a.names or a.sites) and (b.places or b.names or b.sites)):
            return None
        if a.sites and b.sites:
            return bool(a.sites & b.sites)
        if a.sites or b.sites:
            one, other = (a, b) if a.sites else (b, a)
            return bool(one.sites & other.words)
        if a.names & b.names:
            return True
        return any(p.id == q.id or km(p, q) < self.same_place_km for p in a.places for q in b.places)

    def same_entity_place(self, a: EntitySignals, b: EntitySignals) -> bool | None:
        """Whether two reports' entity layers name one town or site (by id, name, or within ``same_place_km``);
        None when one of them names none."""
        if not (a.places and b.places):
            return None
        if {p[0] for p in a.places} & {q[0] for q in b.places}:
            return True
        return any(p[1] is not None and q[1] is not None and km((p[1], p[2]), (q[1], q[2])) < self.same_place_km
                   for p in a.places for q in b.places)

    @staticmethod
    def shared(a: frozenset, b: frozenset) -> bool | None:
        """Whether two reports share one of these keys (people, event types); None when one gives none."""
        return bool(a & b) if a and b else None

    @staticmethod
    def same_numbers(a: ReportSignals, b: ReportSignals) -> bool | None:
        """Whether two reports' titles give a common figure; None when one gives none."""
        return bool(a.numbers & b.numbers) if a.numbers and b.numbers else None

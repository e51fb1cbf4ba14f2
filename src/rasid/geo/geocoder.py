"""Place mentions to coordinates, with ACLED geo_precision and disambiguation by the document.

A name is looked up with proclitics (و ب ل ف ك + ال) stripped from its first word. Among places of
one name, the document decides: a place in the country the document names most (by its country
names and its unambiguous places) wins, then the one nearest the document's other places, then the
gazetteer's order (curated, Libyan, town over hamlet, larger). A name after a head word that says
it is a place ("محافظة أبين", "مدينة زنجبار") is taken even if the tagger missed it. "غرب سرت", "قرب سرت", "على بعد 95 كلم عن مدينة سرت" locate an event *near*
the town: same coordinates, precision 2.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from rasid.geo.gazetteer import Place, PlaceGazetteer
from rasid.resources import load_yaml
from rasid.text.normalize import match_key, match_words
from rasid.text.tokens import proclitic_of, strip_proclitics

__all__ = ["Geocoder", "PlaceMatch", "km"]

# Words before a place name that make the location approximate (ACLED precision 2).
NEAR_WORDS = frozenset({
    "قرب", "بالقرب", "مقربه", "محيط", "ضواحي", "اطراف", "مشارف", "تخوم", "جوار", "حدود",
    "شرق", "غرب", "شمال", "جنوب", "شرقي", "غربي", "شمالي", "جنوبي", "جنوب شرق", "جنوب غرب", "شمال شرق",
    "شمال غرب", "كلم", "كم", "كيلومتر", "كيلومترا", "كيلومترات", "ميل", "اميال",
})
# A gazetteer name the tagger did not mark is taken only for places at least this big (or curated).
MIN_UNTAGGED_POPULATION = 50_000
# Words that introduce a place without changing it ("مدينة سرت", "منطقة الوشكة").
PLACE_HEADS = frozenset({"مدينه", "بلده", "قريه", "منطقه", "مناطق", "مدن", "بلدات", "مدينتي", "ولايه",
                         "محافظه", "اقليم", "عاصمه", "ضاحيه", "حي", "مطار", "ميناء", "مديريه", "قضاء", "ناحيه"})
# Head words after which a gazetteer name is a place even untagged ("محافظة الشرقية", "مديرية لودر").
STRONG_HEADS = frozenset({"مدينه", "بلده", "قريه", "ولايه", "محافظه", "مديريه", "قضاء", "ناحيه", "مدينتي"})
# A town's head word: "مدينة زنجبار" is looked up as "زنجبار" when that is a name (the town of the
# document's country, not the one the tables list with its head word).
TOWN_HEADS = frozenset({"مدينه", "بلده", "قريه", "مدينتي"})
# A tagged place name that is also a frequent word (عدن, صنعاء: "common" by frequency) is kept outside the
# document's countries when the tagger marked it this often in the document and the place is this big.
WEAK_REPEATED = 2
WEAK_MIN_POPULATION = 100_000
# ... and kept when the tagger marked exactly that name and it is the display name of a city this big
# (لندن، طهران، بغداد: frequent because the city is in the news), unless it is an ordinary word as well
# (geo/data/ordinary_words.yaml: ميدان، مشهد، سيول). Inside the document's countries a same-named place
# there still wins ("عمان" in a report on Iran and Jordan).
BIG_CITY_POPULATION = 1_000_000


def km(a: Place | tuple[float, float], b: Place | tuple[float, float]) -> float:
    """Great-circle distance in kilometres between two places or (lat, lon) pairs."""
    la1, lo1 = (a.lat, a.lon) if isinstance(a, Place) else a
    la2, lo2 = (b.lat, b.lon) if isinstance(b, Place) else b
    p1, p2 = math.radians(la1), math.radians(la2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


@dataclass
class PlaceMatch:
    """Tokens ``[start, end)`` naming a place; `candidates` best first until resolved."""

    start: int
    end: int
    candidates: list[Place]
    near: bool = False
    tagged: bool = False  # the entity tagger marked it as a location
    weak: bool = False  # also an ordinary word (المدينة، الحي، مفرق): kept only inside the document's countries
    place: Place | None = None
    polity: bool = False  # named as a ruler's domain ("ولي عهد أبو ظبي"): the region, not the town
    proclitic: str = ""  # letters set aside on the first word to find the name ("وبطرابلس": "وب")
    article: bool = False  # the name begins with the article (المفرق, الحي; not عدن)
    big: bool = False  # weak, but the tagged display name of a big city (لندن، طهران): see BIG_CITY_POPULATION

    @property
    def precision(self) -> int:
        if self.polity:
            return 3
        base = self.place.precision if self.place else 3
        return max(base, 2) if self.near else base

    @property
    def located(self) -> Place | None:
        """The resolved place, as a region when it is named as a ruler's domain."""
        if self.place is not None and self.polity and self.place.kind not in ("country", "region"):
            return replace(self.place, kind="region", precision=3)
        return self.place


class Geocoder:
    """Finds and resolves place names in sentences of token keys."""

    def __init__(self, gazetteer: PlaceGazetteer | None = None, common_words: frozenset[str] = frozenset()):
        self.gazetteer = gazetteer or PlaceGazetteer.from_data()
        self.common_words = common_words

    @classmethod
    def default(cls) -> Geocoder:
        from rasid.entities.actors import ActorDictionary

        return cls(PlaceGazetteer.from_data(), ActorDictionary.from_data().common_words)

    def lookup(self, keys: Sequence[str]) -> list[Place]:
        """Places named by these token keys (first one may carry proclitics), best first."""
        return self._lookup(keys)[1]

    def _lookup(self, keys: Sequence[str]) -> tuple[str, list[Place]]:
        """The proclitic letters set aside on the first key, and the places then named."""
        for first in strip_proclitics(keys[0]) if keys else ():
            found = self.gazetteer.candidates((first, *keys[1:]))
            if found:
                return proclitic_of(keys[0], first), found
        return "", []

    def scan(self, keys: Sequence[str], tags: Sequence[str] | None = None) -> list[PlaceMatch]:
        """Place names in a sentence. Untagged single common words (العين، الحرية) are not taken."""
        tags = tags or ["O"] * len(keys)
        out = []
        i, n = 0, len(keys)
        max_words = self.gazetteer.max_words
        starts = self.gazetteer.first_words
        while i < n:
            if not any(w in starts for w in strip_proclitics(keys[i])):
                i += 1  # no place name begins with this word
                continue
            found = None
            named = tags[i].endswith(("PERS", "ORG")) and tags[i].startswith(("B", "I"))
            # a lone word tagged as a person that is a curated place's name ("العاصمة السنغالية دكار")
            alone = tags[i] == "B-PERS" and (i + 1 == n or tags[i + 1] != "I-PERS")
            for j in range(min(n, i + max_words), i, -1):
                if named and not (alone and j == i + 1):
                    continue
                proclitic, cands = self._lookup(keys[i:j])
                if named and not (cands and cands[0].curated):
                    break
                if not cands:
                    continue
                if j - i > 1 and _is_head(keys[i], TOWN_HEADS) and self._lookup(keys[i + 1:j])[1]:
                    break
                tagged = any(t.endswith("LOC") for t in tags[i:j])
                headed = (i > 0 and _is_head(keys[i - 1])) or (j - i > 1 and _is_head(keys[i]))
                weak = tagged and not headed and not cands[0].curated and self._is_common(keys[i:j])
                if not (cands[0].curated or tagged or headed or self._safe_untagged(keys[i:j], cands)):
                    continue
                found = PlaceMatch(i, j, cands, near=self._near(keys, i), tagged=tagged, weak=weak,
                                   big=weak and _big_city_named(keys, tags, i, j, proclitic, cands[0]),
                                   polity=_after_polity_title(keys, i), proclitic=proclitic,
                                   article=keys[i][len(proclitic):].startswith("ال"))
                break
            if found and self._acting(keys, found):
                i = found.end  # "أنقرة ستجري محادثات": the government, not a location
            elif found:
                out.append(found)
                i = found.end
            else:
                i += 1
        return out

    def _acting(self, keys: Sequence[str], m: PlaceMatch) -> bool:
        """Whether a town is the subject of a verb of agency ("واشنطن تحذر", "وحذرت واشنطن"):
        metonymy for its government. Countries, and names after or glued to a preposition
        ("وفي طرابلس أكدت", "بطرابلس"), are places."""
        if m.candidates[0].kind == "country" or m.proclitic.lstrip("وف").startswith(("ب", "ل", "ك")):
            return False
        prev = keys[m.start - 1] if m.start else ""
        if prev in agency_verbs() or (prev[:1] in ("و", "ف") and prev[1:] in agency_verbs()):
            return True  # the verb first, as Arabic mostly has it: "وحذرت واشنطن من ..."
        if m.end >= len(keys) or keys[m.end] not in agency_verbs():
            return False
        if prev in prepositions() or (prev[:1] in ("و", "ف") and prev[1:] in prepositions()):
            return False
        return not m.proclitic.lstrip("وف").startswith(("ب", "ل", "ك"))

    def _is_common(self, keys: Sequence[str]) -> bool:
        return len(keys) == 1 and any(r in self.common_words for r in strip_proclitics(keys[0]))

    def _safe_untagged(self, keys: Sequence[str], cands: Sequence[Place]) -> bool:
        """Take a name the tagger did not mark only if it cannot be an ordinary word and names a
        sizeable or Libyan-listed place."""
        best = cands[0]
        if best.kind == "country":
            return True
        if len(keys) == 1 and any(r in self.common_words or len(r) < 3 for r in strip_proclitics(keys[0])):
            return False
        return best.population >= MIN_UNTAGGED_POPULATION or best.id.startswith("osm:")

    @staticmethod
    def _near(keys: Sequence[str], i: int) -> bool:
        k = i - 1
        while k >= 0 and (keys[k] in PLACE_HEADS or strip_proclitics(keys[k])[-1] in PLACE_HEADS
                          or keys[k] in ("من", "عن", "ل")):
            k -= 1
        if k < 0:
            return False
        prev = keys[k]
        return prev in NEAR_WORDS or strip_proclitics(prev)[-1] in NEAR_WORDS or prev.endswith(("كلم", "كم"))

    def resolve(self, matches: Sequence[PlaceMatch]) -> None:
        """Choose one place per match, using the other matches of the same document as context.

        The document's focus is the countries it names: its country names and its places of one name
        in one country. A weak match (a frequent word the tagger marked: عدن, صنعاء, المدينة) lends
        no focus, and stays unresolved (``place`` None) unless it names a country, or a place of
        that name lies in a main focus country (named at least a third as often as the most named;
        for a word with the article, ordinary nouns mostly: الحي, المفرق, any country the document's
        other places or its country names that are not frequent words set), or
        the tagger marked it `WEAK_REPEATED` times in the document and it names a big place. A
        curated place wins over same-named ones unless they lie in a country the document names more.
        """
        focus: Counter = Counter()  # every country name counts
        strong: Counter = Counter()  # not the weak ones ("الحي": the document must name Iraq otherwise)
        anchors: list[Place] = []
        for m in matches:
            weak = m.weak and not m.big  # a big city's tagged name sets the focus as any other name does
            country = next((p for p in m.candidates if p.kind == "country"), None)
            if country is not None and (m.weak or not m.candidates[0].curated):
                focus[country.country] += 1
                strong[country.country] += not weak
            elif not weak and len({p.country for p in m.candidates}) == 1:
                focus[m.candidates[0].country] += 1
                strong[m.candidates[0].country] += 1
            if not weak and (len({(p.country, p.id) for p in m.candidates}) == 1 or m.candidates[0].curated):
                anchors.append(m.candidates[0])
        repeated = Counter(m.candidates[0].id for m in matches if m.weak and m.tagged)
        top = max(focus.values(), default=0)
        main = Counter({c: n for c, n in focus.items() if 3 * n >= top})
        for m in matches:
            if m.weak:  # a country the word lists also hold (روسيا) is the country
                known = strong if m.article else main
                pool = [p for p in m.candidates if known[p.country] or p.kind == "country"]
                first = m.candidates[0]
                if not pool and (m.big or repeated[first.id] >= WEAK_REPEATED
                                 and first.population >= WEAK_MIN_POPULATION):
                    pool = [first]
                m.place = pool[0] if pool else None
                continue
            if len(m.candidates) == 1:
                m.place = m.candidates[0]
                continue
            best_country = max((focus[p.country] for p in m.candidates), default=0)
            first = m.candidates[0]
            if first.curated and focus[first.country] == best_country:
                m.place = first
                continue
            country = next((p for p in m.candidates if p.kind == "country"), None)
            if country:  # الجزائر, تونس, الكويت: the country unless a curated entry says otherwise
                m.place = country
                continue
            pool = [p for p in m.candidates if focus[p.country] == best_country] if best_country else m.candidates
            if anchors and len(pool) > 1:  # (sorted into a new list: `pool` may be the gazetteer's own)
                pool = sorted(pool, key=lambda p: min(km(p, a) for a in anchors))
            m.place = pool[0]


def _big_city_named(keys: Sequence[str], tags: Sequence[str], i: int, j: int, proclitic: str, place: Place) -> bool:
    """Whether keys[i:j] (less the proclitic) are the display name of a city of BIG_CITY_POPULATION or
    more that is not also an ordinary word, tagged as a place name of exactly those words (not a part of
    a longer one)."""
    if place.kind == "country" or place.population < BIG_CITY_POPULATION:
        return False
    if not tags[i].endswith("LOC") or tags[i].startswith("I") or (j < len(tags) and tags[j].startswith("I")):
        return False
    words = (keys[i][len(proclitic):], *keys[i + 1:j])
    return words == _display_key(place.name_ar) and words not in ordinary_words()


@cache
def _display_key(name: str) -> tuple[str, ...]:
    return match_words(name)


@cache
def ordinary_words() -> frozenset[tuple[str, ...]]:
    """Matching keys of ``geo/data/ordinary_words.yaml`` (editable): ordinary words that name big places."""
    data = load_yaml("geo/data/ordinary_words.yaml") or {}
    return frozenset(match_words(w) for w in data.get("words", []))


@cache
def polity_titles() -> frozenset[tuple[str, ...]]:
    """Matching keys of the titles in ``geo/data/polity_titles.yaml`` (editable)."""
    data = load_yaml("geo/data/polity_titles.yaml") or {}
    return frozenset(tuple(match_key(w) for w in title.split()) for title in data.get("titles", []))


@cache
def _agency_words() -> dict[str, frozenset[str]]:
    """Matching keys of ``geo/data/agency_verbs.yaml`` (editable), read once: its verbs and prepositions."""
    data = load_yaml("geo/data/agency_verbs.yaml") or {}
    return {part: frozenset(match_key(w) for w in data.get(part, [])) for part in ("verbs", "prepositions")}


def agency_verbs() -> frozenset[str]:
    """Verbs whose subject town stands for its government ("أنقرة ستجري")."""
    return _agency_words()["verbs"]


def prepositions() -> frozenset[str]:
    """Words after which a town is a location, whatever verb follows ("وفي طرابلس أكدت")."""
    return _agency_words()["prepositions"]


def _is_head(key: str, heads: frozenset[str] = STRONG_HEADS) -> bool:
    """Whether a word is a head word that makes the next name a place ("محافظة", "وبمدينة"; not
    "المدينة": with the article it names a town already named)."""
    return any(key[k:] in heads for k in range(3) if all(c in "وفبل" for c in key[:k]))


def _after_polity_title(keys: Sequence[str], i: int) -> bool:
    """Whether the words before position `i` end with a ruler's title ("ولي عهد", "أمير")."""
    for title in polity_titles():
        n = len(title)
        if i >= n and all(title[k] in strip_proclitics(keys[i - n + k]) for k in range(n)):
            return True
    return False

"""The canonical actor dictionary and the resolution of name mentions against it.

Mentions are matched on matching keys (folded letters), with proclitics allowed on the first word
and leading titles or ranks removed. Typos are matched only when they keep the word's *rasm* (its
undotted letter skeleton: حقتر and حفتر, وزازة and وزارة) within one edit, and the typed form is
not itself a common word of news text, so real words are never merged into names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from rasid.errors import LexiconError
from rasid.resources import load_actors
from rasid.text.normalize import match_words
from rasid.text.tokens import longest_entry, strip_proclitics

__all__ = ["Actor", "ActorDictionary", "ActorMatch", "Description", "rasm"]

ACTOR_TYPES = frozenset({"person", "force", "organisation", "government", "state", "company", "civilians",
                         "unidentified"})
# ACLED's generic actors: one dictionary entry each, named in an event with the country of its place
# ("Civilians (Iraq)", "Unidentified Armed Group (Yemen)"); never listed among a document's organisations
GENERIC_TYPES = frozenset({"civilians", "unidentified"})
MAX_ALIAS_WORDS = 8

# Letters that differ only by their dots share one skeleton class.
_RASM = str.maketrans({
    **dict.fromkeys("بتثنيى", "ٮ"), **dict.fromkeys("جحخ", "ح"), **dict.fromkeys("دذ", "د"),
    **dict.fromkeys("رز", "ر"), **dict.fromkeys("سش", "س"), **dict.fromkeys("صض", "ص"),
    **dict.fromkeys("طظ", "ط"), **dict.fromkeys("عغ", "ع"), **dict.fromkeys("فق", "ڡ"),
    **dict.fromkeys("هة", "ه"),
})


@lru_cache(maxsize=1 << 16)  # the scan asks for the same words' skeletons over and over
def rasm(key: str) -> str:
    """The undotted skeleton of a matching key.

    Example:
        >>> rasm("حقتر") == rasm("حفتر"), rasm("سرت") == rasm("شرق")
        (True, False)
    """
    return key.translate(_RASM)


@dataclass(frozen=True)
class Actor:
    """One canonical actor."""

    id: str
    type: str
    name_ar: str
    name_en: str
    side: str | None = None
    aliases: tuple[str, ...] = ()
    surname: str | None = None
    leader_of: str | None = None

    @property
    def is_person(self) -> bool:
        return self.type == "person"


@dataclass(frozen=True)
class ActorMatch:
    """A stretch of tokens ``[start, end)`` that names `actor`; `how` is exact, typo or surname."""

    actor: Actor
    start: int
    end: int
    how: str = "exact"


@dataclass(frozen=True)
class Description:
    """Words that name no one ("الجماعات الإرهابية", "مقاتلين إسلاميين") but that, in one area and
    period, reporters and the forces they quote use for one known actor (``described_actors``).

    `places` are Arabic place names of the gazetteer; a mention is in the area when a place of its
    sentence (countries too), or, if the sentence names none, the document's most named town, lies
    within `radius_km` of one of them. `start` and `until` (ISO dates, `until` exclusive) bound the
    article's date.
    """

    words: tuple[str, ...]
    actor_id: str
    places: tuple[str, ...]
    start: str | None = None
    until: str | None = None
    radius_km: float = 40.0

    def in_force(self, when: str) -> bool:
        return _in_window(when, self.start, self.until)


def _in_window(when: str, start: str | None, until: str | None) -> bool:
    """Whether an ISO date lies in [start, until) (either bound may be open)."""
    return (start is None or when >= start) and (until is None or when < until)


@dataclass
class ActorDictionary:
    """Actors by id, their names indexed by matching key and by rasm skeleton."""

    actors: dict[str, Actor]
    titles: tuple[tuple[str, ...], ...] = ()
    common_words: frozenset[str] = frozenset()
    very_common: frozenset[str] = frozenset()
    _exact: dict[tuple[str, ...], str] = field(default_factory=dict, repr=False)
    _skeleton: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = field(default_factory=dict, repr=False)
    dated: tuple[tuple[str, str, str | None, str | None], ...] = ()  # (alias, actor id, from, until)
    _dated: dict[tuple[str, ...], list[tuple[str | None, str | None, str]]] = field(default_factory=dict, repr=False)
    _starts: frozenset[str] = field(default=frozenset(), repr=False)  # first words of names and skeletons
    described: tuple[Description, ...] = ()
    _described: dict[tuple[str, ...], list[Description]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for actor in self.actors.values():
            for name in (actor.name_ar, *actor.aliases):
                words = match_words(name)
                if not words:
                    continue
                if self._exact.get(words, actor.id) != actor.id:
                    raise LexiconError("actors", None, f"name {name!r} is given to both "
                                                      f"{self._exact[words]!r} and {actor.id!r}")
                self._exact[words] = actor.id
                self._skeleton.setdefault(tuple(map(rasm, words)), []).append((words, actor.id))
        for alias, actor_id, start, until in self.dated:
            words = match_words(alias)
            if actor_id not in self.actors:
                raise LexiconError("actors", None, f"dated alias {alias!r}: {actor_id!r} is not an actor id")
            if words in self._exact:
                raise LexiconError("actors", None, f"dated alias {alias!r} is also an alias of {self._exact[words]!r}")
            self._dated.setdefault(words, []).append((start, until, actor_id))
        self._starts = frozenset(w[0] for w in (*self._exact, *self._dated)) | {w[0] for w in self._skeleton}
        for row in self.described:
            if row.actor_id not in self.actors:
                raise LexiconError("actors", None, f"described_actors: {row.actor_id!r} is not an actor id")
            if row.words in self._exact or row.words in self._dated:
                raise LexiconError("actors", None, f"described_actors: {' '.join(row.words)!r} is a name "
                                                  "of an actor already; a description must name no one")
            self._described.setdefault(row.words, []).append(row)

    @classmethod
    def from_data(cls, path: str | Path | None = None) -> ActorDictionary:
        """Load ``entities/data/actors.yaml`` or a user's copy of it."""
        return _load(str(path) if path else "entities/data/actors.yaml")

    def __len__(self) -> int:
        return len(self.actors)

    def get(self, actor_id: str) -> Actor | None:
        return self.actors.get(actor_id)

    def names(self) -> Iterable[tuple[str, Actor]]:
        """Every Arabic name and alias with its actor."""
        for actor in self.actors.values():
            for name in (actor.name_ar, *actor.aliases):
                yield name, actor

    def is_misspelt_word(self, key: str) -> bool:
        """True if a one-word key is not itself a known word but one dotted letter away from a very
        common one (وزازة for وزارة): tagged as a name, it is far more likely a typing slip."""
        readings = strip_proclitics(key)
        if not self.very_common or any(r in self.common_words for r in readings):
            return False
        index = self.__dict__.get("_rasm_index")
        if index is None:
            index = {}
            for w in self.very_common:
                index.setdefault(rasm(w), []).append(w)
            self.__dict__["_rasm_index"] = index
        return any(Levenshtein.distance(r, w) == 1 for r in readings for w in index.get(rasm(r), ()))

    def strip_title(self, keys: Sequence[str]) -> int:
        """How many leading keys of a name are titles or ranks (which may carry proclitics)."""
        i = 0
        changed = True
        while changed and i < len(keys):
            changed = False
            for title in self.titles:
                n = len(title)
                if i + n <= len(keys) and title[0] in strip_proclitics(keys[i]) and tuple(keys[i + 1:i + n]) == title[1:]:
                    i += n
                    changed = True
                    break
        return i

    def lookup(self, keys: Sequence[str], *, typos: bool = True, when: str | None = None) -> tuple[Actor, str] | None:
        """The actor a whole name (token keys, first one possibly with proclitics) refers to.

        `when` (an ISO date, the article's) resolves names whose referent changed over time
        (``dated_aliases``); without it those names stay unresolved.
        """
        for first in strip_proclitics(keys[0]) if keys else ():
            words = (first, *keys[1:])
            actor_id = self._exact.get(words)
            if actor_id:
                return self.actors[actor_id], "exact"
            if when and words in self._dated:
                for start, until, dated_id in self._dated[words]:
                    if _in_window(when, start, until):
                        return self.actors[dated_id], "exact"
        if not typos:
            return None
        for first in strip_proclitics(keys[0]) if keys else ():
            words = (first, *keys[1:])
            found = self._typo(words)
            if found:
                return self.actors[found], "typo"
        return None

    def _typo(self, words: tuple[str, ...]) -> str | None:
        candidates = self._skeleton.get(tuple(map(rasm, words)), ())
        hits = set()
        for known, actor_id in candidates:
            edits = sum(Levenshtein.distance(a, b) for a, b in zip(words, known, strict=True))
            changed = [w for w, k in zip(words, known, strict=True) if w != k]
            if edits <= (1 if sum(map(len, words)) < 10 else 2) and not any(w in self.common_words for w in changed):
                hits.add(actor_id)
        return hits.pop() if len(hits) == 1 else None

    def scan(self, keys: Sequence[str], when: str | None = None) -> list[ActorMatch]:
        """Longest non-overlapping mentions of known actors in a sentence of token keys (`when`: the
        article's date, for names whose referent changed over time)."""
        out = []
        i, n = 0, len(keys)
        while i < n:
            if not any(w in self._starts or rasm(w) in self._starts for w in strip_proclitics(keys[i])):
                i += 1  # no name (nor a name's skeleton) begins with this word
                continue
            best = None
            for j in range(min(n, i + MAX_ALIAS_WORDS), i, -1):
                found = self.lookup(keys[i:j], typos=True, when=when)
                if found:
                    best = ActorMatch(found[0], i, j, found[1])
                    break
            if best:
                out.append(best)
                i = best.end
            else:
                i += 1
        return out

    def descriptions(self, keys: Sequence[str], when: str) -> list[tuple[int, int, list[Description]]]:
        """Longest non-overlapping descriptions ``(start, end, rows in force)`` in a sentence of token
        keys (first word possibly with proclitics), for an article of date `when` (ISO)."""
        table, longest = self._described_at(when)
        out = []
        i = 0
        while i < len(keys):
            found = longest_entry(table, keys, i, max_words=longest) if table else None
            if found:
                out.append((i, i + found[1], table[found[0]]))
                i += found[1]
            else:
                i += 1
        return out

    def _described_at(self, when: str) -> tuple[dict[tuple[str, ...], list[Description]], int]:
        """The descriptions in force on one day and their longest length in words (articles share
        their days, so each day's table is built once)."""
        cache = self.__dict__.setdefault("_described_cache", {})
        if when not in cache:
            if len(cache) > 4096:
                cache.clear()
            table = {words: kept for words, rows in self._described.items()
                     if (kept := [r for r in rows if r.in_force(when)])}
            cache[when] = table, max(map(len, table), default=0)
        return cache[when]


@cache
def _load(path: str) -> ActorDictionary:
    data = load_actors(path)  # checked against the schema, with file and line on error
    if not isinstance(data, dict) or not isinstance(data.get("actors"), list):
        raise LexiconError(path, None, "expected a mapping with an 'actors' list")
    actors: dict[str, Actor] = {}
    for n, entry in enumerate(data["actors"], 1):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name_ar"):
            raise LexiconError(path, None, f"actor #{n} needs at least 'id' and 'name_ar'")
        if entry["id"] in actors:
            raise LexiconError(path, None, f"actor id {entry['id']!r} is used twice")
        kind = entry.get("type", "organisation")
        if kind not in ACTOR_TYPES:
            raise LexiconError(path, None, f"actor {entry['id']!r}: type {kind!r} is not one of {sorted(ACTOR_TYPES)}")
        actors[entry["id"]] = Actor(
            id=str(entry["id"]), type=kind, name_ar=entry["name_ar"], name_en=entry.get("name_en") or entry["id"],
            side=entry.get("side"), aliases=tuple(entry.get("aliases") or ()), surname=entry.get("surname"),
            leader_of=entry.get("leader_of"))
    for actor in actors.values():
        if actor.leader_of and actor.leader_of not in actors:
            raise LexiconError(path, None, f"actor {actor.id!r}: leader_of {actor.leader_of!r} is not an actor id")
    titles = tuple(sorted({match_words(t) for t in data.get("titles") or () if match_words(t)}, key=len, reverse=True))
    dated = []
    for row in data.get("dated_aliases") or ():
        if not isinstance(row, dict) or not row.get("alias") or not row.get("actor"):
            raise LexiconError(path, None, f"dated_aliases entry {row!r} needs 'alias' and 'actor'")
        dated.append((row["alias"], row["actor"], _iso(row.get("from")), _iso(row.get("until"))))
    described = []
    for row in data.get("described_actors") or ():
        if not isinstance(row, dict) or not row.get("actor") or not row.get("words") or not row.get("places"):
            raise LexiconError(path, None, f"described_actors entry {row!r} needs 'actor', 'words' and 'places'")
        for words in row["words"]:
            key = match_words(words)
            if key:
                described.append(Description(key, row["actor"], tuple(row["places"]), _iso(row.get("from")),
                                             _iso(row.get("until")), float(row.get("radius_km", 40))))
    return ActorDictionary(actors, titles, *_common_words(), dated=tuple(dated), described=tuple(described))


def _iso(value) -> str | None:
    """A YAML date (parsed or not) as an ISO string, for comparing with publication dates."""
    return None if value is None else str(value)[:10]


def _common_words() -> tuple[frozenset[str], frozenset[str]]:
    """Words too frequent in news text to be taken for a misspelt name (in 1 in 1,000 articles of the
    story background table), and the very common ones (1 in 60)."""
    from rasid.stories.terms import TermWeights

    weights = TermWeights.from_data()
    floor = max(30, weights.background_docs // 1000)
    high = max(300, weights.background_docs // 60)
    return (frozenset(t for t, c in weights.background.items() if c >= floor),
            frozenset(t for t, c in weights.background.items() if c >= high))

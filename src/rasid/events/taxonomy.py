"""ACLED's event taxonomy, read from ``events/data/event_types.yaml``, and the trigger lexicon's schema.

Code never types an ACLED name: it asks the taxonomy by key (``taxonomy.by_key("strategic")`` is
the name of ACLED's strategic developments) or by tag (``taxonomy.tagged("territory")``).

Example:
    >>> tax = Taxonomy.load()
    >>> battles = tax.by_key("battles")
    >>> tax.disorder_type(battles), tax.sub_event_types(battles)[0] == tax.by_key("armed_clash")
    ('Political violence', True)
    >>> tax.verb_en(tax.by_key("air_drone_strike"))
    'carried out an air/drone strike against'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rasid.resources import YamlLines, check_keys, check_list, check_unique, load_yaml_lines, require_mapping

__all__ = ["Taxonomy", "EventType", "SubEventType", "load_triggers", "validate_triggers"]

TAXONOMY_FILE = "events/data/event_types.yaml"
TRIGGERS_FILE = "events/data/triggers.yaml"

_SECTIONS = frozenset({"disorder_types", "event_types", "unknown_verb_en", "tags", "actor_types"})
_DISORDER_KEYS = frozenset({"key", "name"})
_EVENT_KEYS = frozenset({"key", "name", "disorder", "colour", "sub_event_types"})
_SUB_EVENT_KEYS = frozenset({"key", "name", "verb_en", "transitive", "tags"})
_ACTOR_TYPE_KEYS = frozenset({"code", "key", "name"})


@dataclass(frozen=True)
class SubEventType:
    """One ACLED sub-event type."""

    key: str
    name: str
    event_type: str
    verb_en: str
    transitive: bool = False
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EventType:
    """One ACLED event type and its sub-event types, in codebook order."""

    key: str
    name: str
    disorder_type: str
    colour: str
    sub_event_types: tuple[str, ...]


class Taxonomy:
    """ACLED's disorder, event and sub-event types and actor type codes, validated on load."""

    def __init__(self, disorder_types: tuple[str, ...], event_types: dict[str, EventType],
                 sub_event_types: dict[str, SubEventType], actor_types: dict[int, str], *,
                 keys: dict[str, str], unknown_verb_en: str, tags: frozenset[str] = frozenset()):
        self.disorder_types = disorder_types
        self._events = event_types
        self._subs = sub_event_types
        self.actor_types = actor_types
        self._keys = keys
        self.unknown_verb_en = unknown_verb_en
        self.tags = tags

    @classmethod
    def load(cls, path: str | Path | None = None) -> Taxonomy:
        """The shipped taxonomy, or a copy at `path` (cached per path).

        Raises:
            LexiconError: the file breaks its schema (see :func:`_build`), naming file and line.
        """
        return _load(str(path or TAXONOMY_FILE))

    # -- names ----------------------------------------------------------------------------------
    @property
    def event_types(self) -> tuple[str, ...]:
        """Event type names in codebook order."""
        return tuple(self._events)

    @property
    def all_sub_event_types(self) -> tuple[str, ...]:
        """Every sub-event type name, grouped by event type in codebook order."""
        return tuple(self._subs)

    def by_key(self, key: str) -> str:
        """The ACLED name of a disorder, event, sub-event or actor type by its key in the YAML.

        Raises:
            KeyError: no type has that key (a typo in code, not in data).
        """
        return self._keys[key]

    def tagged(self, tag: str) -> frozenset[str]:
        """Sub-event types carrying `tag`, e.g. ``"territory"``.

        Raises:
            KeyError: the tag is not declared in the YAML's ``tags`` (a typo in code).
        """
        if tag not in self.tags:
            raise KeyError(tag)
        return frozenset(s.name for s in self._subs.values() if tag in s.tags)

    # -- lookups --------------------------------------------------------------------------------
    def event_type(self, name: str) -> EventType:
        """The event type called `name` (KeyError if none)."""
        return self._events[name]

    def sub_event_type(self, name: str) -> SubEventType:
        """The sub-event type called `name` (KeyError if none)."""
        return self._subs[name]

    def sub_event_types(self, event_type: str) -> tuple[str, ...]:
        """The sub-event types of an event type, in codebook order (KeyError if unknown)."""
        return self._events[event_type].sub_event_types

    def event_type_of(self, sub_event_type: str) -> str:
        """The event type a sub-event type belongs to (KeyError if unknown)."""
        return self._subs[sub_event_type].event_type

    def disorder_type(self, event_type: str) -> str:
        """The disorder type of an event type, or ``""`` for a name the taxonomy does not know."""
        found = self._events.get(event_type)
        return found.disorder_type if found else ""

    def verb_en(self, sub_event_type: str | None) -> str:
        """The English predicate of a sub-event type's notes (``unknown_verb_en`` if unknown)."""
        found = self._subs.get(sub_event_type or "")
        return found.verb_en if found else self.unknown_verb_en

    def colour(self, event_type: str, default: str = "#999999") -> str:
        """The map and chart colour of an event type (`default` if unknown)."""
        found = self._events.get(event_type)
        return found.colour if found else default

    def colours(self) -> dict[str, str]:
        """Event type name -> colour, in codebook order."""
        return {e.name: e.colour for e in self._events.values()}

    def is_valid(self, event_type: str, sub_event_type: str | None) -> bool:
        """Whether `sub_event_type` is one of `event_type`'s (or None, and the event type exists)."""
        if event_type not in self._events:
            return False
        return sub_event_type is None or sub_event_type in self._events[event_type].sub_event_types

    def actor_type(self, code: int) -> str:
        """ACLED's name for an inter code, e.g. 7 -> ``"Civilians"`` (KeyError if unknown)."""
        return self.actor_types[code]

    def interaction(self, inter1: int, inter2: int | None = None) -> int:
        """ACLED's interaction code: the two actors' inter codes, smaller first; one actor alone is ``code*10``.

        Example:
            >>> tax = Taxonomy.load()
            >>> tax.interaction(7, 1), tax.interaction(2)
            (17, 20)
        """
        for code in (inter1, inter2):
            if code is not None and code not in self.actor_types:
                raise ValueError(f"inter code must be one of {sorted(self.actor_types)}, got {code!r}")
        if not inter2:
            return inter1 * 10
        low, high = sorted((inter1, inter2))
        return low * 10 + high


@cache
def _load(path: str) -> Taxonomy:
    data, lines = load_yaml_lines(path)
    return _build(data, lines)


def _build(data: Any, lines: YamlLines) -> Taxonomy:
    """Validate the taxonomy file and build its :class:`Taxonomy`.

    Raises:
        LexiconError: an empty file, an unknown or missing key, a key or name used twice, an event
            type whose disorder type is not listed, a sub-event type under two event types, a
            missing verb phrase, a colour not ``#RRGGBB`` or a tag not declared under ``tags``.
    """
    what = "event taxonomy (events/data/event_types.yaml)"
    data = require_mapping(data, lines, what=what, allowed=_SECTIONS,
                           required=("disorder_types", "event_types", "unknown_verb_en", "actor_types"))
    declared = data.get("tags") or {}
    if not isinstance(declared, dict):
        raise lines.error(("tags",), f"tags must be a mapping of tag -> meaning, got {declared!r}")
    keys: dict[str, str] = {}
    key_paths: list[tuple[str, tuple]] = []
    name_paths: list[tuple[str, tuple]] = []

    def named(entry: dict, where: tuple, allowed: frozenset[str], required: tuple[str, ...], kind: str) -> str:
        check_keys(entry, lines, where, allowed=allowed, required=required, what=kind)
        for field in ("key", "name"):
            if not isinstance(entry[field], str):
                raise lines.error((*where, field), f"{kind} {field} must be text, got {entry[field]!r}")
        keys[entry["key"]] = entry["name"]
        key_paths.append((entry["key"], (*where, "key")))
        return entry["name"]

    disorders: dict[str, str] = {}
    for i, entry in enumerate(check_list(data["disorder_types"], lines, ("disorder_types",), what="disorder_types",
                                         of=dict)):
        disorders[entry.get("key")] = named(entry, ("disorder_types", i), _DISORDER_KEYS, ("key", "name"),
                                            "disorder type")
    events: dict[str, EventType] = {}
    subs: dict[str, SubEventType] = {}
    for i, entry in enumerate(check_list(data["event_types"], lines, ("event_types",), what="event_types", of=dict)):
        where = ("event_types", i)
        name = named(entry, where, _EVENT_KEYS, tuple(sorted(_EVENT_KEYS)), "event type")
        name_paths.append((name, (*where, "name")))
        if entry["disorder"] not in disorders:
            raise lines.error((*where, "disorder"), f"event type {name!r}: disorder {entry['disorder']!r} is not a "
                                                    f"disorder_types key ({', '.join(disorders)})")
        colour = entry["colour"]
        if not (isinstance(colour, str) and len(colour) == 7 and colour[0] == "#"
                and all(c in "0123456789abcdefABCDEF" for c in colour[1:])):
            raise lines.error((*where, "colour"), f"event type {name!r}: colour must be #RRGGBB, got {colour!r}")
        names = []
        for j, sub in enumerate(check_list(entry["sub_event_types"], lines, (*where, "sub_event_types"),
                                           what=f"{name} sub_event_types", of=dict)):
            at = (*where, "sub_event_types", j)
            sub_name = named(sub, at, _SUB_EVENT_KEYS, ("key", "name", "verb_en"), f"sub-event type of {name!r}")
            if sub_name in subs:
                raise lines.error((*at, "name"), f"sub-event type {sub_name!r} is listed under both "
                                                 f"{subs[sub_name].event_type!r} and {name!r}; keep it under one")
            if not isinstance(sub["verb_en"], str):
                raise lines.error((*at, "verb_en"), f"sub-event type {sub_name!r}: verb_en must be text")
            tags = check_list(sub.get("tags") or [], lines, (*at, "tags"), what=f"{sub_name} tags")
            for k, tag in enumerate(tags):
                if tag not in declared:
                    raise lines.error((*at, "tags", k), f"sub-event type {sub_name!r}: tag {tag!r} is not declared "
                                                        f"under tags ({', '.join(declared)})")
            if not isinstance(sub.get("transitive", False), bool):
                raise lines.error((*at, "transitive"), f"sub-event type {sub_name!r}: transitive must be true or false")
            subs[sub_name] = SubEventType(sub["key"], sub_name, name, sub["verb_en"], bool(sub.get("transitive")),
                                          frozenset(tags))
            name_paths.append((sub_name, (*at, "name")))
            names.append(sub_name)
        events[name] = EventType(entry["key"], name, disorders[entry["disorder"]], colour, tuple(names))
    if not isinstance(data["unknown_verb_en"], str):
        raise lines.error(("unknown_verb_en",), "unknown_verb_en must be text")
    actor_types: dict[int, str] = {}
    for i, entry in enumerate(check_list(data["actor_types"], lines, ("actor_types",), what="actor_types", of=dict)):
        actor_types_name = named(entry, ("actor_types", i), _ACTOR_TYPE_KEYS, ("code", "key", "name"), "actor type")
        code = entry["code"]
        if isinstance(code, bool) or not isinstance(code, int) or not 1 <= code <= 9:
            raise lines.error(("actor_types", i, "code"), f"actor type code must be a digit 1-9, got {code!r}")
        if code in actor_types:
            raise lines.error(("actor_types", i, "code"), f"actor type code {code} is used twice")
        actor_types[code] = actor_types_name
    check_unique(key_paths, lines, what="key")
    check_unique(name_paths, lines, what="event or sub-event type name")
    return Taxonomy(tuple(disorders.values()), events, subs, actor_types, keys=keys,
                    unknown_verb_en=data["unknown_verb_en"], tags=frozenset(declared))


# -- the trigger lexicon's schema --------------------------------------------------------------------
TRIGGERS_SECTIONS = frozenset({"triggers", "not_triggers", "passive", "perspective_terms", "argument_words", "cues",
                               "civilian_words", "government_sides", "side_forces", "modality", "attribution",
                               "casualties", "diacritized"})
TRIGGER_KEYS = frozenset({"id", "event_type", "sub_event_type", "rank", "role", "kind", "forms", "requires_any"})
TRIGGER_REQUIRED = ("id", "event_type", "sub_event_type", "forms")
TRIGGER_ROLES = frozenset({"attack", "territory", "withdraw", "other"})
TRIGGER_KINDS = frozenset({"verb", "noun", "any"})
ARGUMENT_WORDS = frozenset({"target_markers", "affiliation", "doer_verbs", "noun_context", "clause_breaks",
                            "place_prepositions", "onset_verbs", "additive", "destinations", "force_heads"})
ATTRIBUTION_KEYS = frozenset({"spokesman", "verbs", "prepositions", "stop", "own_forces"})
CASUALTY_KEYS = frozenset({"killed_dual", "killed", "wounded", "units", "none", "not_dead", "year_words", "subset",
                           "period", "period_spans", "period_phrases", "vague"})
_WORD_LISTS = ("not_triggers", "passive", "civilian_words", "government_sides")
_GROUPS_OF_LISTS = {"argument_words": ARGUMENT_WORDS, "attribution": ATTRIBUTION_KEYS, "casualties": CASUALTY_KEYS,
                    "modality": None, "cues": None}


def validate_triggers(data: Any, lines: YamlLines, *, taxonomy: Taxonomy | None = None) -> dict:
    """Check a trigger lexicon (``events/data/triggers.yaml`` or a user's copy) and return it.

    Raises:
        LexiconError: naming the file and line of the first problem: an empty file, an unknown
            section or key, a trigger without id/event_type/sub_event_type/forms, an event and
            sub-event type pair the taxonomy does not have, an unknown role or kind, a trigger id
            used twice, or a cue for an unknown sub-event type.
    """
    tax = taxonomy or Taxonomy.load()
    what = "trigger lexicon (events/data/triggers.yaml)"
    data = require_mapping(data, lines, what=what, allowed=TRIGGERS_SECTIONS, required=("triggers",))
    triggers = check_list(data["triggers"], lines, ("triggers",), what="triggers", of=dict)
    for i, t in enumerate(triggers):
        where = ("triggers", i)
        label = f"trigger {t.get('id') or '#' + str(i + 1)!r}"
        check_keys(t, lines, where, allowed=TRIGGER_KEYS, required=TRIGGER_REQUIRED, what=label)
        if t["event_type"] not in tax.event_types:
            raise lines.error((*where, "event_type"), f"{label}: event_type {t['event_type']!r} is not an ACLED event "
                                                      f"type ({', '.join(tax.event_types)})")
        if not tax.is_valid(t["event_type"], t["sub_event_type"]):
            raise lines.error((*where, "sub_event_type"), f"{label}: sub_event_type {t['sub_event_type']!r} is not one "
                                                          f"of {t['event_type']!r}'s "
                                                          f"({', '.join(tax.sub_event_types(t['event_type']))})")
        for key, allowed in (("role", TRIGGER_ROLES), ("kind", TRIGGER_KINDS)):
            if key in t and t[key] not in allowed:
                raise lines.error((*where, key), f"{label}: {key} {t[key]!r} is not one of {', '.join(sorted(allowed))}")
        if "rank" in t and (isinstance(t["rank"], bool) or not isinstance(t["rank"], int)):
            raise lines.error((*where, "rank"), f"{label}: rank must be a whole number, got {t['rank']!r}")
        check_list(t["forms"], lines, (*where, "forms"), what=f"{label} forms")
        check_list(t.get("requires_any") or [], lines, (*where, "requires_any"), what=f"{label} requires_any")
    check_unique([(t["id"], ("triggers", i, "id")) for i, t in enumerate(triggers)], lines, what="trigger id")
    for section in _WORD_LISTS:
        if section in data:
            check_list(data[section], lines, (section,), what=section)
    for section, allowed in _GROUPS_OF_LISTS.items():
        group = data.get(section)
        if group is None:
            continue
        if not isinstance(group, dict):
            raise lines.error((section,), f"{section} must be a mapping of word lists, got {group!r}")
        for name, words in group.items():
            if allowed is not None and name not in allowed:
                check_keys(group, lines, (section,), allowed=allowed, what=section)
            if section == "cues" and name not in tax.all_sub_event_types:
                raise lines.error((section, name), f"cues: {name!r} is not an ACLED sub-event type")
            check_list(words, lines, (section, name), what=f"{section} {name}")
    for side, entry in (data.get("perspective_terms") or {}).items():
        check_keys(entry, lines, ("perspective_terms", side), allowed=frozenset({"other", "words"}),
                   required=("other", "words"), what=f"perspective_terms {side!r}")
        check_list(entry["words"], lines, ("perspective_terms", side, "words"), what=f"perspective_terms {side!r} words")
    side_forces = data.get("side_forces") or {}
    if not isinstance(side_forces, dict):
        raise lines.error(("side_forces",), f"side_forces must be a mapping of side -> actor id, got {side_forces!r}")
    return data


def load_triggers(path: str | Path | None = None) -> dict:
    """Load and check a trigger lexicon: the shipped one, or a user's copy at `path`.

    Returns the parsed YAML (the same dict :func:`rasid.resources.load_yaml` gives), cached per path.

    Raises:
        LexiconError: the file is missing, not YAML, or breaks the schema (see :func:`validate_triggers`).

    Example:
        >>> data = load_triggers()
        >>> Taxonomy.load().is_valid(data["triggers"][0]["event_type"], data["triggers"][0]["sub_event_type"])
        True
    """
    return _load_triggers(str(path or TRIGGERS_FILE))


@cache
def _load_triggers(path: str) -> dict:
    data, lines = load_yaml_lines(path)
    return validate_triggers(data, lines)

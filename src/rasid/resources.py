"""Loading and validation of the data files Rasid ships (and users edit).

Every YAML data file is validated on load: text must be NFC, hold no Arabic presentation
forms, and (unless it declares ``diacritized: true``) no tatweel or harakat in keys.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from rasid.errors import LexiconError
from rasid.text import letters as L

__all__ = ["load_yaml", "load_yaml_lines", "YamlLines", "validate_text", "data_path", "load_actors", "load_places",
           "validate_actors", "validate_places"]


def data_path(relative: str) -> Path:
    """Return the installed path of a shipped data file, e.g. ``clean/data/boilerplate.yaml``."""
    return Path(str(resources.files("rasid").joinpath(relative)))


def validate_text(text: str, path: str, *, diacritized: bool = False) -> None:
    """Raise :class:`LexiconError` on the first line of `text` that breaks a data-file rule."""
    for n, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0] if not line.lstrip().startswith(("'", '"')) else line
        if unicodedata.normalize("NFC", line) != line:
            raise LexiconError(path, n, "text is not NFC; re-save it normalised (unicodedata.normalize('NFC', ...))")
        for ch in body:
            if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefe":
                raise LexiconError(path, n, f"Arabic presentation form U+{ord(ch):04X}; type the plain letter instead")
            if not diacritized and (ch == L.TATWEEL or ch in L.DIACRITICS):
                raise LexiconError(path, n, f"tatweel or harakat U+{ord(ch):04X} in a key; remove it "
                                            "(or declare 'diacritized: true')")


def load_yaml(relative_or_path: str | Path) -> Any:
    """Load and validate a YAML data file: a shipped one by relative name, or a user's by path."""
    return _load_yaml_cached(str(_resolve(relative_or_path)))


@cache
def _load_yaml_cached(path: str) -> Any:
    text = _read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LexiconError(path, mark.line + 1 if mark else None, f"invalid YAML: {exc}") from exc
    diacritized = isinstance(data, dict) and bool(data.get("diacritized"))
    validate_text(text, path, diacritized=diacritized)
    return data


class YamlLines:
    """The 1-based line of every mapping key and list item of a YAML file, by key path.

    A key path is the keys and list indexes from the top, e.g. ``("triggers", 3, "role")``.
    :meth:`of` falls back to the longest recorded prefix, so a missing key is reported at the line
    of the entry that lacks it.

    Example:
        >>> lines = YamlLines("t.yaml", {("a",): 1, ("a", 0): 2})
        >>> lines.of("a", 0, "id"), lines.of("b")
        (2, 1)
    """

    def __init__(self, path: str, lines: dict[tuple, int]):
        self.path = path
        self.lines = lines

    def of(self, *keypath: Any) -> int:
        """Line of `keypath`, or of its longest recorded prefix (line 1 when none is recorded)."""
        for n in range(len(keypath), 0, -1):
            line = self.lines.get(tuple(keypath[:n]))
            if line is not None:
                return line
        return 1

    def error(self, keypath: Sequence[Any], reason: str) -> LexiconError:
        """A :class:`LexiconError` naming this file and the line of `keypath` (to be raised)."""
        return LexiconError(self.path, self.of(*keypath), reason)


def load_yaml_lines(relative_or_path: str | Path) -> tuple[Any, YamlLines]:
    """Load and validate a YAML data file as :func:`load_yaml` does, with the line of each key and item.

    Also rejects a key given twice in one mapping (plain YAML keeps the last silently), at the line
    of the second.

    Raises:
        LexiconError: the file is missing, not UTF-8, not YAML, breaks a text rule, or repeats a key.

    Example:
        >>> data, lines = load_yaml_lines("events/data/event_types.yaml")
        >>> data["event_types"][0]["key"], lines.of("event_types", 0) > 1
        ('battles', True)
    """
    return _load_yaml_lines_cached(str(_resolve(relative_or_path)))


def _resolve(relative_or_path: str | Path) -> Path:
    path = Path(relative_or_path)
    if not path.is_absolute() and not path.exists():
        path = data_path(str(relative_or_path))
    return path


@cache
def _load_yaml_lines_cached(path: str) -> tuple[Any, YamlLines]:
    text = _read_text(path)
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
            lines: dict[tuple, int] = {}
            if node is not None:
                _record_lines(loader, node, (), lines, path, set())
            data = loader.construct_document(node) if node is not None else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise LexiconError(path, mark.line + 1 if mark else None, f"invalid YAML: {exc}") from exc
    finally:
        loader.dispose()
    diacritized = isinstance(data, dict) and bool(data.get("diacritized"))
    validate_text(text, path, diacritized=diacritized)
    return data, YamlLines(path, lines)


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _record_lines(loader: yaml.SafeLoader, node: yaml.Node, keypath: tuple, lines: dict[tuple, int],
                  path: str, active: set[int]) -> None:
    """Record the line of each key and item under `node`; raise on a key repeated in one mapping."""
    if id(node) in active:  # a recursive alias: its lines are those of the anchor
        return
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # "<<: *defaults": the merged keys keep their anchor's lines
                continue
            key = loader.construct_object(key_node, deep=True)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: YAML itself refuses it on construction
                repeated = False
            line = key_node.start_mark.line + 1
            if repeated:
                raise LexiconError(path, line, f"key {key!r} appears twice in one mapping; keep one")
            lines.setdefault(keypath + (key,), line)
            _record_lines(loader, value_node, keypath + (key,), lines, path, active)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.setdefault(keypath + (i,), item.start_mark.line + 1)
            _record_lines(loader, item, keypath + (i,), lines, path, active)
    active.discard(id(node))


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LexiconError(path, None, "file not found") from exc
    except IsADirectoryError as exc:
        raise LexiconError(path, None, "is a directory, not a data file") from exc
    except UnicodeDecodeError as exc:
        raise LexiconError(path, None, f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc


# -- schema checks for the files users copy and edit ------------------------------------------------
EMPTY_FILE = "the file holds no data (it is empty or only comments); start from a copy of the shipped {what}"


def require_mapping(data: Any, lines: YamlLines, *, what: str, allowed: set[str] | frozenset[str],
                    required: Sequence[str] = ()) -> dict:
    """Check that a file's top level is a non-empty mapping with known keys, and return it.

    Raises:
        LexiconError: the file is empty, is not a mapping, has an unknown key or lacks a required one.
    """
    if data is None:
        raise lines.error((), EMPTY_FILE.format(what=what))
    if not isinstance(data, dict):
        raise lines.error((), f"expected a mapping of sections ({', '.join(sorted(allowed))}), "
                              f"got a {type(data).__name__}")
    check_keys(data, lines, (), allowed=allowed, required=required, what=f"the top level of {what}")
    return data


def check_keys(entry: Any, lines: YamlLines, keypath: tuple, *, allowed: set[str] | frozenset[str],
               required: Sequence[str] = (), what: str) -> dict:
    """Check that `entry` (found at `keypath`) is a mapping with known keys and the required ones.

    Raises:
        LexiconError: at the entry's line when it is not a mapping or lacks a key; at the key's
            line when a key is unknown (with the closest known key as a suggestion).
    """
    if not isinstance(entry, dict):
        raise lines.error(keypath, f"{what} must be a mapping ({', '.join(required or sorted(allowed))}), "
                                   f"got {entry!r}")
    for key in entry:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise lines.error((*keypath, key), f"unknown key {key!r} in {what}; {hint}"
                                               f"known keys: {', '.join(sorted(allowed))}")
    for key in required:
        if entry.get(key) in (None, "", [], {}):
            raise lines.error(keypath, f"{what} needs {key!r}")
    return entry


def check_list(value: Any, lines: YamlLines, keypath: tuple, *, what: str, of: type | tuple = str) -> list:
    """Check that `value` is a list whose items are of type `of` (strings by default)."""
    if not isinstance(value, list):
        raise lines.error(keypath, f"{what} must be a list, got {value!r}")
    for i, item in enumerate(value):
        if not isinstance(item, of) or isinstance(item, bool):
            raise lines.error((*keypath, i), f"{what}: item {item!r} must be a {_type_names(of)}")
    return value


def check_unique(ids: Sequence[tuple[Any, tuple]], lines: YamlLines, *, what: str) -> None:
    """Raise at the second occurrence of any id; `ids` pairs each id with its key path."""
    first: dict[Any, tuple] = {}
    for value, keypath in ids:
        if value in first:
            raise lines.error(keypath, f"{what} {value!r} is used twice (first at line "
                                       f"{lines.of(*first[value])}); ids must be unique")
        first[value] = keypath


def _type_names(of: type | tuple) -> str:
    names = {str: "string", int: "whole number", float: "number", dict: "mapping", list: "list"}
    kinds = of if isinstance(of, tuple) else (of,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


ACTORS_SECTIONS = frozenset({"titles", "dated_aliases", "described_actors", "actors", "diacritized"})
ACTOR_KEYS = frozenset({"id", "type", "name_ar", "name_en", "side", "aliases", "surname", "leader_of"})
ACTOR_REQUIRED = ("id", "type", "name_ar")
DATED_ALIAS_KEYS = frozenset({"alias", "actor", "from", "until"})
DESCRIBED_ACTOR_KEYS = frozenset({"actor", "words", "places", "from", "until", "radius_km"})


def validate_actors(data: Any, lines: YamlLines) -> dict:
    """Check an actor dictionary (``entities/data/actors.yaml`` or a user's copy) and return it.

    Raises:
        LexiconError: naming the file and line of the first problem: an empty file, an unknown
            section or key, a missing id/type/name_ar, an unknown actor type, an id used twice,
            or a reference to an id the file does not define.
    """
    from rasid.entities.actors import ACTOR_TYPES

    what = "actor dictionary (entities/data/actors.yaml)"
    data = require_mapping(data, lines, what=what, allowed=ACTORS_SECTIONS, required=("actors",))
    check_list(data.get("titles") or [], lines, ("titles",), what="titles")
    actors = check_list(data["actors"], lines, ("actors",), what="actors", of=dict)
    for i, entry in enumerate(actors):
        where = ("actors", i)
        check_keys(entry, lines, where, allowed=ACTOR_KEYS, required=ACTOR_REQUIRED,
                   what=f"actor {entry.get('id') or '#' + str(i + 1)!r}")
        for key in ("id", "name_ar", "name_en", "side", "surname", "leader_of"):
            if entry.get(key) is not None and not isinstance(entry[key], str):
                raise lines.error((*where, key), f"actor {entry['id']!r}: {key} must be text, got {entry[key]!r}")
        if entry["type"] not in ACTOR_TYPES:
            raise lines.error((*where, "type"), f"actor {entry['id']!r}: type {entry['type']!r} is not one of "
                                                f"{', '.join(sorted(ACTOR_TYPES))}")
        check_list(entry.get("aliases") or [], lines, (*where, "aliases"), what=f"actor {entry['id']!r} aliases")
    check_unique([(e["id"], ("actors", i)) for i, e in enumerate(actors)], lines, what="actor id")
    ids = {e["id"] for e in actors}
    for i, entry in enumerate(actors):
        if entry.get("leader_of") and entry["leader_of"] not in ids:
            raise lines.error(("actors", i, "leader_of"), f"actor {entry['id']!r}: leader_of "
                                                          f"{entry['leader_of']!r} is not an actor id of this file")
    for section, allowed, required in (("dated_aliases", DATED_ALIAS_KEYS, ("alias", "actor")),
                                       ("described_actors", DESCRIBED_ACTOR_KEYS, ("actor", "words", "places"))):
        rows = check_list(data.get(section) or [], lines, (section,), what=section, of=dict)
        for i, row in enumerate(rows):
            check_keys(row, lines, (section, i), allowed=allowed, required=required, what=f"{section} entry")
            if row["actor"] not in ids:
                raise lines.error((section, i, "actor"), f"{section}: {row['actor']!r} is not an actor id of this file")
            for key in ("words", "places"):
                if key in row:
                    check_list(row[key], lines, (section, i, key), what=f"{section} {key}")
    return data


PLACES_SECTIONS = frozenset({"places", "diacritized"})
PLACE_KEYS = frozenset({"id", "name_en", "lat", "lon", "country", "kind", "precision", "ar", "part_of"})
PLACE_REQUIRED = ("id", "name_en", "lat", "lon", "country", "ar")
GEO_PRECISIONS = (1, 2, 3)  # ACLED geo_precision: town, part of / near, region


def validate_places(data: Any, lines: YamlLines) -> dict:
    """Check curated place aliases (``geo/data/aliases.yaml`` or a user's copy) and return them.

    Raises:
        LexiconError: naming the file and line of the first problem: an empty file, an unknown
            section or key, a missing field, a kind or precision ACLED does not use, coordinates
            out of range, or an id used twice.
    """
    from rasid.geo.gazetteer import KIND_PRECISION

    what = "place aliases (geo/data/aliases.yaml)"
    data = require_mapping(data, lines, what=what, allowed=PLACES_SECTIONS, required=("places",))
    places = check_list(data["places"], lines, ("places",), what="places", of=dict)
    for i, entry in enumerate(places):
        where = ("places", i)
        check_keys(entry, lines, where, allowed=PLACE_KEYS, required=PLACE_REQUIRED,
                   what=f"place {entry.get('id') or '#' + str(i + 1)!r}")
        name = entry["id"]
        for key in ("id", "name_en", "country", "kind", "part_of"):
            if entry.get(key) is not None and not isinstance(entry[key], str):
                raise lines.error((*where, key), f"place {name!r}: {key} must be text, got {entry[key]!r}")
        for key, bound in (("lat", 90), ("lon", 180)):
            value = entry[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
                raise lines.error((*where, key), f"place {name!r}: {key} must be a number in [-{bound}, {bound}], "
                                                 f"got {value!r}")
        if len(entry["country"]) != 2 or not entry["country"].isupper():
            raise lines.error((*where, "country"), f"place {name!r}: country must be an ISO 3166 alpha-2 code "
                                                   f"such as LY, got {entry['country']!r}")
        if entry.get("kind") is not None and entry["kind"] not in KIND_PRECISION:
            raise lines.error((*where, "kind"), f"place {name!r}: kind {entry['kind']!r} is not one of "
                                                f"{', '.join(sorted(KIND_PRECISION))}")
        if entry.get("precision") is not None and entry["precision"] not in GEO_PRECISIONS:
            raise lines.error((*where, "precision"), f"place {name!r}: precision must be 1, 2 or 3, "
                                                     f"got {entry['precision']!r}")
        check_list(entry["ar"], lines, (*where, "ar"), what=f"place {name!r} ar")
    check_unique([(e["id"], ("places", i)) for i, e in enumerate(places)], lines, what="place id")
    return data


def load_actors(relative_or_path: str | Path) -> dict:
    """Load and check an actor dictionary; see :func:`validate_actors`."""
    data, lines = load_yaml_lines(relative_or_path)
    return validate_actors(data, lines)


def load_places(relative_or_path: str | Path) -> dict:
    """Load and check curated place aliases; see :func:`validate_places`."""
    data, lines = load_yaml_lines(relative_or_path)
    return validate_places(data, lines)

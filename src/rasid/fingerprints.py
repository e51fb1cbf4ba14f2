"""Fingerprints of stored layers: what made each document's cleaning, entities and events.

A stored layer is current when the fingerprint recorded with it equals the one a run with the
same data files would record now; otherwise it is stale and ``rasid analyze`` redoes it. Every
fingerprint is computed from file hashes and stored rows only, so ``rasid status`` needs no model.

- **clean** (per run): the package version and the sha256 of every file under ``clean/data`` and
  ``text/data`` (the user's ``--rules``/``--outlets`` copies in place of the shipped ones). Each
  document also keeps the hash of its cleaning *result* (:func:`cleaning_hash`: text, title, date,
  outlet, language, line statuses/rules/roles, segments, sentences), updated when later runs mark
  more of its lines as outlet boilerplate.
- **entity** (per document): the entity global hash (version; the files under ``entities/data``,
  ``geo/data``, ``dates/data``, ``text/data``, ``stories/data``, with ``--places`` in place of
  ``geo/data/aliases.yaml``; the actor dictionary *without* its display names ``name_en`` and
  comments, i.e. only what affects matching), plus the document's cleaning result, plus the full
  records of the actors its entity rows reference (``refs``). Changing one actor's ``name_en``
  therefore makes stale only the documents that mention that actor.
- **event** (per document): the event global hash (version; the files under ``events/data``,
  ``dates/data``, ``text/data``, with ``--triggers`` in place of ``triggers.yaml``; the coder steps
  replaced with ``--event-step``), plus the
  document's entity fingerprint, plus the full records of the referenced actors and of those
  reachable from them (``leader_of``, ``side``, the trigger lexicon's ``side_forces`` and
  ``perspective_terms``), since the event coder labels a person with his side's force.

Documents stored before fingerprints existed have none: they count as stale (the safe choice).

Example:
    >>> fps = LayerFingerprints()
    >>> fps.entity("c0ffee", ["LNA"]) == fps.entity("c0ffee", ["LNA"])
    True
    >>> fps.entity("c0ffee", ["LNA"]) != fps.entity("c0ffee", ["GNA"])
    True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rasid.document import Document
from rasid.errors import LexiconError
from rasid.resources import data_path

__all__ = ["DataFiles", "LayerFingerprints", "LayerStatus", "cleaning_hash", "layer_status", "refs_of",
           "FINGERPRINT_VERSION", "LAYERS"]

FINGERPRINT_VERSION = 1  # bump when the recipe below changes what it hashes: every stored layer becomes stale
LAYERS = ("clean", "entity", "event")
DISPLAY_FIELDS = ("name_en",)  # actor fields no match depends on: they reach only the rows of documents naming it
MAX_CLOSURE_STEPS = 8  # leader_of -> side -> side force chains are two or three long; this bounds a cycle

_SHIPPED = {"actors": "entities/data/actors.yaml", "places": "geo/data/aliases.yaml",
            "triggers": "events/data/triggers.yaml", "rules": "clean/data/boilerplate.yaml",
            "outlets": "clean/data/outlets.yaml", "event_model": "events/data/learned.json",
            "line_model": "clean/data/line_model.json"}
_CLEAN_DIRS = ("clean/data", "text/data")
NO_MODEL = "none"  # --line-model none: the line rules alone
_ENTITY_DIRS = ("entities/data", "geo/data", "dates/data", "text/data", "stories/data")
_EVENT_DIRS = ("events/data", "dates/data", "text/data")
_NOT_DATA = (".md",)  # provenance notes, not read by any stage


@dataclass(frozen=True)
class DataFiles:
    """The data files a run reads; None for a role means the shipped file.

    Example:
        >>> DataFiles().path("actors").name
        'actors.yaml'
    """

    actors: str | Path | None = None
    places: str | Path | None = None
    triggers: str | Path | None = None
    rules: str | Path | None = None
    outlets: str | Path | None = None
    event_model: str | Path | None = None  # the learned event steps' weights (``rasid train-events``)
    line_model: str | Path | None = None  # the learned line model's weights (``rasid train-clean``); "none": rules alone
    min_confidence: float | None = None  # coded events less sure than this are not stored
    event_steps: tuple[tuple[str, str], ...] = ()  # (step, "module:Class") replacing the coder's defaults

    def path(self, role: str) -> Path:
        """The file read for `role` (``actors``, ``places``, ``triggers``, ``rules``, ``outlets``, ``event_model``,
        ``line_model``)."""
        user = getattr(self, role)
        return Path(user) if user else data_path(_SHIPPED[role])

    def overrides(self) -> dict[Path, Path]:
        """``{shipped path: user path}`` of the files the user replaced."""
        return {data_path(_SHIPPED[role]).resolve(): Path(getattr(self, role))
                for role in _SHIPPED if getattr(self, role) and str(getattr(self, role)).lower() != NO_MODEL}


@dataclass
class LayerStatus:
    """Documents of one layer by state: current, stale (made from other inputs) and missing (never made)."""

    layer: str
    current: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def todo(self) -> list[str]:
        """Stale and missing documents, in id order: what a run redoes."""
        return sorted(self.stale + self.missing)

    def counts(self) -> dict[str, int]:
        """``{"current", "stale", "missing"}`` counts."""
        return {"current": len(self.current), "stale": len(self.stale), "missing": len(self.missing)}


class LayerFingerprints:
    """The global fingerprints of a run's data files, and the per-document ones built on them.

    Args:
        files: the user's copies of data files (default: all shipped).

    Raises:
        LexiconError: (when a hash that reads it is first asked for) an actor dictionary or trigger
            lexicon that is not valid YAML; :meth:`validate` reads them all at once.
    """

    def __init__(self, files: DataFiles | None = None):
        from rasid import __version__

        self.files = files or DataFiles()
        self.version = __version__
        self._overrides = self.files.overrides()
        self._head = [str(FINGERPRINT_VERSION), self.version]
        self._closures: dict[tuple[str, ...], tuple[str, ...]] = {}

    # Each global hash is computed when first asked for: a run that only cleans hashes no model.

    @cached_property
    def clean(self) -> str:
        """The clean layer's fingerprint (the same for every document)."""
        special = {}
        if str(self.files.line_model or "").lower() == NO_MODEL:  # the rules alone: no model file is read
            special[data_path(_SHIPPED["line_model"]).resolve()] = NO_MODEL
        return _digest("clean", *self._head, *_hash_dirs(_CLEAN_DIRS, self._overrides, special))

    @cached_property
    def entity_global(self) -> str:
        """The part of every entity fingerprint that does not depend on the document."""
        shipped_actors = data_path(_SHIPPED["actors"])
        # the tagger's features read the shipped dictionary's names; matching reads the run's dictionary
        special = {shipped_actors.resolve(): _matching_hash(_parse_yaml(shipped_actors))}
        return _digest("entity", *self._head, *_hash_dirs(_ENTITY_DIRS, self._overrides, special),
                       "actors", _matching_hash(self._actors_data))

    @cached_property
    def event_global(self) -> str:
        """The part of every event fingerprint that does not depend on the document."""
        steps = [f"step:{name}={spec}" for name, spec in sorted(self.files.event_steps)]
        if self.files.min_confidence is not None:
            steps.append(f"min_confidence={self.files.min_confidence:g}")
        return _digest("event", *self._head, *_hash_dirs(_EVENT_DIRS, self._overrides, {}), *steps)

    @cached_property
    def _actors_data(self) -> dict:
        path = self.files.path("actors")
        data = _parse_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("actors"), list):
            raise LexiconError(str(path), None, "expected a mapping with an 'actors' list")
        return data

    @cached_property
    def _actors(self) -> dict[str, dict]:
        return {str(e["id"]): e for e in self._actors_data["actors"] if isinstance(e, dict) and "id" in e}

    @cached_property
    def actor_records(self) -> dict[str, str]:
        """``{actor id: hash of its full record}`` of the run's actor dictionary."""
        return {actor_id: _digest(_canonical(entry)) for actor_id, entry in self._actors.items()}

    @cached_property
    def _links(self) -> tuple[dict[str, str], dict[str, str]]:
        """The trigger lexicon's ``side_forces`` and ``perspective_terms`` (side -> the other side's force)."""
        triggers = _parse_yaml(self.files.path("triggers"))
        triggers = triggers if isinstance(triggers, dict) else {}
        side_forces = {str(k): str(v) for k, v in (triggers.get("side_forces") or {}).items()}
        perspective = {str(k): str(v.get("other")) for k, v in (triggers.get("perspective_terms") or {}).items()
                       if isinstance(v, dict) and v.get("other")}
        return side_forces, perspective

    def validate(self) -> None:
        """Read every file the fingerprints need now (a bad one raises :class:`LexiconError`)."""
        _ = self.clean, self.entity_global, self.event_global, self.actor_records, self._links

    def entity(self, cleaning: str, refs: Iterable[str]) -> str:
        """The entity fingerprint of a document with cleaning result `cleaning` whose rows reference `refs`."""
        refs = sorted(set(refs))
        return _digest(self.entity_global, cleaning, *(f"{r}={self.actor_records.get(r, '-')}" for r in refs))

    def event(self, entity: str, refs: Iterable[str]) -> str:
        """The event fingerprint of a document with entity fingerprint `entity` and entity `refs`."""
        ids = self.closure(refs)
        return _digest(self.event_global, entity, *(f"{i}={self.actor_records.get(i, '-')}" for i in ids))

    def closure(self, refs: Iterable[str]) -> tuple[str, ...]:
        """`refs` and every actor the event coder may reach from them, sorted.

        Example:
            >>> "LNA" in LayerFingerprints().closure(["Khalifa Haftar"])
            True
        """
        key = tuple(sorted(set(refs)))
        found = self._closures.get(key)
        if found is None:
            side_forces, perspective = self._links
            seen = set(key)
            frontier = set(key)
            for _ in range(MAX_CLOSURE_STEPS):
                nxt = set()
                for ref in frontier:
                    entry = self._actors.get(ref) or {}
                    side = entry.get("side")
                    for other in (entry.get("leader_of"), side, side_forces.get(str(side)),
                                  perspective.get(str(side))):
                        if other and str(other) not in seen:
                            nxt.add(str(other))
                if not nxt:
                    break
                seen |= nxt
                frontier = nxt
            found = self._closures[key] = tuple(sorted(seen))
        return found


def refs_of(rows: Iterable[dict]) -> list[str]:
    """The ids an entity layer's rows depend on: every ``id``, and the English name of countries
    (the event coder finds a state actor by it), sorted.

    Example:
        >>> refs_of([{"id": "LNA", "type": "ORG"}, {"id": "ly:sirte", "type": "LOC", "name_en": "Sirte"},
        ...          {"id": "tr", "type": "LOC", "name_en": "Turkey", "place_kind": "country"}])
        ['LNA', 'Turkey', 'ly:sirte', 'tr']
    """
    out = set()
    for r in rows:
        if r.get("id"):
            out.add(str(r["id"]))
        if r.get("type") == "LOC" and r.get("place_kind") == "country" and r.get("name_en"):
            out.add(str(r["name_en"]))
    return sorted(out)


def cleaning_hash(doc: Document) -> str:
    """The hash of a document's cleaning result: what the entity tagger and event coder read.

    It covers the text, title, date, outlet and language, every line's span, status, rule, role and
    segment, the segments (not their story ids) and the sentences; a document loaded back from the
    store hashes as it did when it was written.
    """
    raw = [doc.text, doc.title, doc.publication_date, doc.outlet, doc.language,
           [(ln.n, ln.start, ln.end, ln.status, ln.segment, ln.rule, ln.role) for ln in doc.lines],
           [(s.index, s.first_line, s.last_line, s.start, s.end, s.title) for s in doc.segments],
           [(s.start, s.end, s.line, s.segment) for s in doc.sentences]]
    return _digest(json.dumps(raw, ensure_ascii=False))


def layer_status(store, fingerprints: LayerFingerprints, layers: Iterable[str] = LAYERS) -> dict[str, LayerStatus]:
    """Which stored documents are current, stale or missing in each layer, for a run with `fingerprints`.

    Clean covers every document; entity and event the Arabic ones (the others get no entities).
    Events are current only when the document's entities are current too.
    """
    layers = tuple(layers)
    out = {}
    clean = store.layer_states("clean")
    if "clean" in layers:
        status = out["clean"] = LayerStatus("clean")
        for doc_id in store.doc_ids():
            state = clean.get(doc_id)
            bucket = status.missing if state is None else status.current if state[0] == fingerprints.clean \
                else status.stale
            bucket.append(doc_id)
    if "entity" not in layers and "event" not in layers:
        return out
    arabic = store.arabic_doc_ids()
    entity_states = store.layer_states("entity")
    current_entities = {}
    entity = LayerStatus("entity")
    for doc_id in arabic:
        state = entity_states.get(doc_id)
        if state is None:
            entity.missing.append(doc_id)
            continue
        cleaned = clean.get(doc_id)
        refs = json.loads(state[2] or "[]")
        if cleaned is not None and state[0] == fingerprints.entity(cleaned[1], refs):
            entity.current.append(doc_id)
            current_entities[doc_id] = (state[0], refs)
        else:
            entity.stale.append(doc_id)
    if "entity" in layers:
        out["entity"] = entity
    if "event" in layers:
        event_states = store.layer_states("event")
        event = out["event"] = LayerStatus("event")
        for doc_id in arabic:
            state = event_states.get(doc_id)
            if state is None:
                event.missing.append(doc_id)
            elif doc_id in current_entities and state[0] == fingerprints.event(*current_entities[doc_id]):
                event.current.append(doc_id)
            else:
                event.stale.append(doc_id)
    return out


def _digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(str(part).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _matching_hash(actors_data) -> str:
    """The actor dictionary with display names removed (comments are gone once parsed)."""
    if not isinstance(actors_data, dict):
        return _digest(_canonical(actors_data))
    entries = [{k: v for k, v in e.items() if k not in DISPLAY_FIELDS} if isinstance(e, dict) else e
               for e in actors_data.get("actors") or ()]
    return _digest(_canonical({**actors_data, "actors": entries}))


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _hash_dirs(dirs: Iterable[str], overrides: dict[Path, Path], special: dict[Path, str]) -> list[str]:
    """``name=sha256`` of every data file under `dirs` (user copies in place of the files they replace)."""
    out = []
    for rel in dirs:
        root = data_path(rel)
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in _NOT_DATA
                           and "__pycache__" not in p.parts):
            name = f"{rel}/{path.relative_to(root).as_posix()}"
            real = path.resolve()
            if real in special:
                out.append(f"{name}={special[real]}")
            else:
                user = overrides.get(real)
                out.append(f"{name}={_file_sha256(user or path)}")
    return out


def _parse_yaml(path: Path):
    """Parse a YAML data file (not cached: a fingerprint must see the file as it is now)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LexiconError(str(path), None, "file not found") from exc
    except UnicodeDecodeError as exc:
        raise LexiconError(str(path), None, f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LexiconError(str(path), mark.line + 1 if mark else None, f"invalid YAML: {exc}") from exc

"""Corpus passes for events: code documents that have entities but no events yet, and link
reports of one event across the documents of a story."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from rasid.events.model import counted
from rasid.store import Store

__all__ = ["code_events", "link_events", "EventTask", "LAYER"]

log = logging.getLogger(__name__)

LAYER = "event"
BATCH_DOCS = 64
LINK_MAX_DAYS = 1


def code_events(store: Store, coder, *, fingerprints=None, on_document: Callable[[int], None] | None = None,
                on_progress: Callable[[int, int], None] | None = None, engine=None, data_files=None) -> int:
    """Code events for the documents whose entities are current but whose events are missing or stale;
    return how many were coded.

    Stale means the fingerprint recorded with a document's events differs from the one
    `fingerprints` (a :class:`rasid.fingerprints.LayerFingerprints` of the data files `coder` was
    built from; the shipped ones by default) gives it now; documents whose entities are stale wait
    for the entity pass. `on_progress(done, total)` is called before the first batch and after each.
    `engine` (:mod:`rasid.engine`) spreads the batches over its workers, which each hold `coder`
    (with Ray, built again from `data_files` in each actor when `coder` is None); this process writes.
    """
    from rasid.engine import LocalEngine
    from rasid.fingerprints import LayerFingerprints, layer_status

    fingerprints = fingerprints or LayerFingerprints()
    engine = engine or LocalEngine(1)
    status = layer_status(store, fingerprints, ("entity", LAYER))
    current_entities = set(status["entity"].current)
    todo = [d for d in status[LAYER].todo if d in current_entities]
    if not todo:
        return 0
    entity_states = store.layer_states("entity")
    done = 0
    if on_progress is not None:
        on_progress(0, len(todo))

    def read():
        for i in range(0, len(todo), BATCH_DOCS):
            yield [(doc, list(store.annotations("entity", doc.doc_id)))
                   for doc in store.iter_documents(todo[i:i + BATCH_DOCS])]

    with engine.mapping(EventTask(coder, data_files)) as run:
        for i, results in zip(range(0, len(todo), BATCH_DOCS), run(read()), strict=True):
            rows, states = {}, {}
            for doc_id, events in results:
                if events is None:
                    continue
                rows[doc_id] = events
                entity_fp, _result, refs = entity_states[doc_id]
                states[doc_id] = (fingerprints.event(entity_fp, json.loads(refs or "[]")), None)
            store.write_annotations(LAYER, rows, states=states)
            done += len(rows)
            if on_document is not None:
                on_document(len(rows))
            if on_progress is not None:
                on_progress(min(i + BATCH_DOCS, len(todo)), len(todo))
    return done


class EventTask:
    """The event task of an engine (:mod:`rasid.engine`): ``[(Document, entity rows)] -> [(doc_id, event rows or
    None)]``.

    None stands for a document the coder failed on (logged and skipped; a later run tries it
    again). Pickled for Ray, it carries only the data files, and each actor builds its coder.
    """

    def __init__(self, coder=None, data_files=None):
        self.coder, self.data_files = coder, data_files
        self._built = coder is None

    def __getstate__(self) -> dict:
        return {"coder": None if self._built else self.coder, "data_files": self.data_files, "_built": self._built}

    def load(self) -> None:
        """Build the coder from the data files, unless one was given."""
        if self.coder is None:
            from rasid.fingerprints import DataFiles
            from rasid.pipeline import build_coder

            self.coder = build_coder(self.data_files or DataFiles())

    def __call__(self, items: list) -> list[tuple[str, list[dict] | None]]:
        out = []
        for doc, entity_rows in items:
            try:
                out.append((doc.doc_id, [e.as_dict() for e in self.coder.code(doc, entity_rows)]))
            except Exception as exc:  # one odd document must not stop a corpus
                log.warning("%s: event coding failed (%s: %s); the document is skipped",
                            doc.doc_id, type(exc).__name__, exc)
                out.append((doc.doc_id, None))
        return out


def same_event(x: dict, y: dict, *, within_document: bool = False) -> bool:
    """Whether two coded reports describe one event (see :func:`link_events`)."""
    from datetime import date

    from rasid.events.taxonomy import Taxonomy
    from rasid.geo.geocoder import km

    if x["event_type"] != y["event_type"] or (x["doc_id"] == y["doc_id"] and x["span"] == y["span"]):
        return False
    lx, ly = x.get("location"), y.get("location")
    if not lx or not ly:
        return False
    radius = 50 if within_document else 25  # one article's "Sirte" and "Wadi Jarif south of it" are one front
    if lx.get("id") != ly.get("id") and km((lx["lat"], lx["lon"]), (ly["lat"], ly["lon"])) > radius:
        return False
    try:
        dx = date.fromisoformat(x["event_date"]) if x.get("event_date") else None
        dy = date.fromisoformat(y["event_date"]) if y.get("event_date") else None
    except ValueError:
        dx = dy = None
    undated = within_document and "publication" in (x.get("date_from"), y.get("date_from"))
    if dx and dy and abs((dx - dy).days) > LINK_MAX_DAYS and not undated:
        return False  # (in one article, a sentence that gives no date goes with the one that does)
    agreement = x.get("sub_event_type") == y.get("sub_event_type") == Taxonomy.load().by_key("agreement") \
        and x["event_type"] == Taxonomy.load().by_key("strategic")
    for role in ("actor1", "actor2"):
        ax, ay = (x.get(role) or {}).get("id"), (y.get(role) or {}).get("id")
        if ax and ay and ax != ay and not (within_document and agreement):
            return False  # (one article's agreement is one agreement, whichever party a sentence names first)
    if within_document:
        return True
    return x["doc_id"] != y["doc_id"]


def link_events(events: Iterable[dict]) -> list[dict]:
    """Link reports of the same event (``same_as``) and summarise their fatality figures.

    Two events are one when they are in the same story (or the same document), have the same
    event type, the same place (or places within 25 km), dates at most a day apart, and no
    conflicting actors. Each linked event lists the others in ``same_as`` and carries
    ``fatalities_range`` ``{"low", "best", "high", "sources"}`` when figures differ: ACLED's
    conservative figure is ``low``, the most reported one ``best``.
    """
    events = list(events)
    groups: dict[str, list[int]] = {}
    parent = list(range(len(events)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, e in enumerate(events):
        groups.setdefault(e.get("story_id") or "doc:" + e["doc_id"], []).append(i)

    for members in groups.values():
        for a_i, i in enumerate(members):
            for j in members[a_i + 1:]:
                if same_event(events[i], events[j]):
                    parent[find(i)] = find(j)
    clusters: dict[int, list[int]] = {}
    for i in range(len(events)):
        clusters.setdefault(find(i), []).append(i)
    for members in clusters.values():
        ids = [events[i]["event_id"] for i in members]
        figures = {}
        for i in members:
            e = events[i]
            if e.get("fatalities") is not None and counted(e):  # a denied report's figure is no toll
                figures.setdefault(e.get("outlet") or e["doc_id"], e["fatalities"])
        for i in members:
            events[i]["same_as"] = [x for x in ids if x != events[i]["event_id"]]
            if len(set(figures.values())) > 1:
                values = sorted(figures.values())
                best = max(set(values), key=lambda v: (values.count(v), -v))
                events[i]["fatalities_range"] = {"low": values[0], "best": best, "high": values[-1],
                                                 "sources": figures}
    return events

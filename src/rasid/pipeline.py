"""The recipe: read, clean, store, then the corpus passes. Readable top to bottom."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rasid.clean import Cleaner
from rasid.dedup import DedupIndex, Fingerprint
from rasid.dedup.passes import mark_duplicates
from rasid.document import Article, Document, LineStatus, Skipped
from rasid.fingerprints import DataFiles, LayerFingerprints, layer_status
from rasid.ingest import ReadOptions, iter_articles
from rasid.store import Store
from rasid.stories import StoryClusterer, assign_stories

log = logging.getLogger(__name__)

__all__ = ["RunReport", "analyze"]

BATCH_SIZE = 200  # documents per transaction: an interruption loses at most this much work
OUTLET_BOILERPLATE_MIN_DOCS = 5  # a line in this many distinct documents of one outlet is its template
OUTLET_BOILERPLATE_MAX_CHARS = 200  # longer lines are content even when they recur (reprinted paragraphs)


@dataclass
class RunReport:
    """What a run did: counts by outcome and the inputs it skipped, with reasons."""

    run_id: int
    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    recleaned: int = 0
    flagged_language: Counter = field(default_factory=Counter)
    segments: int = 0
    multi_segment_docs: int = 0
    outlet_boilerplate_lines: int = 0
    duplicates_marked: int = 0
    segments_assigned: int = 0
    entity_documents: int = 0
    event_documents: int = 0
    views: dict = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    stored: int = 0

    @property
    def processed(self) -> int:
        """Documents cleaned and stored in this run."""
        return self.new + self.changed + self.recleaned

    def skip_reasons(self) -> Counter:
        """Count skipped inputs by reason."""
        return Counter(s.reason for s in self.skipped)

    def as_dict(self) -> dict:
        """Return the counts as plain JSON values."""
        return {"read": self.read, "new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "recleaned": self.recleaned,
                "skipped": dict(self.skip_reasons()), "non_arabic": dict(self.flagged_language),
                "segments": self.segments, "multi_segment_docs": self.multi_segment_docs,
                "outlet_boilerplate_lines": self.outlet_boilerplate_lines,
                "duplicates_marked": self.duplicates_marked, "segments_assigned": self.segments_assigned,
                "entity_documents": self.entity_documents, "event_documents": self.event_documents,
                "stored": self.stored, "views": self.views,
                "seconds": round(self.seconds, 2)}


def analyze(paths: Iterable[str | Path], store: Store, *, options: ReadOptions | None = None,
            cleaner: Cleaner | None = None, batch_size: int = BATCH_SIZE, workers: int = 1,
            stories: StoryClusterer | None | bool = True, entities=True, events=True, views: bool = True,
            data_files: DataFiles | None = None,
            on_document: Callable[[Article | Skipped], None] | None = None,
            on_story_segment: Callable[[int], None] | None = None,
            on_entity_documents: Callable[[int], None] | None = None,
            on_layer_documents: Callable[[str, int, int], None] | None = None,
            on_story_view: Callable[[int, int], None] | None = None) -> RunReport:
    """Read every input, clean new and changed articles, store them, and run the corpus passes.

    Unchanged articles (same doc_id and content hash as stored) are not processed again, so a
    re-run writes nothing and a run interrupted midway resumes where it stopped. With
    ``workers > 1`` articles are cleaned in that many processes (each gets a copy of the
    cleaner); results and ids are the same as with one. ``stories`` is a clusterer, True for the
    shipped one, or False to skip story assignment (segments then wait for a later run).
    ``entities`` and ``events`` are likewise an :class:`~rasid.entities.EntityExtractor` and an
    :class:`~rasid.events.EventCoder`, True or False; documents skipped now are done in a later
    run (events wait for their document's entities). ``views`` refreshes what readers see: the
    events table, each changed story's comparison and brief, and the full-text index.

    Stored results follow their inputs: ``data_files`` names the user's copies of data files the
    cleaner, extractor and coder were built from (the shipped ones by default; when ``entities`` or
    ``events`` is True they are built from these files). An unchanged article whose cleaning rules
    changed is cleaned again, and the entity and event layers are redone on exactly the stored
    documents whose fingerprint (:mod:`rasid.fingerprints`) differs from this run's.
    ``on_layer_documents(layer, done, total)`` reports that progress.
    """
    started = time.perf_counter()
    paths = [str(p) for p in paths]
    data_files = data_files or DataFiles()
    cleaner = cleaner or Cleaner.from_data(rules=data_files.rules, outlets=data_files.outlets)
    layer_fingerprints = LayerFingerprints(data_files)
    clean_states = store.layer_states("clean")
    run_id = store.begin_run(paths)
    report = RunReport(run_id)
    stored = store.stored_hashes()
    todo: list[Article] = []
    pool = _worker_pool(workers, cleaner)
    dedup = DedupIndex()
    new_fingerprints: list[Fingerprint] = []

    def flush() -> None:
        if not todo:
            return
        results = pool.map(_clean_in_worker, todo, chunksize=16) if pool else [cleaner.clean(a) for a in todo]
        fingerprints = {}
        for doc, keys in results:
            _count(report, doc)
            kept = " ".join(k for ln, k in zip(doc.lines, keys, strict=True) if ln.status == LineStatus.KEPT)
            # a page with no body (a comments widget, a bare credit) is still a copy of the same page elsewhere
            fingerprints[doc.doc_id] = dedup.fingerprint(doc.doc_id, kept or " ".join(keys))
        new_fingerprints.extend(fingerprints.values())
        store.write_documents([doc for doc, _ in results], run_id=run_id,
                              line_keys={doc.doc_id: keys for doc, keys in results}, fingerprints=fingerprints,
                              clean_fingerprint=layer_fingerprints.clean)
        todo.clear()

    try:
        for item in iter_articles(paths, options):
            if on_document is not None:
                on_document(item)
            if isinstance(item, Skipped):
                report.skipped.append(item)
                log.info("%s: skipped (%s): %s", item.source, item.reason, item.message)
                continue
            report.read += 1
            previous = stored.get(item.doc_id)
            if previous == item.content_hash:
                state = clean_states.get(item.doc_id)
                if state is not None and state[0] == layer_fingerprints.clean:
                    report.unchanged += 1
                    continue
                report.recleaned += 1
                log.info("%s: cleaned with other rules (or before fingerprints); cleaning it again", item.doc_id)
            elif previous is None:
                report.new += 1
            else:
                report.changed += 1
                log.info("%s: input changed since it was stored; processing it again", item.doc_id)
            stored[item.doc_id] = item.content_hash
            clean_states[item.doc_id] = (layer_fingerprints.clean, None, None)
            todo.append(item)
            if len(todo) >= batch_size:
                flush()
        flush()
        if report.processed:
            report.outlet_boilerplate_lines = store.mark_outlet_boilerplate(
                min_docs=OUTLET_BOILERPLATE_MIN_DOCS, max_chars=OUTLET_BOILERPLATE_MAX_CHARS)
            report.duplicates_marked = mark_duplicates(store, new_fingerprints, index=dedup)
        if stories is not False:
            clusterer = StoryClusterer.from_data() if stories is True else stories
            report.segments_assigned = assign_stories(store, clusterer, on_segment=on_story_segment)
        if entities is not False:
            from rasid.entities.passes import extract_entities

            # the tagger loads only when some document's entities are missing or stale
            if entities is True and layer_status(store, layer_fingerprints, ("entity",))["entity"].todo:
                entities = build_extractor(data_files)

            def on_entities(done: int, total: int) -> None:
                if on_layer_documents is not None:
                    on_layer_documents("entity", done, total)
                if on_entity_documents is not None:
                    on_entity_documents(done)

            if entities is not True:
                report.entity_documents = extract_entities(store, entities, fingerprints=layer_fingerprints,
                                                           on_progress=on_entities)
        if events is not False:
            from rasid.events import code_events

            if events is True and any(layer_status(store, layer_fingerprints, ("event",))["event"].todo):
                events = build_coder(data_files)
            if events is not True:
                report.event_documents = code_events(
                    store, events, fingerprints=layer_fingerprints,
                    on_progress=None if on_layer_documents is None else lambda d, t: on_layer_documents("event", d, t))
        if views:
            from rasid.views import build_views

            report.views = build_views(store, on_story=on_story_view)
    except BaseException:
        store.finish_run(run_id, report.as_dict(), status="interrupted")
        raise
    finally:
        if pool is not None:
            pool.terminate()
    store.record_skips(run_id, report.skipped)
    report.stored = store.count_documents()
    report.seconds = time.perf_counter() - started
    store.finish_run(run_id, report.as_dict())
    return report


def build_extractor(data_files: DataFiles):
    """The entity extractor of a run with these data files (the tagger model loads here)."""
    from rasid.entities import ActorDictionary, EntityExtractor
    from rasid.geo import Geocoder, PlaceGazetteer

    actors = ActorDictionary.from_data(data_files.actors)
    return EntityExtractor(actors=actors, geocoder=Geocoder(PlaceGazetteer.from_data(aliases=data_files.places),
                                                            actors.common_words))


def build_coder(data_files: DataFiles):
    """The event coder of a run with these data files."""
    from rasid.entities import ActorDictionary
    from rasid.events import EventCoder, Lexicon

    return EventCoder(lexicon=Lexicon.from_data(str(data_files.triggers) if data_files.triggers else None),
                      actors=ActorDictionary.from_data(data_files.actors))


def validate_data_files(data_files: DataFiles) -> None:
    """Load every user data file now, so a bad one fails before anything is stored.

    Raises:
        LexiconError: the first problem, naming the file and line.
    """
    from rasid.entities import ActorDictionary
    from rasid.events import Lexicon
    from rasid.geo import PlaceGazetteer

    Cleaner.from_data(rules=data_files.rules, outlets=data_files.outlets, identify_language=False)
    ActorDictionary.from_data(data_files.actors)
    PlaceGazetteer.from_data(aliases=data_files.places)
    Lexicon.from_data(str(data_files.triggers) if data_files.triggers else None)
    LayerFingerprints(data_files).validate()


_WORKER_CLEANER: Cleaner | None = None


def _init_worker(cleaner: Cleaner) -> None:
    global _WORKER_CLEANER
    _WORKER_CLEANER = cleaner


def _clean_in_worker(article: Article) -> tuple[Document, list[str]]:
    if _WORKER_CLEANER is None:
        raise RuntimeError("worker process started without a cleaner")
    return _WORKER_CLEANER.clean(article)


def _worker_pool(workers: int, cleaner: Cleaner):
    """Start `workers` processes that each hold a copy of `cleaner` (None for in-process cleaning)."""
    if workers <= 1:
        return None
    import multiprocessing
    import os

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    return context.Pool(workers, initializer=_init_worker, initargs=(cleaner,))


def _count(report: RunReport, doc: Document) -> None:
    report.segments += len(doc.segments)
    report.multi_segment_docs += len(doc.segments) > 1
    if doc.language and doc.language != "ar":
        report.flagged_language[doc.language] += 1

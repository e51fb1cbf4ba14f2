"""The recipe: read, clean, store, then the corpus passes. Readable top to bottom."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rasid.clean import Cleaner
from rasid.dedup import DedupIndex, Fingerprint
from rasid.dedup.passes import mark_duplicates
from rasid.document import Article, Document, LineStatus, Skipped
from rasid.engine import LocalEngine, release_memory, run_and_release
from rasid.errors import RasidError
from rasid.fingerprints import DataFiles, LayerFingerprints
from rasid.ingest import ReadOptions
from rasid.store import Store
from rasid.stories import StoryClusterer, assign_stories

log = logging.getLogger(__name__)

__all__ = ["RunReport", "analyze"]

BATCH_SIZE = 200  # documents per transaction: an interruption loses at most this much work (plus, with
#                   several workers, the few chunks they are cleaning)
CLEAN_CHUNK = 16  # articles a worker cleans per call
ENCODE_CHUNK = 16  # story leads a worker embeds per call (the same split with any number of workers)
OUTLET_BOILERPLATE_MIN_DOCS = 5  # a line in this many distinct documents of one outlet is its template
OUTLET_BOILERPLATE_MAX_CHARS = 200  # longer lines are content even when they recur (reprinted paragraphs)
RACY_MTIME_SECONDS = 2.0  # a file modified this close to its reading may change again within one mtime tick:
#                           it is read again next run rather than trusted by size and mtime (as git does)


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
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds by stage (bench/profile.py prints them)

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
                "seconds": round(self.seconds, 2),
                "timings": {stage: round(t, 2) for stage, t in self.timings.items()}}


def analyze(paths: Iterable[str | Path], store: Store, *, options: ReadOptions | None = None,
            cleaner: Cleaner | None = None, batch_size: int = BATCH_SIZE, workers: int = 1, engine=None,
            stories: StoryClusterer | None | bool = True, entities=True, events=True, views: bool = True,
            data_files: DataFiles | None = None,
            on_document: Callable[[Article | Skipped], None] | None = None,
            on_story_segment: Callable[[int], None] | None = None,
            on_entity_documents: Callable[[int], None] | None = None,
            on_layer_documents: Callable[[str, int, int], None] | None = None,
            on_story_view: Callable[[int, int], None] | None = None) -> RunReport:
    """Read every input, clean new and changed articles, store them, and run the corpus passes.

    Unchanged articles (same doc_id and content hash as stored) are not processed again, so a
    re-run writes nothing and a run interrupted midway resumes where it stopped. The per-document
    work (cleaning, entities, events, embedding story leads) is mapped by `engine`
    (:mod:`rasid.engine`; by default a :class:`~rasid.engine.LocalEngine` of ``workers``
    processes, forked after each model loads); this process alone writes the store, and results
    and ids are the same with any number of workers. ``stories`` is a clusterer, True for the
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
    ``on_layer_documents(layer, done, total)`` reports that progress. An input file unchanged
    since a run read it (same path, size, mtime and read options; see :class:`_InputReader`) is
    not read again: its articles count as read and unchanged, and ``on_document`` is not called.
    """
    started = time.perf_counter()
    engine = engine or LocalEngine(workers)
    paths = [str(p) for p in paths]
    data_files = data_files or DataFiles()
    cleaner = cleaner or Cleaner.from_data(rules=data_files.rules, outlets=data_files.outlets,
                                           line_model=data_files.line_model)
    options = options or ReadOptions()
    layer_fingerprints = LayerFingerprints(data_files)
    recleaning = store.docs_not_current("clean", layer_fingerprints.clean)
    run_id = store.begin_run(paths)
    report = RunReport(run_id)
    timer = _StageTimer(report.timings)
    stored = store.stored_hashes()
    cleaned: list[tuple[Document, list[str]]] = []  # cleaned and not yet stored
    dedup = DedupIndex() if not stored or recleaning else None  # (made when needed)
    new_fingerprints: list[Fingerprint] = []
    read = _InputReader(paths, options, store, stored, recleaning)

    def to_clean():
        """The articles to clean, in chunks for the workers, with the run's counts kept as they are read."""
        chunk: list[Article] = []
        for item, item_hash in timer.iterate("read", read):
            if isinstance(item, _ReusedFile):
                report.read += len(item.articles)
                report.unchanged += len(item.articles)
                report.skipped.extend(item.skips)
                continue
            if on_document is not None:
                on_document(item)
            if isinstance(item, Skipped):
                report.skipped.append(item)
                log.info("%s: skipped (%s): %s", item.source, item.reason, item.message)
                continue
            report.read += 1
            previous = stored.get(item.doc_id)
            if previous == item_hash:
                if item.doc_id not in recleaning:
                    report.unchanged += 1
                    continue
                report.recleaned += 1
                log.info("%s: cleaned with other rules (or before fingerprints); cleaning it again", item.doc_id)
            elif previous is None:
                report.new += 1
            else:
                report.changed += 1
                log.info("%s: input changed since it was stored; processing it again", item.doc_id)
            stored[item.doc_id] = item_hash
            recleaning.discard(item.doc_id)
            chunk.append(item)
            if len(chunk) >= min(CLEAN_CHUNK, batch_size):
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def flush() -> None:
        """Fingerprint and store what was cleaned: one transaction."""
        nonlocal dedup
        if not cleaned:
            return
        if dedup is None:  # (an empty index is falsy)
            dedup = DedupIndex()
        key_texts = []
        for doc, keys in cleaned:
            _count(report, doc)
            kept = " ".join(k for ln, k in zip(doc.lines, keys, strict=True) if ln.status == LineStatus.KEPT)
            # a page with no body (a comments widget, a bare credit) is still a copy of the same page elsewhere
            key_texts.append((doc.doc_id, kept or " ".join(keys)))
        with timer("dedup"):
            fingerprints = {fp.doc_id: fp for fp in dedup.fingerprints(key_texts)}  # one numpy batch
        new_fingerprints.extend(fingerprints.values())
        with timer("store"):
            store.write_documents([doc for doc, _ in cleaned], run_id=run_id,
                                  line_keys={doc.doc_id: keys for doc, keys in cleaned}, fingerprints=fingerprints,
                                  clean_fingerprint=layer_fingerprints.clean)
        cleaned.clear()

    try:
        chunks = to_clean()
        first = next(chunks, None)
        if first is not None:  # (a re-run with nothing to clean starts no workers)
            started_cleaning = time.perf_counter()
            before = sum(report.timings.get(s, 0.0) for s in ("read", "dedup", "store"))
            # the workers clean while this process reads the next articles and stores the cleaned ones
            with engine.mapping(CleanTask(cleaner, data_files)) as clean:
                for results in clean(itertools.chain([first], chunks)):
                    cleaned.extend(results)
                    if len(cleaned) >= batch_size:
                        flush()
                flush()
            overlapped = sum(report.timings.get(s, 0.0) for s in ("read", "dedup", "store")) - before
            report.timings["clean"] = time.perf_counter() - started_cleaning - overlapped  # (waiting for workers)
        else:
            flush()
        if report.processed:
            with timer("outlets"):
                report.outlet_boilerplate_lines = store.mark_outlet_boilerplate(
                    min_docs=OUTLET_BOILERPLATE_MIN_DOCS, max_chars=OUTLET_BOILERPLATE_MAX_CHARS)
            with timer("dedup"):
                report.duplicates_marked = mark_duplicates(store, new_fingerprints, index=dedup)
        if entities is not False:
            from rasid.entities.passes import extract_entities

            def on_entities(done: int, total: int) -> None:
                if on_layer_documents is not None:
                    on_layer_documents("entity", done, total)
                if on_entity_documents is not None:
                    on_entity_documents(done)

            # the tagger loads (in the engine's task) only when some document's entities are missing or stale
            with timer("entities"):
                report.entity_documents = extract_entities(
                    store, None if entities is True else entities, fingerprints=layer_fingerprints,
                    on_progress=on_entities, engine=engine, data_files=data_files)
            if report.entity_documents:
                release_memory(collect=True)  # the tagger's batches leave freed heap behind
        if events is not False:
            from rasid.events import code_events

            with timer("events"):
                report.event_documents = code_events(
                    store, None if events is True else events, fingerprints=layer_fingerprints, engine=engine,
                    data_files=data_files,
                    on_progress=None if on_layer_documents is None else lambda d, t: on_layer_documents("event", d, t))
        if stories is not False:
            clusterer = StoryClusterer.from_data() if stories is True else stories
            with timer("stories"):
                report.segments_assigned = _assign_stories(store, clusterer, engine, on_story_segment)
                if report.segments_assigned:  # coders' merges and splits outlive the clusterer
                    from rasid.stories.edits import apply_story_edits

                    apply_story_edits(store)
            if report.segments_assigned:
                release_memory(collect=True)
        if views:
            from rasid.views import build_views

            with timer("views"):
                report.views = build_views(store, on_story=on_story_view, engine=engine)
    except BaseException:
        store.finish_run(run_id, report.as_dict(), status="interrupted")
        raise
    store.record_skips(run_id, report.skipped)
    store.record_input_files(read.options_key, read.records)
    report.stored = store.count_documents()
    report.seconds = time.perf_counter() - started
    store.finish_run(run_id, report.as_dict())
    return report


def release_models() -> None:
    """Drop the models this process holds (the entity tagger, the e5 encoder and its file) and give
    their memory back to the system: for a process whose analysis is over. A later run loads them again."""
    tagger = sys.modules.get("rasid.entities.tagger")
    if tagger is not None:
        tagger._load.cache_clear()
    e5 = sys.modules.get("rasid.entities.e5")
    if e5 is not None:
        e5._shared.cache_clear()
        e5._parse.cache_clear()
    release_memory(collect=True)


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
                      actors=ActorDictionary.from_data(data_files.actors), steps=dict(data_files.event_steps),
                      model=data_files.event_model, min_confidence=data_files.min_confidence)


def validate_data_files(data_files: DataFiles) -> None:
    """Load every user data file now, so a bad one fails before anything is stored.

    Raises:
        LexiconError: the first problem, naming the file and line.
    """
    from rasid.entities import ActorDictionary
    from rasid.events import Lexicon
    from rasid.geo import PlaceGazetteer

    Cleaner.from_data(rules=data_files.rules, outlets=data_files.outlets, identify_language=False,
                      line_model=data_files.line_model)
    ActorDictionary.from_data(data_files.actors)
    PlaceGazetteer.from_data(aliases=data_files.places)
    Lexicon.from_data(str(data_files.triggers) if data_files.triggers else None)
    if data_files.event_steps:
        from rasid.events.coder import check_steps

        check_steps(dict(data_files.event_steps))
    if data_files.event_model:
        from rasid.events.judge import load_model

        load_model(data_files.event_model, "judge")
        load_model(data_files.event_model, "places")
    if data_files.min_confidence is not None and not 0 <= data_files.min_confidence <= 1:
        raise RasidError(f"--min-confidence is a number from 0 to 1, got {data_files.min_confidence:g}")
    LayerFingerprints(data_files).validate()


@dataclass
class _ReusedFile:
    """An input file unchanged since a run read it (same size, mtime and read options), whose
    articles are all stored unchanged and cleaned with this run's rules: it is not read again."""

    articles: list[tuple[str, str, str]]  # (doc_id, content hash, source)
    skips: list[Skipped]


class _InputReader:
    """The articles of every input file with their content hashes, as :func:`rasid.ingest.iter_articles`
    yields them, except that a file known to give only stored, current articles is not read again.

    A file is trusted by its resolved path, size and modification time (in ns), the read options
    (field map, metadata, size limit) and the package version; it is read again when any differs,
    when one of its articles is no longer stored with the same hash or is to be cleaned again, when
    an earlier file of this run claimed one of its ids, or when it had been modified within
    ``RACY_MTIME_SECONDS`` of being read. What each read file gave is recorded at the end of a
    successful run (``Store.record_input_files``).
    """

    def __init__(self, paths: list[str], options: ReadOptions, store: Store, stored: dict[str, str],
                 recleaning: set[str]):
        from rasid import __version__

        self.paths, self.options, self.stored, self.recleaning = paths, options, stored, recleaning
        raw = json.dumps([__version__, options.fields.names, options.meta, options.max_document_bytes],
                         sort_keys=True, ensure_ascii=False, default=str)
        self.options_key = hashlib.blake2b(raw.encode("utf-8"), digest_size=16).hexdigest()
        self.known = store.input_files(self.options_key)
        self.records: dict[str, tuple[int, int, list, list]] = {}

    def __iter__(self):
        from rasid.ingest.readers import _apply_meta, _read_path, _unique, _walk

        seen: dict[str, str] = {}
        for f, _root in _walk(self.paths):
            if self.options.on_file is not None:
                self.options.on_file(f)
            key, before = _stat(f)
            known = self.known.get(key)
            if known is not None and before is not None and (known[0], known[1]) == before and all(
                    self.stored.get(d) == h and d not in self.recleaning and d not in seen for d, h, _s in known[2]):
                for d, _h, source in known[2]:
                    seen.setdefault(d, source)
                yield _ReusedFile(known[2], [Skipped(*s) for s in known[3]]), None
                continue
            articles, skips, renamed = [], [], False
            for item in _read_path(f, self.options):
                if isinstance(item, Article):
                    claimed = item.doc_id
                    item = _unique(item, seen)
                    renamed |= item.doc_id != claimed
                    _apply_meta(item, self.options.meta)
                    item_hash = item.content_hash
                    articles.append((item.doc_id, item_hash, item.source))
                    yield item, item_hash
                else:
                    skips.append((item.source, item.stage, item.reason, item.message))
                    yield item, None
            after = _stat(f)[1]
            if before is not None and after == before and not renamed and time.time() - before[1] / 1e9 > RACY_MTIME_SECONDS:
                self.records[key] = (before[0], before[1], articles, skips)


def _stat(path: Path) -> tuple[str, tuple[int, int] | None]:
    """A file's resolved path and its ``(size, mtime_ns)`` (None when it cannot be read)."""
    try:
        st = path.stat()
        return str(path.resolve()), (st.st_size, st.st_mtime_ns)
    except OSError:
        return str(path), None


class CleanTask:
    """The cleaning task of an engine: ``[Article] -> [(Document, line keys)]``.

    Pickles as the cleaner itself (small: rules, outlet table, line model weights).
    """

    def __init__(self, cleaner: Cleaner | None = None, data_files: DataFiles | None = None):
        self.cleaner, self.data_files = cleaner, data_files or DataFiles()

    def load(self) -> None:
        """Build the cleaner from the data files, unless one was given."""
        if self.cleaner is None:
            d = self.data_files
            self.cleaner = Cleaner.from_data(rules=d.rules, outlets=d.outlets, line_model=d.line_model)

    def __call__(self, articles: list[Article]) -> list[tuple[Document, list[str]]]:
        return [self.cleaner.clean(a) for a in articles]


class EncodeTask:
    """The story-lead embedding task of an engine: ``[text] -> [vector]`` with the clusterer's encoder."""

    def __init__(self, encoder):
        self.encoder = encoder

    def load(self) -> None:
        """Load the encoder's model now (before the workers fork, so they share it)."""
        self.encoder([])

    def __call__(self, texts: list[str]) -> list:
        return list(self.encoder(texts))


class _MappedEncoder:
    """An encoder that embeds a batch of texts in chunks spread over an engine's workers."""

    def __init__(self, run, *, chunk: int = ENCODE_CHUNK):
        self.run, self.chunk = run, chunk

    def __call__(self, texts):
        import numpy as np

        rows = [v for part in self.run(_chunks(list(texts), self.chunk)) for v in part]
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), -1) if rows else np.zeros((0, 384), np.float32)


def _assign_stories(store: Store, clusterer: StoryClusterer, engine, on_segment) -> int:
    """Assign stories (a global pass), with the segments' leads embedded by the local engine's workers.

    Leads are embedded ``ENCODE_CHUNK`` at a time however many workers there are, in this process
    too: e5's float results move in the last bits with the shapes of the batch a text is in, and the
    8-bit rounding of its inputs can carry that to a decision (2,000 articles gave 1,135 stories in one
    process and 1,134 with two workers when this process embedded 32 at a time).
    """
    encoder = clusterer.encoder
    if encoder is None:
        return assign_stories(store, clusterer, on_segment=on_segment)
    try:
        # (with Ray the encoder stays here: each dataset would start actors that load e5 for one batch of leads)
        if engine.name == "local" and engine.workers > 1 and store.unassigned_segments():
            with engine.mapping(EncodeTask(encoder)) as run:
                clusterer.encoder = _MappedEncoder(run)
                return assign_stories(store, clusterer, on_segment=on_segment)
        task = EncodeTask(encoder)
        # (freed heap handed back as the workers do: on 2,000 articles this stage had grown one process
        # by ~450 MB of freed heap, which the trim after the stage then returned)
        clusterer.encoder = _MappedEncoder(lambda chunks: (run_and_release(task, c) for c in chunks))
        return assign_stories(store, clusterer, on_segment=on_segment)
    finally:
        clusterer.encoder = encoder


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class _StageTimer:
    """Add wall seconds to ``timings[stage]``: ``with timer("clean"):`` or ``timer.iterate("read", items)``."""

    def __init__(self, timings: dict[str, float]):
        self.timings = timings

    def __call__(self, stage: str):
        return _Timed(self.timings, stage)

    def iterate(self, stage: str, items):
        iterator = iter(items)
        while True:
            t0 = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - t0
                return
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - t0
            yield item


class _Timed:
    def __init__(self, timings: dict[str, float], stage: str):
        self.timings, self.stage = timings, stage

    def __enter__(self):
        self.t0 = time.perf_counter()

    def __exit__(self, *exc):
        self.timings[self.stage] = self.timings.get(self.stage, 0.0) + time.perf_counter() - self.t0


def _count(report: RunReport, doc: Document) -> None:
    report.segments += len(doc.segments)
    report.multi_segment_docs += len(doc.segments) > 1
    if doc.language and doc.language != "ar":
        report.flagged_language[doc.language] += 1

"""The recipe: read, clean, store, then the corpus passes. Readable top to bottom."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rasid.clean import Cleaner
from rasid.document import Article, Document, Skipped
from rasid.ingest import ReadOptions, iter_articles
from rasid.store import Store

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
    flagged_language: Counter = field(default_factory=Counter)
    segments: int = 0
    multi_segment_docs: int = 0
    outlet_boilerplate_lines: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    stored: int = 0

    @property
    def processed(self) -> int:
        """Documents cleaned and stored in this run."""
        return self.new + self.changed

    def skip_reasons(self) -> Counter:
        """Count skipped inputs by reason."""
        return Counter(s.reason for s in self.skipped)

    def as_dict(self) -> dict:
        """Return the counts as plain JSON values."""
        return {"read": self.read, "new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "skipped": dict(self.skip_reasons()), "non_arabic": dict(self.flagged_language),
                "segments": self.segments, "multi_segment_docs": self.multi_segment_docs,
                "outlet_boilerplate_lines": self.outlet_boilerplate_lines, "stored": self.stored,
                "seconds": round(self.seconds, 2)}


def analyze(paths: Iterable[str | Path], store: Store, *, options: ReadOptions | None = None,
            cleaner: Cleaner | None = None, batch_size: int = BATCH_SIZE,
            on_document: Callable[[Article | Skipped], None] | None = None) -> RunReport:
    """Read every input, clean new and changed articles, store them, and run the corpus passes.

    Unchanged articles (same doc_id and content hash as stored) are not processed again, so a
    re-run writes nothing and a run interrupted midway resumes where it stopped.
    """
    started = time.perf_counter()
    paths = [str(p) for p in paths]
    cleaner = cleaner or Cleaner.from_data()
    run_id = store.begin_run(paths)
    report = RunReport(run_id)
    stored = store.stored_hashes()
    pending: list[Document] = []
    keys: dict[str, list[str]] = {}
    try:
        for item in iter_articles(paths, options):
            if on_document is not None:
                on_document(item)
            if isinstance(item, Skipped):
                report.skipped.append(item)
                log.warning("%s: skipped (%s): %s", item.source, item.reason, item.message)
                continue
            report.read += 1
            previous = stored.get(item.doc_id)
            if previous == item.content_hash:
                report.unchanged += 1
                continue
            if previous is None:
                report.new += 1
            else:
                report.changed += 1
                log.info("%s: input changed since it was stored; processing it again", item.doc_id)
            doc, line_keys = cleaner.clean(item)
            stored[item.doc_id] = item.content_hash
            keys[doc.doc_id] = line_keys
            _count(report, doc)
            pending.append(doc)
            if len(pending) >= batch_size:
                store.write_documents(pending, run_id=run_id, line_keys=keys)
                pending, keys = [], {}
        if pending:
            store.write_documents(pending, run_id=run_id, line_keys=keys)
        if report.processed:
            report.outlet_boilerplate_lines = store.mark_outlet_boilerplate(
                min_docs=OUTLET_BOILERPLATE_MIN_DOCS, max_chars=OUTLET_BOILERPLATE_MAX_CHARS)
    except BaseException:
        store.finish_run(run_id, report.as_dict(), status="interrupted")
        raise
    store.record_skips(run_id, report.skipped)
    report.stored = store.count_documents()
    report.seconds = time.perf_counter() - started
    store.finish_run(run_id, report.as_dict())
    return report


def _count(report: RunReport, doc: Document) -> None:
    report.segments += len(doc.segments)
    report.multi_segment_docs += len(doc.segments) > 1
    if doc.language and doc.language != "ar":
        report.flagged_language[doc.language] += 1

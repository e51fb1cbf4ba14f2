"""Corpus pass: extract entity mentions for the documents whose stored entities are missing or stale."""

from __future__ import annotations

import logging
from collections.abc import Callable

from rasid.fingerprints import LayerFingerprints, cleaning_hash, layer_status, refs_of
from rasid.store import Store

__all__ = ["extract_entities", "EntityTask", "LAYER"]

log = logging.getLogger(__name__)

LAYER = "entity"
BATCH_DOCS = 32


def extract_entities(store: Store, extractor, *, fingerprints: LayerFingerprints | None = None,
                     on_document: Callable[[int], None] | None = None,
                     on_progress: Callable[[int, int], None] | None = None, engine=None,
                     data_files=None) -> int:
    """Run `extractor` over the stored documents whose entities are missing or stale; return how many were done.

    Stale means the fingerprint recorded with a document's entities differs from the one
    `fingerprints` (the data files `extractor` was built from; the shipped ones by default) gives
    it now. Each document's new fingerprint is stored with its rows. Work is written in batches, so
    an interrupted pass keeps what it finished. `on_document(n)` is called after each batch of `n`
    documents, `on_progress(done, total)` before the first and after each batch. `engine`
    (:mod:`rasid.engine`) spreads the batches over its workers, which each hold `extractor` (with
    Ray, built again from `data_files` in each actor when `extractor` is None); this process writes.
    """
    from rasid.engine import LocalEngine

    fingerprints = fingerprints or LayerFingerprints()
    engine = engine or LocalEngine(1)
    todo = layer_status(store, fingerprints, (LAYER,))[LAYER].todo
    if not todo:
        return 0
    clean = store.layer_states("clean")
    done = 0
    if on_progress is not None:
        on_progress(0, len(todo))
    batches: list[list] = []  # the documents of the batches handed out and not yet written

    def read():
        for i in range(0, len(todo), BATCH_DOCS):
            docs = list(store.iter_documents(todo[i:i + BATCH_DOCS]))
            batches.append(docs)
            yield docs

    with engine.mapping(EntityTask(extractor, data_files)) as run:
        for results in run(read()):
            docs = batches.pop(0)
            # the result recorded when the document was cleaned (or its lines re-marked) is what layer_status compares
            cleaned = {doc.doc_id: (clean.get(doc.doc_id) or (None, None))[1] or cleaning_hash(doc) for doc in docs}
            rows = {doc.doc_id: doc_rows for doc, doc_rows in zip(docs, results, strict=True) if doc_rows is not None}
            states = {}
            for doc_id, doc_rows in rows.items():
                refs = refs_of(doc_rows)
                states[doc_id] = (fingerprints.entity(cleaned[doc_id], refs), refs)
            store.write_annotations(LAYER, rows, states=states)
            done += len(docs)
            if on_document is not None:
                on_document(len(docs))
            if on_progress is not None:
                on_progress(done, len(todo))
    return done


class EntityTask:
    """The entity task of an engine (:mod:`rasid.engine`): ``[Document] -> [mention rows or None]``.

    None stands for a document the extractor failed on (logged and skipped; a later run tries it
    again). Pickled for Ray, it carries only the data files, and each actor builds its extractor.
    """

    def __init__(self, extractor=None, data_files=None):
        self.extractor, self.data_files = extractor, data_files
        self._built = extractor is None

    def __getstate__(self) -> dict:
        return {"extractor": None if self._built else self.extractor, "data_files": self.data_files,
                "_built": self._built}

    def load(self) -> None:
        """Build the extractor (the tagger model loads here), unless one was given."""
        if self.extractor is None:
            from rasid.fingerprints import DataFiles
            from rasid.pipeline import build_extractor

            self.extractor = build_extractor(self.data_files or DataFiles())

    def __call__(self, docs: list) -> list[list[dict] | None]:
        try:
            results = self.extractor.extract_many(docs)
        except Exception:  # one odd document must not stop a corpus: find it, skip it, say so
            results = []
            for doc in docs:
                try:
                    results.extend(self.extractor.extract_many([doc]))
                except Exception as exc:
                    log.warning("%s: entity extraction failed (%s: %s); the document is skipped",
                                doc.doc_id, type(exc).__name__, exc)
                    results.append(None)
        return [None if ents is None else [m.as_dict(ents.doc_id) for m in ents.mentions] for ents in results]

"""Corpus pass: extract entity mentions for the documents whose stored entities are missing or stale."""

from __future__ import annotations

import logging
from collections.abc import Callable

from rasid.fingerprints import LayerFingerprints, cleaning_hash, layer_status, refs_of
from rasid.store import Store

__all__ = ["extract_entities", "LAYER"]

log = logging.getLogger(__name__)

LAYER = "entity"
BATCH_DOCS = 32


def extract_entities(store: Store, extractor, *, fingerprints: LayerFingerprints | None = None,
                     on_document: Callable[[int], None] | None = None,
                     on_progress: Callable[[int, int], None] | None = None) -> int:
    """Run `extractor` over the stored documents whose entities are missing or stale; return how many were done.

    Stale means the fingerprint recorded with a document's entities differs from the one
    `fingerprints` (the data files `extractor` was built from; the shipped ones by default) gives
    it now. Each document's new fingerprint is stored with its rows. Work is written in batches, so
    an interrupted pass keeps what it finished. `on_document(n)` is called after each batch of `n`
    documents, `on_progress(done, total)` before the first and after each batch.
    """
    fingerprints = fingerprints or LayerFingerprints()
    todo = layer_status(store, fingerprints, (LAYER,))[LAYER].todo
    clean = store.layer_states("clean") if todo else {}
    done = 0
    if on_progress is not None and todo:
        on_progress(0, len(todo))
    for i in range(0, len(todo), BATCH_DOCS):
        docs = list(store.iter_documents(todo[i:i + BATCH_DOCS]))
        try:
            results = extractor.extract_many(docs)
        except Exception:  # one odd document must not stop a corpus: find it, skip it, say so
            results = []
            for doc in docs:
                try:
                    results.extend(extractor.extract_many([doc]))
                except Exception as exc:
                    log.warning("%s: entity extraction failed (%s: %s); the document is skipped",
                                doc.doc_id, type(exc).__name__, exc)
        # the result recorded when the document was cleaned (or its lines re-marked) is what layer_status compares
        cleaned = {doc.doc_id: (clean.get(doc.doc_id) or (None, None))[1] or cleaning_hash(doc) for doc in docs}
        rows = {ents.doc_id: [m.as_dict(ents.doc_id) for m in ents.mentions] for ents in results}
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

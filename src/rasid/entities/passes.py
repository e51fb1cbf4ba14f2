"""Corpus pass: extract entity mentions for documents that have none yet (incremental)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from rasid.store import Store

__all__ = ["extract_entities", "LAYER"]

log = logging.getLogger(__name__)

LAYER = "entity"
BATCH_DOCS = 32


def extract_entities(store: Store, extractor, *, on_document: Callable[[int], None] | None = None) -> int:
    """Run `extractor` over stored documents without entity annotations; return how many were done.

    Work is written in batches, so an interrupted pass keeps what it finished.
    """
    todo = store.docs_missing_layer(LAYER)
    done = 0
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
        store.write_annotations(LAYER, {ents.doc_id: [m.as_dict(ents.doc_id) for m in ents.mentions]
                                        for ents in results})
        done += len(docs)
        if on_document is not None:
            on_document(len(docs))
    return done

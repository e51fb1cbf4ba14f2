"""The corpus pass that points every copy of an article at its earliest version (``duplicate_of``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from rasid.dedup.index import DedupIndex, Fingerprint

log = logging.getLogger(__name__)

__all__ = ["mark_duplicates"]


def mark_duplicates(store, new: Iterable[Fingerprint], *, index: DedupIndex | None = None) -> int:
    """Find copies among the new fingerprints and everything stored; update ``duplicate_of``.

    Incremental: the stored fingerprints are indexed, only the new ones are queried, and only
    the groups they join are re-resolved. The earliest copy (publication date, then doc_id) is
    the original. Returns the number of documents whose ``duplicate_of`` changed.
    """
    new = sorted(new, key=lambda fp: fp.doc_id)
    new_ids = {fp.doc_id for fp in new}
    index = DedupIndex() if index is None else index  # (an empty index is falsy)
    index.add_many(store.iter_fingerprints(exclude=new_ids))
    info = store.duplicate_info()
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    # existing groups stay groups
    for doc_id, (_date, orig) in info.items():
        if orig:
            union(doc_id, orig)
    touched: set[str] = set()
    for other, doc_id, _j in index.duplicate_links(new):  # exact copies and verified near-duplicates
        union(doc_id, other)
        touched.update((doc_id, other))
    groups: dict[str, list[str]] = {}
    for doc_id in parent:
        groups.setdefault(find(doc_id), []).append(doc_id)
    changes: dict[str, str | None] = {}
    for members in groups.values():
        if len(members) < 2 or not (set(members) & touched):
            continue
        original = min(members, key=lambda d: (info.get(d, (None, None))[0] or "9999-99-99", d))
        for d in members:
            target = None if d == original else original
            if info.get(d, (None, None))[1] != target:
                changes[d] = target
    if changes:
        store.set_duplicates(changes)
        log.info("duplicates: %d documents re-pointed", len(changes))
    return len(changes)

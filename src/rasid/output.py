"""Write the output contract (DESIGN.md) from the store: documents.jsonl, later stories.jsonl and events.jsonl."""

from __future__ import annotations

import json
import os
from pathlib import Path

from rasid.store import Store

__all__ = ["write_outputs"]


def write_outputs(store: Store, out_dir: str | Path) -> dict[str, int]:
    """Write every stored document to ``OUT/documents.jsonl``; return the row count per file written.

    Files are written beside their final name and renamed into place, so a reader never sees a
    half-written file and an interrupted write leaves the previous output intact.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    target = out / "documents.jsonl"
    tmp = target.with_suffix(".jsonl.tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for doc in store.iter_documents():
            fh.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, target)
    counts[target.name] = n
    return counts

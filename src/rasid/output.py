"""Write the output contract (DESIGN.md) from the store: documents.jsonl, later stories.jsonl and events.jsonl."""

from __future__ import annotations

import json
import os
from pathlib import Path

from rasid.store import Store

__all__ = ["write_outputs"]


def write_outputs(store: Store, out_dir: str | Path) -> dict[str, int]:
    """Write every stored document and story (``documents.jsonl``, ``stories.jsonl``); return row counts.

    Files are written beside their final name and renamed into place, so a reader never sees a
    half-written file and an interrupted write leaves the previous output intact.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {"documents.jsonl": _write_jsonl(out / "documents.jsonl", (d.to_json() for d in store.iter_documents())),
            "stories.jsonl": _write_jsonl(out / "stories.jsonl", store.iter_stories())}


def _write_jsonl(target: Path, rows) -> int:
    tmp = target.with_suffix(".jsonl.tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, target)
    return n

"""Write the output contract (DESIGN.md) from the store: documents.jsonl, later stories.jsonl and events.jsonl."""

from __future__ import annotations

import json
import os
from pathlib import Path

from rasid.entities.extract import summarize
from rasid.entities.passes import LAYER as ENTITY_LAYER
from rasid.store import Store

__all__ = ["write_outputs"]


def write_outputs(store: Store, out_dir: str | Path) -> dict[str, int]:
    """Write every stored document and story (``documents.jsonl``, ``stories.jsonl``); return row counts.

    Files are written beside their final name and renamed into place, so a reader never sees a
    half-written file and an interrupted write leaves the previous output intact.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shared: dict[str, list[dict]] = {}
    for p in store.shared_passages():
        shared.setdefault(p["doc_id"], []).append(
            {"line": p["line"], "span": p["span"], "doc_id": p["other_doc_id"], "other_line": p["other_line"],
             "other_span": p["other_span"]})
        shared.setdefault(p["other_doc_id"], []).append(
            {"line": p["other_line"], "span": p["other_span"], "doc_id": p["doc_id"], "other_line": p["line"],
             "other_span": p["span"]})

    mentions: dict[str, list[dict]] = {}
    for m in store.annotations(ENTITY_LAYER):
        mentions.setdefault(m["doc_id"], []).append(m)

    def documents():
        for doc in store.iter_documents():
            row = doc.to_json()
            row["shared_passages"] = sorted(shared.get(doc.doc_id, []), key=lambda x: (x["line"], x["doc_id"]))
            row.update(summarize(mentions.get(doc.doc_id, [])))
            yield row

    def entities():
        for rows in mentions.values():
            yield from rows

    return {"documents.jsonl": _write_jsonl(out / "documents.jsonl", documents()),
            "stories.jsonl": _write_jsonl(out / "stories.jsonl", store.iter_stories()),
            "entities.jsonl": _write_jsonl(out / "entities.jsonl", entities())}


def _write_jsonl(target: Path, rows) -> int:
    tmp = target.with_suffix(".jsonl.tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, target)
    return n

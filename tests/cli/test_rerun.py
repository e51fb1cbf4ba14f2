"""Stored results follow their inputs: re-runs redo exactly the documents an edited data file or a
changed cleaning touches (the real tagger and coder on the sample articles)."""

import csv
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rasid.cli import main
from rasid.fingerprints import DataFiles, LayerFingerprints, refs_of
from rasid.resources import data_path
from rasid.store import Store
from rasid.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
META = ROOT / "demo" / "meta.jsonl"
WAGNER = "Wagner Group"
OLD_NAME = "Wagner Group (Russian private military company)"
NEW_NAME = "Wagner mercenaries (renamed in a user copy)"


def last_run(out: Path) -> dict:
    db = sqlite3.connect(out / "rasid.sqlite")
    counts = json.loads(db.execute("SELECT counts FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()[0])
    db.close()
    return counts


def entity_rows(out: Path) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for line in (out / "entities.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        rows.setdefault(r["doc_id"], []).append(r)
    return rows


def analyze(seeds_dir, out, *options) -> int:
    return main(["analyze", str(seeds_dir), "--meta", str(META), "--out", str(out), "--no-stories", "-q", *options])


@pytest.mark.slow
def test_rerun_recodes_exactly_the_documents_an_edit_touches(tmp_path, seeds_dir):
    out = tmp_path / "out"
    assert analyze(seeds_dir, out) == 0
    first = last_run(out)
    assert first["entity_documents"] == first["event_documents"] == 5
    before = entity_rows(out)
    mentioning = {d for d, rows in before.items() if any(r.get("id") == WAGNER for r in rows)}
    assert 0 < len(mentioning) < 5  # the actor is in some sample articles, not all

    # (c) nothing changed: nothing is redone
    assert analyze(seeds_dir, out) == 0
    again = last_run(out)
    assert (again["recleaned"], again["entity_documents"], again["event_documents"]) == (0, 0, 0)

    # (b) one actor's English name changed in a user copy: only the documents that name it are re-coded
    actors = tmp_path / "actors.yaml"
    text = data_path("entities/data/actors.yaml").read_text(encoding="utf-8")
    actors.write_text(text.replace(f"name_en: {OLD_NAME}", f"name_en: {NEW_NAME}", 1), encoding="utf-8")
    status = json.loads(_status(out, "--actors", str(actors)))
    assert status["entity"] == {"current": 5 - len(mentioning), "stale": len(mentioning), "missing": 0}
    assert analyze(seeds_dir, out, "--actors", str(actors)) == 0
    renamed = last_run(out)
    fps = LayerFingerprints(DataFiles(actors=actors))
    reaching = {d for d, rows in before.items() if WAGNER in fps.closure(refs_of(rows))}
    assert renamed["entity_documents"] == len(mentioning)
    assert renamed["event_documents"] == len(reaching) < 5
    after = entity_rows(out)
    assert {r["name_en"] for d in mentioning for r in after[d] if r.get("id") == WAGNER} == {NEW_NAME}
    assert all(after[d] == before[d] for d in before if d not in mentioning)
    events = [json.loads(x) for x in (out / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = {(e.get(role) or {}).get("label_en") for e in events for role in ("actor1", "actor2")}
    assert NEW_NAME in labels and OLD_NAME not in labels
    with open(out / "events.csv", encoding="utf-8-sig", newline="") as f:
        csv_actors = {v for row in csv.DictReader(f) for v in (row["actor1"], row["actor2"])}
    assert NEW_NAME in csv_actors and OLD_NAME not in csv_actors
    api = TestClient(create_app(out / "rasid.sqlite")).get("/api/events", params={"limit": 1000}).json()
    api_labels = {(e.get(role) or {}).get("label_en") for e in api["events"] for role in ("actor1", "actor2")}
    assert NEW_NAME in api_labels and OLD_NAME not in api_labels
    assert analyze(seeds_dir, out, "--actors", str(actors)) == 0
    assert (last_run(out)["entity_documents"], last_run(out)["event_documents"]) == (0, 0)

    # (d) a cleaning change (lines marked outlet boilerplate after cleaning) redoes that document only
    with Store(out / "rasid.sqlite") as store:
        doc = store.get_document(sorted(mentioning)[0])
        line = next(ln for ln in doc.lines if ln.status == "kept" and any(
            r["line"] == ln.n for r in after[doc.doc_id]))
        # only this line takes part in the outlet-template pass, and it counts as recurring
        store.db.execute("UPDATE lines SET key_hash = CASE WHEN doc_id=? AND n=? THEN 'only-here' END",
                         (doc.doc_id, line.n))
        if doc.outlet is None:
            store.db.execute("UPDATE documents SET outlet='One Outlet' WHERE doc_id=?", (doc.doc_id,))
        assert store.mark_outlet_boilerplate(min_docs=1, max_chars=10_000) == 1
        marked = {d.doc_id for d in store.iter_documents() if any(ln.rule == "outlet-recurring" for ln in d.lines)}
    assert marked == {doc.doc_id}
    assert analyze(seeds_dir, out, "--actors", str(actors)) == 0
    recleaned = last_run(out)
    assert (recleaned["entity_documents"], recleaned["event_documents"]) == (1, 1)
    assert not [r for r in entity_rows(out)[doc.doc_id] if r["line"] == line.n]
    events = [json.loads(x) for x in (out / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert not [e for e in events if e["doc_id"] == doc.doc_id and e["line"] == line.n]


def _status(out: Path, *options) -> str:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["status", "--out", str(out), "--json", *options]) == 0
    return buf.getvalue()


def test_a_malformed_user_file_fails_before_the_store_changes(tmp_path, seeds_dir, capsys):
    out = tmp_path / "out"
    one = seeds_dir / "001_f26e5b47cef9b3b6.txt"
    assert main(["analyze", str(one), "--out", str(out), "--no-stories", "--no-entities", "-q"]) == 0
    db = out / "rasid.sqlite"
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    bad = tmp_path / "actors.yaml"
    bad.write_text("actors:\n  - {id: LNA, name_ar: الجيش الوطني الليبي\n  - id: GNA\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["analyze", str(seeds_dir), "--out", str(out), "--actors", str(bad), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"{bad} line" in err and "invalid YAML" in err and "Traceback" not in err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    with Store(db) as store:
        assert store.count_documents() == 1


def test_status_counts_layers_without_the_tagger(tmp_path, seeds_dir):
    out = tmp_path / "out"
    assert main(["analyze", str(seeds_dir), "--out", str(out), "--no-stories", "--no-entities", "-q"]) == 0
    counts = json.loads(_status(out))
    assert counts["clean"] == {"current": 5, "stale": 0, "missing": 0}
    assert counts["entity"] == counts["event"] == {"current": 0, "stale": 0, "missing": 5}
    assert counts["stories"]["missing"] == 6 and counts["search"]["current"] == 5
    rules = tmp_path / "rules.yaml"
    rules.write_text("# source: test; licence: CC0\nrules: []\n", encoding="utf-8")
    assert json.loads(_status(out, "--rules", str(rules)))["clean"] == {"current": 0, "stale": 5, "missing": 0}
    assert main(["status", "--out", str(out)]) == 0

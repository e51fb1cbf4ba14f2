"""The review loop on the sample articles: accounts, a coder's corrections through the API, their
audit trail, their survival across a re-run, the exports and the gold file they make."""

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rasid.cli import main
from rasid.review import reviews_of
from rasid.store import Store
from rasid.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
META = ROOT / "demo" / "meta.jsonl"


def analyze(seeds_dir, out) -> int:
    return main(["analyze", str(seeds_dir), "--meta", str(META), "--out", str(out), "--no-stories", "-q"])


@pytest.mark.slow
def test_a_coders_corrections_survive_reruns_and_reach_exports_and_gold(tmp_path, seeds_dir, capsys):
    out = tmp_path / "out"
    assert analyze(seeds_dir, out) == 0
    db = out / "rasid.sqlite"
    capsys.readouterr()
    assert main(["users", "add", "amal", "--role", "coder", "--db", str(db)]) == 0
    coder = capsys.readouterr().out.split(": ", 1)[1].split()[0]
    assert main(["users", "add", "sami", "--role", "viewer", "--db", str(db)]) == 0
    viewer = capsys.readouterr().out.split(": ", 1)[1].split()[0]
    assert coder.encode() not in db.read_bytes()  # only its hash is stored

    read_only = TestClient(create_app(db))
    events = read_only.get("/api/events", params={"limit": 1000}).json()["events"]
    target, wrong = events[0], events[1]
    assert read_only.post(f"/api/events/{target['event_id']}/review", json={"action": "accept"}).status_code == 405

    api = TestClient(create_app(db, review=True))
    url = f"/api/events/{target['event_id']}/review"
    edit = {"action": "edit", "fields": {"fatalities": 7, "event_type": "Battles", "sub_event_type": "Armed clash",
                                         "actor1": "GNA", "location": "مصراتة"}, "note": "checked"}
    assert api.post(url, json=edit).status_code == 401
    assert api.post(url, json=edit, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert api.post(url, json=edit, headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
    bad = dict(edit, fields={"fatalities": -3})
    assert api.post(url, json=bad, headers={"Authorization": f"Bearer {coder}"}).status_code == 422
    r = api.post(url, json=edit, headers={"Authorization": f"Bearer {coder}"})
    assert r.status_code == 200, r.text
    after = r.json()
    assert (after["fatalities"], after["event_type"], after["actor1"]["id"]) == (7, "Battles", "GNA")
    assert after["location"]["name_en"] == "Misrata" and after["reviewed"]["by"] == "amal"
    auth = {"Authorization": f"Bearer {coder}"}
    assert api.post(f"/api/events/{wrong['event_id']}/review", json={"action": "reject"}, headers=auth).status_code == 200
    assert api.post("/api/events/ev-nope/review", json={"action": "accept"}, headers=auth).status_code == 404

    with Store(db) as store:
        trail = reviews_of(store, target["event_id"])
    assert len(trail) == 1 and trail[0]["by"] == "amal" and trail[0]["before"]["fatalities"] == target["fatalities"]
    assert trail[0]["after"]["fatalities"] == 7

    # a re-run that recodes every document (another model file) keeps the corrections
    model = tmp_path / "learned.json"
    data = json.loads((ROOT / "src" / "rasid" / "events" / "data" / "learned.json").read_text(encoding="utf-8"))
    data["meta"]["note"] = "a copy: the event fingerprint changes, every document is recoded"
    model.write_text(json.dumps(data), encoding="utf-8")
    assert main(["analyze", str(seeds_dir), "--meta", str(META), "--out", str(out), "--no-stories", "-q",
                 "--event-model", str(model)]) == 0
    con = sqlite3.connect(db)
    counts = json.loads(con.execute("SELECT counts FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()[0])
    con.close()
    assert counts["event_documents"] == 5
    again = TestClient(create_app(db)).get("/api/events", params={"limit": 1000}).json()["events"]
    by_id = {e["event_id"]: e for e in again}
    assert by_id[target["event_id"]]["fatalities"] == 7 and by_id[target["event_id"]]["reviewed"]["action"] == "edit"
    assert by_id[wrong["event_id"]]["reviewed"]["action"] == "reject"

    with open(out / "events.csv", encoding="utf-8-sig", newline="") as f:
        rows = {r["rasid_event_id"]: r for r in csv.DictReader(f)}
    assert rows[target["event_id"]]["reviewed"] == "edit" and rows[target["event_id"]]["fatalities"] == "7"
    assert wrong["event_id"] not in rows  # a rejected event is not among ACLED's incidents

    gold_path = tmp_path / "gold.json"
    assert main(["export-gold", "--db", str(db), "--out", str(gold_path), "-q"]) == 0
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    assert set(gold["documents"]) == {target["doc_id"], wrong["doc_id"]}
    assert any(e["fatalities"] == 7 and e["actor1"] == "GNA" for e in gold["events"])
    capsys.readouterr()
    assert main(["eval", str(gold_path), "--out", str(out), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["events_detect"]["recall"] == 1.0  # the output holds every event the coders left
    # as a folder: the articles too, a dev set train-events reads
    assert main(["export-gold", "--db", str(db), "--out", str(tmp_path / "reviewed"), "-q"]) == 0
    from rasid.events.training import Corpus

    dev = Corpus.load(tmp_path / "reviewed", dev_only=True)
    assert set(dev.splits["dev"]) == set(gold["documents"])
    lines = (tmp_path / "reviewed" / "articles.jsonl").read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert {json.loads(x)["id"] for x in lines} == set(gold["documents"])

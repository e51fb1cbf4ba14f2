"""`rasid eval`: the scorer on small hand-made outputs, and agreement with the shared scorer."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rasid.cli import main
from rasid.evaluation import score_output

SHARED = Path(__file__).resolve().parents[2] / "shared"

GOLD = {
    "documents": {"d1": {"publication_date": "2020-06-06", "repeated_lines": [[1, 3]], "boilerplate_lines": [4],
                         "segments": [{"lines": [1, 4], "story": "S1"}]}},
    "places": {"Sirte": {"ar": ["سرت"], "lat": 31.205, "lon": 16.588}},
    "actors": {"LNA": {"examples": ["قوات حفتر"]}, "GNA": {"examples": ["قوات الوفاق"]}},
    "people": {"d1": ["خليفة حفتر", "فايز السراج"]},
    "place_mentions": {"d1": ["Sirte"]},
    "events": [
        {"doc": "d1", "core": True, "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "GNA",
         "actor2": "LNA", "location": "Sirte", "date": "2020-06-06", "fatalities": 3},
        {"doc": "d1", "core": False, "event_type": "Strategic developments", "sub_event_type": "Other",
         "actor1": None, "actor2": None, "location": "Sirte", "date": None, "fatalities": None},
    ],
}


def write(out: Path, docs, events):
    out.mkdir(exist_ok=True)
    (out / "documents.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
    (out / "events.jsonl").write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events), encoding="utf-8")


def test_scores_follow_the_metric_definitions(tmp_path):
    doc = {"doc_id": "d1", "publication_date": "2020-06-06",
           "lines": [{"n": 1, "status": "kept", "segment": 0}, {"n": 2, "status": "kept", "segment": 0},
                     {"n": 3, "status": "repeated", "segment": 0}, {"n": 4, "status": "kept", "segment": 0}],
           "segments": [{"index": 0, "story_id": "s-1"}],
           "people": [{"name": "حفتر"}, {"name": "عقيلة صالح"}],
           "places": [{"name": "Sirte", "name_ar": "سرت", "lat": 31.2, "lon": 16.6}, {"name": "Cairo", "lat": 30.0, "lon": 31.2}]}
    events = [
        {"doc_id": "d1", "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": {"id": "GNA"},
         "actor2": {"id": "LNA"}, "location": {"name": "Sirte", "lat": 31.2, "lon": 16.6}, "event_date": "2020-06-07",
         "fatalities": 3},
        {"doc_id": "d1", "event_type": "Strategic developments", "location": {"name_ar": "سرت"}},
        {"doc_id": "d1", "event_type": "Protests", "location": {"name": "Sirte"}},
    ]
    write(tmp_path / "out", [doc], events)
    res = score_output(tmp_path / "out", GOLD)
    assert res["cleaning"] == {"precision": 1.0, "recall": 0.5, "f1": 0.667, "tp": 1, "system": 1, "gold": 2}
    assert res["people"]["tp"] == 1 and res["people"]["system"] == 2  # حفتر is within خليفة حفتر
    assert res["places"]["tp"] == 1 and res["places"]["precision"] == 0.5
    # the non-core match counts neither way; the protest is a false positive
    assert res["events_detect"] == {"precision": 0.5, "recall": 1.0, "f1": 0.667, "tp": 1, "system": 2, "gold": 1}
    assert res["events_full"]["tp"] == 1 and res["fatalities_accuracy"]["accuracy"] == 1.0
    assert res["publication_date_accuracy"]["accuracy"] == 1.0


def test_eval_command_refuses_missing_output_and_bad_gold(tmp_path):
    gold = tmp_path / "g.json"
    gold.write_text(json.dumps(GOLD), encoding="utf-8")
    assert main(["eval", str(gold), "--out", str(tmp_path / "none")]) == 1
    write(tmp_path / "out", [], [])
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    assert main(["eval", str(bad), "--out", str(tmp_path / "out")]) == 1
    assert main(["eval", str(gold), "--out", str(tmp_path / "out"), "--json"]) == 0


@pytest.mark.skipif(not (SHARED / "eval" / "score.py").exists(), reason="shared evaluation kit not beside the repo")
def test_agrees_with_the_shared_scorer(tmp_path):
    doc = {"doc_id": "d1", "lines": [{"n": 3, "status": "repeated", "segment": 0}], "segments": [],
           "people": [{"name": "فايز السراج"}], "places": [{"name": "سرت", "lat": 31.2, "lon": 16.6}]}
    write(tmp_path / "o", [doc], [{"doc_id": "d1", "event_type": "Battles", "location": {"name": "Sirte"}}])
    (tmp_path / "g.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    res = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), str(tmp_path / "o"), str(tmp_path / "g.json"),
                          "--json"], capture_output=True, text=True, check=True)
    shared = json.loads(res.stdout)
    mine = score_output(tmp_path / "o", GOLD)
    for key in ("cleaning", "people", "events_detect", "events_full", "publication_date_accuracy"):
        assert mine[key] == shared[key], key

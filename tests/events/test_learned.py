"""The learned event steps: the judge and the place ranker, their model file, ``rasid train-events``,
``--event-model`` and ``--min-confidence`` (real corpus articles and the bundled samples)."""

import json
import sqlite3
from pathlib import Path

import pytest

from rasid.cli import main
from rasid.document import Article
from rasid.errors import LexiconError
from rasid.events import EventCoder
from rasid.events.judge import Model, RuleJudge, load_model
from rasid.events.places import LearnedPlaces, LexiconPlaces

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "bench" / "data" / "events_corpus"
META = ROOT / "demo" / "meta.jsonl"


def test_the_shipped_model_names_its_training_data_and_licence():
    meta = json.loads((ROOT / "src" / "rasid" / "events" / "data" / "learned.json").read_text(encoding="utf-8"))["meta"]
    assert "CC BY-NC-SA" in meta["licence"] and meta["trained_on"]["train_articles"] > 0
    judge = load_model(None, "judge")
    assert 0 < judge.threshold < 1 and judge.weights


def test_a_file_that_is_not_a_model_is_one_clear_error(tmp_path):
    bad = tmp_path / "model.json"
    bad.write_text('{"judge": {"weights": [1, 2]}}', encoding="utf-8")
    with pytest.raises(LexiconError, match="model.json"):
        load_model(bad, "judge")
    assert main(["analyze", str(ROOT / "demo" / "seeds"), "--out", str(tmp_path / "out"), "-q",
                 "--event-model", str(bad)]) == 1
    assert not (tmp_path / "out" / "rasid.sqlite").exists()  # failed before the store opened


def test_a_min_confidence_outside_zero_to_one_is_refused(tmp_path):
    assert main(["analyze", str(ROOT / "demo" / "seeds"), "--out", str(tmp_path / "out"), "-q",
                 "--min-confidence", "7"]) == 1


@pytest.fixture(scope="module")
def tag():
    from rasid.clean import Cleaner
    from rasid.entities import EntityExtractor

    cleaner, extractor = Cleaner.from_data(), EntityExtractor()

    def run(text, published="2015-07-26"):
        doc, _ = cleaner.clean(Article("t", text, "t.txt", published=published))
        return doc, extractor.extract(doc).rows()

    return run


@pytest.mark.slow
def test_the_place_ranker_follows_its_weights(tag):
    # SaudiNewsNet, 26 July 2015: a town and the governorate it is in
    doc, rows = tag("انفجرت عبوة ناسفة في مدينة العريش بمحافظة شمال سيناء صباح اليوم.")
    lexicon_coder = EventCoder(steps={"places": LexiconPlaces(EventCoder().lexicon)})
    finer = Model({"finer_beside": -3.0}, 0.0, 0.5, {})  # a place with a finer one beside it loses
    coarser = Model({"finer_beside": 3.0}, 0.0, 0.5, {})
    ranked = {}
    for name, model in (("finer", finer), ("coarser", coarser)):
        # (the rule judge keeps both placements: the learned one would weigh the coarse place)
        coder = EventCoder(steps={"places": LearnedPlaces(lexicon_coder.lexicon, model=model), "judge": RuleJudge()})
        (event,) = coder.code(doc, rows)
        ranked[name] = event.location["name_ar"]
    assert ranked["finer"] == "العريش" and ranked["coarser"] != "العريش"


@pytest.mark.slow
def test_train_events_writes_a_model_that_analyze_reads(tmp_path):
    # a small corpus cut from the real one: 12 train and 6 dev articles (never the test split)
    split = json.loads((CORPUS / "split.json").read_text(encoding="utf-8"))["splits"]
    gold = json.loads((CORPUS / "gold.json").read_text(encoding="utf-8"))
    with_events = {e["doc"] for e in gold["events"]}
    train = [d for d in split["train"] if d in with_events][:12]
    dev = [d for d in split["dev"] if d in with_events][:6]
    keep = set(train) | set(dev)
    small = tmp_path / "corpus"
    small.mkdir()
    lines = [x for x in (CORPUS / "articles.jsonl").read_text(encoding="utf-8").splitlines()
             if json.loads(x)["id"] in keep]
    (small / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (small / "split.json").write_text(json.dumps({"splits": {"train": train, "dev": dev, "test": []}}), encoding="utf-8")
    gold["documents"] = {k: v for k, v in gold["documents"].items() if k in keep}
    gold["events"] = [e for e in gold["events"] if e["doc"] in keep]
    (small / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")

    # a second dev set: a folder of articles and gold without a split (here three more dev articles)
    extra = tmp_path / "extra"
    extra.mkdir()
    more = [d for d in split["dev"] if d in with_events and d not in keep][:3]
    (extra / "articles.jsonl").write_text("\n".join(x for x in (CORPUS / "articles.jsonl").read_text(
        encoding="utf-8").splitlines() if json.loads(x)["id"] in more) + "\n", encoding="utf-8")
    full = json.loads((CORPUS / "gold.json").read_text(encoding="utf-8"))
    full["documents"] = {k: v for k, v in full["documents"].items() if k in more}
    full["events"] = [e for e in full["events"] if e["doc"] in more]
    (extra / "gold.json").write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")

    model = tmp_path / "learned.json"
    assert main(["train-events", str(small), "--model", str(model), "-q", "--licence", "test licence",
                 "--extra-dev", str(extra)]) == 0
    written = json.loads(model.read_text(encoding="utf-8"))
    assert written["meta"]["licence"] == "test licence"
    assert written["meta"]["trained_on"]["train_articles"] == 12
    assert written["judge"]["weights"] and 0 < written["judge"]["threshold"] < 1
    assert written["meta"]["chosen_on"] == ["corpus dev", "extra"]
    assert all(0 <= r["detect_f1"] <= 1 for r in written["meta"]["dev"].values())
    assert main(["train-events", str(tmp_path / "nowhere"), "--model", str(model), "-q"]) == 1  # a clear error

    out = tmp_path / "out"
    seeds = str(ROOT / "demo" / "seeds")
    assert main(["analyze", seeds, "--meta", str(META), "--out", str(out), "--no-stories", "-q",
                 "--event-model", str(model)]) == 0
    assert main(["analyze", seeds, "--meta", str(META), "--out", str(out), "--no-stories", "-q",
                 "--event-model", str(model)]) == 0
    db = sqlite3.connect(out / "rasid.sqlite")
    counts = json.loads(db.execute("SELECT counts FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()[0])
    assert counts["event_documents"] == 0  # the same model file: nothing to redo
    db.close()
    # the shipped model instead: every document's events are redone
    assert main(["analyze", seeds, "--meta", str(META), "--out", str(out), "--no-stories", "-q"]) == 0
    db = sqlite3.connect(out / "rasid.sqlite")
    counts = json.loads(db.execute("SELECT counts FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()[0])
    assert counts["event_documents"] == 5
    db.close()


@pytest.mark.slow
def test_min_confidence_keeps_only_the_surer_events(tmp_path):
    out = tmp_path / "out"
    seeds = str(ROOT / "demo" / "seeds")

    def events(*options):
        assert main(["analyze", seeds, "--meta", str(META), "--out", str(out), "--no-stories", "-q", *options]) == 0
        return [json.loads(x) for x in (out / "events.jsonl").read_text(encoding="utf-8").splitlines()]

    every = events()
    confidences = sorted(e["confidence"] for e in every)
    middle = confidences[len(confidences) // 2]
    surer = events("--min-confidence", str(middle))
    assert 0 < len(surer) < len(every)
    assert all(e["confidence"] >= middle - 0.005 for e in surer)  # (stored rounded to two places)

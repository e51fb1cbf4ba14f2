"""The learned line model on real page text: it takes out what the rules miss on labelled pages of the
train and dev sites, it never takes out a line of running prose, the samples stay exact, and
``rasid train-clean`` rebuilds it."""

import json
from pathlib import Path

import pytest

from rasid.clean import Cleaner
from rasid.clean.learned import FEATURES, LineModel, line_features
from rasid.clean.training import load_pages, score_pages, seeds_exact
from rasid.document import Article, LineStatus, split_lines

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "bench" / "data" / "pages" / "pages.jsonl"
GOLD = ROOT.parent / "shared" / "eval" / "seeds_gold.json"


@pytest.fixture(scope="module")
def cleaners():
    return (Cleaner.from_data(line_model=False, identify_language=False),
            Cleaner.from_data(identify_language=False))


def test_the_shipped_model_reads_every_feature_the_lines_have():
    model = LineModel.load()
    assert model is not None and 0 < model.threshold < 1
    assert set(model.weights) >= {"kept", "boilerplate"}
    text = "الرئيسية\nرياضة\nفاز الهلال على النصر بهدفين في المباراة التي أقيمت مساء أمس في الرياض."
    rows = line_features(text, split_lines(text))
    assert all(set(r) == set(FEATURES) for r in rows)
    assert all(set(w) <= set(FEATURES) for w in model.weights.values())


def test_the_model_takes_out_what_the_rules_miss_on_train_and_dev_sites(cleaners):
    rules, learned = cleaners
    for split in ("train", "dev"):
        pages = load_pages(PAGES, [split])
        before, after = score_pages(rules, pages), score_pages(learned, pages)
        assert after["recall"] > before["recall"] + 0.2, split
        assert after["f1"] > before["f1"] + 0.15, split
        assert after["precision"] >= 0.75, split


def test_a_page_menu_timestamp_and_byline_go_and_the_article_stays(cleaners):
    _, learned = cleaners
    text = "\n".join([
        "الرئيسية", "أخبار", "رياضة", "اقتصاد", "منوعات",
        "الاثنين 12 فبراير 2024 10:35 ص",
        "كتب: محمد علي",
        "الهلال يفوز على النصر بهدفين في قمة الدوري",
        "فاز فريق الهلال على ضيفه النصر بهدفين دون رد في المباراة التي أقيمت مساء أمس على ملعب المملكة أرينا "
        "ضمن منافسات الجولة العشرين من الدوري السعودي للمحترفين.",
        "وسجل هدفي المباراة سالم الدوسري في الدقيقة 20 ومالكوم في الدقيقة 75، ليرفع الهلال رصيده إلى 55 نقطة "
        "في صدارة الترتيب.",
    ])
    doc, _ = learned.clean(Article("page", text, "page.txt"))
    status = {text[ln.start:ln.end]: ln.status for ln in doc.lines}
    assert status["الاثنين 12 فبراير 2024 10:35 ص"] != LineStatus.KEPT
    assert sum(status[w] != LineStatus.KEPT for w in ("الرئيسية", "أخبار", "رياضة", "اقتصاد", "منوعات")) >= 4
    assert status["الهلال يفوز على النصر بهدفين في قمة الدوري"] in (LineStatus.KEPT, LineStatus.HEADING)
    assert all(status[line] == LineStatus.KEPT for line in text.split("\n")[-2:])


def test_a_one_line_news_file_keeps_its_lede(cleaners):
    # a news export often holds the whole article on one line; the model must never take it out
    _, learned = cleaners
    rows = [json.loads(x) for x in (ROOT / "bench" / "data" / "events_corpus" / "articles.jsonl")
            .read_text(encoding="utf-8").splitlines() if x.strip()]
    for row in rows[:150]:
        doc, _ = learned.clean(Article(str(row.get("id") or row.get("doc_id")), row["text"], "x", title=row.get("title")))
        for ln in doc.lines:
            words = doc.text[ln.start:ln.end].split()
            if len(words) >= 40:
                assert ln.status == LineStatus.KEPT or ln.rule != "learned", doc.text[ln.start:ln.end][:80]


@pytest.mark.skipif(not GOLD.exists(), reason="the samples' gold is not here")
def test_the_samples_stay_exact(cleaners):
    assert seeds_exact(cleaners[1], ROOT / "demo" / "seeds", GOLD)


@pytest.mark.slow
def test_train_clean_rebuilds_a_model_that_loads(tmp_path):
    from rasid.cli import main

    out = tmp_path / "line_model.json"
    assert main(["train-clean", str(PAGES), "--model", str(out), "-q"]) == 0
    model = LineModel.load(str(out))
    assert model.about["train_pages"] == len(load_pages(PAGES, ["train"]))
    assert model.about["dev"]["f1"] >= model.about["dev_rules_only"]["f1"]
    dev = load_pages(PAGES, ["dev"])
    rebuilt = Cleaner.from_data(line_model=str(out), identify_language=False)
    assert score_pages(rebuilt, dev)["f1"] == model.about["dev"]["f1"]

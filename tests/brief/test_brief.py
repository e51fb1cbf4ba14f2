"""Summaries and briefs: confirmed sentences first, copies said once, English only from coded fields."""

import json

from rasid.brief import Candidate, summarize

LEAD = "دخلت قوات حكومة الوفاق مدينة سرت بعد معارك عنيفة مع قوات حفتر استمرت طوال الليل"
COPY = "دخلت قوات حكومة الوفاق مدينة سرت بعد معارك عنيفة مع قوات حفتر استمرت طوال الليل الماضي"
OTHER = "وقال سكان إن الكهرباء انقطعت عن أحياء واسعة من مدينة مصراتة منذ ثلاثة أيام بسبب الأعطال"
CONFIRM = "أفادت مصادر ميدانية بأن قوات الوفاق دخلت سرت بعد اشتباكات مع قوات حفتر"


def test_a_passage_copied_by_several_outlets_is_said_once_and_counts_as_support():
    cands = [Candidate(LEAD, "a", "A", 0), Candidate(OTHER, "a", "A", 1), Candidate(COPY, "b", "B", 0),
             Candidate(CONFIRM, "c", "C", 0)]
    chosen = summarize(cands, k=2)
    texts = [c.text for c in chosen]
    assert not (LEAD in texts and COPY in texts)  # the copy is redundant
    first = next(c for c in chosen if c.text in (LEAD, COPY))
    assert len(first.support) == 2  # two other outlets say the same


def test_the_summary_reads_in_document_order_and_skips_fragments():
    cands = [Candidate("المصدر: الجزيرة", "a", "A", 0), Candidate(LEAD, "a", "A", 1), Candidate(OTHER, "a", "A", 2)]
    chosen = summarize(cands, k=3)
    assert [c.index for c in chosen] == [1, 2]


def test_story_brief_on_the_samples(seeds_out):
    stories = [json.loads(x) for x in (seeds_out / "stories.jsonl").read_text(encoding="utf-8").splitlines()]
    docs = {json.loads(x)["doc_id"]: json.loads(x) for x in
            (seeds_out / "documents.jsonl").read_text(encoding="utf-8").splitlines()}
    sirte = max(stories, key=lambda s: len(s["members"]))
    assert 1 <= len(sirte["summary_sentences"]) <= 3
    for s in sirte["summary_sentences"]:  # every summary sentence is a span of its document
        assert docs[s["doc_id"]]["text"][s["span"][0]:s["span"][1]] == s["text"]
    assert any(s["support"] for s in sirte["summary_sentences"])
    assert "Sirte" in sirte["title_en"] and "2020" in sirte["title_en"]
    assert "Sirte" in sirte["summary_en"] and "Disputed" in sirte["summary_en"]
    assert not any("\u0600" <= ch <= "\u06ff" for ch in sirte["title_en"])  # the English title is English
    lna_claims = [c for c in sirte["claims"] if c["side"] == "LNA"]
    assert lna_claims and all(c["notes_en"] for c in lna_claims)

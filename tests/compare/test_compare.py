"""Comparing the sources of a story: the matrix, conflicting claims, names per outlet, framing."""

import json

import pytest

from rasid.compare import FramingLexicon, compare_story
from rasid.document import Article
from rasid.events import link_events


@pytest.fixture(scope="module")
def lexicon():
    return FramingLexicon.from_data()


def _docs(cleaner, texts: dict[str, tuple[str, str]]):
    docs = {}
    for doc_id, (outlet, text) in texts.items():
        doc, _ = cleaner.clean(Article(doc_id, text, f"{doc_id}.txt", "text", outlet=outlet, published="2020-06-07"))
        docs[doc_id] = doc
    return docs


def _event(doc, sentence: str, **fields):
    start = doc.text.index(sentence)
    e = {"event_id": f"ev-{doc.doc_id}-{start}", "doc_id": doc.doc_id, "line": 1, "span": [start, start + len(sentence)],
         "sentence": sentence, "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
         "event_date": "2020-06-07", "outlet": doc.outlet, "story_id": "s1",
         "location": {"id": "ly:jufra", "name_en": "Al Jufra", "name_ar": "الجفرة", "lat": 29.1, "lon": 16.0,
                      "country": "LY", "geo_precision": 2}}
    e.update(fields)
    return e


def test_differing_tolls_of_one_event_are_a_conflict_with_a_range(cleaner, lexicon):
    a = "أعلن الجيش الوطني الليبي مقتل 43 من عناصر الميليشيات في غارة جوية على الجفرة."
    b = "قالت مصادر محلية إن غارة جوية على الجفرة أسفرت عن مقتل 12 شخصا."
    docs = _docs(cleaner, {"d1": ("Outlet A", a), "d2": ("Outlet B", b)})
    lna = {"id": "LNA", "side": "LNA", "label_en": "LNA"}
    events = link_events([_event(docs["d1"], a, fatalities=43, actor1=lna), _event(docs["d2"], b, fatalities=12)])
    story = {"story_id": "s1", "members": [{"doc_id": "d1", "segment": 0}, {"doc_id": "d2", "segment": 0}]}
    result = compare_story(story, docs, events, {}, lexicon)
    assert len(result["matrix"]) == 1 and result["matrix"][0]["sources"] == 2
    (conflict,) = [c for c in result["conflicts"] if c["kind"] == "fatalities"]
    assert conflict["range"]["low"] == 12 and conflict["range"]["high"] == 43
    assert {(c["source"], c["value"]) for c in conflict["claims"]} == {("Outlet A", 43), ("Outlet B", 12)}
    for c in conflict["claims"]:  # each claim points at its sentence
        assert docs[c["doc_id"]].text[c["span"][0]:c["span"][1]] == c["sentence"]


def test_different_attackers_of_one_target_are_a_responsibility_conflict(cleaner, lexicon):
    a = "قصفت قوات حفتر مواقع لقوات الوفاق في الجفرة."
    b = "قصفت طائرات تركية مواقع لقوات الوفاق في الجفرة."
    docs = _docs(cleaner, {"d1": ("Outlet A", a), "d2": ("Outlet B", b)})
    gna = {"id": "GNA", "side": "GNA", "label_en": "GNA forces"}
    events = link_events([
        _event(docs["d1"], a, actor1={"id": "LNA", "side": "LNA", "label_en": "LNA"}, actor2=gna),
        _event(docs["d2"], b, actor1={"id": "Turkey", "side": "Turkey", "label_en": "Turkey"}, actor2=gna)])
    story = {"story_id": "s1", "members": [{"doc_id": "d1", "segment": 0}, {"doc_id": "d2", "segment": 0}]}
    conflicts = compare_story(story, docs, events, {}, lexicon)["conflicts"]
    assert [c["kind"] for c in conflicts] == ["responsibility"]
    assert {c["value"] for c in conflicts[0]["claims"]} == {"LNA", "Turkey"}


def test_a_copy_of_an_earlier_document_is_not_another_source(cleaner, lexicon):
    a = "قصفت قوات حفتر مواقع لقوات الوفاق في الجفرة."
    docs = _docs(cleaner, {"d1": ("Outlet A", a), "d2": ("Outlet B", a)})
    docs["d2"].duplicate_of = "d1"
    story = {"story_id": "s1", "members": [{"doc_id": "d1", "segment": 0}, {"doc_id": "d2", "segment": 0}]}
    result = compare_story(story, docs, [], {}, lexicon)
    assert [s["source"] for s in result["sources"]] == ["Outlet A"]


def test_on_the_sample_story_the_entry_claim_and_the_30_metre_claim_conflict(seeds_out):
    stories = [json.loads(x) for x in (seeds_out / "stories.jsonl").read_text(encoding="utf-8").splitlines()]
    sirte = max(stories, key=lambda s: len(s["members"]))
    comparison = sirte["comparison"]
    (territory,) = [c for c in comparison["conflicts"] if c["kind"] == "territory"]
    kinds = {(c["source"], c["claim"]) for c in territory["claims"]}
    assert ("Al Jazeera", "full") in kinds
    limited = [c for c in territory["claims"] if c["claim"] == "limited"]
    assert limited and all(c["attributed_side"] == "LNA" for c in limited)
    assert any("30" in c["cue"] for c in limited)
    # outlets name Haftar's forces differently, and the lean follows the outlet's own words
    lna = next(a for a in comparison["labels"] if a["id"] == "LNA")
    names = {src: {n["surface"] for n in names} for src, names in lna["by_source"].items()}
    assert "مليشيات حفتر" in names["Al Jazeera"] and "قوات حفتر" in names["Al Jazeera"]
    assert any("الجيش الوطني الليبي" in v for k, v in names.items() if k != "Al Jazeera")
    assert comparison["framing"]["Al Jazeera"]["lean"]["side"] == "GNA"


def test_a_source_without_outlet_or_title_is_named_by_its_first_line(cleaner):
    from rasid.compare.compare import source_label

    text = "وقصفت طائرات مسيرة مواقع لقوات الوفاق غرب مدينة سرت فجر اليوم.\n\nوقال مصدر عسكري إن الطائرات ..."
    doc, _ = cleaner.clean(Article("000_930dda6a6b7502e0", text, "x.txt", "text", outlet=None))
    label = source_label(doc)
    assert label.startswith("unknown outlet: «وقصفت طائرات مسيرة") and label.endswith("…»")
    assert "000_930dda6a6b7502e0" not in label

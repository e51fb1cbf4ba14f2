import json
import zlib

import numpy as np
import pytest

from rasid.pipeline import analyze
from rasid.store import Store
from rasid.stories import StoryClusterer
from rasid.stories.clustering import story_id_for
from rasid.stories.terms import TermWeights

SAME_STORY_REPORT = (
    "أعلنت قوات حكومة الوفاق الليبية اليوم أنها دخلت مدينة سرت من ثلاثة محاور بعد انسحاب قوات حفتر منها، "
    "وأكد متحدث عسكري أن قوات حفتر انسحبت أيضا من قاعدة الجفرة الجوية باتجاه الشرق.\n"
    "وقال المتحدث إن سلاح الجو نفذ ضربات على آليات مسلحة لمليشيات حفتر في محيط سرت والوشكة، "
    "فيما دعت مصر إلى وقف إطلاق النار وفق مبادرة إعلان القاهرة التي أعلنها الرئيس السيسي.")


def bag_encoder(texts):
    """A deterministic stand-in for e5: hashed bag of words, unit length."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in t.split():
            out[i, zlib.crc32(w.encode()) % 64] += 1
        out[i] /= np.linalg.norm(out[i]) or 1
    return out


def make(**kw):
    return StoryClusterer(bag_encoder, TermWeights({}, 100), **kw)  # as if 100 unrelated articles were seen


def stories_by_doc(store):
    return {(m["doc_id"], m["segment"]): s["story_id"] for s in store.iter_stories() for m in s["members"]}


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory, seeds_dir):
    from rasid.clean import Cleaner
    from rasid.ingest import ReadOptions, load_meta

    tmp = tmp_path_factory.mktemp("stories")
    meta, _ = load_meta(seeds_dir.parent / "meta.jsonl")
    with Store(tmp / "s.sqlite") as store:
        analyze([seeds_dir], store, cleaner=Cleaner.from_data(), options=ReadOptions(meta=meta), views=False)
    return tmp / "s.sqlite", meta


def test_seed_reports_of_one_development_form_one_story_and_the_old_page_two_others(seed_store):
    with Store(seed_store[0]) as store:
        got = stories_by_doc(store)
    s1 = {got[(d, 0)] for d in ("000_930dda6a6b7502e0", "001_f26e5b47cef9b3b6", "002_21a362b9bfaece20",
                                 "003_ceb414d14458d7ff")}
    assert len(s1) == 1
    s2, s3 = got[("004_0e1083c9c33184de", 0)], got[("004_0e1083c9c33184de", 1)]
    assert len({*s1, s2, s3}) == 3


def test_reopened_store_continues_its_stories(seed_store, tmp_path, cleaner):
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(seed_store[0].read_bytes())
    with Store(copy) as store:
        before = stories_by_doc(store)
    (tmp_path / "new.jsonl").write_text(json.dumps(
        {"id": "report-2020-06-07", "text": SAME_STORY_REPORT, "published": "2020-06-07", "outlet": "Libya Observer"},
        ensure_ascii=False), encoding="utf-8")
    with Store(copy) as store:
        report = analyze([tmp_path / "new.jsonl"], store, cleaner=cleaner, views=False)
        after = stories_by_doc(store)
        story = next(s for s in store.iter_stories() if s["story_id"] == after[("report-2020-06-07", 0)])
    assert report.segments_assigned == 1
    assert {k: v for k, v in after.items() if k in before} == before  # the past is not re-clustered
    assert after[("report-2020-06-07", 0)] == before[("001_f26e5b47cef9b3b6", 0)]
    assert "Libya Observer" in story["sources"] and story["end_date"] == "2020-06-10"


def test_the_same_report_undated_or_a_month_later_opens_a_new_story(seed_store, tmp_path, cleaner):
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(seed_store[0].read_bytes())
    records = [{"id": "undated", "text": SAME_STORY_REPORT},
               {"id": "later", "text": SAME_STORY_REPORT.replace("اليوم", "أمس"), "published": "2020-07-20"}]
    (tmp_path / "new.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records),
                                        encoding="utf-8")
    with Store(copy) as store:
        analyze([tmp_path / "new.jsonl"], store, cleaner=cleaner, views=False)
        got = stories_by_doc(store)
    s1 = got[("001_f26e5b47cef9b3b6", 0)]
    assert got[("undated", 0)] != s1 and got[("later", 0)] != s1


def test_incremental_runs_equal_one_batch_run(tmp_path, seeds_dir, seed_store, cleaner):
    from rasid.ingest import ReadOptions

    first, rest = sorted(seeds_dir.glob("*.txt"))[:2], sorted(seeds_dir.glob("*.txt"))[2:]
    with Store(tmp_path / "inc.sqlite") as store:
        analyze(first, store, cleaner=cleaner, options=ReadOptions(meta=seed_store[1]), views=False)
        analyze(rest, store, cleaner=cleaner, options=ReadOptions(meta=seed_store[1]), views=False)
        incremental = stories_by_doc(store)
    with Store(seed_store[0]) as store:
        batch = stories_by_doc(store)
    assert incremental == batch


def test_copies_join_their_originals_story_without_new_stories(tmp_path, seed_text, cleaner):
    records = [{"id": "orig", "text": seed_text("001"), "published": "2020-06-06", "outlet": "Al Jazeera"},
               {"id": "reprint", "text": seed_text("001"), "published": "2020-06-06", "outlet": "Arabi21"}]
    (tmp_path / "x.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    with Store(tmp_path / "s.sqlite") as store:
        analyze([tmp_path / "x.jsonl"], store, cleaner=cleaner, views=False)
        got = stories_by_doc(store)
        (story,) = list(store.iter_stories())
    assert got[("orig", 0)] == got[("reprint", 0)] == story_id_for("orig", 0)
    assert story["sources"] == ["Al Jazeera", "Arabi21"] and story["size"] == 2


def test_clusterer_gates_on_dates_and_thresholds():
    c = make()
    text = "قوات الوفاق تدخل مدينة سرت بعد معارك مع قوات حفتر قرب الجفرة"
    a, b, far, undated = c.profiles([("a", 0, "2020-06-06", "X", "", text), ("b", 0, "2020-06-08", "Y", "", text),
                                     ("far", 0, "2020-06-20", "Z", "", text), ("u", 0, None, "Z", "", text)])
    sid, _ = c.assign(a)
    assert c.assign(b) == (sid, pytest.approx(1.0))      # identical text within the window
    assert c.assign(undated)[0] == sid                    # identical text passes even the stricter undated bar
    assert c.assign(far)[0] != sid                        # identical text twelve days on: a new story
    other = c.profiles([("o", 0, "2020-06-07", "X", "", "ارتفاع أسعار النفط في الأسواق العالمية اليوم")])[0]
    assert c.assign(other)[0] not in (sid,)


def test_an_undated_report_is_dated_by_its_text_and_joins_its_story(seed_store, tmp_path, cleaner):
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(seed_store[0].read_bytes())
    dated_text = SAME_STORY_REPORT.replace("اليوم", "يوم السبت 6 يونيو 2020", 1)
    records = [{"id": "dated-by-text", "text": dated_text},
               {"id": "old-by-text", "text": SAME_STORY_REPORT.replace("اليوم", "يوم السبت 6 يونيو 2015", 1)}]
    (tmp_path / "new.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records),
                                        encoding="utf-8")
    with Store(copy) as store:
        analyze([tmp_path / "new.jsonl"], store, cleaner=cleaner, views=False)
        got = stories_by_doc(store)
        dates = store.story_dates()
        text = next(iter(store.iter_documents(["dated-by-text"]))).text
    assert got[("dated-by-text", 0)] == got[("001_f26e5b47cef9b3b6", 0)]  # its text fixes the day: it joins
    assert got[("old-by-text", 0)] != got[("001_f26e5b47cef9b3b6", 0)]  # the same words five years before
    found = dates[("dated-by-text", 0)]
    assert found["date"] == "2020-06-06" and found["basis"] == "text"
    assert text[found["span"][0]:found["span"][1]] == found["phrase"] == "6 يونيو 2020"  # provenance
    assert dates[("old-by-text", 0)]["date"] == "2015-06-06"
    assert ("004_0e1083c9c33184de", 0) not in dates  # the seed page gives no full date: it stays undated


def test_story_members_keep_what_the_entity_layers_found_and_a_reopened_store_reads_it(seed_store, tmp_path,
                                                                                     cleaner):
    from rasid.stories.signals import EntitySignals

    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(seed_store[0].read_bytes())
    (tmp_path / "new.jsonl").write_text(json.dumps(
        {"id": "report-2020-06-07", "text": SAME_STORY_REPORT, "published": "2020-06-07"}, ensure_ascii=False),
        encoding="utf-8")
    with Store(copy) as store:
        stored = {(r[1], r[2]): r[10] for r in store.iter_story_members()}
        mentions = {(r["doc_id"], r["type"], r.get("id")) for r in store.annotations("entity")}
        countries = {r["id"] for r in store.annotations("entity") if r.get("place_kind") == "country"}
        clusterer = StoryClusterer.from_data()
        analyze([tmp_path / "new.jsonl"], store, cleaner=cleaner, stories=clusterer, views=False)  # reloads them
        added = next(r[10] for r in store.iter_story_members() if r[1] == "report-2020-06-07")
    sirte = stored[("000_930dda6a6b7502e0", 0)]
    assert ("000_930dda6a6b7502e0", "LOC", "ly:sirte") in mentions  # what the entity layer found ...
    assert "ly:sirte" in [p[0] for p in sirte["places"]]  # ... is stored with the membership
    assert sirte["events"] and all(isinstance(e, str) for e in sirte["events"])  # the event layer's sub-types
    assert countries and not countries & {p[0] for s in stored.values() for p in s["places"]}  # too wide to count
    profile = next(m for s in clusterer.stories.values() for m in s.members
                   if (m.doc_id, m.segment) == ("000_930dda6a6b7502e0", 0))
    assert profile.entities == EntitySignals.from_json(sirte)
    assert "ly:sirte" in [p[0] for p in added["places"]]  # the new report's own, read in this run


def test_reports_stored_before_the_entity_layers_ran_have_no_signals_and_still_get_stories(tmp_path, seeds_dir,
                                                                                        cleaner, seed_store):
    from rasid.ingest import ReadOptions

    with Store(tmp_path / "s.sqlite") as store:
        analyze([seeds_dir], store, cleaner=cleaner, options=ReadOptions(meta=seed_store[1]), entities=False,
                views=False)
        assert all(r[10] is None for r in store.iter_story_members())
        without = stories_by_doc(store)
    with Store(seed_store[0]) as store:
        with_entities = stories_by_doc(store)
    assert set(without) == set(with_entities)  # every segment has a story
    page = {without[("004_0e1083c9c33184de", 0)], without[("004_0e1083c9c33184de", 1)]}
    reports = {without[(d, 0)] for d in ("000_930dda6a6b7502e0", "001_f26e5b47cef9b3b6", "002_21a362b9bfaece20",
                                          "003_ceb414d14458d7ff")}
    assert len(page) == 2 and not page & reports  # the 2016 page stays apart from the 2020 reports


def test_members_read_their_signals_again_once_the_entity_layers_run_or_are_redone(tmp_path, seeds_dir, cleaner,
                                                                                   seed_store):
    from rasid.ingest import ReadOptions

    options = ReadOptions(meta=seed_store[1])
    with Store(seed_store[0]) as store:
        expected = {(r[1], r[2]): r[10] for r in store.iter_story_members()}
    with Store(tmp_path / "s.sqlite") as store:
        analyze([seeds_dir], store, cleaner=cleaner, options=options, entities=False, views=False)
        before = stories_by_doc(store)
        assert store.members_needing_signals() == []  # no layer rows yet: nothing to read
        analyze([seeds_dir], store, cleaner=cleaner, options=options, views=False)  # the layers run now
        after = {(r[1], r[2]): r[10] for r in store.iter_story_members()}
        assert stories_by_doc(store) == before  # earlier assignments stay
        assert after == expected  # what a run with the layers from the start stored
        assert after[("000_930dda6a6b7502e0", 0)]["places"]
        doc = "000_930dda6a6b7502e0"
        rows = list(store.annotations("entity", doc))
        store.write_annotations("entity", {doc: rows[:1]})  # the layer redone with another result
        assert store.members_needing_signals() == [doc]
        assert all(r[10] is None for r in store.iter_story_members() if r[1] == doc)
        analyze([seeds_dir], store, cleaner=cleaner, options=options, views=False)  # nothing new: refreshed only
        redone = next(r[10] for r in store.iter_story_members() if r[1] == doc)
    assert redone != expected[(doc, 0)] and store_places(redone) <= store_places(expected[(doc, 0)])


def store_places(signals):
    return {p[0] for p in signals["places"]}

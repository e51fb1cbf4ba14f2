import json
import shutil
import sqlite3

import pytest

from rasid.errors import StoreError
from rasid.ingest import ReadOptions, iter_articles
from rasid.pipeline import analyze
from rasid.store import Store

BODY = "دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا، وأرغمت قوات حفتر على الانسحاب من قاعدة الجفرة."


def snapshot(open_store):
    """Every row of the document tables (the store's own connection: SQLite or PostgreSQL)."""
    with open_store() as store:
        return {t: [tuple(r) for r in store.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()]
                for t in ("articles", "documents", "lines", "segments", "sentences", "annotations")}


@pytest.fixture
def corpus(tmp_path, seeds_dir):
    folder = tmp_path / "in"
    shutil.copytree(seeds_dir, folder)
    return folder


def test_documents_round_trip_through_the_store(new_store, corpus, cleaner):
    with new_store() as store:
        analyze([corpus], store, cleaner=cleaner, entities=False)
        stored = store.get_document("004_0e1083c9c33184de")
    fresh = cleaner(next(iter_articles([corpus / "004_0e1083c9c33184de.txt"])))
    assert all(seg.story_id for seg in stored.segments)  # the story pass ran after cleaning
    for seg in stored.segments:
        seg.story_id = None
    assert stored.to_json() == fresh.to_json()


def test_article_keeps_what_was_read_and_document_what_was_inferred(new_store, corpus, cleaner):
    with new_store() as store:
        analyze([corpus], store, cleaner=cleaner, entities=False)
        article = store.get_article("003_ceb414d14458d7ff")
        doc = store.get_document("003_ceb414d14458d7ff")
    assert article.outlet is None and doc.outlet == "Al-Resalah"
    assert article.text == doc.text == (corpus / "003_ceb414d14458d7ff.txt").read_text(encoding="utf-8")


def test_rerun_on_the_same_files_changes_nothing(new_store, corpus, cleaner):
    with new_store() as store:
        first = analyze([corpus], store, cleaner=cleaner)
    before = snapshot(new_store)
    with new_store() as store:
        second = analyze([corpus], store, cleaner=cleaner)
    assert (first.new, second.new, second.changed, second.unchanged) == (5, 0, 0, 5)
    assert (first.entity_documents, second.entity_documents) == (5, 0)  # entities are not extracted twice
    assert snapshot(new_store) == before  # same rows, same timestamps: nothing was rewritten


def test_ids_are_the_same_on_every_run_and_machine(tmp_path, corpus, cleaner):
    ids = []
    for name in ("a", "b"):
        with Store(tmp_path / f"{name}.sqlite") as store:
            analyze([corpus], store, cleaner=cleaner, entities=False)
            ids.append(store.doc_ids())
    assert ids[0] == ids[1] == sorted(p.stem for p in corpus.glob("*.txt"))


def test_adding_files_processes_only_the_new_ones_and_changed_ones_again(new_store, corpus, cleaner):
    with new_store() as store:
        analyze([corpus], store, cleaner=cleaner, entities=False)
    (corpus / "new.txt").write_text(BODY, encoding="utf-8")
    changed = corpus / "002_21a362b9bfaece20.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nسطر أضيف لاحقا إلى الخبر بعد نشره.", encoding="utf-8")
    with new_store() as store:
        report = analyze([corpus], store, cleaner=cleaner, entities=False)
        assert (report.new, report.changed, report.unchanged) == (1, 1, 4)
        assert store.count_documents() == 6
        assert store.get_document("002_21a362b9bfaece20").text.endswith("بعد نشره.")


def test_interrupted_run_leaves_whole_documents_and_the_next_run_resumes(new_store, corpus, cleaner):
    seen = []

    def crash_after_three(item):
        seen.append(item)
        if len(seen) == 4:
            raise KeyboardInterrupt  # the user pressed Ctrl-C while the fourth article was read

    with new_store() as store, pytest.raises(KeyboardInterrupt):
        analyze([corpus], store, cleaner=cleaner, batch_size=2, on_document=crash_after_three, entities=False)
    with new_store() as store:
        assert store.count_documents() == 2  # the first batch of two was committed, the rest rolled back
        for doc in store.iter_documents():  # every stored document is complete
            assert doc.lines and doc.segments and doc.sentences
        status = [tuple(r) for r in store.db.execute("SELECT status FROM runs ORDER BY run_id")]
        assert status == [("interrupted",)]
        report = analyze([corpus], store, cleaner=cleaner, entities=False)
        assert (report.new, report.unchanged) == (3, 2)
        assert store.count_documents() == 5


def test_bad_input_never_touches_what_is_stored(tmp_path, new_store, corpus, cleaner):
    with new_store() as store:
        analyze([corpus], store, cleaner=cleaner, entities=False)
    before = snapshot(new_store)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blob.txt").write_bytes(bytes(range(256)) * 8)
    (bad / "x.jsonl").write_text('{"id": "001_f26e5b47cef9b3b6", "text": \n', encoding="utf-8")
    (bad / "y.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with new_store() as store:
        report = analyze([bad], store, cleaner=cleaner, entities=False)
        assert report.read == 0 and len(report.skipped) == 4
        assert store.skip_counts(report.run_id) == {"empty": 1, "binary": 1, "json": 1, "csv-columns": 1}
    assert snapshot(new_store) == before


def test_line_recurring_across_an_outlets_documents_becomes_boilerplate(tmp_path, new_store, cleaner):
    folder = tmp_path / "outlet"
    folder.mkdir()
    records = []
    for i in range(6):
        text = f"{BODY} الخبر رقم {i} عن المعارك.\nلمتابعة آخر الأخبار اشترك في قناتنا على تيليغرام\nفقرة {i} أخرى فيها تفاصيل عن المعارك."
        records.append(json.dumps({"id": f"d{i}", "text": text, "outlet": "Libya Observer"}, ensure_ascii=False))
    (folder / "feed.jsonl").write_text("\n".join(records), encoding="utf-8")
    with new_store() as store:
        report = analyze([folder], store, cleaner=cleaner, options=ReadOptions(), entities=False)
        assert report.outlet_boilerplate_lines == 6
        doc = store.get_document("d0")
        assert [ln.status for ln in doc.lines] == ["kept", "boilerplate", "kept"]
        assert doc.lines[1].rule == "outlet-recurring"
        assert all(s.line != 2 for s in doc.sentences)


def test_identical_reprints_do_not_teach_boilerplate(tmp_path, cleaner):
    folder = tmp_path / "reprints"
    folder.mkdir()
    text = "عنوان قصير للخبر\n" + BODY
    (folder / "feed.jsonl").write_text("\n".join(json.dumps({"id": f"r{i}", "text": text, "outlet": "okaz"},
                                                            ensure_ascii=False) for i in range(8)), encoding="utf-8")
    with Store(tmp_path / "r.sqlite") as store:
        assert analyze([folder], store, cleaner=cleaner).outlet_boilerplate_lines == 0


def test_a_file_that_is_not_a_rasid_store_is_refused(tmp_path):
    other = tmp_path / "other.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE x (a)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a Rasid store"):
        Store(other)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError):
        Store(junk)


def test_parallel_cleaning_gives_the_same_store_as_one_process(tmp_path, corpus, cleaner):
    cleaner.language.identify("تحميل النموذج قبل نسخ المنظف إلى العمليات")  # a loaded model must not break pickling
    with Store(tmp_path / "one.sqlite") as store:
        analyze([corpus], store, cleaner=cleaner, entities=False)
        one = [d.to_json() for d in store.iter_documents()]
    with Store(tmp_path / "two.sqlite") as store:
        analyze([corpus], store, cleaner=cleaner, workers=2, batch_size=2, entities=False)
        two = [d.to_json() for d in store.iter_documents()]
    assert one == two


def test_changed_document_gets_its_entities_again_and_others_keep_theirs(new_store, corpus, cleaner):
    with new_store() as store:
        analyze([corpus], store, cleaner=cleaner, stories=False)
        before = {d: list(store.annotations("entity", d)) for d in store.doc_ids()}
    assert all(before.values())
    changed = sorted(corpus.glob("*.txt"))[0]
    changed.write_text("قال المتحدث باسم قوات الوفاق محمد قنونو إن طائرات قصفت مواقع قرب سرت.", encoding="utf-8")
    with new_store() as store:
        report = analyze([corpus], store, cleaner=cleaner, stories=False)
        after = {d: list(store.annotations("entity", d)) for d in store.doc_ids()}
    assert report.entity_documents == 1
    assert {m["name"] for m in after[changed.stem]} >= {"محمد قنونو", "سرت"}
    assert {d: v for d, v in after.items() if d != changed.stem} == {d: v for d, v in before.items() if d != changed.stem}


def test_a_schema_4_store_gains_the_story_signals_column_keeping_its_members(tmp_path, seeds_dir, cleaner):
    path = tmp_path / "old.sqlite"
    with Store(path) as store:
        analyze([seeds_dir / "000_930dda6a6b7502e0.txt"], store, cleaner=cleaner, entities=False, views=False)
        before = [r[:3] for r in store.iter_story_members()]
    db = sqlite3.connect(path)  # the store as schema 4 left it: story members without signals
    db.execute("ALTER TABLE story_members DROP COLUMN signals")
    db.execute("UPDATE meta SET value='4' WHERE key='schema_version'")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.meta_value("schema_version") == "5"
        assert [r[:3] for r in store.iter_story_members()] == before and before
        assert all(r[10] is None for r in store.iter_story_members())
        analyze([seeds_dir / "001_f26e5b47cef9b3b6.txt"], store, cleaner=cleaner, views=False)  # carries on
        new = [r for r in store.iter_story_members() if r[1] == "001_f26e5b47cef9b3b6"]
    assert len(new) == 1 and new[0][10]["places"]

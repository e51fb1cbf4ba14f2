import json

from rasid.dedup import DedupIndex
from rasid.dedup.index import jaccard, shingle_hashes
from rasid.pipeline import analyze
from rasid.store import Store
from rasid.text.normalize import match_key


def key(text):
    return match_key(text)


def test_near_duplicate_with_light_edits_is_found(seed_text):
    original = seed_text("001")
    edited = (original.replace("دخلت قوات الوفاق", "ودخلت قوات حكومة الوفاق")
              .replace("450 كلم", "٤٥٠ كيلومترا").replace("وكالات", "الأناضول"))
    index = DedupIndex()
    index.add(index.fingerprint("orig", key(original)))
    found = index.near_duplicates(index.fingerprint("copy", key(edited)))
    assert [d for d, _ in found] == ["orig"] and found[0][1] >= 0.9


def test_different_articles_on_the_same_story_are_not_duplicates(seed_text):
    index = DedupIndex()
    for prefix in ("000", "001", "002", "004"):
        index.add(index.fingerprint(prefix, key(seed_text(prefix))))
    assert index.near_duplicates(index.fingerprint("003", key(seed_text("003")))) == []


def test_signatures_estimate_the_real_jaccard(seed_text):
    index = DedupIndex()
    a, b = key(seed_text("000")), key(seed_text("001"))
    sa, sb = shingle_hashes(a), shingle_hashes(b)
    half = " ".join(a.split()[: len(a.split()) // 2]) + " " + " ".join(b.split()[len(b.split()) // 2:])
    sh = shingle_hashes(half)
    est = (index.signature(sa) == index.signature(sh)).mean()
    assert abs(est - jaccard(sa, sh)) < 0.15
    assert jaccard(sa, sb) < 0.05


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")


def test_pipeline_points_copies_at_the_earliest_and_keeps_boilerplate_sharers_apart(tmp_path, seed_text, cleaner):
    base = seed_text("001")
    footer = "\nالمصدر : الجزيرة + وكالات\nتابعونا على فيسبوك وتويتر للمزيد من الأخبار العاجلة"
    records = [
        {"id": "late", "text": base, "published": "2020-06-08", "outlet": "A"},
        {"id": "early", "text": base.replace("قنونو", "قنونو،"), "published": "2020-06-06", "outlet": "B"},
        {"id": "other", "text": seed_text("002") + footer, "published": "2020-06-07", "outlet": "C"},
        {"id": "other2", "text": seed_text("000")[:800] + footer, "published": "2020-06-07", "outlet": "C"},
    ]
    write_jsonl(tmp_path / "a.jsonl", records[:1])
    write_jsonl(tmp_path / "b.jsonl", records[1:])
    with Store(tmp_path / "s.sqlite") as store:
        analyze([tmp_path / "a.jsonl"], store, cleaner=cleaner, entities=False)
        assert store.get_document("late").duplicate_of is None
        report = analyze([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], store, cleaner=cleaner, entities=False)  # incremental
        assert report.duplicates_marked == 1
        dup = {d.doc_id: d.duplicate_of for d in store.iter_documents()}
    assert dup == {"late": "early", "early": None, "other": None, "other2": None}


def test_exact_copies_across_outlets_are_one_group(tmp_path, cleaner):
    text = "أعلنت وزارة الداخلية القبض على خلية إرهابية في الرياض تضم عشرة أشخاص، وضبط أسلحة وذخائر بحوزتهم."
    write_jsonl(tmp_path / "x.jsonl", [{"id": f"d{i}", "text": text, "outlet": o} for i, o in enumerate("ABCD")])
    with Store(tmp_path / "s.sqlite") as store:
        analyze([tmp_path / "x.jsonl"], store, cleaner=cleaner, entities=False)
        dup = {d.doc_id: d.duplicate_of for d in store.iter_documents()}
    assert dup == {"d0": None, "d1": "d0", "d2": "d0", "d3": "d0"}


def test_reprinted_wire_paragraph_is_a_shared_passage_with_spans_in_both(tmp_path, seed_text, cleaner):
    wire = ("وقال المتحدث باسم قوات حكومة الوفاق في بيان صحفي إن سلاح الجو نفذ 5 ضربات جوية في محيط سرت استهدفت "
            "آليات مسلحة تابعة لقوات حفتر، ومن بين هذه الآليات مدرعات إماراتية.")
    a = seed_text("002") + "\n" + wire
    b = seed_text("000")[:900] + "\n" + wire + "\nالمصدر : وكالات"
    write_jsonl(tmp_path / "x.jsonl", [{"id": "a", "text": a, "published": "2020-06-07"},
                                      {"id": "b", "text": b, "published": "2020-06-07"}])
    with Store(tmp_path / "s.sqlite") as store:
        analyze([tmp_path / "x.jsonl"], store, cleaner=cleaner, stories=False, entities=False)
        (passage,) = store.shared_passages()
        docs = {d.doc_id: d for d in store.iter_documents()}
    assert docs["a"].duplicate_of is None and docs["b"].duplicate_of is None
    assert docs["a"].slice(*passage["span"]) == wire == docs["b"].slice(*passage["other_span"])
    assert (passage["doc_id"], passage["other_doc_id"]) == ("a", "b")


def test_copies_of_one_article_are_not_reported_as_shared_passages(tmp_path, seed_text, cleaner):
    write_jsonl(tmp_path / "x.jsonl", [{"id": "a", "text": seed_text("001")}, {"id": "b", "text": seed_text("001")}])
    with Store(tmp_path / "s.sqlite") as store:
        analyze([tmp_path / "x.jsonl"], store, cleaner=cleaner, stories=False, entities=False)
        assert store.shared_passages() == []
        assert store.duplicate_groups()[0]["copies"] == ["b"]

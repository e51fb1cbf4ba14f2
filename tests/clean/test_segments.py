from rasid.document import Article


def test_page_with_two_articles_is_split_at_the_credit_line(cleaner, seed_text):
    doc = cleaner(Article("004", seed_text("004"), "004.txt"))
    assert [(s.first_line, s.last_line) for s in doc.segments] == [(1, 13), (14, 22)]
    assert {ln.segment for ln in doc.lines if ln.n <= 13} == {0}
    assert {ln.segment for ln in doc.lines if ln.n >= 14} == {1}
    second = doc.segments[1]
    assert doc.text[second.start:second.end].startswith("ليبيا تضم أكبر مخزون")
    assert all(s.segment == (0 if s.line <= 13 else 1) for s in doc.sentences)


def test_credit_followed_only_by_boilerplate_does_not_open_a_segment(cleaner, seed_text):
    doc = cleaner(Article("003", seed_text("003"), "003.txt"))
    assert len(doc.segments) == 1
    assert (doc.segments[0].first_line, doc.segments[0].last_line) == (1, 42)


def test_short_tail_after_a_credit_is_not_an_article(cleaner):
    body = "\n".join(["دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا نحو قاعدة الجفرة وسط البلاد."] * 1)
    doc = cleaner(Article("t", body + "\nالمصدر : الجزيرة\nاقرأ المزيد عن ليبيا", "t.txt"))
    assert len(doc.segments) == 1


def test_every_sentence_lies_on_a_kept_line(cleaner, seed_text):
    for prefix in ("000", "001", "002", "003", "004"):
        doc = cleaner(Article(prefix, seed_text(prefix), f"{prefix}.txt"))
        kept = {ln.n: ln for ln in doc.lines if ln.status == "kept"}
        for s in doc.sentences:
            line = kept[s.line]
            assert line.start <= s.start < s.end <= line.end

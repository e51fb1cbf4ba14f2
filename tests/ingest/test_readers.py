import csv
import json
import zipfile

import pytest

from rasid.document import Article, Skipped
from rasid.ingest import FieldMap, ReadOptions, iter_articles, load_meta

BODY = "دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا، وأرغمت قوات حفتر على الانسحاب من قاعدة الجفرة."


def read(paths, **kw):
    items = list(iter_articles([str(p) for p in paths], ReadOptions(**kw)))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Skipped)]


def test_folder_is_read_recursively_in_a_stable_order_with_file_stems_as_ids(tmp_path, seeds_dir):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "top.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    arts, skips = read([tmp_path])
    assert [a.doc_id for a in arts] == ["deep", "top"]
    assert [s.reason for s in skips] == ["file-type"]
    arts2, _ = read([seeds_dir])
    assert [a.doc_id for a in arts2] == sorted(p.stem for p in seeds_dir.glob("*.txt"))


def test_same_stem_in_two_folders_gets_a_distinct_stable_id(tmp_path):
    for d in ("x", "y"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "story.txt").write_text(BODY + d, encoding="utf-8")
    first, _ = read([tmp_path])
    second, _ = read([tmp_path])
    assert first[0].doc_id == "story" and first[1].doc_id.startswith("story-")
    assert [a.doc_id for a in first] == [a.doc_id for a in second]


def test_jsonl_with_ids_field_names_and_a_broken_line(tmp_path):
    path = tmp_path / "export.jsonl"
    lines = [
        json.dumps({"id": "aj-1", "content": BODY, "headline": "عنوان", "source": "Al Jazeera",
                    "date": "2020-06-06T10:00:00Z", "link": "https://www.aljazeera.net/x"}, ensure_ascii=False),
        '{"id": "aj-2", "content": "نص غير مكتمل',
        json.dumps({"content": BODY + " ثانية"}, ensure_ascii=False),
        json.dumps({"id": "aj-4", "title": "بلا نص"}, ensure_ascii=False),
        json.dumps(["not", "an", "object"]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    arts, skips = read([path])
    assert [a.doc_id for a in arts] == ["aj-1", "export-00003"]
    first = arts[0]
    assert (first.title, first.outlet, first.published, first.url) == ("عنوان", "Al Jazeera", "2020-06-06",
                                                                       "https://www.aljazeera.net/x")
    assert [(s.source.rsplit(":", 1)[1], s.reason) for s in skips] == [("2", "json"), ("4", "no-text"), ("5", "record")]


def test_html_entities_in_an_exports_titles_are_read_as_text(tmp_path):
    # SaudiNewsNet keeps some titles with entities: "&quot;الوفاق&quot;" must read as "الوفاق" in quotes
    path = tmp_path / "export.jsonl"
    rows = [{"id": "q", "content": BODY, "title": "ليبيا.. &quot;الوفاق&quot; توجه ضربات لقوات حفتر"},
            {"id": "r", "content": BODY + " ثانية", "title": "سرت & الجفرة"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    arts, _ = read([path])
    assert [a.title for a in arts] == ['ليبيا.. "الوفاق" توجه ضربات لقوات حفتر', "سرت & الجفرة"]


def test_field_names_can_be_set_by_the_user(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"nid": "n1", "matn": BODY, "jarida": "الوسط"}, ensure_ascii=False), encoding="utf-8")
    fields = FieldMap().with_overrides({"text": "matn", "id": "nid", "outlet": "jarida"})
    arts, _ = read([path], fields=fields)
    assert (arts[0].doc_id, arts[0].outlet) == ("n1", "الوسط")
    with pytest.raises(ValueError, match="unknown article field"):
        FieldMap().with_overrides({"body_text": "x"})


def test_json_array_export_like_saudinewsnet(tmp_path):
    records = [{"source": "aawsat", "url": "http://aawsat.com/1", "date_extracted": "2015-07-21 02:51:32",
                "title": "ت", "content": BODY}, {"source": "okaz", "content": BODY + " ب"}]
    path = tmp_path / "2015-07-21.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    arts, _ = read([path])
    assert [a.doc_id for a in arts] == ["2015-07-21-00001", "2015-07-21-00002"]
    assert arts[0].published == "2015-07-21" and arts[0].outlet == "aawsat"


def test_malformed_json_file_is_skipped_with_its_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[{"content": "نص"},\n{"content": ]', encoding="utf-8")
    arts, skips = read([path])
    assert arts == [] and skips[0].reason == "json" and skips[0].source.endswith("bad.json:2")


def test_csv_export_in_windows_1256_and_csv_without_text_column(tmp_path):
    good = tmp_path / "feed.csv"
    with good.open("w", encoding="cp1256", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "body", "published"])
        w.writerow(["c1", "سرت", BODY, "06/06/2020"])
        w.writerow(["c2", "فارغ", "", "06/06/2020"])
    bad = tmp_path / "nocol.csv"
    bad.write_text("id,headline\n1,سرت\n", encoding="utf-8")
    arts, skips = read([good, bad])
    assert [(a.doc_id, a.text, a.published) for a in arts] == [("c1", BODY, "2020-06-06")]
    assert sorted(s.reason for s in skips) == ["csv-columns", "no-text"]
    assert any(s.source.endswith("feed.csv:3") for s in skips)


def test_saved_html_page_gives_main_text_and_metadata(tmp_path, seed_text):
    paragraphs = "".join(f"<p>{line}</p>" for line in seed_text("001").splitlines()[:12])
    html = (f"<html><head><title>قوات الوفاق تدخل سرت</title><meta property='og:site_name' content='Al Jazeera'>"
            f"<meta name='date' content='2020-06-06'></head><body><nav><a href='/'>الرئيسية</a><a>أخبار</a></nav>"
            f"<article><h1>قوات الوفاق تدخل سرت</h1>{paragraphs}</article>"
            f"<footer>جميع الحقوق محفوظة</footer><script>var x=1;</script></body></html>")
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    (art,), _ = read([path])
    assert art.fmt == "html" and art.title == "قوات الوفاق تدخل سرت"
    assert art.published == "2020-06-06" and art.outlet == "Al Jazeera"
    assert "دخلت قوات الوفاق مدينة سرت" in art.text
    assert "الرئيسية" not in art.text and "var x" not in art.text


def test_html_soup_without_an_article_is_skipped(tmp_path):
    path = tmp_path / "soup.html"
    path.write_text("<html><body><div><a href='/a'>1</a><a href='/b'>2</a></div><script>x()</script></body></html>",
                    encoding="utf-8")
    arts, skips = read([path])
    assert arts == [] and skips[0].reason == "html-empty"


def test_html_saved_as_txt_is_recognised(tmp_path, seed_text):
    paragraphs = "".join(f"<p>{line}</p>" for line in seed_text("001").splitlines()[:8])
    path = tmp_path / "saved.txt"
    path.write_text(f"<!DOCTYPE html><html><body><article>{paragraphs}</article></body></html>", encoding="utf-8")
    (art,), _ = read([path])
    assert art.fmt == "html" and "<p>" not in art.text


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>الجزيرة نت</title>
<item><title>دخول سرت</title><link>https://www.aljazeera.net/news/1</link><guid>aj-1</guid>
<pubDate>Sat, 06 Jun 2020 10:00:00 GMT</pubDate><description><![CDATA[<p>{body}</p><p>فقرة ثانية.</p>]]></description></item>
<item><title>بلا نص</title><guid>aj-2</guid><description></description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Libya Observer</title>
<entry><title>سرت</title><id>urn:lo:7</id><updated>2020-06-07T08:00:00Z</updated>
<content type="html">&lt;p&gt;{body}&lt;/p&gt;</content></entry></feed>"""


def test_rss_and_atom_feeds(tmp_path):
    (tmp_path / "aj.rss").write_text(RSS.format(body=BODY), encoding="utf-8")
    (tmp_path / "lo.xml").write_text(ATOM.format(body=BODY), encoding="utf-8")
    arts, skips = read([tmp_path])
    by_src = {a.title: a for a in arts}
    rss = by_src["دخول سرت"]
    assert rss.published == "2020-06-06" and rss.outlet == "الجزيرة نت" and rss.text.splitlines() == [BODY, "فقرة ثانية."]
    atom = by_src["سرت"]
    assert atom.published == "2020-06-07" and atom.text == BODY
    assert [s.reason for s in skips] == ["no-text"]
    again, _ = read([tmp_path])
    assert sorted(a.doc_id for a in arts) == sorted(a.doc_id for a in again)


def test_zip_archive_members_are_read(tmp_path, seeds_dir):
    path = tmp_path / "batch.zip"
    with zipfile.ZipFile(path, "w") as z:
        for p in sorted(seeds_dir.glob("*.txt"))[:2]:
            z.write(p, f"inner/{p.name}")
        z.writestr("x.jsonl", json.dumps({"id": "j1", "text": BODY}, ensure_ascii=False))
    arts, _ = read([path])
    assert [a.doc_id for a in arts][:2] == sorted(p.stem for p in seeds_dir.glob("*.txt"))[:2]
    assert arts[-1].doc_id == "j1" and "batch.zip!" in arts[-1].source


def test_huge_single_article_file_is_skipped_but_big_exports_stream(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:
        chunk = (BODY + "\n").encode("utf-8") * 2000
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(chunk)
    export = tmp_path / "many.jsonl"
    export.write_text("\n".join(json.dumps({"id": f"r{i}", "text": BODY}, ensure_ascii=False) for i in range(3000)),
                      encoding="utf-8")
    arts, skips = read([big, export], max_document_bytes=1024 * 1024)
    assert [s.reason for s in skips] == ["too-large"] and "huge.txt" in skips[0].source
    assert len(arts) == 3000


def test_missing_path_empty_and_binary_files_are_skipped_with_reasons(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)) * 10)
    arts, skips = read([tmp_path / "empty.txt", tmp_path / "blob.txt", tmp_path / "nope.txt"])
    assert arts == []
    assert [s.reason for s in skips] == ["empty", "binary", "unreadable"]


def test_meta_file_fills_and_overrides_metadata(tmp_path):
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    meta_path = tmp_path / "meta.jsonl"
    meta_path.write_text('{"id": "a", "outlet": "Al Jazeera", "published": "2020-06-06", "url": "u"}\nnot json\n{}\n',
                         encoding="utf-8")
    meta, bad = load_meta(meta_path)
    assert [b.reason for b in bad] == ["json", "meta-id"] and bad[0].source.endswith(":2")
    (art,), _ = read([tmp_path / "a.txt"], meta=meta)
    assert (art.outlet, art.published, art.url) == ("Al Jazeera", "2020-06-06", "u")

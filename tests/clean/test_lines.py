import pytest

from rasid.clean.lines import LineClassifier, load_rules
from rasid.document import Article, split_lines
from rasid.errors import LexiconError


def statuses(doc):
    return {ln.n: ln.status for ln in doc.lines if ln.status != "kept"}


def clean_text(cleaner, text, doc_id="t"):
    return cleaner(Article(doc_id, text, f"{doc_id}.txt"))


def test_repeated_block_is_marked_repeated_and_originals_kept(cleaner, seed_text):
    doc = clean_text(cleaner, seed_text("000"))
    assert statuses(doc) == {7: "repeated", 8: "repeated", 9: "repeated", 10: "repeated", 11: "repeated"}
    assert doc.lines[6].rule == "repeat_of:2"


def test_near_exact_repeat_with_a_light_edit_is_still_a_repeat(cleaner):
    para = ("وأكد المتحدث باسم القوات أن سلاح الجو نفذ خمس ضربات جوية في محيط المدينة استهدفت آليات مسلحة "
            "تابعة للطرف الآخر")
    text = "\n".join([para, "سطر آخر طويل بما يكفي ليكون فقرة من فقرات الخبر المنشور اليوم.", para.replace("خمس", "ست")])
    doc = clean_text(cleaner, text)
    assert statuses(doc) == {3: "repeated"}


def test_credit_line_headings_and_kept_headline(cleaner, seed_text):
    doc = clean_text(cleaner, seed_text("001"))
    assert statuses(doc) == {11: "heading", 20: "heading", 25: "boilerplate"}
    assert doc.outlet == "Al Jazeera" and doc.outlet_basis == "credit"
    assert doc.credits == ["Al Jazeera", "agencies"]


def test_site_tags_photo_credits_dateline_and_live_stream(cleaner, seed_text):
    doc = clean_text(cleaner, seed_text("003"))
    s = statuses(doc)
    assert s[1] == "boilerplate"      # "قائد الطوفان قائد الطوفان": a tag printed twice
    assert s[3] == s[4] == "boilerplate"  # "ارشيفية" photo credit
    assert s[5] == "dateline"         # "سرت-الرسالة نت"
    assert s[41] == s[42] == "boilerplate"  # credit and "البث المباشر"
    assert {n for n, v in s.items() if v == "heading"} == {18, 24, 32}
    assert doc.lines[1].role == "headline" and doc.title.startswith("ليبيا..")
    assert doc.outlet == "Al-Resalah" and doc.outlet_basis == "dateline"


def test_caption_printed_twice_in_a_row_and_update_stamp(cleaner, seed_text):
    doc = clean_text(cleaner, seed_text("004"))
    s = statuses(doc)
    assert s[2] == "caption" and s[15] == "caption"
    assert doc.lines[0].role == "caption" and doc.lines[0].status == "kept"
    assert s[7] == "boilerplate" and doc.lines[6].rule == "update-stamp"
    assert s[13] == "boilerplate"


def test_plain_article_keeps_every_line(cleaner, seed_text):
    doc = clean_text(cleaner, seed_text("002"))
    assert statuses(doc) == {}
    assert doc.title.startswith("الجيش الليبي: 43 قتيلا")


@pytest.mark.parametrize("line", [
    "المصدر: وكالات", "المصدر : رويترز", "تحديث: 10:15 تغ", "آخر تحديث: 2020/06/07",
    "أرشيفية", "صورة أرشيفية", "(أ ف ب)", "رويترز", "اقرأ أيضا: قوات الوفاق تدخل سرت", "جميع الحقوق محفوظة © 2020",
    "شارك", "تابعونا على فيسبوك", "البث المباشر", "***", "الكلمات المفتاحية: ليبيا، سرت",
])
def test_boilerplate_rules(cleaner, line):
    body = "دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا نحو قاعدة الجفرة وسط البلاد بعد معارك عنيفة."
    doc = clean_text(cleaner, f"{body}\n{line}\n{body.replace('سرت', 'بني وليد')}")
    assert doc.lines[1].status == "boilerplate", doc.lines[1]


@pytest.mark.parametrize("line", [
    "المصدر العسكري أكد أن القوات تقدمت نحو المدينة.",  # a sentence that starts like a credit
    "وقالت رويترز إن القوات تقدمت نحو المدينة بعد معارك عنيفة استمرت ساعات.",
    "وشارك في الهجوم مئات المقاتلين من المدن الغربية.",
])
def test_sentences_that_look_like_boilerplate_are_kept(cleaner, line):
    body = "دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا نحو قاعدة الجفرة وسط البلاد بعد معارك عنيفة."
    doc = clean_text(cleaner, f"{body}\n{line}\n{body}2")
    assert doc.lines[1].status == "kept", doc.lines[1]


def test_rule_file_is_validated():
    with pytest.raises(LexiconError, match="status"):
        load_rules({"rules": [{"id": "x", "status": "gone", "pattern": "a"}]})
    with pytest.raises(LexiconError, match="pattern"):
        load_rules({"rules": [{"id": "x", "status": "boilerplate", "pattern": "("}]})


def test_user_rules_extend_the_classifier():
    rules = load_rules({"rules": [{"id": "promo", "status": "boilerplate", "pattern": "^اشترك في النشرة"}]})
    text = "اشترك في النشرة الإخبارية\nنص الخبر"
    lines = split_lines(text)
    LineClassifier(rules).classify(text, lines)
    assert [ln.status for ln in lines] == ["boilerplate", "kept"]


@pytest.mark.parametrize(("dateline", "outlet"), [
    ("سرت-الرسالة نت", "Al-Resalah"),
    ("عين اليوم – الرياض", "Ain Alyoum"),     # outlet on the left, city on the right
    ("أحمد البشيري – عين اليوم", "Ain Alyoum"),  # author byline
    ("الرياض - محمد العلي", None),             # a city and a person: no outlet to infer
])
def test_dateline_names_the_outlet_only_when_the_directory_knows_it(cleaner, dateline, outlet):
    body = "دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا نحو قاعدة الجفرة وسط البلاد بعد معارك عنيفة."
    doc = clean_text(cleaner, f"{dateline}\n{body}")
    assert doc.lines[0].status == "dateline"
    assert doc.outlet == outlet

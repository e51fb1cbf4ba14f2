"""Table-driven test of the date resolver on phrases as Arabic news writes them."""

from datetime import date

import pytest

from rasid.dates import find_dates, resolve_date

WED = date(2020, 6, 10)  # a Wednesday
SAT = date(2020, 6, 6)
JAN = date(2021, 1, 4)   # a Monday, early in the year

# (phrase as printed, publication date, expected date, ACLED precision)
CASES = [
    ("وقالت قوات الوفاق فجر اليوم الأربعاء إنها سيطرت على المدينة", WED, "2020-06-10", 1),
    ("شنت الطائرات غارات صباح اليوم على مواقع في سرت", WED, "2020-06-10", 1),
    ("أعلن الجيش مساء أمس الثلاثاء انسحابه", WED, "2020-06-09", 1),
    ("وكانت القوات قد دخلت المدينة أمس", WED, "2020-06-09", 1),
    ("وقال المتحدث بالأمس إن الهجوم فشل", WED, "2020-06-09", 1),
    ("اندلعت اشتباكات عنيفة أول أمس", WED, "2020-06-08", 1),
    ("وقعت الاشتباكات أول من أمس الاثنين", WED, "2020-06-08", 1),
    ("قصفت الطائرات المسيرة الليلة الماضية تجمعات للقوات", WED, "2020-06-09", 1),
    ("أعلن الرئيس السبت الماضي مبادرة لوقف إطلاق النار", WED, "2020-06-06", 1),
    ("وكان حفتر قد زار القاهرة يوم السبت", WED, "2020-06-06", 1),
    ("استأنفت القوات هجومها الأحد", WED, "2020-06-07", 1),
    ("وفي يوم الجمعة الماضي سقطت قذائف على الأحياء", WED, "2020-06-05", 1),
    ("أعلن المجلس الأربعاء الماضي", WED, "2020-06-03", 1),
    ("وسيعقد مجلس الأمن جلسة الخميس المقبل", WED, "2020-06-11", 1),
    ("ومن المقرر أن تستأنف المحادثات الاثنين القادم", WED, "2020-06-15", 1),
    ("وسيزور الوزير أنقرة الأحد لبحث الملف الليبي", WED, "2020-06-14", 1),
    ("ومن المقرر أن يصل الوفد غدا إلى القاهرة", WED, "2020-06-11", 1),
    ("تبدأ المفاوضات بعد غد في جنيف", WED, "2020-06-12", 1),
    ("في الثامن من الشهر الجاري أعلنت الحكومة", WED, "2020-06-08", 1),
    ("منذ الخامس عشر من الشهر الماضي", WED, "2020-05-15", 1),
    ("في الحادي والعشرين من الشهر الماضي", WED, "2020-05-21", 1),
    ("وفي منتصف الشهر الماضي استعادت القوات قاعدة الوطية", WED, "2020-05-15", 2),
    ("مطلع الشهر الجاري", WED, "2020-06-03", 2),
    ("في أواخر مايو الماضي", WED, "2020-05-25", 2),
    ("نهاية الشهر المقبل", WED, "2020-07-28", 2),
    ("أعلنت القاهرة في 6 يونيو/حزيران 2020 مبادرة", WED, "2020-06-06", 1),
    ("في السادس من يونيو حزيران الجاري", WED, "2020-06-06", 1),
    ("بتاريخ 4 أبريل 2019 أطلق حفتر هجومه على طرابلس", WED, "2019-04-04", 1),
    ("منذ 4 نيسان/أبريل 2019", WED, "2019-04-04", 1),
    ("يوم 21 مايو", WED, "2020-05-21", 1),
    ("في 18 مايو أيار الماضي", WED, "2020-05-18", 1),
    ("اجتماع 20 ديسمبر", JAN, "2020-12-20", 1),
    ("وقع الانفجار في 2020/06/08", WED, "2020-06-08", 1),
    ("صدر القرار بتاريخ 08-06-2020", WED, "2020-06-08", 1),
    ("قبل يومين", WED, "2020-06-08", 1),
    ("وكان قد أصيب قبل ثلاثة أيام", WED, "2020-06-07", 1),
    ("منذ أسبوع تقريبا", WED, "2020-06-03", 2),
    ("قتل خلال الأسبوع الماضي عشرات", WED, "2020-06-03", 2),
    ("خلال الأسبوع الجاري", WED, "2020-06-10", 2),
    ("في يونيو الماضي", date(2020, 7, 20), "2020-06-01", 3),
    ("في شهر مايو", WED, "2020-05-01", 3),
    ("خلال الشهر الماضي", WED, "2020-05-01", 3),
    ("في كانون الأول الماضي", JAN, "2020-12-01", 3),
    ("السبت", SAT, "2020-06-06", 1),
    ("الجمعة", SAT, "2020-06-05", 1),
    ("وفي وقت متأخر من ليل الثلاثاء", WED, "2020-06-09", 1),
    ("منذ اندلاع الصراع في شرق أوكرانيا في أبريل (نيسان) من العام الماضي", WED, "2019-04-01", 3),
    ("قتل في 22 أبريل من العام الماضي", WED, "2019-04-22", 1),
    ("ومن المقرر أن تجرى الانتخابات في ديسمبر من العام الجاري", WED, "2020-12-01", 3),
    ("وتنتهي ولاية البعثة في يناير من العام المقبل", WED, "2021-01-01", 3),
    ("وقعت الاشتباكات في مايو عام 2014 في بنغازي", WED, "2014-05-01", 3),
    ("أطلق الهجوم في 30 يونيو (حزيران) عام 2013", WED, "2013-06-30", 1),
    ("في أكتوبر من السنة الماضية", WED, "2019-10-01", 3),
    ("وفي سبتمبر من هذا العام", WED, "2020-09-01", 3),
]


@pytest.mark.parametrize(("phrase", "published", "expected", "precision"), CASES, ids=[c[0][:30] for c in CASES])
def test_phrase_resolves_to_expected_date(phrase, published, expected, precision):
    found = find_dates(phrase, published)
    assert found, f"no date found in {phrase!r}"
    m = found[0]
    assert (m.date.isoformat(), m.precision) == (expected, precision), m
    assert phrase[m.start:m.end] == m.text


def test_table_has_forty_phrases():
    assert len(CASES) >= 40


def test_relative_phrases_need_a_publication_date():
    assert find_dates("قصفت الطائرات أمس مواقع", None) == []
    assert resolve_date("6 يونيو 2020", None).date == date(2020, 6, 6)


@pytest.mark.parametrize("text", ["أحد القادة الميدانيين", "قال إن الوضع في سرت خطير", "اليومية", "قوات الأمن",
                                  "تعاني المدينة منذ شهور", "قبل أيام", "بثت قناة فبراير المحلية مقطعا"])
def test_non_dates_are_not_read_as_dates(text):
    assert find_dates(text, WED) == []


def test_several_dates_in_one_sentence_keep_their_spans():
    text = "بدأ الهجوم السبت الماضي واستمر حتى صباح اليوم"
    found = find_dates(text, WED)
    assert [(text[m.start:m.end], m.date.isoformat()) for m in found] == [
        ("السبت الماضي", "2020-06-06"), ("صباح اليوم", "2020-06-10")]


def test_a_date_that_names_a_revolution_a_square_or_a_brigade_is_no_date():
    assert find_dates("واحتفل الليبيون بذكرى ثورة 17 فبراير في طرابلس", WED) == []
    assert [d.text for d in find_dates("تظاهر المئات في ميدان 30 يونيو أمس", WED)] == ["أمس"]
    assert [d.text for d in find_dates("وقالت كتيبة 17 فبراير إن عناصرها دخلوا المدينة أمس", WED)] == ["أمس"]
    assert find_dates("في ذكرى 17 فبراير", WED)[0].date == date(2020, 2, 17)  # the anniversary is a day
    found = find_dates("في أعقاب ثورة 25 يناير (كانون الثاني) 2011", WED)  # with its year: the day it began
    assert [(d.text, d.date) for d in found] == [("25 يناير (كانون الثاني) 2011", date(2011, 1, 25))]


def test_a_year_word_without_a_year_or_a_marker_is_left_out_of_the_date():
    found = find_dates("في مايو عام الانتخابات", WED)
    assert [(d.text, d.date.isoformat()) for d in found] == [("مايو", "2020-05-01")]
    assert find_dates("في مايو من العام الماضي", None) == []  # a relative year needs the publication date


def test_decimal_numbers_next_to_a_month_are_not_years():
    # found on SaudiNewsNet: "1.19" after a month name once crashed the whole entity pass
    found = find_dates("ارتفع المؤشر في يونيو 1.19 نقطة وفي مايو 2020 تراجع", SAT)
    assert [d.text for d in found] == ["يونيو", "مايو 2020"]

import pytest

from rasid.text.sentences import SentenceSplitter, split_sentences


def texts(text):
    return [text[a:b] for a, b in split_sentences(text)]


def test_sentences_of_a_real_article_round_trip_to_their_offsets(seed_text):
    text = seed_text("001")
    spans = split_sentences(text)
    assert len(spans) >= 25  # 25 lines, line 1 and line 8 hold two sentences each
    for a, b in spans:
        assert text[a:b] == text[a:b].strip() and b > a
    assert texts(text)[0] == ("دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا، وأرغمت اللواء المتقاعد خليفة حفتر "
                              "على الانسحاب من قاعدة الجفرة بوسط البلاد.")


@pytest.mark.parametrize(("text", "expected"), [
    ("قتل 3.5 بالمئة من السكان. ونزح الباقون.", ["قتل 3.5 بالمئة من السكان.", "ونزح الباقون."]),
    ("وقال د. محمد إن الوضع خطير. وأضاف أنه سيغادر.", ["وقال د. محمد إن الوضع خطير.", "وأضاف أنه سيغادر."]),
    ("وأضاف لوكالة (د.ب.أ) أن القوات تقدمت. ثم انسحبت.", ["وأضاف لوكالة (د.ب.أ) أن القوات تقدمت.", "ثم انسحبت."]),
    ('وتابع "اليوم نرسل النداء الأخير.. فلن نتراجع". وأكد ذلك.',
     ['وتابع "اليوم نرسل النداء الأخير.. فلن نتراجع".', "وأكد ذلك."]),
    ("قال: «لن نتراجع. سنتقدم». ثم غادر", ["قال: «لن نتراجع. سنتقدم».", "ثم غادر"]),
    ("هل انتهت الحرب؟ لا أحد يعرف!", ["هل انتهت الحرب؟", "لا أحد يعرف!"]),
    ("The U.S. envoy met Mr. Smith. Talks failed.", ["The U.S. envoy met Mr. Smith.", "Talks failed."]),
    ("سطر أول\nسطر ثان بلا نقطة", ["سطر أول", "سطر ثان بلا نقطة"]),
    ("", []),
])
def test_split_respects_numbers_abbreviations_and_quotes(text, expected):
    assert texts(text) == expected


def test_an_unbalanced_quote_does_not_swallow_the_rest_of_the_line():
    text = 'قال المتحدث "إن القوات تقدمت. ' + "ثم انسحبت بعد ساعات. " * 60
    assert len(split_sentences(text)) > 30


def test_split_of_a_range_gives_offsets_into_the_whole_text():
    text = "عنوان\nالجملة الأولى. الجملة الثانية."
    splitter = SentenceSplitter.from_data()
    start = text.index("الجملة")
    spans = splitter.split(text, start, len(text))
    assert [text[a:b] for a, b in spans] == ["الجملة الأولى.", "الجملة الثانية."]

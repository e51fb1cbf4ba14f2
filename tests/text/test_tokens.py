import pytest

from rasid.text.tokens import strip_proclitics, tokenize


def test_tokens_keep_offsets_into_the_original(seed_text):
    text = seed_text("001")
    tokens = tokenize(text)
    assert len(tokens) > 500
    for tok in tokens:
        assert text[tok.start:tok.end] == tok.text


def test_words_keep_their_diacritics_and_numbers_their_separators():
    tokens = tokenize("خطوةٌ كبيرة: 1,200 مقاتل و٣٫٥ كلم")
    assert [t.text for t in tokens if t.kind == "word"] == ["خطوةٌ", "كبيرة", "مقاتل", "و", "كلم"]
    assert [t.text for t in tokens if t.kind == "num"] == ["1,200", "٣٫٥"]


@pytest.mark.parametrize(("word", "stem"), [
    ("وبالجفرة", "جفره"),
    ("لقوات", "قوات"),
    ("للقوات", "قوات"),
    ("فالميليشيات", "ميليشيات"),
    ("كالعادة", "عاده"),
    ("بسرت", "سرت"),
])
def test_clitic_readings_include_the_bare_stem(word, stem):
    assert stem in tokenize(word)[0].stems


def test_short_words_are_not_cut_into_meaningless_stems():
    # و+لي would leave two letters: not offered as a reading
    assert strip_proclitics("ولي") == ("ولي",)
    # the whole word always stays the first reading, so a lexicon can still match a name like وليد
    assert strip_proclitics("وليد")[0] == "وليد"

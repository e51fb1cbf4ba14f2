"""The framing lexicon: side-marked words, the voice they are in, the lean estimate, claim cues."""

from collections import Counter

import pytest

from rasid.compare import FramingLexicon
from rasid.compare.framing import lean
from rasid.errors import LexiconError


@pytest.fixture(scope="module")
def lexicon():
    return FramingLexicon.from_data()


def test_narrator_words_and_quoted_words_are_told_apart(lexicon):
    own, _ = lexicon.uses("وقصفت ميليشيات حفتر أحياء جنوب طرابلس")
    assert [(u.term.term, u.term.favours, u.quoted) for u in own] == [("ميليشيات حفتر", "GNA", False)]
    quoted, _ = lexicon.uses("وقال المسماري إن الميليشيات الإرهابية هاجمت سرت")
    assert [(u.term.favours, u.quoted) for u in quoted] == [("LNA", True)]
    in_marks, _ = lexicon.uses('ووصف البيان القوات بأنها "ميليشيات الوفاق التي تحتمي بالمرتزقة السوريين في المدينة"')
    assert {u.term.term for u in in_marks} == {"ميليشيات الوفاق", "المرتزقة السوريين"}
    assert all(u.quoted for u in in_marks)


def test_a_speech_verb_alone_does_not_make_the_rest_a_quote(lexicon):
    uses, _ = lexicon.uses("أعلن الجيش الليبي التابع لحكومة الوفاق استهداف مليشيات حفتر جوا")
    assert uses and not any(u.quoted for u in uses)


def test_loaded_words_inside_a_side_phrase_are_not_counted_twice(lexicon):
    marked, loaded = lexicon.uses("هاجمت مليشيات حفتر المدينة وسط فرار السكان")
    assert [u.term.term for u in marked] == ["مليشيات حفتر"]
    assert [u.term.term for u in loaded] == ["فرار"]


def test_lean_needs_enough_evidence_and_weighs_quotes_less():
    sides = {"GNA": {}, "LNA": {}}
    assert lean(Counter({("GNA", False): 3}), sides)["side"] == "GNA"
    assert lean(Counter({("GNA", True): 3}), sides)["label"] == "unclear"  # 0.75 points of quotes
    mixed = lean(Counter({("GNA", False): 2, ("LNA", False): 2}), sides)
    assert mixed["label"] == "unclear" and mixed["share"] == 0.5


@pytest.mark.parametrize("text, kind", [
    ("موضحا أن الميليشيات الإرهابية هاجمت سرت وتقدموا مسافة 30 متر نحو سرت", "limited"),
    ("دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا", "full"),
    ("وأكد أن قواته صدت هجوما على بوابة الثلاثين غرب المدينة", "limited"),
    ("قال المتحدث إن الطقس كان معتدلا", None),
])
def test_territorial_claims_are_read_as_full_or_limited(lexicon, text, kind):
    claim = lexicon.control_claim(text)
    assert (claim[0] if claim else None) == kind


def test_a_user_lexicon_is_validated(tmp_path):
    bad = tmp_path / "framing.yaml"
    bad.write_text("sides: {A: {}, B: {}}\nterms:\n  - {term: كلمة, favours: C}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="not under 'sides'"):
        FramingLexicon.from_data(bad)
    good = tmp_path / "good.yaml"
    good.write_text("sides: {A: {}, B: {}}\nterms:\n  - {term: الطرف المعتدي, favours: B, about: A}\n", encoding="utf-8")
    uses, _ = FramingLexicon.from_data(good).uses("وقصف الطرف المعتدي القرية")
    assert [u.term.favours for u in uses] == ["B"]

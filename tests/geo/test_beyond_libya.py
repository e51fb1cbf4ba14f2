"""Places of Yemen, Iraq, Syria, Egypt and Sudan: big towns whose names are frequent words,
governorates (admin1.tsv), and same-named places resolved by the document's country."""

import pytest

from rasid.geo.geocoder import Geocoder
from rasid.text.tokens import tokenize


@pytest.fixture(scope="module")
def geo():
    return Geocoder.default()


def resolved(geo, text, loc=()):
    """(name_en, country, kind) of the places of `text`; words in `loc` are tagged as locations."""
    toks = tokenize(text)
    tags = ["B-LOC" if t.text in loc else "O" for t in toks]
    matches = geo.scan([t.key for t in toks], tags)
    geo.resolve(matches)
    return [(m.place.name_en, m.place.country, m.place.kind) for m in matches if m.place]


def test_a_capital_that_is_a_frequent_word_is_found_in_its_country(geo):
    found = resolved(geo, "قصف طيران التحالف مواقع في صنعاء وعدن شمال اليمن", loc={"صنعاء", "وعدن", "اليمن"})
    assert [(n, c) for n, c, _ in found] == [("Sanaa", "YE"), ("Aden", "YE"), ("Yemen", "YE")]


def test_a_frequent_word_with_the_article_needs_more_than_a_country_name(geo):
    # "المفرق" (a junction) is not Mafraq in Jordan because Jordan is named once
    found = resolved(geo, "تقدمت القوات نحو المفرق وأعلن الأردن دعمه", loc={"المفرق", "الأردن"})
    assert [n for n, _, _ in found] == ["Jordan"]


def test_governorates_by_name_and_by_head_word(geo):
    found = resolved(geo, "اشتباكات في محافظة أبين وشبوة وحضرموت", loc={"وشبوة", "وحضرموت"})
    assert found == [("Abyan", "YE", "governorate"), ("Shabwah", "YE", "governorate"),
                     ("Hadramawt", "YE", "governorate")]
    assert resolved(geo, "هجوم في محافظة الأنبار غربي العراق")[0][:2] == ("Anbar", "IQ")
    assert resolved(geo, "قتل جنود في شمال سيناء", loc={"سيناء"})[0][:2] == ("North Sinai", "EG")


def test_a_governorate_named_like_its_capital_is_the_town_unless_headed(geo):
    assert resolved(geo, "اشتباكات في تعز جنوب غرب اليمن", loc={"تعز", "اليمن"})[0] == ("Taiz", "YE", "town")
    assert resolved(geo, "اشتباكات في محافظة تعز")[0] == ("Taiz Governorate", "YE", "governorate")


def test_a_head_word_makes_an_untagged_name_a_place(geo):
    assert resolved(geo, "انسحب المسلحون من مدينة زنجبار عاصمة محافظة أبين اليمنية")[:2] == [
        ("Zinjibar", "YE", "town"), ("Abyan", "YE", "governorate")]


def test_same_named_places_follow_the_documents_country(geo):
    # زنجبار: Zanzibar in Tanzania, or Zinjibar in Abyan
    assert resolved(geo, "وصل الرئيس إلى زنجبار في زيارة لتنزانيا", loc={"زنجبار", "لتنزانيا"})[0][1] == "TZ"
    assert resolved(geo, "سيطر الجيش على زنجبار في اليمن", loc={"زنجبار", "اليمن"})[0][1] == "YE"
    # البيضاء: the Libyan town (curated), or the Yemeni governorate's town in a Yemeni report
    assert resolved(geo, "قصف في البيضاء شرق ليبيا", loc={"البيضاء", "ليبيا"})[0][1] == "LY"
    assert resolved(geo, "غارات على البيضاء وذمار وصعدة في اليمن",
                    loc={"البيضاء", "وذمار", "وصعدة", "اليمن"})[0][1] == "YE"
    # صلاح الدين: a Tripoli district (curated), or the Iraqi governorate
    assert resolved(geo, "معارك في صلاح الدين وتكريت وبيجي شمال بغداد",
                    loc={"صلاح", "الدين", "وتكريت", "وبيجي", "بغداد"})[0][:2] == ("Salah al-Din", "IQ")

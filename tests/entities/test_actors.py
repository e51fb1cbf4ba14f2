"""The actor dictionary: exact names, titles, typos on the letter skeleton, and guards."""

import pytest

from rasid.entities.actors import ActorDictionary, rasm
from rasid.errors import LexiconError
from rasid.text.normalize import match_key


@pytest.fixture(scope="module")
def actors():
    return ActorDictionary.from_data()


def keys(text):
    return [match_key(w) for w in text.split()]


def scan(actors, text):
    return [(m.actor.id, " ".join(text.split()[m.start:m.end]), m.how) for m in actors.scan(keys(text))]


def test_dictionary_is_broad_for_libya(actors):
    kinds = {a.type for a in actors.actors.values()}
    assert {"person", "force", "state", "organisation", "government"} <= kinds
    assert len([a for a in actors.actors.values() if a.type == "person"]) >= 40
    assert {"LNA", "GNA", "Wagner Group", "ISIS", "Khalifa Haftar"} <= set(actors.actors)


def test_full_name_after_a_rank_resolves(actors):
    assert scan(actors, "وأرغمت اللواء المتقاعد خليفة حفتر على الانسحاب") == [
        ("Khalifa Haftar", "خليفة حفتر", "exact")]
    assert actors.strip_title(keys("اللواء المتقاعد خليفة حفتر")) == 2
    assert actors.strip_title(keys("والعقيد طيار محمد قنونو")) == 2


def test_forces_named_after_their_leader(actors):
    assert scan(actors, "انسحاب قوات حفتر من قاعدة الجفرة")[0][:2] == ("LNA", "قوات حفتر")
    assert scan(actors, "لمليشيات حفتر الإرهابية")[0][:2] == ("LNA", "لمليشيات حفتر")


def test_brigades_named_with_numbers_and_their_leaders(actors):
    assert scan(actors, "وقال آمر اللواء 444 قتال إن قواته صدت هجوما") == [
        ("Brigade-444", "اللواء 444 قتال", "exact")]
    assert scan(actors, "مقاتلو كتيبة شهداء 17 فبراير في بنغازي")[0][:2] == (
        "February-17-Brigade", "كتيبة شهداء 17 فبراير")
    assert scan(actors, "واتهم صلاح بادي آمر لواء الصمود")[:2] == [
        ("Salah Badi", "صلاح بادي", "exact"), ("Samoud-Brigade", "لواء الصمود", "exact")]
    assert actors.actors["Samoud-Brigade"].side == actors.actors["Salah Badi"].side


def test_dotted_letter_typo_is_matched(actors):
    assert scan(actors, "وأكد انسحاب قوات حقتر من القاعدة") == [("LNA", "قوات حقتر", "typo")]
    assert actors.lookup(keys("حقتر"))[0].id == "Khalifa Haftar"
    assert rasm("حقتر") == rasm("حفتر")


def test_typo_guard_keeps_real_words_apart(actors):
    # سرت (Sirte) and شرق differ only by dots but شرق is an ordinary word: no person or force.
    assert actors.lookup(keys("شرق")) is None
    # a one-letter change that alters the skeleton is not a typo
    assert actors.lookup(keys("حفتار")) is None


def test_hamza_and_ya_variants_fold(actors):
    assert actors.lookup(keys("فائز السراج"))[0].id == "Fayez al-Sarraj"
    assert actors.lookup(keys("فايز السراج"))[0].id == "Fayez al-Sarraj"


def test_a_name_given_to_two_actors_is_refused(tmp_path):
    p = tmp_path / "actors.yaml"
    p.write_text("actors:\n  - {id: A, type: force, name_ar: قوات س}\n  - {id: B, type: force, name_ar: قوات ص, "
                 "aliases: [قوات س]}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="both"):
        ActorDictionary.from_data(p)


def test_unknown_type_is_refused(tmp_path):
    p = tmp_path / "actors.yaml"
    p.write_text("actors:\n  - {id: A, type: tribe, name_ar: قبيلة}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="type"):
        ActorDictionary.from_data(p)


def test_descriptions_are_found_with_proclitics_only_while_in_force(actors):
    text = "اشتباكات بين قوات الحكومة ومقاتلين إسلاميين وقصف أوكار الإرهابيين"
    found = actors.descriptions(keys(text), "2015-07-25")
    # "قوات الحكومة" is a description too: whose government depends on the country (Libya's, Syria's ...)
    assert [" ".join(text.split()[a:b]) for a, b, _ in found] == ["قوات الحكومة", "ومقاتلين إسلاميين", "الإرهابيين"]
    # each row names the area it holds in; the town decides among them (rasid.entities.extract)
    assert {r.actor_id for r in found[1][2]} >= {"Shura-Council-Benghazi", "ISIS"}
    assert {r.actor_id for r in found[0][2]} >= {"LNA", "Syria-Army", "Iraq-Army", "Yemen-Army"}
    assert [b - a for a, b, _ in actors.descriptions(keys(text), "2021-01-10")] == [2]  # only "قوات الحكومة"


@pytest.mark.parametrize("row, message", [
    ("{actor: Nobody, places: [س], words: [المسلحين]}", "not an actor id"),
    ("{actor: A, places: [س], words: [قوات س]}", "name of an actor"),
    ("{actor: A, words: [المسلحين]}", "needs"),
])
def test_a_bad_description_row_is_refused(tmp_path, row, message):
    p = tmp_path / "actors.yaml"
    p.write_text("actors:\n  - {id: A, type: force, name_ar: قوات س}\ndescribed_actors:\n  - " + row + "\n",
                 encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        ActorDictionary.from_data(p)


def test_a_name_after_the_preposition_that_absorbed_its_article_resolves(actors):
    # ل + الجيش is written للجيش
    assert scan(actors, "قوات تابعة للجيش الوطني الليبي") == [("LNA", "للجيش الوطني الليبي", "exact")]
    assert scan(actors, "الموالية للمجلس الرئاسي")[0][0] == "GNA-Government"

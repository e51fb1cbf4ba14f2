"""Fingerprints of stored layers (rasid.fingerprints): what makes a stored layer stale, without the tagger."""

import sqlite3

import pytest

from rasid.document import Article
from rasid.errors import LexiconError
from rasid.fingerprints import DataFiles, LayerFingerprints, cleaning_hash, layer_status, refs_of
from rasid.resources import data_path
from rasid.store import SCHEMA_VERSION, Store

ACTORS = data_path("entities/data/actors.yaml")
ALIASES = data_path("geo/data/aliases.yaml")
TRIGGERS = data_path("events/data/triggers.yaml")
WAGNER_NAME = "name_en: Wagner Group (Russian private military company)"


def edited(tmp_path, source, old, new, name):
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped():
    return LayerFingerprints()


def test_same_inputs_give_the_same_fingerprints(tmp_path, shipped):
    copy = tmp_path / "actors.yaml"
    copy.write_bytes(ACTORS.read_bytes())
    again = LayerFingerprints(DataFiles(actors=copy))
    assert (again.clean, again.entity_global, again.event_global) == \
        (shipped.clean, shipped.entity_global, shipped.event_global)
    assert again.entity("c1", ["LNA", "ly:sirte"]) == shipped.entity("c1", ["ly:sirte", "LNA", "LNA"])
    assert again.event("e1", ["LNA"]) == shipped.event("e1", ["LNA"])


def test_one_actors_display_name_changes_only_the_documents_that_reference_it(tmp_path, shipped):
    renamed = LayerFingerprints(DataFiles(actors=edited(tmp_path, ACTORS, WAGNER_NAME, "name_en: Wagner (renamed)",
                                                        "actors.yaml")))
    assert renamed.entity_global == shipped.entity_global  # a display name does not affect matching
    assert renamed.event_global == shipped.event_global
    assert renamed.entity("c1", ["Wagner Group", "ly:sirte"]) != shipped.entity("c1", ["Wagner Group", "ly:sirte"])
    assert renamed.entity("c1", ["LNA", "ly:sirte"]) == shipped.entity("c1", ["LNA", "ly:sirte"])
    assert renamed.event("e1", ["Wagner Group"]) != shipped.event("e1", ["Wagner Group"])
    assert renamed.event("e1", ["Fayez al-Sarraj"]) == shipped.event("e1", ["Fayez al-Sarraj"])


def test_events_follow_the_actors_a_person_is_coded_as(tmp_path, shipped):
    """The event coder labels Haftar's deeds with the LNA's record: renaming the LNA re-codes his documents."""
    assert {"LNA", "Khalifa Haftar"} <= set(shipped.closure(["Khalifa Haftar"]))
    renamed = LayerFingerprints(DataFiles(actors=edited(
        tmp_path, ACTORS, "name_en: Libyan National Army (Haftar forces)", "name_en: LNA (renamed)", "actors.yaml")))
    assert renamed.entity("c1", ["Khalifa Haftar"]) == shipped.entity("c1", ["Khalifa Haftar"])
    assert renamed.event("e1", ["Khalifa Haftar"]) != shipped.event("e1", ["Khalifa Haftar"])


def test_comments_in_the_actor_dictionary_change_nothing(tmp_path, shipped):
    commented = LayerFingerprints(DataFiles(actors=edited(tmp_path, ACTORS, "# Canonical actors", "# Our actors",
                                                          "actors.yaml")))
    assert commented.entity_global == shipped.entity_global
    assert commented.entity("c1", ["LNA"]) == shipped.entity("c1", ["LNA"])


def test_a_matching_change_to_an_actor_changes_the_global_entity_fingerprint(tmp_path, shipped):
    aliased = LayerFingerprints(DataFiles(actors=edited(tmp_path, ACTORS, "aliases: [فاغنر,", "aliases: [فاجنر الروسية, فاغنر,",
                                                        "actors.yaml")))
    assert aliased.entity_global != shipped.entity_global
    assert aliased.clean == shipped.clean


def test_a_place_alias_changes_the_global_entity_fingerprint_only(tmp_path, shipped):
    text = ALIASES.read_text(encoding="utf-8")
    places = tmp_path / "aliases.yaml"
    places.write_text(text + "  - {id: x:palms, name_en: Palm Valley, lat: 30.5, lon: 15.5, country: LY, kind: town, "
                             "ar: [وادي النخيل]}\n", encoding="utf-8")
    moved = LayerFingerprints(DataFiles(places=places))
    assert moved.entity_global != shipped.entity_global
    assert (moved.clean, moved.event_global) == (shipped.clean, shipped.event_global)
    assert moved.entity("c1", ["LNA"]) != shipped.entity("c1", ["LNA"])


def test_triggers_change_the_event_fingerprint_and_rules_the_clean_one(tmp_path, shipped):
    triggers = tmp_path / "triggers.yaml"
    triggers.write_text(TRIGGERS.read_text(encoding="utf-8") + "\n# one more line\nextra_key: 1\n", encoding="utf-8")
    coded = LayerFingerprints(DataFiles(triggers=triggers))
    assert coded.event_global != shipped.event_global and coded.entity_global == shipped.entity_global
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: []\n", encoding="utf-8")
    assert LayerFingerprints(DataFiles(rules=rules)).clean != shipped.clean


def test_a_broken_user_file_is_a_lexicon_error_naming_it(tmp_path):
    bad = tmp_path / "actors.yaml"
    bad.write_text("actors:\n  - {id: X, name_ar: [unclosed\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="actors.yaml line"):
        LayerFingerprints(DataFiles(actors=bad)).validate()


def test_refs_include_countries_by_english_name():
    rows = [{"id": "LNA", "type": "ORG"}, {"id": None, "type": "PERS"},
            {"id": "cc:TR", "type": "LOC", "name_en": "Turkey", "place_kind": "country"}]
    assert refs_of(rows) == ["LNA", "Turkey", "cc:TR"]


def test_cleaning_hash_survives_the_store_and_follows_outlet_boilerplate(cleaner):
    store = Store(":memory:")
    docs = [cleaner.clean(Article(f"d{i}", f"اقرأ أيضا على موقعنا\nدخلت قوات الوفاق مدينة سرت رقم {i}.", f"d{i}.txt",
                                  outlet="Example"))[0] for i in range(3)]
    store.write_documents(docs, line_keys={d.doc_id: [f"k{n}" for n in range(len(d.lines))] for d in docs},
                          clean_fingerprint="fp")
    states = store.layer_states("clean")
    assert all(states[d.doc_id] == ("fp", cleaning_hash(d), None) for d in docs)
    assert all(cleaning_hash(store.get_document(d.doc_id)) == cleaning_hash(d) for d in docs)
    # the first line recurs in three documents of one outlet: marked boilerplate, the results change
    assert store.mark_outlet_boilerplate(min_docs=3, max_chars=100) == 3
    after = store.layer_states("clean")
    for d in docs:
        assert after[d.doc_id][1] != states[d.doc_id][1]
        assert after[d.doc_id][1] == cleaning_hash(store.get_document(d.doc_id))


def test_layer_status_finds_the_stale_documents(cleaner, tmp_path, shipped):
    store = Store(":memory:")
    docs = [cleaner.clean(Article(f"d{i}", "دخلت قوات الوفاق مدينة سرت.", f"d{i}.txt"))[0] for i in range(3)]
    store.write_documents(docs, clean_fingerprint=shipped.clean)
    assert layer_status(store, shipped)["entity"].missing == ["d0", "d1", "d2"]
    refs = {"d0": ["Wagner Group"], "d1": ["LNA"], "d2": []}
    entity = {d: (shipped.entity(cleaning_hash(doc), refs[d]), refs[d]) for d, doc in zip(refs, docs, strict=True)}
    store.write_annotations("entity", {d: [] for d in refs}, states=entity)
    store.write_annotations("event", {d: [] for d in refs},
                            states={d: (shipped.event(fp, r), None) for d, (fp, r) in entity.items()})
    status = layer_status(store, shipped)
    assert [s.counts() for s in status.values()] == [{"current": 3, "stale": 0, "missing": 0}] * 3
    renamed = LayerFingerprints(DataFiles(actors=edited(tmp_path, ACTORS, WAGNER_NAME, "name_en: Wagner (renamed)",
                                                        "actors.yaml")))
    status = layer_status(store, renamed)
    assert status["clean"].stale == [] and status["entity"].stale == ["d0"] and status["event"].stale == ["d0"]
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: []\n", encoding="utf-8")
    assert layer_status(store, LayerFingerprints(DataFiles(rules=rules)))["clean"].stale == ["d0", "d1", "d2"]


def test_a_schema_1_store_is_upgraded_with_every_layer_stale(tmp_path, cleaner, shipped):
    path = tmp_path / "old.sqlite"
    with Store(path) as store:
        store.write_documents([cleaner.clean(Article("d0", "دخلت قوات الوفاق مدينة سرت.", "d0.txt"))[0]],
                              clean_fingerprint=shipped.clean)
        store.write_annotations("entity", {"d0": []})
    db = sqlite3.connect(path)
    db.execute("DROP TABLE layer_state")
    db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.meta_value("schema_version") == str(SCHEMA_VERSION)
        status = layer_status(store, shipped)
        assert status["clean"].stale == ["d0"] and status["entity"].missing == ["d0"]
        assert store.layer_states("clean")["d0"][1] == cleaning_hash(store.get_document("d0"))

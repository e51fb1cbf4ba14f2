"""The ACLED taxonomy file (events/data/event_types.yaml) and the trigger lexicon's schema."""

from pathlib import Path

import pytest

from rasid.errors import LexiconError
from rasid.events.taxonomy import Taxonomy, load_triggers, validate_triggers
from rasid.resources import load_yaml, load_yaml_lines

# ACLED Codebook (2023): event types in order, each with its sub-event types in order
CODEBOOK_2023 = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Explosions/Remote violence": ["Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"],
    "Violence against civilians": ["Sexual violence", "Attack", "Abduction/forced disappearance"],
    "Protests": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"],
}
INTER_CODES = {1: "State forces", 2: "Rebel groups", 3: "Political militias", 4: "Identity militias", 5: "Rioters",
               6: "Protesters", 7: "Civilians", 8: "External/Other forces"}


@pytest.fixture(scope="module")
def tax():
    return Taxonomy.load()


def test_taxonomy_lists_the_2023_codebook_types_in_order(tax):
    assert {et: list(tax.sub_event_types(et)) for et in tax.event_types} == CODEBOOK_2023
    assert list(tax.event_types) == list(CODEBOOK_2023)
    assert tax.actor_types == INTER_CODES
    assert tax.disorder_types == ("Political violence", "Demonstrations", "Strategic developments")


def test_the_generated_tables_agree_with_the_yaml(tax):
    raw = load_yaml("events/data/event_types.yaml")
    disorder = {d["key"]: d["name"] for d in raw["disorder_types"]}
    for et in raw["event_types"]:
        assert tax.by_key(et["key"]) == et["name"]
        assert tax.disorder_type(et["name"]) == disorder[et["disorder"]]
        assert tax.colours()[et["name"]] == tax.colour(et["name"]) == et["colour"]
        for sub in et["sub_event_types"]:
            assert tax.by_key(sub["key"]) == sub["name"]
            assert tax.event_type_of(sub["name"]) == et["name"]
            assert tax.verb_en(sub["name"]) == sub["verb_en"]
            assert tax.is_valid(et["name"], sub["name"])
    assert list(tax.colours()) == list(tax.event_types)


@pytest.mark.parametrize(("key", "verb"), [
    ("air_drone_strike", "carried out an air/drone strike against"),
    ("shelling", "shelled"),
    ("armed_clash", "clashed with"),
    ("non_violent_transfer", "withdrew from"),
    ("other", "were reported in a development"),
    ("base_established", "established a base"),
])
def test_verb_phrases_are_those_of_the_english_notes(tax, key, verb):
    assert tax.verb_en(tax.by_key(key)) == verb


def test_every_sub_event_type_has_a_verb_phrase_and_unknown_ones_a_fallback(tax):
    assert all(tax.verb_en(s) for s in tax.all_sub_event_types)
    assert tax.verb_en("Invented type") == tax.unknown_verb_en == "were involved in an event"


def test_lookups_refuse_what_the_taxonomy_does_not_have(tax):
    battles = tax.by_key("battles")
    assert not tax.is_valid(battles, tax.by_key("agreement"))
    assert not tax.is_valid("Battle", None) and tax.is_valid(battles, None)
    assert tax.disorder_type("Battle") == "" and tax.colour("Battle") == "#999999"
    with pytest.raises(KeyError):
        tax.by_key("battle")
    with pytest.raises(KeyError):
        tax.tagged("territroy")
    assert tax.tagged("territory") >= {tax.by_key("government_regains_territory"), tax.by_key("non_violent_transfer")}


def test_interaction_codes_put_the_smaller_code_first(tax):
    assert tax.interaction(7, 1) == tax.interaction(1, 7) == 17
    assert tax.interaction(3) == 30
    with pytest.raises(ValueError, match="inter code"):
        tax.interaction(9, 1)


def test_every_shipped_trigger_has_a_valid_event_and_sub_event_pair(tax):
    data = load_triggers()
    pairs = {(t["event_type"], t["sub_event_type"]) for t in data["triggers"]}
    assert pairs and all(tax.is_valid(et, sub) for et, sub in pairs)
    assert set(data.get("cues", {})) <= set(tax.all_sub_event_types)


# -- a broken taxonomy file -----------------------------------------------------------------------
TAXONOMY_HEAD = """\
# source: test; licence: test
disorder_types:
  - {key: pv, name: Political violence}
unknown_verb_en: did something
actor_types:
  - {code: 1, key: state, name: State forces}
event_types:
  - key: battles
    name: Battles
    disorder: pv
    colour: "#D55E00"
    sub_event_types:
      - {key: clash, name: Armed clash, verb_en: clashed with}
"""


@pytest.mark.parametrize(("tail", "line", "reason"), [
    ("      - {key: grab, name: Grab, verb_en: took, colour: red}\n", 14, "unknown key 'colour'"),
    ("      - {key: grab, name: Grab}\n", 14, "needs 'verb_en'"),
    ("  - key: riots\n    name: Riots\n    disorder: pv\n    colour: \"#0072B2\"\n    sub_event_types:\n"
     "      - {key: clash2, name: Armed clash, verb_en: clashed with}\n", 19, "listed under both"),
    ("      - {key: grab, name: Grab, verb_en: took, tags: [territory]}\n", 14, "not declared under tags"),
    ("    disorder: demonstrations\n", 14, "appears twice"),
])
def test_a_broken_taxonomy_is_refused_with_file_and_line(tmp_path, tail, line, reason):
    path = tmp_path / "types.yaml"
    path.write_text(TAXONOMY_HEAD + tail, encoding="utf-8")
    with pytest.raises(LexiconError, match=reason) as err:
        Taxonomy.load(path)
    assert (Path(err.value.path).name, err.value.line) == ("types.yaml", line)


# -- a broken trigger lexicon ---------------------------------------------------------------------
TRIGGERS = """\
# source: test; licence: test
triggers:
  - id: clash
    event_type: Battles
    sub_event_type: Armed clash
    role: attack
    forms: [اشتباكات]
  - id: raid
    event_type: Explosions/Remote violence
    sub_event_type: Air/drone strike
    forms: [غارة]
"""


@pytest.mark.parametrize(("text", "line", "reason"), [
    (TRIGGERS.replace("    role: attack", "    rol: attack"), 6, "unknown key 'rol'.*did you mean 'role'"),
    (TRIGGERS.replace("event_type: Battles", "event_type: Battle"), 4, "not an ACLED event type"),
    (TRIGGERS.replace("sub_event_type: Air/drone strike", "sub_event_type: Armed clash"), 10, "not one of"),
    (TRIGGERS.replace("id: raid", "id: clash"), 8, "'clash' is used twice"),
    (TRIGGERS.replace("    role: attack", "    role attack"), 7, "invalid YAML"),
    (TRIGGERS.replace("    role: attack", "    role: hit"), 6, "role 'hit'"),
    (TRIGGERS.replace("    role: attack", "    kind: adjective"), 6, "kind 'adjective'"),
    (TRIGGERS.replace("    forms: [غارة]\n", ""), 8, "needs 'forms'"),
    (TRIGGERS + "cues:\n  Air strike: [جوا]\n", 13, "not an ACLED sub-event type"),
    (TRIGGERS + "argument_words:\n  destination: [الى]\n", 13, "did you mean 'destinations'"),
    (TRIGGERS + "trigers: []\n", 12, "unknown key 'trigers'"),
    ("", 1, "no data"),
    ("# source: test; licence: test\n# all commented out\n", 1, "no data"),
])
def test_a_broken_trigger_lexicon_is_refused_with_file_and_line(tmp_path, text, line, reason):
    path = tmp_path / "triggers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match=reason) as err:
        load_triggers(path)
    assert (Path(err.value.path).name, err.value.line) == ("triggers.yaml", line)
    assert f"triggers.yaml line {line}:" in str(err.value)


def test_the_shipped_trigger_lexicon_passes_its_schema():
    data, lines = load_yaml_lines("events/data/triggers.yaml")
    assert validate_triggers(data, lines) is data

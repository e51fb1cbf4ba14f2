"""User copies of the actor, place and trigger files: every mistake is one error naming file and line."""

import subprocess
import sys
from pathlib import Path

import pytest

import rasid
from rasid.entities.actors import ActorDictionary
from rasid.errors import LexiconError
from rasid.events.taxonomy import load_triggers
from rasid.geo.gazetteer import PlaceGazetteer
from rasid.resources import load_actors, load_places, load_yaml_lines, validate_actors, validate_places

DATA = Path(rasid.__file__).parent


@pytest.mark.parametrize(("relative", "validate"), [
    ("entities/data/actors.yaml", validate_actors),
    ("geo/data/aliases.yaml", validate_places),
])
def test_the_shipped_files_pass_their_schema(relative, validate):
    data, lines = load_yaml_lines(DATA / relative)
    assert validate(data, lines) is data


def test_yaml_lines_know_each_key_and_item(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("# c\nitems:\n  - {id: a, n: 1}\n  - id: b\n    n: 2\n", encoding="utf-8")
    data, lines = load_yaml_lines(path)
    assert data == {"items": [{"id": "a", "n": 1}, {"id": "b", "n": 2}]}
    assert [lines.of("items"), lines.of("items", 0), lines.of("items", 1), lines.of("items", 1, "n")] == [2, 3, 4, 5]
    assert lines.of("items", 1, "missing") == 4


ACTORS = """\
# source: test; licence: test
titles: [العميد]
actors:
  - {id: A, type: force, name_ar: قوات س, name_en: Force S}
  - id: B
    type: person
    name_ar: خالد ع
dated_aliases:
  - {alias: القوات الحكومية, actor: A, until: 2016-03-30}
"""

PLACES = """\
# source: test; licence: test
places:
  - {id: x:palms, name_en: Palm Valley, lat: 30.5, lon: 15.5, country: LY, kind: town, ar: [وادي النخيل]}
  - id: x:dunes
    name_en: Dunes
    lat: 29.1
    lon: 16.2
    country: LY
    ar: [الكثبان]
"""


@pytest.mark.parametrize(("text", "line", "reason"), [
    # a misspelt key
    (ACTORS.replace("name_ar: خالد", "name_arr: خالد"), 7, "unknown key 'name_arr'.*did you mean 'name_ar'"),
    (ACTORS.replace("titles:", "title:"), 2, "unknown key 'title'.*did you mean 'titles'"),
    (ACTORS.replace("actor: A, until", "actor: A, untill"), 9, "unknown key 'untill'"),
    # an unknown type
    (ACTORS.replace("type: person", "type: tribe"), 6, "type 'tribe' is not one of"),
    # a duplicate id: the line of the second
    (ACTORS.replace("id: B", "id: A"), 5, "actor id 'A' is used twice \\(first at line 4\\)"),
    # a malformed YAML line
    (ACTORS.replace("    type: person", "    type person"), 7, "invalid YAML"),
    (ACTORS.replace("name_en: Force S}", "name_en: Force S"), 5, "invalid YAML"),
    # a missing field, a dangling reference
    (ACTORS.replace("    type: person\n", ""), 5, "needs 'type'"),
    (ACTORS.replace("actor: A, until", "actor: Z, until"), 9, "'Z' is not an actor id"),
    # an empty file
    ("", 1, "no data"),
    ("# source: test; licence: test\n", 1, "no data"),
    ("- just a list\n", 1, "expected a mapping"),
])
def test_a_bad_actor_file_is_refused_with_file_and_line(tmp_path, text, line, reason):
    path = tmp_path / "my_actors.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match=reason) as err:
        ActorDictionary.from_data(path)
    assert (Path(err.value.path).name, err.value.line) == ("my_actors.yaml", line)


@pytest.mark.parametrize(("text", "line", "reason"), [
    (PLACES.replace("    lon: 16.2", "    lng: 16.2"), 7, "unknown key 'lng'.*did you mean 'lon'"),
    (PLACES.replace("kind: town", "kind: oasis"), 3, "kind 'oasis' is not one of"),
    (PLACES.replace("id: x:dunes", "id: x:palms"), 4, "place id 'x:palms' is used twice"),
    (PLACES.replace("    lat: 29.1", "    lat 29.1"), 7, "invalid YAML"),
    (PLACES.replace("    ar: [الكثبان]\n", ""), 4, "needs 'ar'"),
    (PLACES.replace("lat: 29.1", "lat: 129.1"), 6, "lat must be a number in"),
    (PLACES.replace("country: LY, kind", "country: Libya, kind"), 3, "ISO 3166"),
    (PLACES.replace("ar: [الكثبان]", "ar: الكثبان"), 9, "must be a list"),
    ("", 1, "no data"),
    ("# only comments\n\n", 1, "no data"),
])
def test_a_bad_place_file_is_refused_with_file_and_line(tmp_path, text, line, reason):
    path = tmp_path / "my_places.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match=reason) as err:
        PlaceGazetteer.from_data(aliases=path)
    assert (Path(err.value.path).name, err.value.line) == ("my_places.yaml", line)
    assert f"my_places.yaml line {line}:" in str(err.value)


@pytest.mark.parametrize("load", [load_actors, load_places, load_triggers])
def test_a_missing_or_empty_file_of_each_kind_is_one_lexicon_error(tmp_path, load):
    with pytest.raises(LexiconError, match="file not found"):
        load(tmp_path / "nope.yaml")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(LexiconError, match="no data") as err:
        load(tmp_path / "empty.yaml")
    assert err.value.line == 1


@pytest.mark.parametrize(("option", "name", "text", "line"), [
    ("--actors", "bad_actors.yaml", ACTORS.replace("type: person", "typ: person"), 6),
    ("--places", "bad_places.yaml", PLACES.replace("id: x:dunes", "id: x:palms"), 4),
])
def test_analyze_refuses_a_bad_user_file_naming_file_and_line(tmp_path, seeds_dir, option, name, text, line):
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "rasid", "analyze", str(seeds_dir), option, str(bad),
                          "--out", str(tmp_path / "out"), "-q"], capture_output=True, text=True, timeout=300)
    assert res.returncode != 0
    assert f"{bad} line {line}:" in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1

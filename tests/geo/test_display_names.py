"""Display names: a place's first Arabic name is the one users see (``name_ar`` in the exports, the map
and the briefs). Where GeoNames' first name is not the press's spelling (a transliteration artefact,
a Persian spelling, another place's name), tools/data/preferred_arabic_names.tsv puts the press's
first (tools/build_gazetteer.py)."""

import re
from pathlib import Path

from rasid.geo.gazetteer import PlaceGazetteer

TABLE = Path(__file__).resolve().parents[2] / "tools" / "data" / "preferred_arabic_names.tsv"
PLAIN_ARABIC = re.compile(r"^[\u0621-\u063a\u0641-\u064a]+( [\u0621-\u063a\u0641-\u064a]+)*$")


def _rows() -> list[list[str]]:
    return [line.split("\t") for line in TABLE.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def test_the_built_table_shows_every_listed_display_name():
    by_id = {p.id: p for p in PlaceGazetteer.from_data().places}
    rows = _rows()
    assert len(rows) > 100
    assert all(len(r) == 4 and PLAIN_ARABIC.match(r[3]) for r in rows), "id, English name, country, plain Arabic name"
    assert len({r[0] for r in rows}) == len(rows), "a place listed twice"
    missing = [r[0] for r in rows if r[0] not in by_id]
    assert not missing, f"not in places.tsv: {missing}"
    # a row added or changed without running `python tools/build_gazetteer.py --preferred-only`
    stale = [(r[1], by_id[r[0]].name_ar, r[3]) for r in rows if by_id[r[0]].name_ar != r[3] or
             by_id[r[0]].country != r[2]]
    assert not stale, stale


def test_a_report_naming_capitals_shows_the_press_spelling_of_each(places_of):
    text = ("وصل وزير الخارجية الإيراني إلى لندن قادما من طهران، بعد محادثات في مدريد وروما، "
            "فيما استقبل نظيره التركي في أنقرة وفدا من مدينة كربلاء العراقية.")
    shown = {m.place.name_en: m.place.name_ar for m in places_of(text, "display")}
    assert shown.get("London") == "لندن", shown
    assert shown.get("Tehran") == "طهران", shown
    assert shown.get("Madrid") == "مدريد", shown
    assert shown.get("Rome") == "روما", shown
    assert shown.get("Ankara") == "أنقرة", shown
    assert shown.get("Karbala") == "كربلاء", shown

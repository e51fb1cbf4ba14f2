"""Shared by the geo tests that run whole sentences through cleaning and entity extraction."""

import pytest

from rasid.clean import Cleaner
from rasid.document import Article
from rasid.entities import EntityExtractor
from rasid.geo.geocoder import km


@pytest.fixture(scope="module")
def pipeline():
    return Cleaner.from_data(), EntityExtractor()


def _places_of(pipeline, text: str, name: str) -> list:
    """The geocoded mentions of one sentence."""
    cleaner, extractor = pipeline
    doc, _ = cleaner.clean(Article(name, text, f"{name}.txt"))
    return [m for m in extractor.extract(doc).mentions if m.place is not None]


def _assert_placed(pipeline, text: str, expected: dict, max_km: float, name: str = "t") -> None:
    """Each name of `expected` ({name: (country, lat, lon)}) is geocoded in its country, within `max_km`."""
    places = _places_of(pipeline, text, name)
    for word, (country, lat, lon) in expected.items():
        found = [m.place for m in places if word in m.text]
        assert found, f"{word} not geocoded in: {text}"
        assert found[0].country == country, (word, found[0])
        assert km(found[0], (lat, lon)) < max_km, (word, found[0])


@pytest.fixture(scope="module")
def places_of(pipeline):
    """places_of(text, name): the geocoded mentions of one sentence."""
    return lambda text, name="t": _places_of(pipeline, text, name)


@pytest.fixture(scope="module")
def assert_placed(pipeline):
    """assert_placed(text, {name: (country, lat, lon)}, max_km): each name geocoded in its country, near there."""
    return lambda text, expected, max_km, name="t": _assert_placed(pipeline, text, expected, max_km, name)

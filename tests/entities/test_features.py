"""Tagger features from the shipped name lists (entities/data/names/)."""

from pathlib import Path

import pytest

import rasid
from rasid.entities.features import FeatureExtractor, Gazetteer
from rasid.entities.tagger import build_feature_extractor
from rasid.resources import validate_text

NAME_LISTS = sorted((Path(rasid.__file__).parent / "entities/data/names").glob("*.txt"))


def names_of(features: list[str]) -> set[str]:
    return {f[2:] for f in features if f.startswith("n=")}


def test_the_name_lists_are_shipped_valid_and_state_their_source():
    assert {p.stem for p in NAME_LISTS} >= {"club", "org", "media", "misc", "currency"}
    for path in NAME_LISTS:
        text = path.read_text(encoding="utf-8")
        validate_text(text, str(path))
        head = text[:600].lower()
        assert "source" in head and "licence" in head, path.name


def test_clubs_currencies_and_tournaments_in_a_sports_report_hit_their_lists():
    fx = build_feature_extractor()
    tokens = "وفاز الوكرة على ريال مدريد مقابل 500 دولار في دوري أبطال آسيا".split()
    feats = fx.sentence_features(tokens)
    assert names_of(feats[1]) == {"BCLUB"}  # the proclitic و is stripped
    assert names_of(feats[3]) == {"BCLUB"} and names_of(feats[4]) == {"ICLUB"}  # not the currency ريال
    assert names_of(feats[7]) == {"BCUR"}
    assert [names_of(f) for f in feats[9:12]] == [{"BMISC"}, {"IMISC"}, {"IMISC"}]
    assert names_of(feats[0]) == names_of(feats[2]) == set()
    # the neighbours' hits are context features, which the CRF layer leaves to the BiLSTM
    assert "-1n=BCLUB" in feats[2]


def test_the_name_lists_leave_the_older_gazetteer_features_as_they_were():
    """A model trained before the name lists existed must read exactly what it was trained on."""
    fx = build_feature_extractor()
    assert len(fx.names) > 900
    bare = FeatureExtractor(fx.clusters, fx.gazetteer)
    tokens = "قالت وكالة رويترز إن حركة حماس وحزب الله رفضا قرار مجلس الأمن الدولي".split()
    with_names, without = fx.sentence_features(tokens), bare.sentence_features(tokens)
    assert any(names_of(f) for f in with_names)
    assert [[x for x in f if "n=" not in x or x.startswith("len=")] for f in with_names] == without


@pytest.mark.parametrize(("name", "text", "hit"), [
    ("multi-word name, longest first", "الاتحاد الأوروبي", ["BORG", "IORG"]),
    ("a common word that is not listed", "الاتحاد قال", [None, None]),
])
def test_a_name_list_matches_longest_first(name, text, hit):
    names = Gazetteer()
    names.add("الاتحاد الأوروبي", "ORG")
    names.add("الأوروبي", "MISC")
    fx = FeatureExtractor(names=names)
    got = [next(iter(names_of(f)), None) for f in fx.sentence_features(text.split())]
    assert got == hit, name

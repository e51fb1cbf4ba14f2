from pathlib import Path

import pytest

import rasid
from rasid.errors import LexiconError
from rasid.resources import load_yaml, validate_text

SHIPPED = sorted(Path(rasid.__file__).parent.rglob("data/*.yaml"))


def test_there_are_shipped_data_files():
    assert {p.name for p in SHIPPED} >= {"boilerplate.yaml", "outlets.yaml", "numbers.yaml", "abbreviations.yaml"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_passes_the_validator_and_states_its_source(path):
    load_yaml(path)
    head = path.read_text(encoding="utf-8")[:600].lower()
    assert "source" in head and "licence" in head


@pytest.mark.parametrize(("text", "reason"), [
    ("key: \ufedb\ufeae\ufe8e", "presentation form"),
    ("key: حفتـر", "tatweel"),
    ("key: قُوات", "harakat"),
    ("key: e\u0301", "NFC"),
])
def test_validator_rejects_what_breaks_matching(text, reason):
    with pytest.raises(LexiconError, match=reason):
        validate_text(text, "user.yaml")


def test_validator_reports_file_and_line(tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("a: 1\nb: حفتـر\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"mine.yaml line 2"):
        load_yaml(bad)

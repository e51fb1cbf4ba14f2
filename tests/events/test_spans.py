"""Every field an event takes from the text points at that text: on the hand-coded SaudiNewsNet Libya sets."""

import json
from pathlib import Path

import pytest

from rasid.document import Article
from rasid.events.model import EVIDENCE_FIELDS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SETS = [ROOT / "tests" / "data" / "snn_libya" / "articles.jsonl", ROOT / "bench" / "data" / "snn_libya_dev" / "articles.jsonl"]


def test_every_span_of_every_event_is_its_text(cleaner):
    from rasid.entities import EntityExtractor
    from rasid.events import EventCoder

    extractor, coder = EntityExtractor(), EventCoder()
    checked = fields_seen = 0
    for path in SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            doc, _ = cleaner.clean(Article(r["id"], r["text"], "snn", title=r.get("title"), published=r.get("published")))
            for e in coder.code(doc, extractor.extract(doc).rows()):
                row = e.as_dict()
                assert "trigger" in row["spans"], row
                for name, span in row["spans"].items():
                    assert name in EVIDENCE_FIELDS
                    assert doc.text[span["start"]:span["end"]] == span["text"] != ""
                    checked += 1
                fields_seen += bool(row["actor1"]) + bool(row["location"])
                if row["actor1"] and row["actor1"].get("surface") and "actor1" in row["spans"]:
                    assert row["spans"]["actor1"]["text"] == row["actor1"]["surface"]
                if row["fatalities"] is not None and row["fatalities"] > 0:
                    assert "fatalities" in row["spans"], row
    assert checked > 100 and fields_seen > 20

"""The per-document function: the same mentions and events as the pipeline, and a result that pickles."""

import json
import pickle

import pytest

from rasid.annotate import Resources, annotate
from rasid.ingest import ReadOptions, iter_articles, load_meta

pytestmark = pytest.mark.slow

PIPELINE_ONLY = ("story_id", "same_as")  # set by the corpus passes (stories, cross-report linking)


@pytest.fixture(scope="module")
def annotated(seeds_dir):
    meta, _ = load_meta(str(seeds_dir.parent / "meta.jsonl"))
    resources = Resources.load()
    return [annotate(a, resources) for a in iter_articles([str(seeds_dir)], ReadOptions(meta=meta))
            if hasattr(a, "doc_id")]


def test_annotate_gives_the_pipelines_mentions_and_events(annotated, seeds_out):
    stored_mentions = [json.loads(x) for x in (seeds_out / "entities.jsonl").read_text(encoding="utf-8").splitlines()]
    stored_events = [json.loads(x) for x in (seeds_out / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(len(a.events) for a in annotated) == len(stored_events) > 10
    for a in annotated:
        assert a.mentions == [m for m in stored_mentions if m["doc_id"] == a.document.doc_id]
        ours = {e["event_id"]: {k: v for k, v in e.items() if k not in PIPELINE_ONLY} for e in a.events}
        theirs = {e["event_id"]: {k: v for k, v in e.items() if k not in PIPELINE_ONLY}
                  for e in stored_events if e["doc_id"] == a.document.doc_id}
        assert ours == theirs


def test_the_result_and_the_function_pickle(annotated):
    back = pickle.loads(pickle.dumps(annotated[0]))
    assert back.document.text == annotated[0].document.text and back.events == annotated[0].events
    assert pickle.loads(pickle.dumps(annotate)) is annotate

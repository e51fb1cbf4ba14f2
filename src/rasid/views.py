"""What readers see, computed once and stored: linked events in a queryable table, each story's
comparison and brief, and a full-text index with Arabic normalisation.

The report, ``rasid serve`` and the exports read these; the pass is incremental: a story's view is
recomputed only when what it was computed from (its members, their events and links, and the
fingerprints of its members' entity and event layers, see :mod:`rasid.fingerprints`) changed, and
only documents not yet indexed are indexed. The events table is rebuilt from the stored event rows on
every run, so documents whose events were re-coded show their new rows.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from functools import lru_cache

from rasid.store import Store
from rasid.text.normalize import match_key
from rasid.text.tokens import proclitic_of, strip_proclitics

log = logging.getLogger(__name__)

__all__ = ["build_views", "linked_events", "search_key", "word_search_key", "SearchKeyTask", "SEARCH_BATCH"]

SEARCH_BATCH = 500
VIEW_VERSION = 4  # bump when compare or brief change what they compute: every story view is rebuilt


def search_key(text: str) -> str:
    """The full-text key of `text`: matching keys with proclitics stripped, so a search for سرت finds
    "وسرت" and "بسرت" and الجفرة finds "بالجفرة".

    Example:
        >>> search_key("وصلت القوات إلى بالجفرة وسِرت")
        'صلت قوات الي جفره سرت'

    Both the text and the query go through it, so an over-stripped word (وصلت -> صلت) still
    finds itself.
    """
    return " ".join(map(word_search_key, match_key(text).split()))


@lru_cache(maxsize=262_144)
def word_search_key(word: str) -> str:
    """The search key of one already folded word (cached: news repeats its words): its shortest
    reading without proclitics, except that a bare ك ("like") is not set aside, since many more words
    begin with that letter than with the particle (كسرت is not ك + سرت, كبير not ك + بير); with the
    article it is (كالجيش: جيش).

    Example:
        >>> word_search_key("وبالجفره"), word_search_key("كسرت"), word_search_key("كالجيش")
        ('جفره', 'كسرت', 'جيش')
    """
    readings = strip_proclitics(word)
    return next(r for r in reversed(readings) if "ك" not in (p := proclitic_of(word, r)) or p.endswith("كال"))


def linked_events(store: Store) -> list[dict]:
    """Every stored event with its story, linked to other reports of the same event."""
    from rasid.events import link_events
    from rasid.events.passes import LAYER
    from rasid.review import apply_reviews

    story_of = store.line_stories()
    events = []
    for e in store.annotations(LAYER):
        e["story_id"] = story_of.get((e["doc_id"], e["line"]))
        events.append(e)
    return link_events(apply_reviews(store, events))  # coders' corrections outlive every re-run


def _basis(story: dict, events: list[dict], n_mentions: int, layers: dict[str, tuple[str, str]]) -> str:
    members = sorted((m["doc_id"], m["segment"]) for m in story["members"])
    evs = sorted((e["event_id"], tuple(sorted(e.get("same_as", []))), e.get("fatalities")) for e in events)
    made_from = sorted((d, *layers.get(d, ("", ""))) for d in {m["doc_id"] for m in story["members"]})
    raw = json.dumps([VIEW_VERSION, members, evs, n_mentions, story.get("title_ar"), made_from], ensure_ascii=False)
    return hashlib.blake2b(raw.encode("utf-8"), digest_size=10).hexdigest()


class SearchKeyTask:
    """The search-key task of an engine (:mod:`rasid.engine`): ``[(doc_id, title, body)] ->
    [(doc_id, title key, body key)]``, the rows :meth:`rasid.store.Store.index_search` takes."""

    def load(self) -> None:
        """Nothing to load (the word cache fills as it goes)."""

    def __call__(self, batch: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        return [(doc_id, search_key(title), search_key(body)) for doc_id, title, body in batch]


def build_views(store: Store, *, lexicon=None, on_story: Callable[[int, int], None] | None = None,
                engine=None) -> dict[str, int]:
    """Refresh the events table, the story views and the search index; return what was (re)built.

    `on_story(done, total)` is called as story views are computed (for a progress bar). With a local
    `engine` of several workers (:class:`rasid.engine.LocalEngine`), the documents' search keys are
    computed by its workers; the index is the same.
    """
    from rasid.brief.brief import brief_story
    from rasid.compare import FramingLexicon, compare_story

    events = linked_events(store)
    store.replace_events(events)
    by_story: dict[str, list[dict]] = {}
    for e in events:
        if e.get("story_id"):
            by_story.setdefault(e["story_id"], []).append(e)
    mention_counts = store.mention_counts("entity")
    known = store.story_view_bases()
    entity_states, event_states = store.layer_states("entity"), store.layer_states("event")
    layers = {d: (s[0], (event_states.get(d) or ("",))[0]) for d, s in entity_states.items()}
    todo = []
    for story in store.iter_stories():
        evs = by_story.get(story["story_id"], [])
        basis = _basis(story, evs, sum(mention_counts.get(m["doc_id"], 0) for m in story["members"]), layers)
        if known.get(story["story_id"]) != basis:
            todo.append((story, evs, basis))
    lexicon = lexicon or (FramingLexicon.from_data() if todo else None)
    views = []
    for n, (story, evs, basis) in enumerate(todo, 1):
        doc_ids = sorted({m["doc_id"] for m in story["members"]})
        docs = {d.doc_id: d for d in store.iter_documents(doc_ids)}
        mentions = {d: list(store.annotations("entity", d)) for d in doc_ids}
        comparison = compare_story(story, docs, evs, mentions, lexicon)
        brief = brief_story(story, docs, evs, comparison, mentions)
        views.append((story["story_id"], basis, brief["title_en"], {"comparison": comparison, "brief": brief}))
        if len(views) >= 200:
            store.write_story_views(views)
            views = []
        if on_story is not None:
            on_story(n, len(todo))
    store.write_story_views(views)
    missing = store.docs_missing_search()
    if missing and engine is not None and engine.name == "local" and engine.workers > 1:
        with engine.mapping(SearchKeyTask()) as run:
            indexed = _index_search(store, missing, run)
    else:
        indexed = _index_search(store, missing, lambda batches: map(SearchKeyTask(), batches))
    return {"events": len(events), "story_views": len(todo), "indexed": indexed}


def _index_search(store: Store, missing: list[str], run) -> int:
    """Index the documents `missing` from the search index, their keys computed by `run` (batches of
    ``(doc_id, title, body)`` to batches of rows), written a batch at a time; return how many."""
    def texts():
        for i in range(0, len(missing), SEARCH_BATCH):
            rows = []
            for doc in store.iter_documents(missing[i:i + SEARCH_BATCH]):
                body = "\n".join(doc.text[ln.start:ln.end] for ln in doc.content_lines()) or doc.text
                rows.append((doc.doc_id, doc.title or "", body))
            yield rows

    indexed = 0
    for rows in run(texts()):
        store.index_search(rows)
        indexed += len(rows)
    return indexed

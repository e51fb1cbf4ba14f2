"""The corpus pass that puts every segment without a story into one, incrementally."""

from __future__ import annotations

import logging
from collections.abc import Callable

from rasid.document import LineStatus
from rasid.stories.clustering import SegmentProfile, StoryClusterer
from rasid.stories.dating import infer_date
from rasid.stories.signals import EntitySignals, stored_entity_signals
from rasid.stories.titles import TitleRules

log = logging.getLogger(__name__)

__all__ = ["assign_stories", "refresh_member_signals"]

ENCODE_BATCH = 32
TITLES_VERSION = 1  # bump when the code that chooses titles changes: every stored title is chosen again
TITLES_META_KEY = "story_titles"


def assign_stories(store, clusterer: StoryClusterer, *, on_segment: Callable[[int], None] | None = None,
                   titles: TitleRules | None = None) -> int:
    """Assign every unassigned segment in the store to a story; return how many were assigned.

    Stored assignments are loaded and never changed; new segments are taken in (date, doc_id,
    segment) order. A copy of an article (``duplicate_of``) joins its original's story without
    being embedded. A report without a publication date is dated by its own text when it can be
    (:mod:`rasid.stories.dating`), and that date is stored with its basis (``store.story_dates``).
    Each report's title is chosen by `titles` (:mod:`rasid.stories.titles`); when
    the stored titles were chosen by other rules, every report and story is titled again. What the
    entity and event layers stored for a segment (its people, towns, kinds of event: run them first)
    is read into its profile and stored with its membership; a segment assigned before they ran has none
    until they run: when a document's layers are written again, its members' signals are read again
    (:func:`refresh_member_signals`) and later reports are compared with those.
    """
    titles = titles or TitleRules.from_data()
    wide = clusterer.signals.wide_kinds if clusterer.signals is not None else frozenset()
    refresh_member_signals(store, wide)
    pending = store.unassigned_segments()
    stale = _titles_key(titles) != _stored_titles_key(store)
    if not pending and not stale:
        return 0
    for sid, doc_id, seg, _score, day, outlet, title, headline, terms, emb, signals in store.iter_story_members():
        clusterer.add_existing(SegmentProfile(doc_id, seg, day, outlet, title, terms, emb, headline=headline,
                                              entities=EntitySignals.from_json(signals)), sid)
    touched: set[str] = set()
    if stale:
        touched |= _retitle(store, clusterer, titles)
    if not pending:
        _write_summaries(store, clusterer, touched)
        _mark_titles(store, titles)
        return 0
    todo: dict[str, set[int]] = {}
    for doc_id, seg_index in pending:
        todo.setdefault(doc_id, set()).add(seg_index)
    items, text_dates, found = [], [], {}
    for doc in store.iter_documents(sorted(todo)):
        signals = stored_entity_signals(store, doc, wide)
        for seg in doc.segments:
            if seg.index not in todo[doc.doc_id]:
                continue
            body = "\n".join(doc.text[ln.start:ln.end] for ln in doc.lines
                             if ln.segment == seg.index and ln.status == LineStatus.KEPT and ln.role != "headline")
            # a page holding several articles has no date that is known to belong to each of them
            day = doc.publication_date if len(doc.segments) == 1 else None
            if day is None and (inferred := infer_date(doc, seg.index)) is not None:
                day = inferred.date  # the report's own text dates it; stored with its basis below
                text_dates.append((doc.doc_id, seg.index, inferred))
            found[(doc.doc_id, seg.index)] = signals[seg.index]
            items.append((day or "9999-99-99", doc.doc_id, seg.index, doc.outlet, seg.title or "", body,
                          doc.duplicate_of, day, titles.segment_title(doc, seg.index)))
    items.sort(key=lambda x: x[:3])
    if text_dates:
        store.write_story_dates([(d, seg, x.date, x.start, x.end, x.phrase, x.basis) for d, seg, x in text_dates])
    done = 0
    for i in range(0, len(items), ENCODE_BATCH):
        batch = items[i:i + ENCODE_BATCH]
        copies = [b for b in batch if b[6] and (b[6], b[2]) in clusterer.story_of]
        fresh = [b for b in batch if b not in copies]
        profiles = clusterer.profiles([(b[1], b[2], b[7], b[3], b[4], b[5]) for b in fresh])
        by_key = {(p.doc_id, p.segment): p for p in profiles}
        for p in profiles:
            p.entities = found.get((p.doc_id, p.segment))
        rows = []
        for b in batch:
            if b in copies:
                original = clusterer.stories[clusterer.story_of[(b[6], b[2])]]
                source = next(m for m in original.members if (m.doc_id, m.segment) == (b[6], b[2]))
                profile = SegmentProfile(b[1], b[2], b[7], b[3], source.title, source.terms, source.embedding,
                                         headline=source.headline, entities=found.get((b[1], b[2]), source.entities))
                profile.title, profile.headline = b[8]
                sid, score = clusterer.assign(profile, same_as=original.story_id)
            else:
                profile = by_key[(b[1], b[2])]
                # the clusterer read the segment's own headline line; the story shows the report's title
                profile.title, profile.headline = b[8]
                sid, score = clusterer.assign(profile)
            rows.append((sid, profile.doc_id, profile.segment, score, profile.date, profile.outlet, profile.title,
                         profile.headline, profile.terms, profile.embedding,
                         profile.entities.to_json() if profile.entities is not None else None))
        store.write_story_members(rows)
        if clusterer.new_links:  # stories of one thread (rasid.stories.clustering)
            store.write_story_links(clusterer.new_links)
            clusterer.new_links = []
        done += len(rows)
        if on_segment is not None:
            on_segment(done)
    touched |= {clusterer.story_of[(b[1], b[2])] for b in items}
    _write_summaries(store, clusterer, touched)
    _mark_titles(store, titles)
    log.info("stories: %d segments assigned, %d stories touched", done, len(touched))
    return done


def refresh_member_signals(store, wide_kinds: frozenset[str]) -> int:
    """Read again the entity signals of stored story members whose documents' entity or event layers
    ran (or were redone) after they were assigned; return how many members were updated.

    Earlier assignments stay as they are; later reports are compared with what the layers say now.
    """
    doc_ids = store.members_needing_signals()
    if not doc_ids:
        return 0
    rows = []
    for doc in store.iter_documents(doc_ids):
        for index, signals in stored_entity_signals(store, doc, wide_kinds).items():
            rows.append((signals.to_json() if signals is not None else None, doc.doc_id, index))
    store.set_member_signals(rows)
    log.info("stories: entity signals read again for %d reports of %d documents", len(rows), len(doc_ids))
    return len(rows)


def _retitle(store, clusterer: StoryClusterer, titles: TitleRules) -> set[str]:
    """Choose every loaded member's title again; store the changed ones; return their stories."""
    members: dict[str, list[SegmentProfile]] = {}
    for story in clusterer.stories.values():
        for m in story.members:
            members.setdefault(m.doc_id, []).append(m)
    rows, touched = [], set()
    for doc in store.iter_documents(sorted(members)):
        for m in members[doc.doc_id]:
            title, headline = titles.segment_title(doc, m.segment)
            if (title, headline) != (m.title, m.headline):
                m.title, m.headline = title, headline
                rows.append((title, int(headline), m.doc_id, m.segment))
                touched.add(clusterer.story_of[(m.doc_id, m.segment)])
    if rows:
        store.set_member_titles(rows)
    log.info("stories: %d report titles chosen again, %d stories touched", len(rows), len(touched))
    return touched


def _write_summaries(store, clusterer: StoryClusterer, touched: set[str]) -> None:
    if touched:
        store.write_stories([_summary(clusterer, clusterer.stories[sid]) for sid in sorted(touched)
                             if sid in clusterer.stories])


def _titles_key(titles: TitleRules) -> str:
    return f"{TITLES_VERSION}:{titles.version}"


def _stored_titles_key(store) -> str | None:
    return store.meta_value(TITLES_META_KEY)


def _mark_titles(store, titles: TitleRules) -> None:
    store.set_meta_value(TITLES_META_KEY, _titles_key(titles))


def _summary(clusterer: StoryClusterer, story) -> dict:
    central = clusterer.central_member(story)
    dates = story.dates
    sources = sorted({m.outlet for m in story.members if m.outlet})
    return {"story_id": story.story_id, "title_ar": central.title, "start_date": dates[0] if dates else None,
            "end_date": dates[-1] if dates else None, "size": len(story.members), "sources": sources}

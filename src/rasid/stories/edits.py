"""Coders' corrections of stories: merge two stories, split reports out of one.

Story assignments are stored once and never changed by later runs (:func:`rasid.stories.assign_stories`),
so a correction is written straight into them, and also kept as a row of ``story_edits`` (who, when,
the action, the members moved, a note, the story before and after): the audit trail, and the layer
that :func:`apply_story_edits` lays again over the assignments after every stories pass, so that a
document cleaned anew and placed again by the clusterer goes back where its coder put it.

Example:
    >>> from rasid.store import Store
    >>> store = Store(":memory:")
    >>> merge_stories(store, "S1", "S1", user="amal")
    Traceback (most recent call last):
    ...
    rasid.stories.edits.StoryEditError: a story cannot be merged into itself
"""

from __future__ import annotations

import hashlib
import json
import time

from rasid.errors import RasidError

__all__ = ["merge_stories", "split_story", "apply_story_edits", "story_edits_of", "StoryEditError"]


class StoryEditError(RasidError):
    """A story correction that cannot be made (unknown story or member, nothing to move)."""


def _members(store, story_id: str) -> list[tuple[str, int]]:
    return [(d, s) for d, s in store.db.execute(
        "SELECT doc_id, segment FROM story_members WHERE story_id=? ORDER BY date, doc_id, segment", (story_id,))]


def _snapshot(store, story_id: str) -> dict:
    story = store.get_story(story_id) or {}
    return {"story_id": story_id, "title_ar": story.get("title_ar"), "size": story.get("size", 0),
            "members": [list(m) for m in _members(store, story_id)]}


def merge_stories(store, story_id: str, into: str, *, user: str, note: str | None = None) -> dict:
    """Move every report of `story_id` into story `into`; return the merged story."""
    if story_id == into:
        raise StoryEditError("a story cannot be merged into itself")
    for sid in (story_id, into):
        if store.get_story(sid) is None:
            raise StoryEditError(f"no story {sid}")
    moved = _members(store, story_id)
    before = {"from": _snapshot(store, story_id), "into": _snapshot(store, into)}
    _record_and_move(store, "merge", story_id, into, moved, note, user, before)
    return store.get_story(into)


def split_story(store, story_id: str, members: list[tuple[str, int]], *, user: str, note: str | None = None) -> dict:
    """Move these reports ``(doc_id, segment)`` of `story_id` into a story of their own; return it."""
    if store.get_story(story_id) is None:
        raise StoryEditError(f"no story {story_id}")
    current = _members(store, story_id)
    wanted = sorted({(str(d), int(s)) for d, s in members})
    stray = [m for m in wanted if m not in current]
    if stray:
        raise StoryEditError(f"not reports of story {story_id}: {', '.join(f'{d}#{s}' for d, s in stray)}")
    if not wanted:
        raise StoryEditError("a split names the reports it moves")
    if len(wanted) == len(current):
        raise StoryEditError("a split leaves at least one report in the story")
    new_id = "S" + hashlib.blake2b(json.dumps([story_id, wanted]).encode(), digest_size=8).hexdigest()
    _record_and_move(store, "split", story_id, new_id, wanted, note, user, {"from": _snapshot(store, story_id)})
    return store.get_story(new_id)


def _record_and_move(store, action, story_id, target, moved, note, user, before) -> None:
    with store.transaction() as db:
        _move(db, moved, target)
        _summarise(db, {story_id, target})
        after = {"from": _snapshot(store, story_id), "into": _snapshot(store, target)}
        db.execute("INSERT INTO story_edits (action, story_id, other, members, note, user, at, before, after) "
                   "VALUES (?,?,?,?,?,?,?,?,?)",
                   (action, story_id, target, json.dumps([list(m) for m in moved]), note, user, time.time(),
                    json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False)))
    _refresh_views(store)


def _move(db, members, target: str) -> int:
    rows = [(target, d, s) for d, s in members]
    db.executemany("UPDATE story_members SET story_id=? WHERE doc_id=? AND segment=?", rows)
    db.executemany("UPDATE segments SET story_id=? WHERE doc_id=? AND idx=?", rows)
    return len(rows)


def _summarise(db, story_ids) -> None:
    """Recount the stories' rows from their members (a story left empty is dropped). A story keeps its
    title; a new one takes its earliest headline report's title."""
    now = time.time()
    for sid in sorted(story_ids):
        rows = db.execute("SELECT date, outlet, title, headline FROM story_members WHERE story_id=? "
                          "ORDER BY date, doc_id, segment", (sid,)).fetchall()
        if not rows:
            db.execute("DELETE FROM stories WHERE story_id=?", (sid,))
            continue
        old = db.execute("SELECT title_ar FROM stories WHERE story_id=?", (sid,)).fetchone()
        title = old[0] if old else next((r[2] for r in rows if r[3] and r[2]), rows[0][2])
        dates = sorted(r[0] for r in rows if r[0])
        sources = sorted({r[1] for r in rows if r[1]})
        db.execute("INSERT OR REPLACE INTO stories VALUES (?,?,?,?,?,?,?)",
                   (sid, title, dates[0] if dates else None, dates[-1] if dates else None, len(rows),
                    json.dumps(sources, ensure_ascii=False), now))


def _refresh_views(store) -> None:
    """The events table and the story views of the stories that changed (the others are kept)."""
    from rasid.views import build_views

    build_views(store)


def apply_story_edits(store) -> int:
    """Lay every recorded correction again over the story assignments, oldest first (after a stories
    pass); return how many reports had to be moved back. Reports no longer stored are passed over."""
    moved, touched = 0, set()
    edits = store.db.execute("SELECT other, members FROM story_edits ORDER BY edit_id").fetchall()
    if not edits:
        return 0
    with store.transaction() as db:
        for target, members in edits:
            for d, s in json.loads(members):
                r = db.execute("SELECT story_id FROM story_members WHERE doc_id=? AND segment=?", (d, s)).fetchone()
                if r and r[0] != target:
                    touched |= {r[0], target}
                    moved += _move(db, [(d, s)], target)
        if touched:
            _summarise(db, touched)
    return moved


def story_edits_of(store, story_id: str | None = None) -> list[dict]:
    """The audit trail of story corrections (touching one story, or all), newest first."""
    sql = "SELECT edit_id, action, story_id, other, members, note, user, at, before, after FROM story_edits"
    args: tuple = ()
    if story_id:
        sql += " WHERE story_id=? OR other=?"
        args = (story_id, story_id)
    return [{"edit_id": r[0], "action": r[1], "story_id": r[2], "into": r[3], "members": json.loads(r[4]),
             "note": r[5], "by": r[6], "at": r[7], "before": json.loads(r[8]), "after": json.loads(r[9])}
            for r in store.db.execute(sql + " ORDER BY edit_id DESC", args)]

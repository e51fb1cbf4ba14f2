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

from rasid.errors import RasidError

__all__ = ["merge_stories", "split_story", "apply_story_edits", "story_edits_of", "StoryEditError"]


class StoryEditError(RasidError):
    """A story correction that cannot be made (unknown story or member, nothing to move)."""


def _members(store, story_id: str) -> list[tuple[str, int]]:
    return store.story_member_keys(story_id)


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
    with store.transaction():
        store.move_story_members(moved, target)
        if action == "merge":  # the merged story's thread links are now the story's it went into
            store.move_story_links(story_id, target)
        store.resummarise_stories({story_id, target})
        after = {"from": _snapshot(store, story_id), "into": _snapshot(store, target)}
        store.add_story_edit(action, story_id, target, moved, note, user, before, after)
    _refresh_views(store)


def _refresh_views(store) -> None:
    """The events table and the story views of the stories that changed (the others are kept)."""
    from rasid.views import build_views

    build_views(store)


def apply_story_edits(store) -> int:
    """Lay every recorded correction again over the story assignments, oldest first (after a stories
    pass); return how many reports had to be moved back. Reports no longer stored are passed over."""
    moved, touched = 0, set()
    edits = store.story_edit_moves()
    if not edits:
        return 0
    with store.transaction():
        for target, members in edits:
            left = set()  # stories that reports of this correction were taken from
            for d, s in members:
                current = store.story_of_member(d, s)
                if current is not None and current != target:
                    touched |= {current, target}
                    left.add(current)
                    moved += store.move_story_members([(d, s)], target)
            for sid in sorted(left):  # a story emptied by a merge hands its thread links on, as the merge did
                if not store.story_member_keys(sid):
                    store.move_story_links(sid, target)
        if touched:
            store.resummarise_stories(touched)
    return moved


def story_edits_of(store, story_id: str | None = None) -> list[dict]:
    """The audit trail of story corrections (touching one story, or all), newest first."""
    return store.story_edits(story_id)

"""What the coder's steps need to know of an ACLED type: the tags of ``event_types.yaml``.

The steps never type an ACLED name: they ask whether a type is coded with the sides of "بين X و
Y", whether it takes a second actor, which sub-event a territorial trigger becomes for a
government or a non-state taker, and which sub-event types refine which event type.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

__all__ = ["Kinds"]

DEFAULT_EVENT_TYPES = "events/data/event_types.yaml"  # rasid.events.taxonomy reads and validates it


@dataclass(frozen=True)
class Kinds:
    """Tags of each (event type, sub-event type) pair and the event type of each sub-event type."""

    tags: dict[tuple[str, str], frozenset[str]]
    event_type_of: dict[str, str]

    @classmethod
    def load(cls, path: str | None = None) -> Kinds:
        return _kinds(str(path or DEFAULT_EVENT_TYPES))

    def has_tag(self, event_type: str, sub_event_type: str, tag: str) -> bool:
        return tag in self.tags.get((event_type, sub_event_type), frozenset())

    def sides_between(self, event_type: str, sub_event_type: str) -> bool:
        """Whether "بين X و Y" after the trigger names actor1 and actor2 (a clash)."""
        return self.has_tag(event_type, sub_event_type, "sides_between")

    def announced(self, event_type: str, sub_event_type: str) -> bool:
        """Whether who announces it is actor1 and the other party actor2 (an agreement)."""
        return self.has_tag(event_type, sub_event_type, "announced")

    def has_target(self, event_type: str, sub_event_type: str) -> bool:
        return not self.has_tag(event_type, sub_event_type, "no_target")

    def unclaimed_doer(self, event_type: str, sub_event_type: str) -> bool:
        """Whether an attack of this kind with no named doer is coded to an unidentified armed group."""
        return self.has_tag(event_type, sub_event_type, "unclaimed_doer")

    def taken_by(self, event_type: str, government: bool) -> str | None:
        """The sub-event type of `event_type` for ground taken by a government's or a non-state side."""
        tag = "taken_by_government" if government else "taken_by_non_state"
        return next((sub for (et, sub), tags in self.tags.items() if et == event_type and tag in tags), None)

    def refines(self, event_type: str, sub_event_type: str) -> bool:
        """Whether `sub_event_type` belongs to `event_type` (a cue may then refine a trigger into it)."""
        return self.event_type_of.get(sub_event_type) == event_type


@cache
def _kinds(path: str) -> Kinds:
    from rasid.events.taxonomy import Taxonomy

    tax = Taxonomy.load(path)
    subs = [tax.sub_event_type(name) for name in tax.all_sub_event_types]
    return Kinds({(sub.event_type, sub.name): sub.tags for sub in subs}, {sub.name: sub.event_type for sub in subs})

"""ACLED-style events: triggers and arguments per sentence, claims, fatalities, cross-report links."""

from rasid.events.coder import EventCoder
from rasid.events.lexicon import Lexicon
from rasid.events.model import Event
from rasid.events.notes import describe
from rasid.events.passes import code_events, link_events

__all__ = ["Event", "EventCoder", "Lexicon", "code_events", "describe", "link_events"]

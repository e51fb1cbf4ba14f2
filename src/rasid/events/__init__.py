"""ACLED-style events: triggers and arguments per sentence, claims, fatalities, cross-report links."""

from rasid.events.coder import Event, EventCoder, Lexicon, describe
from rasid.events.passes import code_events, link_events

__all__ = ["Event", "EventCoder", "Lexicon", "code_events", "describe", "link_events"]

"""Step 6, notes: a one-sentence English note for each event, from its fields alone.

No machine translation is available offline, so the note is built from the coded fields: date,
actor1, the sub-event type's English predicate (``verb_en`` in ``event_types.yaml``), actor2, place,
toll and source.
"""

from __future__ import annotations

from datetime import date

from rasid.events.model import Event
from rasid.events.taxonomy import Taxonomy

__all__ = ["describe"]

DROPPABLE_PREPOSITIONS = (" with", " from", " against", " of")  # dropped when no second actor follows


def describe(e: Event, taxonomy: Taxonomy | None = None) -> str:
    """A one-sentence English note from the event's fields."""
    tax = taxonomy or Taxonomy.load()
    when = ""
    if e.event_date:
        d = date.fromisoformat(e.event_date)
        when = f"On {d.day} {d.strftime('%B %Y')}" if e.time_precision == 1 else f"Around {d.day} {d.strftime('%B %Y')}"
    who = (e.actor1 or {}).get("label_en") or "Unidentified actors"
    whom = (e.actor2 or {}).get("label_en")
    where = (e.location or {}).get("name_en")
    verb = tax.verb_en(e.sub_event_type)
    sub = tax.sub_event_type(e.sub_event_type) if e.sub_event_type in tax.all_sub_event_types else None
    transitive = bool(sub and sub.transitive)
    ends_in_preposition = verb.endswith(DROPPABLE_PREPOSITIONS)
    # "withdrew from Sirte": a territorial change with no one named is said of its place
    left = bool(sub and "no_target" in sub.tags and "territory" in sub.tags) and not whom and bool(where)
    if ends_in_preposition and not whom and not left:
        verb = verb.rsplit(" ", 1)[0]  # "clashed with" and no one named: "clashed"
    text = (when + " " if when else "") + who + " " + verb
    if whom and (ends_in_preposition or transitive):
        text += " " + whom
    elif whom:
        text += f" ({whom})"
    if where:
        prep = "near" if ((e.location or {}).get("geo_precision") or 1) >= 2 else "in"
        text += f" {where}" if left else f" {prep} {where}"
    text += "."
    if e.modality == "denied":
        text += " Denied" + (f" by {e.attributed_to}" if e.attributed_to else "") + "."
    elif e.fatalities is not None:
        text += f" {e.fatalities} {'fatality' if e.fatalities == 1 else 'fatalities'} reported" \
            + (f" by {e.attributed_to}" if e.attributed_to else "") + "."
    elif e.attributed_to:
        text += " Source: " + e.attributed_to + "."
    if e.modality == "uncertain":
        text += " Unconfirmed."
    return text[0].upper() + text[1:]

"""Step 5, linking within a document: repeated reports of one event fold into one.

Reports of one event (headline, lead, later recap) share a type, a place and dates a day apart at
most, and no conflicting actors. The fuller report (more specific type, more actors) represents
the event; missing actors, toll and source are filled from the others, each with its evidence,
a date the text gives wins over the publication date, the most specific place wins, and the
others' lines are listed in ``also_lines``. Linking across documents is a corpus pass
(:func:`rasid.events.passes.link_events`).
"""

from __future__ import annotations

from collections.abc import Callable

from rasid.events.model import Event

__all__ = ["merge_reports"]

FILLED = (("actor1", "actor1"), ("actor2", "actor2"), ("fatalities", "fatalities"), ("wounded", "wounded"))


def merge_reports(events: list[Event], describe: Callable[[Event], str] | None = None) -> list[Event]:
    """Fold repeated reports of one event within a document into one (see the module docstring)."""
    from rasid.events.passes import same_event

    out: list[Event] = []
    for e in events:
        for n, kept in enumerate(out):
            if (kept.modality == "denied") != (e.modality == "denied") \
                    or not same_event(kept.as_dict(), e.as_dict(), within_document=True):
                continue  # a denial is kept apart from the reports it denies
            best, other = (e, kept) if e.specificity > kept.specificity else (kept, e)
            for attr, evidence in FILLED:
                if getattr(best, attr) is None and getattr(other, attr) is not None:
                    setattr(best, attr, getattr(other, attr))
                    if evidence in other.evidence:
                        best.evidence[evidence] = other.evidence[evidence]
            if not best.attributed_to:
                best.attributed_to, best.attributed_side = other.attributed_to, other.attributed_side
                if "claimant" in other.evidence:
                    best.evidence["claimant"] = other.evidence["claimant"]
                if best.modality == "asserted" and other.modality == "attributed":
                    best.modality = "attributed"
            if best.date_from == "publication" and other.date_from == "sentence" and other.event_date:
                # "وسيطرت ... أمس" and a later undated "السيطرة على ...": the date the text gives wins
                best.event_date, best.time_precision, best.date_from = other.event_date, other.time_precision, "sentence"
                if "date" in other.evidence:
                    best.evidence["date"] = other.evidence["date"]
            best.also_lines = sorted(set(best.also_lines) | set(other.also_lines) | {other.line})
            if describe is not None:
                best.notes_en = describe(best)
            out[n] = best
            break
        else:
            out.append(e)
    return out

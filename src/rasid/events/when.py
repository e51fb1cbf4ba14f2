"""Step 4b, date: when the event happened, from the date expressions of its sentence.

The dates layer (rasid.dates) has resolved every expression against the publication date; the
default step takes the one nearest the trigger, except a date that something takes effect from
("اعتبارا من الاثنين"). Without one the publication date stands in, at week precision. Replace it
with any object that has ``date(doc, sentence, clause) -> (date, precision, mention | None)``.
"""

from __future__ import annotations

from rasid.document import Document
from rasid.events.lexicon import Lexicon
from rasid.events.model import Clause, Sentence
from rasid.events.places import follows

__all__ = ["LexiconDates", "PUBLICATION_PRECISION", "days_before"]

PUBLICATION_PRECISION = 2  # ACLED time precision of an event dated by its article: within the week before


class LexiconDates:
    """The event date from the sentence's resolved date mentions."""

    name = "dates"

    def __init__(self, lexicon: Lexicon, actors=None):
        self.lexicon = lexicon

    def date(self, doc: Document, s: Sentence, clause: Clause) -> tuple[str | None, int, dict | None]:
        """Return (ISO date or None, ACLED time precision, the date mention the text gives or None)."""
        starts = self.lexicon.modality.get("effective_from", frozenset())
        dates = [m for m in s.mentions if m.get("type") == "DATE" and not follows(s, m["span"][0], starts)]
        if dates:
            trig_at = s.tokens[clause.hit.start].start
            best = min(dates, key=lambda m: abs(m["span"][0] - trig_at))
            return best["date"], int(best.get("time_precision") or 1), best
        if doc.publication_date:
            return doc.publication_date[:10], PUBLICATION_PRECISION, None
        return None, 3, None


def days_before(event_date: str | None, published: str | None) -> int:
    """How many days `event_date` lies before the publication date (0 when either is unknown).

    Example:
        >>> days_before("2015-07-01", "2015-07-31"), days_before(None, "2015-07-31")
        (30, 0)
    """
    from datetime import date

    try:
        return (date.fromisoformat(published[:10]) - date.fromisoformat(event_date[:10])).days
    except (TypeError, ValueError):
        return 0

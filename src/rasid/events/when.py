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

__all__ = ["LexiconDates", "PUBLICATION_PRECISION", "days_before", "not_after_publication"]

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
            when = not_after_publication(best["date"], best.get("text") or "", doc.publication_date, best.get("how"))
            if when is None:  # a day still ahead of the report: not when anything reported happened
                return doc.publication_date[:10], PUBLICATION_PRECISION, None
            return when, int(best.get("time_precision") or 1), best
        if doc.publication_date:
            return doc.publication_date[:10], PUBLICATION_PRECISION, None
        return None, 3, None


def not_after_publication(when: str | None, text: str, published: str | None, how: str | None = None) -> str | None:
    """A reported event's date, which cannot lie after its report: a date the resolver put more than a
    day after the publication is either a day and month read in the coming year (more than a month
    ahead, and the text names no year: taken a year back) or a day still to come ("السبت المقبل",
    "منذ أغسطس" read in late July), which gives None; a weekday (`how` "weekday") read in the coming
    week is the one of the week before ("سيطرت ... الثلاثاء" in a Thursday's paper).

    Example:
        >>> not_after_publication("2016-07-08", "8 يوليو", "2015-07-22")
        '2015-07-08'
        >>> not_after_publication("2015-07-25", "السبت المقبل", "2015-07-21") is None
        True
        >>> not_after_publication("2015-07-20", "الاثنين", "2015-07-21")
        '2015-07-20'
        >>> not_after_publication("2015-07-28", "الثلاثاء", "2015-07-23", "weekday")
        '2015-07-21'
    """
    import re
    from datetime import date, timedelta

    if not when or not published:
        return when
    try:
        day, pub = date.fromisoformat(when[:10]), date.fromisoformat(published[:10])
    except ValueError:
        return when
    if day <= pub + timedelta(days=1):
        return when
    if how == "weekday" and day <= pub + timedelta(days=7):
        return (day - timedelta(days=7)).isoformat()
    if day > pub + timedelta(days=31) and not re.search(r"[0-9\u0660-\u0669]{4}", text):
        try:
            earlier = day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            earlier = day - timedelta(days=365)
        if earlier <= pub + timedelta(days=1):
            return earlier.isoformat()
    return None


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

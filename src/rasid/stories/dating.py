"""A report's date from its own text, for reports whose page gives no publication date.

A saved page, a pasted text or a page holding several articles has no publication date known to
belong to the report, yet its text often says when it was written: a dateline ("الاثنين 06 يونيو
2016"), an update stamp, or the dates the report gives for what it tells. The report's date is
taken as the latest full date (day, month and year all written out) on the segment's dateline and
kept lines: a report is written on or after every day it reports. Relative words (اليوم، أمس) and
dates without a year say nothing without a publication date, so they are not used. The date is
stored with its basis (the phrase, its character span in the document, and whether it stood on a
dateline) so a reader can see why a report was dated.

Example:
    >>> from rasid.clean import Cleaner
    >>> from rasid.document import Article
    >>> text = "أعلنت القوات في 9 يونيو 2020 سيطرتها على المدينة بعد معارك عنيفة مع المسلحين في محيطها."
    >>> doc, _ = Cleaner.from_data().clean(Article("d", text, "d.txt"))
    >>> found = infer_date(doc, 0)
    >>> found.date, found.phrase, (found.start, found.end)
    ('2020-06-09', '9 يونيو 2020', (16, 28))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rasid.document import LineStatus

__all__ = ["InferredDate", "infer_date"]

_YEAR = re.compile(r"(?<![0-9٠-٩])[12][0-9]{3}(?![0-9])|(?<![0-9٠-٩])[١٢][٠-٩]{3}(?![٠-٩])")
_READ_LINES = (LineStatus.KEPT, LineStatus.DATELINE)


@dataclass(frozen=True)
class InferredDate:
    """A report's date read from its text, with its basis."""

    date: str  # ISO day
    start: int  # the phrase's half-open character span in Document.text
    end: int
    phrase: str
    basis: str  # "dateline" (a dateline or update stamp) or "text" (a date the report gives)

    def as_dict(self) -> dict:
        return {"date": self.date, "span": [self.start, self.end], "phrase": self.phrase, "basis": self.basis}


def infer_date(doc, segment: int, *, today: date | None = None) -> InferredDate | None:
    """The latest full date written on the segment's dateline and kept lines, or None.

    Dates after `today` (by default the current day) are left out: a report cannot postdate its reading.
    """
    from rasid.dates.resolver import find_dates

    today = today or date.today()
    best: InferredDate | None = None
    for line in doc.lines:
        if line.segment != segment or line.status not in _READ_LINES:
            continue
        text = doc.text[line.start:line.end]
        if not _YEAR.search(text):
            continue  # no written year on the line: nothing it says is a full date
        for m in find_dates(text, None):
            if m.precision != 1 or not _YEAR.search(m.text) or m.date > today:
                continue
            found = InferredDate(m.date.isoformat(), line.start + m.start, line.start + m.end, m.text,
                                 "dateline" if line.status == LineStatus.DATELINE else "text")
            if best is None or found.date > best.date:
                best = found
    return best

"""Date expressions resolved against the publication date (ACLED time precision)."""

from rasid.dates.resolver import DateMention, DateResolver, find_dates, resolve_date

__all__ = ["DateMention", "DateResolver", "find_dates", "resolve_date"]

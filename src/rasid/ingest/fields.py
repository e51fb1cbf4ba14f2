"""Field mapping for tabular exports (JSONL, JSON, CSV) and the metadata file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

__all__ = ["FieldMap", "parse_published"]

DEFAULT_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "article", "article_text", "full_text", "maintext", "description"),
    "title": ("title", "headline", "heading"),
    "url": ("url", "link", "href", "source_url"),
    "outlet": ("outlet", "source", "site", "sitename", "publisher", "newspaper", "source_name"),
    "published": ("published", "publication_date", "date", "pubdate", "pub_date", "date_published",
                  "published_at", "datetime", "date_extracted", "timestamp"),
    "id": ("id", "doc_id", "article_id", "guid", "uid"),
}


@dataclass(frozen=True)
class FieldMap:
    """Which record field holds which article attribute.

    Each attribute maps to the field names tried in order; :meth:`with_overrides` puts a user's
    choice (``--field text=content``) first.
    """

    names: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_NAMES))

    def with_overrides(self, overrides: dict[str, str]) -> FieldMap:
        """Return a map where each overridden attribute reads exactly the named field."""
        unknown = set(overrides) - set(DEFAULT_NAMES)
        if unknown:
            raise ValueError(f"unknown article field(s) {sorted(unknown)}; choose from {sorted(DEFAULT_NAMES)}")
        names = dict(self.names)
        for attr, name in overrides.items():
            names[attr] = (name,)
        return FieldMap(names)

    def pick(self, record: dict, attr: str):
        """Return the first non-empty value of `attr` in `record` (field names compared case-insensitively)."""
        lowered = {str(k).lower(): v for k, v in record.items()}
        for name in self.names[attr]:
            value = lowered.get(name.lower())
            if value not in (None, ""):
                return value
        return None

    def column_for(self, columns: list[str], attr: str) -> str | None:
        """Return the column of a table header that holds `attr`, or None."""
        lowered = {c.lower(): c for c in columns}
        for name in self.names[attr]:
            if name.lower() in lowered:
                return lowered[name.lower()]
        return None


def parse_published(value) -> str | None:
    """Read a publication date in the usual feed formats and return it as ISO ``YYYY-MM-DD``.

    Example:
        >>> parse_published("2020-06-06T14:03:00+02:00"), parse_published("Sat, 06 Jun 2020 10:00:00 GMT")
        ('2020-06-06', '2020-06-06')
        >>> parse_published("not a date") is None
        True
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float):
        if value > 1e11:  # milliseconds
            value = value / 1000
        return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%d") if value > 0 else None
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).strftime("%Y-%m-%d")
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).strftime("%Y-%m-%d")
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in ("%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%Y%m%d"):
        try:
            return datetime.strptime(text[:19], fmt).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return None

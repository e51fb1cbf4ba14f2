"""Ingest: read articles from files, folders, exports, saved pages and feeds, decoding any Arabic encoding."""

from rasid.ingest.fields import FieldMap
from rasid.ingest.readers import ReadOptions, iter_articles, load_meta

__all__ = ["FieldMap", "ReadOptions", "iter_articles", "load_meta"]

"""Storage of articles, documents, lines, segments, sentences and later annotations."""

from rasid.store.sqlite import SCHEMA_VERSION, Store

__all__ = ["Store", "SCHEMA_VERSION"]

"""Project exceptions: each carries the offending value and a message a user can act on."""

from __future__ import annotations


class RasidError(Exception):
    """Base class of every error Rasid raises on purpose."""


class IngestError(RasidError):
    """An input could not be read as an article source.

    Attributes:
        source: the file (and record) that caused it, e.g. ``feed.jsonl:12``.
        reason: a short machine-readable reason, e.g. ``json``, ``encoding``, ``empty``.
    """

    def __init__(self, source: str, reason: str, message: str):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = reason


class LexiconError(RasidError, ValueError):
    """A shipped or user-edited data file is invalid."""

    def __init__(self, path: str, line: int | None, reason: str):
        where = f"{path} line {line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class ResourceMissingError(RasidError):
    """A model or data file the run needs is not installed."""


class StoreError(RasidError):
    """The database cannot be opened or is not a Rasid store."""

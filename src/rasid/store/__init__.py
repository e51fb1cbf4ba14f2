"""Storage of articles, documents, lines, segments, sentences and later annotations.

:func:`open_store` opens a store by its name: an SQLite file (the embedded default) or a
``postgresql://user@host/dbname`` URL (needs ``pip install rasid[postgres]``). Both satisfy the
protocols of :mod:`rasid.store.base`.
"""

from __future__ import annotations

from pathlib import Path

from rasid.errors import StoreError
from rasid.store.sqlite import SCHEMA_VERSION, Store

__all__ = ["Store", "SCHEMA_VERSION", "open_store", "is_url"]

_URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(target: str | Path) -> bool:
    """Whether `target` names a PostgreSQL database rather than an SQLite file."""
    return str(target).startswith(_URL_SCHEMES)


def open_store(target: str | Path, *, read_only: bool = False, must_exist: bool = False):
    """Open the store at `target`: an SQLite path, or a ``postgresql://`` URL.

    `read_only` opens it for reading only (an SQLite ``mode=ro`` connection; a PostgreSQL session
    whose transactions are read-only); `must_exist` refuses to create an empty store by mistake.

    Raises:
        StoreError: no such store (with `must_exist` or `read_only`), not a Rasid store, or no
            PostgreSQL driver installed.
    """
    if is_url(target):
        from rasid.store.postgres import PostgresStore

        url = str(target)
        return PostgresStore.open_readonly(url) if read_only else PostgresStore(url, must_exist=must_exist)
    if read_only:
        return Store.open_readonly(target)
    if must_exist and str(target) != ":memory:" and not Path(target).exists():
        raise StoreError(f"no store at {target}; run 'rasid analyze PATH --db {target}' first")
    return Store(target)

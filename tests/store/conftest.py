"""A throw-away PostgreSQL server for the store tests (no mock): Debian's ``postgresql`` binaries,
a cluster under a temporary folder, a unix socket inside it, stopped at the end of the session
(:class:`rasid.store.throwaway.ThrowawayServer`; as root it runs as ``nobody``).

Each test that asks for ``pg_url`` gets a database of its own. The tests are skipped, saying why,
only when the binaries or psycopg are missing.
"""

from __future__ import annotations

import pytest

from rasid.store.throwaway import ThrowawayServer, server_binaries


@pytest.fixture(scope="session")
def pg_server():
    """Start PostgreSQL for the session (skips when the binaries or psycopg are missing)."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'rasid[postgres]')")
    if server_binaries() is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    with ThrowawayServer() as server:
        yield server


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a fresh, empty database on the test server."""
    return pg_server.create_database()


@pytest.fixture(params=["sqlite", "postgres"])
def new_store(request, tmp_path):
    """The test's store, SQLite or PostgreSQL (the test runs once with each): ``new_store()`` opens it
    (empty the first time), ``new_store(read_only=True)`` for reading; ``new_store.target`` names it."""
    from rasid.store import open_store

    if request.param == "postgres":
        target = request.getfixturevalue("pg_server").create_database()
    else:
        target = str(tmp_path / "r.sqlite")

    def make(**kwargs):
        return open_store(target, **kwargs)

    make.target = target
    make.backend = request.param
    return make

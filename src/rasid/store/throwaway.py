"""A throw-away PostgreSQL server for tests and benches: a cluster under a temporary folder, reached
by a unix socket inside it (no TCP port is opened), removed when done.

Uses the server binaries of Debian's ``postgresql`` package (``initdb``, ``pg_ctl``). ``initdb``
refuses to run as root, so as root the cluster is made and run as ``nobody``.

Example (needs the binaries)::

    with ThrowawayServer() as server:
        url = server.create_database()   # postgresql://rasid@/t_...?host=/tmp/...&port=...
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

from rasid.errors import StoreError

__all__ = ["ThrowawayServer", "server_binaries"]


def server_binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: on PATH, else Debian's (newest version first); None if missing."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]), reverse=True)
    return debian[0].parent if debian else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayServer:
    """Start a PostgreSQL cluster in a temporary folder; stop it and remove the folder on exit."""

    def __init__(self, bin_dir: Path | None = None, *, user: str = "rasid"):
        self.bin_dir = bin_dir or server_binaries()
        if self.bin_dir is None:
            raise StoreError("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
        self.user = user
        self.folder: Path | None = None
        self.port = 0

    def _run(self, *cmd: str) -> None:
        if os.geteuid() == 0:  # initdb and postgres refuse root
            cmd = ("runuser", "-u", "nobody", "--", *cmd)
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              cwd=self.folder, text=True)
        if done.returncode:
            raise StoreError(f"{Path(cmd[-1]).name if cmd else ''}: {' '.join(cmd)} failed:\n{done.stdout[-2000:]}")

    def start(self) -> ThrowawayServer:
        self.folder = Path(tempfile.mkdtemp(prefix="rasid-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "nobody")
        self.port = _free_port()
        data = str(self.folder / "data")
        self._run(str(self.bin_dir / "initdb"), "-D", data, "-U", self.user, "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        options = f"-k {self.folder} -p {self.port} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        self._run(str(self.bin_dir / "pg_ctl"), "-D", data, "-o", options, "-l", str(self.folder / "log"), "-w", "start")
        return self

    def stop(self) -> None:
        if self.folder is None:
            return
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        except StoreError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def __enter__(self) -> ThrowawayServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, dbname: str = "postgres") -> str:
        """The URL of a database of this server."""
        return f"postgresql://{self.user}@/{dbname}?host={self.folder}&port={self.port}"

    def create_database(self, *, copy_of: str | None = None) -> str:
        """A new database, empty or a copy of another of this server's (by its URL; nobody may be
        connected to it); returns its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        template = f' TEMPLATE "{copy_of.split("@/", 1)[1].split("?", 1)[0]}"' if copy_of else ""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{template}')
        return self.url(name)

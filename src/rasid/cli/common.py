"""Options and helpers shared by the commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from rasid.errors import RasidError

DB_HELP = "SQLite store file or postgresql://user@host/dbname URL (default: OUT/rasid.sqlite)"


def add_common(p: argparse.ArgumentParser) -> None:
    """Add -v/-q to a command."""
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (repeatable)")
    p.add_argument("-q", "--quiet", action="count", default=0, help="less output (no progress bar or table)")


def add_store_option(p: argparse.ArgumentParser) -> None:
    """Add --db / --out to a command that reads an existing store."""
    p.add_argument("--db", metavar="FILE|URL", help=DB_HELP)
    p.add_argument("--out", default="out", metavar="DIR", help="output folder whose store to read (default: out)")


def store_target(args: argparse.Namespace) -> str | Path:
    """The store a command names: ``--db`` (an SQLite file or a ``postgresql://`` URL), else OUT/rasid.sqlite."""
    from rasid.store import is_url

    if args.db:
        return args.db if is_url(args.db) else Path(args.db)
    return Path(args.out) / "rasid.sqlite"


def open_existing_store(args: argparse.Namespace, *, read_only: bool = False):
    """Open the store a command reads, refusing to create an empty one by mistake."""
    from rasid.store import is_url, open_store

    target = store_target(args)
    if not is_url(target) and not Path(target).exists():
        raise RasidError(f"no store at {target}; run 'rasid analyze PATH --out {args.out}' first, or name one with --db")
    return open_store(target, read_only=read_only, must_exist=True)

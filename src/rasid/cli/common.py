"""Options and helpers shared by the commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from rasid.errors import RasidError


def add_common(p: argparse.ArgumentParser) -> None:
    """Add -v/-q to a command."""
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (repeatable)")
    p.add_argument("-q", "--quiet", action="count", default=0, help="less output (no progress bar or table)")


def add_store_option(p: argparse.ArgumentParser) -> None:
    """Add --db / --out to a command that reads an existing store."""
    p.add_argument("--db", metavar="FILE", help="SQLite store (default: OUT/rasid.sqlite)")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder whose store to read (default: out)")


def open_existing_store(args: argparse.Namespace):
    """Open the store a command reads, refusing to create an empty one by mistake."""
    from rasid.store import Store

    path = Path(args.db) if args.db else Path(args.out) / "rasid.sqlite"
    if not path.exists():
        raise RasidError(f"no store at {path}; run 'rasid analyze PATH --out {args.out}' first, or name one with --db")
    return Store(path)

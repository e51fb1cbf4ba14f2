"""The ``rasid`` command line: one thin module per command."""

from __future__ import annotations

import argparse
import logging
import sys

from rasid import __version__
from rasid.errors import RasidError

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of every command."""
    from rasid.cli import (
        analyze,
        duplicates,
        evaluate,
        ner,
        review,
        serve,
        status,
        stories,
        train_clean,
        train_events,
        watch,
    )

    parser = argparse.ArgumentParser(prog="rasid", description="Rasid: Arabic news articles in, structured, "
                                     "source-linked intelligence out.")
    parser.add_argument("--version", action="version", version=f"rasid {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    analyze.add_parser(sub)
    stories.add_parser(sub)
    duplicates.add_parser(sub)
    ner.add_parsers(sub)
    evaluate.add_parser(sub)
    serve.add_parser(sub)
    status.add_parser(sub)
    train_events.add_parser(sub)
    train_clean.add_parser(sub)
    review.add_parsers(sub)
    watch.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 failed, 2 bad usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    level = logging.WARNING - 10 * args.verbose + 10 * args.quiet
    logging.basicConfig(level=max(logging.DEBUG, level), format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.run(args))
    except RasidError as exc:
        print(f"rasid: error: {exc}", file=sys.stderr)  # noqa: T201 - the CLI owns the console
        return 1
    except KeyboardInterrupt:
        print("rasid: interrupted; stored documents are intact, run again to resume", file=sys.stderr)  # noqa: T201
        return 130

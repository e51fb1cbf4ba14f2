"""``rasid watch SOURCE... [--out DIR] [--db FILE] [--interval 300] [--once]``: poll RSS/Atom feeds and
watch folders, analysing what is new into the store (see :mod:`rasid.watch`).

Ctrl-C (or SIGTERM) stops between steps: an analysis under way finishes (its batches are
transactions either way), a summary is printed and the output files are written. A second Ctrl-C
stops at once; what was fetched but not yet analysed waits in the spool folder for the next run.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from datetime import datetime
from pathlib import Path

from rasid.cli.common import DB_HELP, add_common, store_target

log = logging.getLogger(__name__)


def add_parser(sub) -> None:
    """Register the command."""
    from rasid.watch import DEFAULT_INTERVAL, FETCH_TIMEOUT, MAX_BACKOFF

    p = sub.add_parser("watch", help="poll RSS/Atom feeds and watch folders; analyse what is new",
                       description="Poll RSS/Atom feed URLs (conditional GETs) and watch folders for new files, "
                                   "and analyse only what is new into the store, every --interval seconds, until "
                                   "Ctrl-C. A feed that fails gets one warning and is retried with back-off; an "
                                   "article is never stored twice (feed items are known by their link).")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="feed URLs (http, https) and folders")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    p.add_argument("--db", metavar="FILE|URL", help=DB_HELP)
    p.add_argument("--spool", metavar="DIR", help="where fetched items and the feeds' state are kept "
                                                  "(default: a 'watch' folder beside the store, or in OUT "
                                                  "for a PostgreSQL store)")
    p.add_argument("--interval", type=float, default=DEFAULT_INTERVAL, metavar="SECONDS",
                   help=f"seconds between rounds (default {DEFAULT_INTERVAL:g})")
    p.add_argument("--once", action="store_true", help="run one round and exit (for cron)")
    p.add_argument("--timeout", type=float, default=FETCH_TIMEOUT, metavar="SECONDS",
                   help=f"time allowed to fetch one feed or page (default {FETCH_TIMEOUT:g})")
    p.add_argument("--max-backoff", type=float, default=MAX_BACKOFF, metavar="SECONDS",
                   help=f"longest wait before retrying a failing feed (default {MAX_BACKOFF:g})")
    p.add_argument("--no-pages", action="store_true",
                   help="never fetch an item's article page: store the feed's summary when it has no full text")
    p.add_argument("--no-stories", action="store_true", help="skip story assignment (a later run does it)")
    p.add_argument("--no-entities", action="store_true",
                   help="skip entity extraction, and so event coding (a later run does them)")
    data = p.add_argument_group("data files", "your copies of the shipped data files, as 'rasid analyze' takes "
                                              "them: use the same ones as the runs that filled the store")
    for name, what in (("--rules", "line rules YAML"), ("--outlets", "outlet directory YAML"),
                       ("--actors", "actor dictionary YAML"), ("--places", "curated place aliases YAML"),
                       ("--triggers", "event trigger lexicon YAML"),
                       ("--event-model", "learned event steps' weights"),
                       ("--line-model", "learned line model's weights, or 'none'")):
        data.add_argument(name, metavar="FILE", help=f"{what} (see rasid analyze)")
    data.add_argument("--event-step", action="append", default=[], metavar="STEP=MODULE:CLASS",
                      help="replace a step of the event coder (see rasid analyze)")
    data.add_argument("--min-confidence", type=float, metavar="X", help="store only events at least this sure (0-1)")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``rasid watch``."""
    from rasid.cli.analyze import data_files_of
    from rasid.errors import RasidError
    from rasid.pipeline import validate_data_files
    from rasid.store import is_url, open_store
    from rasid.watch import Watcher, parse_sources

    if args.interval <= 0 or args.timeout <= 0 or args.max_backoff <= 0:
        raise RasidError("--interval, --timeout and --max-backoff take a number of seconds above 0")
    sources = parse_sources(args.sources)
    data_files = data_files_of(args)
    validate_data_files(data_files)  # a bad user file fails here, before anything is fetched or stored
    out = Path(args.out)
    db_path = store_target(args)
    spool = Path(args.spool) if args.spool else (out if is_url(db_path) else Path(db_path).parent) / "watch"
    stop = threading.Event()
    totals = {"rounds": 0, "new": 0, "failed": 0}
    started = time.monotonic()

    def on_signal(signum, _frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop now (the store's batches are transactions)
        stop.set()
        _say(f"{signal.Signals(signum).name}: stopping after this step (Ctrl-C again to stop at once)")

    def on_round(report) -> None:
        totals["rounds"] += 1
        totals["new"] += report.new
        totals["failed"] += len(report.failed)
        if args.quiet < 2:
            for line in round_lines(report):
                _say(line)
        if report.run is not None:
            for s in report.run.skipped[:20]:
                log.warning("%s: skipped (%s): %s", s.source, s.reason, s.message)

    with open_store(db_path) as store:
        watcher = Watcher(sources, store, spool=spool, interval=args.interval, timeout=args.timeout,
                          fetch_pages=not args.no_pages, max_backoff=args.max_backoff,
                          stories=not args.no_stories, entities=not args.no_entities,
                          events=not args.no_entities, data_files=data_files)
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            if args.quiet == 0:
                _say(f"watching {len(watcher.feeds)} feed(s) and {len(watcher.folders)} folder(s) every "
                     f"{args.interval:g}s into {db_path}" + ("" if args.once else "; Ctrl-C stops"))
            watcher.run(stop, once=args.once, on_round=on_round)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            watcher.close()
        if totals["new"]:
            from rasid.output import write_outputs

            write_outputs(store, out)
        stored = store.count_documents()
    _say(f"rasid watch: {totals['rounds']} round(s) in {time.monotonic() - started:.0f}s, {totals['new']} new "
         f"document(s), {totals['failed']} failed fetch(es); {stored:,} documents in {db_path}"
         + ("; outputs written to " + str(out) if totals["new"] else ""))
    return 0


def round_lines(report) -> list[str]:
    """The lines that say what a round brought, source by source."""
    clock = datetime.fromtimestamp(report.started).strftime("%H:%M:%S")
    lines = []
    for r in report.sources:
        if r.status == "ok":
            what = f"{r.new} new of {r.items} {'items' if r.kind == 'feed' else 'files'}"
        elif r.status == "unchanged":
            what = "no change" if r.kind == "folder" else "not modified"
        else:
            what = f"{r.status}: {r.message}"
        lines.append(f"{clock} {r.source}: {what}")
    tail = f"{clock} round {report.number}: {report.new} new document(s)"
    if report.run is not None:
        tail += f", {report.run.stored:,} in store ({report.seconds:.1f}s)"
    if report.stopped:
        tail += "; stopped before the end (what was fetched waits for the next run)"
    lines.append(tail)
    return lines


def _say(line: str) -> None:
    print(line, flush=True)  # noqa: T201 - the CLI owns the console

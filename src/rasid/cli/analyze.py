"""``rasid analyze PATH... [--out DIR] [--db FILE] [--meta FILE]``: read, clean, store and write the outputs."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from rasid.cli.common import add_common
from rasid.errors import RasidError

log = logging.getLogger(__name__)

MAX_WARNINGS_SHOWN = 20  # more than this and the summary table would scroll away


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser("analyze", help="analyse articles and write documents.jsonl (and later stories, events)",
                       description="Read articles (text, HTML, JSONL/JSON/CSV exports, RSS/Atom feeds, folders, "
                                   "ZIP archives), clean them, store them and write the output files.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to read")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    p.add_argument("--db", metavar="FILE|URL", help="SQLite store file or postgresql://user@host/dbname URL "
                                                    "(default: OUT/rasid.sqlite); re-runs reuse it")
    p.add_argument("--meta", metavar="FILE", help='JSONL metadata, one {"id", "url", "outlet", "published", '
                                                  '"title"} object per document')
    p.add_argument("--field", action="append", default=[], metavar="ATTR=NAME",
                   help="record field holding an attribute in JSONL/JSON/CSV (attrs: text, title, url, outlet, "
                        "published, id), e.g. --field text=content")
    p.add_argument("--rules", metavar="FILE", help="line rules YAML to use instead of the shipped "
                                                   "clean/data/boilerplate.yaml (copy it and edit)")
    p.add_argument("--outlets", metavar="FILE", help="outlet directory YAML to use instead of the shipped one")
    p.add_argument("--workers", type=int, metavar="N",
                   help="processes for the per-document work: cleaning, story leads, entities, events (default: "
                        "the cores, at most 4); the output is the same with any number")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local: worker processes on this machine (default); ray: a Ray Data actor pool "
                        "(pip install 'rasid[ray]'), local or on the cluster at --ray-address")
    p.add_argument("--ray-address", metavar="ADDR",
                   help="join this Ray cluster (e.g. ray://head:10001) instead of starting a local Ray")
    p.add_argument("--no-stories", action="store_true",
                   help="skip story assignment (the e5 encoder reads about 15 segments/s); a later run assigns them")
    p.add_argument("--actors", metavar="FILE", help="actor dictionary YAML to use instead of the shipped "
                                                    "entities/data/actors.yaml (copy it and edit)")
    p.add_argument("--places", metavar="FILE", help="curated place aliases YAML to use instead of the shipped "
                                                    "geo/data/aliases.yaml")
    p.add_argument("--triggers", metavar="FILE", help="event trigger lexicon YAML to use instead of the shipped "
                                                      "events/data/triggers.yaml (copy it and edit)")
    p.add_argument("--event-step", action="append", default=[], metavar="STEP=MODULE:CLASS",
                   help="replace a step of the event coder (triggers, clauses, roles, places, dates, tolls, "
                        "attribution, judge) with your class, built as Class(lexicon, actors); e.g. "
                        "--event-step roles=mypackage.roles:LearnedRoles")
    p.add_argument("--event-model", metavar="FILE", help="weights of the learned event steps (judge, place ranker) "
                                                          "to use instead of the shipped events/data/learned.json; "
                                                          "write one with rasid train-events")
    p.add_argument("--line-model", metavar="FILE", help="weights of the learned line model (page chrome) to use "
                                                         "instead of the shipped clean/data/line_model.json (write "
                                                         "one with rasid train-clean), or 'none' for the rules alone")
    p.add_argument("--min-confidence", type=float, metavar="X",
                   help="store only events the coder is at least this sure of (0 to 1; the judge's own threshold "
                        "applies anyway)")
    p.add_argument("--no-entities", action="store_true",
                   help="skip entity extraction (people, places; about 3,000 tokens/s); a later run does it")
    p.add_argument("--max-mb", type=float, default=10.0, help="skip single-article files larger than this (default 10)")
    add_common(p)
    p.set_defaults(run=run)


def data_files_of(args: argparse.Namespace):
    """The user's data files named by --actors/--places/--triggers/--rules/--outlets."""
    from rasid.fingerprints import DataFiles

    steps = []
    for item in getattr(args, "event_step", None) or []:
        name, _, spec = item.partition("=")
        if not name.strip() or ":" not in spec:
            raise RasidError(f"--event-step takes STEP=MODULE:CLASS (e.g. roles=mypackage.roles:LearnedRoles), "
                             f"got {item!r}")
        steps.append((name.strip(), spec.strip()))
    return DataFiles(actors=args.actors, places=args.places, triggers=args.triggers,
                     rules=getattr(args, "rules", None), outlets=getattr(args, "outlets", None),
                     event_model=getattr(args, "event_model", None), line_model=getattr(args, "line_model", None),
                     min_confidence=getattr(args, "min_confidence", None), event_steps=tuple(steps))


def _parse_fields(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise RasidError(f"--field takes ATTR=NAME (e.g. text=content), got {item!r}")
        attr, name = item.split("=", 1)
        out[attr.strip()] = name.strip()
    return out


def run(args: argparse.Namespace) -> int:
    """Run ``rasid analyze``."""
    from rich.console import Console

    from rasid.clean import Cleaner
    from rasid.engine import make_engine
    from rasid.ingest import FieldMap, ReadOptions, load_meta
    from rasid.pipeline import validate_data_files

    console = Console(stderr=True)
    out = Path(args.out)
    try:
        fields = FieldMap().with_overrides(_parse_fields(args.field))
    except ValueError as exc:
        raise RasidError(str(exc)) from exc
    meta: dict = {}
    if args.meta:
        meta, meta_skips = load_meta(args.meta)
        for s in meta_skips:
            console.print(f"[yellow]warning[/]: {s.source}: {s.message}")
    options = ReadOptions(fields=fields, meta=meta, max_document_bytes=int(args.max_mb * 1024 * 1024))
    db_path = Path(args.db) if args.db else out / "rasid.sqlite"
    if args.db and "://" in args.db:  # a PostgreSQL URL: named in messages without its password
        from rasid.store.postgres import _safe

        db_path = _safe(args.db)
    data_files = data_files_of(args)
    validate_data_files(data_files)  # a bad user file fails here, before the store is opened
    cleaner = Cleaner.from_data(rules=args.rules, outlets=args.outlets, line_model=data_files.line_model)
    if args.ray_address and args.engine != "ray":
        raise RasidError("--ray-address is for --engine ray")
    engine = make_engine(args.engine, workers=args.workers, address=args.ray_address)  # (before the store opens)
    show = args.quiet == 0
    try:
        report, written = _analyze(args, console, engine, db_path, options, cleaner, data_files)
    finally:
        engine.close()
    for s in report.skipped[:MAX_WARNINGS_SHOWN]:
        console.print(f"[yellow]warning[/]: {s.source}: {s.message}", highlight=False, soft_wrap=True)
    if len(report.skipped) > MAX_WARNINGS_SHOWN:
        console.print(f"[yellow]warning[/]: … and {len(report.skipped) - MAX_WARNINGS_SHOWN:,} more skipped inputs "
                      f"(all of them: the 'skips' table of {db_path})", highlight=False,
                      soft_wrap=True)
    if show:
        _print_summary(console, report, written, out, db_path)
    if report.read == 0:
        console.print("[red]rasid: error[/]: nothing could be processed (every input was skipped)", highlight=False)
        return 1
    return 0


def _analyze(args: argparse.Namespace, console, engine, db_path: Path, options, cleaner, data_files):
    """Run the pipeline into the store with a progress display; return the report and the files written."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from rasid.ingest.readers import count_inputs
    from rasid.output import write_outputs
    from rasid.pipeline import analyze, release_models
    from rasid.store import open_store

    out = Path(args.out)
    show = args.quiet == 0
    n_files = count_inputs(args.paths)
    with open_store(args.db or db_path) as store:
        progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[docs]} docs"), TimeElapsedColumn(), console=console,
                            disable=not show, transient=True)
        with progress:
            task = progress.add_task("reading", total=n_files, docs=0)
            state = {"docs": 0, "files": 0}

            def on_file(_path: Path) -> None:
                state["files"] += 1
                progress.update(task, completed=state["files"] - 1)

            def on_document(item) -> None:
                state["docs"] += 1
                if state["docs"] % 50 == 0:
                    progress.update(task, docs=state["docs"])

            def on_story_segment(done: int) -> None:
                if "stories" not in state:
                    progress.update(task, completed=n_files, docs=state["docs"])
                    state["stories"] = progress.add_task("stories", total=len(store.unassigned_segments()) + done,
                                                         docs="")
                progress.update(state["stories"], completed=done)

            def on_layer_documents(layer: str, done: int, total: int) -> None:
                if layer not in state:
                    progress.update(task, completed=n_files, docs=state["docs"])
                    state[layer] = progress.add_task("entities" if layer == "entity" else "events", total=total,
                                                     docs="")
                progress.update(state[layer], completed=done)

            def on_story_view(done: int, total: int) -> None:
                if "views" not in state:
                    state["views"] = progress.add_task("briefs", total=total, docs="")
                progress.update(state["views"], completed=done)

            options.on_file = on_file
            report = analyze(args.paths, store, options=options, cleaner=cleaner, on_document=on_document,
                             engine=engine, stories=not args.no_stories, on_story_segment=on_story_segment,
                             entities=not args.no_entities, data_files=data_files,
                             on_layer_documents=on_layer_documents, on_story_view=on_story_view)
            progress.update(task, completed=n_files, docs=state["docs"])
        release_models()  # the analysis is over: the outputs need the store only
        written = write_outputs(store, out)
    return report, written


def _print_summary(console, report, written: dict, out: Path, db_path: Path) -> None:
    from rich.table import Table

    table = Table(title="rasid analyze", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [("articles read", report.read), ("new, cleaned and stored", report.new),
            ("changed, cleaned again", report.changed),
            ("cleaning rules changed, cleaned again", report.recleaned),
            ("unchanged (already stored)", report.unchanged),
            ("segments (new/changed docs)", report.segments),
            ("pages split into several articles", report.multi_segment_docs),
            ("lines marked outlet boilerplate", report.outlet_boilerplate_lines),
            ("documents pointed at an earlier copy", report.duplicates_marked),
            ("segments assigned to stories", report.segments_assigned),
            ("documents with entities extracted (new or stale)", report.entity_documents),
            ("documents with events coded (new or stale)", report.event_documents),
            ("documents in store", report.stored)]
    for reason, n in sorted(report.skip_reasons().items()):
        rows.append((f"skipped: {reason}", n))
    for lang, n in sorted(report.flagged_language.items()):
        rows.append((f"flagged non-Arabic: {lang}", n))
    for name, n in written.items():
        rows.append((f"written {out / name}", n))
    for label, n in rows:
        table.add_row(label, f"{n:,}")
    console.print(table)
    console.print(f"store: {db_path}   time: {report.seconds:.1f}s", highlight=False)

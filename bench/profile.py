"""Where the time goes: the whole pipeline on N SaudiNewsNet articles, wall seconds per stage.

    python bench/profile.py [--articles 300] [--workers 1] [--engine local|ray] [--cprofile [--top 25]]
                            [--no-stories] [--no-entities] [--no-events] [--no-views]

Runs :func:`rasid.pipeline.analyze` in this process into a fresh store and prints the run's own
stage timings (read, clean, dedup, store, outlets, stories, entities, events, views; a stage's
model loading counts in that stage), each stage's share and its articles/s, then the peak RSS of
this process and of its largest worker. With ``--cprofile`` (best with ``--workers 1``, where
every stage runs in this process) the functions with the most time of their own and the most
cumulative time follow. Asserts nothing.
"""

from __future__ import annotations

import sys

if __name__ != "__main__":  # a script in bench/ imported cProfile, which imports `profile`: and found this file.
    import importlib.util  # Stand in for the standard library's module of that name.
    import sysconfig

    _spec = importlib.util.spec_from_file_location("profile", sysconfig.get_paths()["stdlib"] + "/profile.py")
    _stdlib = importlib.util.module_from_spec(_spec)
    sys.modules[__name__] = _stdlib
    _spec.loader.exec_module(_stdlib)
    globals().update({k: v for k, v in vars(_stdlib).items() if not k.startswith("__")})
else:
    sys.path.pop(0)  # (so that cProfile, imported below, finds the standard library's profile, not this file)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent

STAGES = ("read", "clean", "dedup", "store", "outlets", "stories", "entities", "events", "views")


def main() -> int:
    sys.path.insert(0, str(HERE))
    from bench_pipeline import write_input
    from bench_stories import DEFAULT_DATA

    from rasid.engine import make_engine
    from rasid.pipeline import analyze
    from rasid.store import Store

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--engine", choices=("local", "ray"), default="local")
    ap.add_argument("--cprofile", action="store_true", help="also print the top functions (cProfile)")
    ap.add_argument("--top", type=int, default=25)
    for stage in ("stories", "entities", "events", "views"):
        ap.add_argument(f"--no-{stage}", action="store_true")
    args = ap.parse_args()
    engine = make_engine(args.engine, workers=args.workers)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "snn.jsonl"
        n = write_input(args.data, args.articles, source)
        if not n:
            print(f"no SaudiNewsNet articles under {args.data}", file=sys.stderr)
            return 1
        profiler = cProfile.Profile() if args.cprofile else None
        load = os.getloadavg()
        with Store(Path(tmp) / "profile.sqlite") as store:
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            try:
                report = analyze([source], store, engine=engine, stories=not args.no_stories,
                                 entities=not args.no_entities, events=not args.no_events, views=not args.no_views)
            finally:
                if profiler:
                    profiler.disable()
                engine.close()
            total = time.perf_counter() - t0
    print(f"{n:,} SaudiNewsNet articles, {engine!r}: {total:.1f} s = {n / total:.1f} articles/s "
          f"(load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after; {os.cpu_count()} cores)")
    timings = dict(report.timings)
    timings["other"] = max(0.0, total - sum(timings.values()))
    print(f"{'stage':<10}{'seconds':>9}{'share':>8}{'articles/s':>12}")
    for stage in (*STAGES, "other"):
        if stage in timings:
            t = timings[stage]
            rate = f"{n / t:,.0f}" if t > 0 else "-"
            print(f"{stage:<10}{t:>9.2f}{t / total:>8.0%}{rate:>12}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {own:,.0f} MB, largest worker {worker:,.0f} MB")
    if profiler:
        stats = pstats.Stats(profiler)
        for key, title in (("tottime", "own time"), ("cumulative", "cumulative time")):
            print(f"\ntop {args.top} functions by {title}:")
            stats.sort_stats(key).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The whole pipeline (`rasid analyze` with every stage) on SaudiNewsNet: articles/s and peak memory by engine.

    python bench/bench_pipeline.py [--articles 2000] [--workers 1 2] [--ray | --no-ray] [--data DIR]

Writes the first N SaudiNewsNet articles (non-empty, in archive order) to one JSONL file and runs
``rasid analyze`` on it in a fresh output folder once per configuration: ``--workers 1``,
``--workers 2`` and, when Ray is installed, ``--engine ray --workers 2``. Each run is its own
process tree; its memory is sampled from /proc every second: the peak of the summed RSS of every
process in the tree (shared pages counted once per process: an upper bound) and of the summed PSS
(shared pages split between the processes sharing them: what the run really holds). Prints the
figures side by side with the load average, per-stage seconds (from the run's own timings), and
whether each run's documents/entities/events/stories JSONL files are byte-identical to the
first run's. Asserts nothing; the issue 24 target is >= 15 articles/s at <= 1.2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_stories import DEFAULT_DATA, load_records  # noqa: E402

OUTPUTS = ("documents.jsonl", "entities.jsonl", "events.jsonl", "stories.jsonl")
SAMPLE_SECONDS = 1.0
RASID = Path(sys.executable).with_name("rasid")


def write_input(data: Path, n: int, path: Path) -> int:
    """Write the first `n` SaudiNewsNet articles as rasid JSONL records; return how many."""
    records = load_records(data, None, n)
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps({"id": r["id"], "text": r["text"], "title": r["title"], "outlet": r["outlet"],
                                "published": r["published"]}, ensure_ascii=False) + "\n")
    return len(records)


def tree(root: int) -> list[int]:
    """`root` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        stack.extend(children.get(pid, []))
    return out


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB, from /proc/PID/smaps_rollup (0, 0 once it is gone)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class TreeMemory(threading.Thread):
    """Sample a process tree's summed RSS and PSS until stopped; keep the peaks (kB)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss, self.peak_processes = pid, 0, 0, 0
        self.peak_at = 0.0  # seconds into the run when the summed PSS peaked
        self.stopped = threading.Event()

    def run(self) -> None:
        t0 = time.perf_counter()
        while not self.stopped.is_set():
            pids = tree(self.pid)
            figures = [memory_kb(p) for p in pids]
            self.peak_rss = max(self.peak_rss, sum(r for r, _ in figures))
            pss = sum(p for _, p in figures)
            if pss > self.peak_pss:
                self.peak_pss, self.peak_at = pss, time.perf_counter() - t0
            self.peak_processes = max(self.peak_processes, len(pids))
            self.stopped.wait(SAMPLE_SECONDS)


def run_config(label: str, extra: list[str], source: Path, out: Path) -> dict:
    """Run ``rasid analyze`` once; return its seconds, peak memory and stage timings."""
    cmd = [str(RASID), "analyze", str(source), "--out", str(out), "-q", *extra]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeMemory(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - t0
    sampler.stopped.set()
    sampler.join()
    if proc.returncode:
        print(f"{label}: rasid analyze failed ({proc.returncode}):\n{stderr[-3000:]}", file=sys.stderr)
    timings = {}
    runs = _last_run(out / "rasid.sqlite")
    if runs:
        timings = runs.get("timings") or {}
    return {"label": label, "seconds": seconds, "rss_mb": sampler.peak_rss / 1024, "pss_mb": sampler.peak_pss / 1024,
            "peak_at": sampler.peak_at,
            "processes": sampler.peak_processes, "load_before": load, "load_after": os.getloadavg()[0],
            "ok": proc.returncode == 0, "timings": timings, "out": out}


def _last_run(db: Path) -> dict:
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        row = con.execute("SELECT counts FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
        con.close()
        return json.loads(row[0]) if row and row[0] else {}
    except sqlite3.Error:
        return {}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="local engine worker counts to run")
    ray = ap.add_mutually_exclusive_group()
    ray.add_argument("--ray", action="store_true", help="run --engine ray even if the import check fails")
    ray.add_argument("--no-ray", action="store_true", help="skip --engine ray")
    args = ap.parse_args()
    configs = [(f"local, --workers {w}", ["--workers", str(w)]) for w in args.workers]
    try:
        import ray as _ray  # noqa: F401

        have_ray = True
    except ImportError:
        have_ray = False
    if (have_ray or args.ray) and not args.no_ray:
        configs.append(("ray, --workers 2", ["--engine", "ray", "--workers", "2"]))
    elif not args.no_ray:
        print("Ray is not installed (pip install 'rasid[ray]'): --engine ray is not run", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "snn.jsonl"
        n = write_input(args.data, args.articles, source)
        if not n:
            print(f"no SaudiNewsNet articles under {args.data}", file=sys.stderr)
            return 1
        print(f"{n:,} SaudiNewsNet articles, every stage (clean, duplicates, stories, entities, events, views); "
              f"{os.cpu_count()} cores")
        results = []
        package_before = package_mtime()
        for label, extra in configs:
            r = run_config(label, extra, source, Path(tmp) / f"out{len(results)}")
            results.append(r)
            print(f"  done: {label} in {r['seconds']:.0f} s", file=sys.stderr)
        first = results[0]
        if package_mtime() != package_before:
            print("note: files of the rasid package changed during the bench: runs differ for that reason too")
        print(f"{'run':<22}{'seconds':>9}{'art/s':>8}{'peak RSS sum':>14}{'peak PSS sum':>14}{'procs':>7}"
              f"{'load 1m':>13}  same output as first")
        for r in results:
            same = [name.split(".")[0] for name in OUTPUTS if _same(first["out"] / name, r["out"] / name)]
            differ = [name.split(".")[0] for name in OUTPUTS if name.split(".")[0] not in same]
            verdict = "yes" if not differ else "NO: " + ", ".join(differ) + " differ"
            print(f"{r['label']:<22}{r['seconds']:>9.1f}{n / r['seconds']:>8.1f}{r['rss_mb']:>11,.0f} MB"
                  f"{r['pss_mb']:>11,.0f} MB{r['processes']:>7}  {r['load_before']:.1f}->{r['load_after']:.1f}"
                  f"  {verdict if r['ok'] else 'FAILED'}")
        for r in results:
            print(f"  {r['label']}: PSS peaked {r['peak_at']:.0f} s into the run ({_stage_at(r)})")
        stages = sorted({s for r in results for s in r["timings"]}, key=lambda s: _STAGE_ORDER.get(s, 99))
        if stages:
            print("stage seconds: " + "  ".join(f"{s:>9}" for s in stages))
            for r in results:
                print(f"  {r['label']:<12}" + "  ".join(f"{r['timings'].get(s, 0):>9.1f}" for s in stages))
            base = first["timings"]
            # the per-document stages every engine maps (story assignment is a global pass: only the local
            # engine embeds its leads in the workers), then the whole run
            for what, stages in (("clean+entities+events", ("clean", "entities", "events")),
                                 ("clean+stories+entities+events", ("clean", "stories", "entities", "events"))):
                for r in results[1:]:
                    a = sum(base.get(s, 0) for s in stages)
                    b = sum(r["timings"].get(s, 0) for s in stages)
                    if a and b:
                        print(f"speed-up of {what}: {r['label']} {a / b:.2f}x {first['label']}")
            for r in results[1:]:
                print(f"speed-up of the whole run: {r['label']} {first['seconds'] / r['seconds']:.2f}x")
    return 0


def _stage_at(r: dict) -> str:
    """The stage running when the run's PSS peaked, from its stage seconds in the order it ran them
    (an estimate: the process's start-up before the first stage is not in the timings)."""
    at, end = r["peak_at"], 0.0
    for stage, seconds in r["timings"].items():
        end += seconds
        if at <= end:
            return f"about the {stage} stage"
    return "after the timed stages: writing the outputs"


_STAGE_ORDER = {s: i for i, s in enumerate(("read", "clean", "dedup", "store", "outlets", "stories", "entities",
                                            "events", "views"))}


def package_mtime() -> float:
    """The newest modification time of the rasid package's code and data files."""
    import rasid

    root = Path(rasid.__file__).parent
    return max((p.stat().st_mtime for p in root.rglob("*") if p.suffix in {".py", ".json", ".yaml", ".pt", ".tsv"}),
               default=0.0)


def _same(a: Path, b: Path) -> bool:
    return a.exists() and b.exists() and a.read_bytes() == b.read_bytes()


if __name__ == "__main__":
    sys.exit(main())

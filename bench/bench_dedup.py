"""Duplicate detection throughput, memory and recall on SaudiNewsNet (31k articles, 559 byte-identical groups),
against a plain datasketch MinHash + LSH baseline run in the same bench.

    python bench/bench_dedup.py [--data ../shared/data/saudinewsnet] [--sample-pairs 100]
                                [--methods datasketch,rasid] [--dump-links FILE] [--compare-links FILE]

The articles are read once, untimed, by a bench process that imports nothing heavy; each method
then runs in its own forked child, which shares those texts and imports its own libraries. Its
peak RSS less its RSS at the fork is the memory the method itself takes (its imports, index and
temporaries); the total peak RSS, which includes the 31k texts held by the bench, is printed too.
Both take the articles in batches of 1,000, as the pipeline does. Timed, in wall and CPU seconds:

* rasid: matching keys (:func:`rasid.dedup.document_key`, the same string as ``match_key``), word
  4-gram shingles and signatures (:meth:`DedupIndex.fingerprints`), then indexing, LSH candidates
  and verified Jaccard for all of them at once (:meth:`DedupIndex.duplicate_links`), as the
  duplicate pass (``mark_duplicates``) does;
* datasketch: what one would write with it: whitespace words, a set of word 4-gram shingles,
  ``MinHash(num_perm=128).update_batch``, then ``MinHashLSH(threshold=0.8)`` query and insert,
  one article at a time; candidates are not verified.

Then the recall of whole byte-identical groups for both, rasid's near-duplicate groups (connected
documents whose texts are not all identical), and a random sample of reported near-duplicate pairs
(texts not identical) in bench/out/near_duplicate_sample.txt for a manual precision check.
``--dump-links`` writes rasid's links as JSON; ``--compare-links`` compares them with such a file
(groups and pairs only in one of them, with their Jaccard).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import resource
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data" / "saudinewsnet"
BATCH = 1000  # articles per batch (the pipeline's default batch size is of this order)


def iter_records(data: Path) -> Iterator[dict]:
    """Yield SaudiNewsNet records one archive at a time, ided as rasid ids them (bench_stories.load_records)."""
    for archive in sorted(data.glob("*.zip")):
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                records = json.loads(z.read(name))
                width = max(5, len(str(len(records))))
                for i, rec in enumerate(records, 1):
                    if (rec.get("content") or "").strip():
                        yield {"id": f"{Path(name).stem}-{i:0{width}d}", "text": rec["content"],
                               "title": rec.get("title"), "outlet": rec.get("source")}
                del records


RECORDS: list[dict] = []  # read by the parent before forking; the children share them


def batches() -> Iterator[list[dict]]:
    for i in range(0, len(RECORDS), BATCH):
        yield RECORDS[i:i + BATCH]


class Clock:
    """Wall and CPU seconds of the timed sections."""

    def __init__(self):
        self.wall = self.cpu = 0.0

    def __enter__(self):
        self._w, self._c = time.perf_counter(), time.process_time()

    def __exit__(self, *exc):
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def run_rasid() -> dict:
    start = rss_mb()
    from rasid.dedup import DedupIndex, document_key

    fp_clock, link_clock = Clock(), Clock()
    index = DedupIndex()
    fingerprints = []
    n = 0
    for batch in batches():
        n += len(batch)
        with fp_clock:
            fingerprints.extend(index.fingerprints((r["id"], document_key(r["text"])) for r in batch))
    with link_clock:
        links = index.duplicate_links(fingerprints)
    exact = sum(1 for fp in fingerprints if index.exact_duplicate(fp))
    return {"n": n, "start_rss": start, "steps": {"fingerprint": fp_clock, "index + verified links": link_clock},
            "links": links, "exact_links": exact}


def run_datasketch() -> dict:
    start = rss_mb()
    from datasketch import MinHash, MinHashLSH

    fp_clock, link_clock = Clock(), Clock()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    links = []
    n = 0
    for batch in batches():
        for r in batch:
            n += 1
            with fp_clock:
                words = r["text"].split()
                shingles = {" ".join(words[i:i + 4]).encode("utf-8") for i in range(max(1, len(words) - 3))}
                m = MinHash(num_perm=128)
                m.update_batch(list(shingles))
            with link_clock:
                links.extend((other, r["id"], None) for other in lsh.query(m))
                lsh.insert(r["id"], m)
    return {"n": n, "start_rss": start, "steps": {"fingerprint": fp_clock, "LSH query + insert": link_clock},
            "links": links}


METHODS = {"datasketch": run_datasketch, "rasid": run_rasid}


def _child(method: str, conn) -> None:
    out = METHODS[method]()
    out["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["steps"] = {k: (c.wall, c.cpu) for k, c in out["steps"].items()}
    conn.send(out)
    conn.close()


def run_child(method: str) -> dict:
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(method, send))
    proc.start()
    send.close()
    out = recv.recv()
    proc.join()
    return out


def components(links) -> dict[str, str]:
    """Union-find over links: doc_id -> root."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, *_ in links:
        parent[find(a)] = find(b)
    return {x: find(x) for x in parent}


def groups_of(links) -> set[frozenset[str]]:
    by_root: dict[str, set[str]] = {}
    for doc, root in components(links).items():
        by_root.setdefault(root, set()).add(doc)
    return {frozenset(g) for g in by_root.values()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sample-pairs", type=int, default=100)
    ap.add_argument("--methods", default="datasketch,rasid")
    ap.add_argument("--dump-links", type=Path)
    ap.add_argument("--compare-links", type=Path)
    args = ap.parse_args()
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    t0 = time.perf_counter()
    RECORDS.extend(iter_records(args.data))
    print(f"articles {len(RECORDS):,} read in {time.perf_counter() - t0:.1f} s (not timed below); "
          f"bench process RSS {rss_mb():,.0f} MB")
    results = {}
    for m in methods:
        results[m] = run_child(m)
        print(f"[{m} done]", file=sys.stderr, flush=True)

    n = next(iter(results.values()))["n"]
    print("each method in its own forked process, articles in batches of 1,000")
    head = "".join(f"{m:>28s}" for m in methods)
    print(f"{'':34s}{head}")
    for m in methods:
        for step, (wall, cpu) in results[m]["steps"].items():
            cells = "".join(f"{(f'{wall:.1f} s wall, {cpu:.1f} s CPU' if mm == m else ''):>28s}" for mm in methods)
            print(f"  {m + ': ' + step:32s}{cells}")
    total = {m: (sum(w for w, _ in r["steps"].values()), sum(c for _, c in r["steps"].values()))
             for m, r in results.items()}
    print(f"{'total, articles/s (wall)':34s}" + "".join(f"{n / total[m][0]:>28,.0f}" for m in methods))
    print(f"{'total, articles/s (CPU)':34s}" + "".join(f"{n / total[m][1]:>28,.0f}" for m in methods))
    print(f"{'peak RSS above the fork (MB)':34s}"
          + "".join(f"{results[m]['peak_rss'] - results[m]['start_rss']:>28,.0f}" for m in methods))
    print(f"{'peak RSS, total (MB)':34s}" + "".join(f"{results[m]['peak_rss']:>28,.0f}" for m in methods))
    if "datasketch" in results and "rasid" in results:
        d, r = results["datasketch"], results["rasid"]
        print(f"rasid / datasketch: {total['datasketch'][0] / total['rasid'][0]:.2f}x speed (wall), "
              f"{total['datasketch'][1] / total['rasid'][1]:.2f}x (CPU), "
              f"{(r['peak_rss'] - r['start_rss']) / (d['peak_rss'] - d['start_rss']):.2f}x the memory "
              f"(peak RSS above the fork), {r['peak_rss'] / d['peak_rss']:.2f}x the total peak RSS")

    # evaluation (nothing below is timed)
    records = {rec["id"]: rec for rec in RECORDS}
    by_text: dict[str, list[str]] = {}
    for rec in records.values():
        by_text.setdefault(rec["text"].strip(), []).append(rec["id"])
    identical = [g for g in by_text.values() if len(g) > 1]
    for m in methods:
        root = components(results[m]["links"])
        whole = sum(1 for g in identical if len({root.get(d, d) for d in g}) == 1)
        print(f"{m}: identical groups {whole} of {len(identical)} found whole (recall {whole / len(identical):.3f}); "
              f"{len(results[m]['links']):,} links")
    if "rasid" not in results:
        return 0
    links = results["rasid"]["links"]

    def differ(a: str, b: str) -> bool:
        return records[a]["text"].strip() != records[b]["text"].strip()

    groups = groups_of(links)
    near_groups = [g for g in groups if len({records[d]["text"].strip() for d in g}) > 1]
    near_pairs = [x for x in links if differ(x[0], x[1])]
    print(f"rasid: {results['rasid']['exact_links']:,} exact links, {len(links) - results['rasid']['exact_links']:,} "
          f"near links; {len(near_pairs):,} links between non-identical raw texts; {len(groups):,} duplicate groups "
          f"({sum(map(len, groups)):,} documents), {len(near_groups):,} with non-identical texts "
          f"({sum(map(len, near_groups)):,} documents)")
    if args.dump_links:
        args.dump_links.write_text(json.dumps(links), encoding="utf-8")
    if args.compare_links:
        compare(links, json.loads(args.compare_links.read_text(encoding="utf-8")), records)
    rng = random.Random(11)
    sample = rng.sample(near_pairs, min(args.sample_pairs, len(near_pairs)))
    out = HERE / "out" / "near_duplicate_sample.txt"
    out.parent.mkdir(exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for a, b, j in sample:
            fh.write(pair_text(records, a, b, j))
    print(f"sample for manual check  {len(sample)} pairs -> {out}")
    return 0


def pair_text(records: dict, a: str, b: str, j: float) -> str:
    ra, rb = records[a], records[b]
    return (f"=== J={j:.3f}  {a} ({ra['outlet']}, {len(ra['text'])} chars)  ~  {b} ({rb['outlet']}, "
            f"{len(rb['text'])} chars)\nA: {ra['title']} | {ra['text'][:160]!r}\nB: {rb['title']} | "
            f"{rb['text'][:160]!r}\n")


def compare(links, other, records) -> None:
    """Print how `links` differ from another run's links (a list of [a, b, jaccard])."""
    mine, theirs = groups_of(links), groups_of(other)
    print(f"compared with the given links: {len(mine & theirs):,} groups the same, {len(mine - theirs)} only here, "
          f"{len(theirs - mine)} only there")
    pm = {frozenset(x[:2]): x[2] for x in links}
    pt = {frozenset(x[:2]): x[2] for x in other}
    for label, a, b in (("only here", pm, pt), ("only there", pt, pm)):
        diff = sorted(set(a) - set(b), key=sorted)
        print(f"  pairs {label}: {len(diff)}")
        for p in diff[:12]:
            x, y = sorted(p)
            print("    " + pair_text(records, x, y, a[p]).replace("\n", "\n    ").rstrip())


if __name__ == "__main__":
    sys.exit(main())

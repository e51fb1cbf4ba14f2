"""Full-text search latency on a search-only store of all 31k SaudiNewsNet articles.

    python bench/bench_search.py [--store FILE] [--data ../shared/data/saudinewsnet] [--repeat 30] [--build-only]

Without --store, or when the file does not exist yet, the store is built first (ingest, cleaning,
duplicates and the full-text index only: no stories, entities or events; about half an hour on 2
cores, with progress) and kept for the next run; documents missing from the index (a store from an
older index) are indexed again. Then times ``/api/search`` through FastAPI's test client, one query
at a time: short Arabic queries, English ones (expanded to Arabic names), OR, prefix, phrase,
filters, and 500-word queries pasted from stored articles ("find similar"), and prints p50/p95/max
per kind, with the first page of the dashboard's ``/search`` page for the same queries. Asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"
DEFAULT_STORE = Path(__file__).resolve().parents[1] / "out" / "bench" / "snn_search.sqlite"


def build_store(path: Path, data: Path) -> None:
    """Ingest and clean every archive into `path` (no later stages; the index is built by :func:`index`)."""
    from rasid.ingest import FieldMap, ReadOptions
    from rasid.pipeline import analyze
    from rasid.store import Store

    archives = sorted(data.glob("*.zip"))
    fields = FieldMap().with_overrides({"text": "content", "outlet": "source", "published": "date_extracted"})
    t0 = time.perf_counter()
    seen = {"n": 0}

    def on_document(_item) -> None:
        seen["n"] += 1
        if seen["n"] % 1000 == 0:
            print(f"  read {seen['n']:,} articles ({time.perf_counter() - t0:,.0f} s)", flush=True)

    with Store(path) as store:
        print(f"building {path} from {len(archives)} archives (ingest + cleaning; kept for later runs)", flush=True)
        report = analyze(archives, store, options=ReadOptions(fields=fields), workers=2, stories=False,
                         entities=False, events=False, views=False, on_document=on_document)
    print(f"ingested {report.stored:,} documents in {time.perf_counter() - t0:,.0f} s", flush=True)


def index(path: Path) -> float:
    """Index the documents the full-text index lacks (as :func:`rasid.views.build_views` does), with progress."""
    from rasid.store import Store
    from rasid.views import SEARCH_BATCH, search_key

    t0 = time.perf_counter()
    with Store(path) as store:
        missing = store.docs_missing_search()
        if missing:
            print(f"indexing {len(missing):,} documents", flush=True)
        for i in range(0, len(missing), SEARCH_BATCH):
            rows = []
            for doc in store.iter_documents(missing[i:i + SEARCH_BATCH]):
                body = "\n".join(doc.text[ln.start:ln.end] for ln in doc.content_lines()) or doc.text
                rows.append((doc.doc_id, search_key(doc.title or ""), search_key(body)))
            store.index_search(rows)
            done = min(i + SEARCH_BATCH, len(missing))
            if done % 5000 < SEARCH_BATCH or done == len(missing):
                print(f"  indexed {done:,} ({time.perf_counter() - t0:,.0f} s)", flush=True)
    return time.perf_counter() - t0


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=30, help="queries per kind")
    ap.add_argument("--build-only", action="store_true", help="build (or complete) the store and stop")
    args = ap.parse_args()

    built = None
    if not args.store.exists():
        if not list(args.data.glob("*.zip")):
            print(f"no SaudiNewsNet archives under {args.data}", file=sys.stderr)
            return 1
        args.store.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        build_store(args.store, args.data)
        built = time.perf_counter() - t0
    took = index(args.store)
    if built is not None:
        print(f"store built in {built:,.0f} s, indexed in {took:,.0f} s")
    if args.build_only:
        return 0
    return run_queries(args.store, args.repeat)


SHORT = ["سرت", "الرياض", "اليمن", "داعش", "مجلس الأمن", "النفط", "الحوثي", "طرابلس", "الانتخابات", "جدة",
         "قال", "في"]  # the last two are in most documents: the slowest to rank and count
ENGLISH = ["Libya", "Sirte", "Haftar", "Islamic State", "Saudi Arabia", "Yemen", "Riyadh", "Iran", "United States",
           "Egypt", "Houthi", "Obama"]
PREFIX = ["تفجير*", "انتخاب*", "صاروخ*", "مفاوض*", "اقتصاد*", "تحالف*", "مس*", "ال*"]
PHRASE = ['"مجلس الأمن"', '"الأمم المتحدة"', '"ولي العهد"', '"خادم الحرمين الشريفين"', '"الملك سلمان"',
          '"قوات التحالف"']


def run_queries(path: Path, repeat: int) -> int:
    """Time each kind of query `repeat` times through the app (FastAPI's test client: parsing, the store,
    the passages and the JSON or HTML, without the network)."""
    from fastapi.testclient import TestClient

    from rasid.search_query import english_names
    from rasid.store import Store
    from rasid.web.app import create_app

    with Store(path) as store:
        n_docs = store.count_documents()
        outlets = [o for o, _ in store.outlet_counts(limit=10_000)]
        info = store.duplicate_info()  # {doc_id: (publication_date, duplicate_of)}
        dates = sorted({day for day, _ in info.values() if day})
        long_docs = store.long_documents(4000)
        rng = random.Random(7)
        pasted = []
        for doc_id in rng.sample(long_docs, min(len(long_docs), repeat * 4)):
            words = store.document_text(doc_id).split()
            if len(words) >= 500:
                pasted.append((doc_id, " ".join(words[:500])))
            if len(pasted) == repeat:
                break
        # duplicates by the group they belong to (the document they copy, or themselves)
        original = {d: orig or d for d, (_day, orig) in info.items()}
        copied = set(original.values()) - {None}
        original = {d: o if (o != d or d in copied) else None for d, o in original.items()}
    print(f"store                    {n_docs:,} documents, {path.stat().st_size / 1e6:,.0f} MB "
          f"({len(outlets)} outlets, {dates[0] if dates else '-'} to {dates[-1] if dates else '-'})")
    english_names()  # loaded once per server (in the background at start-up); not part of a query's time
    client = TestClient(create_app(path))
    client.get("/api/search", params={"q": "سرت"})  # warm up

    def pick(pool: list[str]) -> str:
        return rng.choice(pool)

    def filtered() -> dict:
        a, b = sorted(rng.sample(dates, 2)) if len(dates) > 1 else (dates[0], dates[0])
        q = {"q": pick(SHORT), "date_from": a, "date_to": b, "sort": rng.choice(["relevance", "newest"])}
        if rng.random() < 0.5:
            q["outlet"] = pick(outlets)
        return q

    kinds = {
        "short Arabic": lambda: {"q": pick(SHORT)},
        "English (expanded)": lambda: {"q": pick(ENGLISH)},
        "OR of two": lambda: {"q": f"{pick(SHORT)} OR {pick(SHORT + ENGLISH)}"},
        "prefix*": lambda: {"q": pick(PREFIX)},
        '"phrase"': lambda: {"q": pick(PHRASE)},
        "word -exclusion": lambda: {"q": f"{pick(SHORT)} -{pick(SHORT)}"},
        "filters + sort": filtered,
        "deep page (offset 2000)": lambda: {"q": pick(["قال", "في", "السعودية"]), "offset": 2000},
    }
    print(f"queries per kind         {repeat} (one at a time, 20 hits each with its passage)")
    print(f"{'kind':<28}{'p50':>10}{'p95':>10}{'max':>10}   hits (median)")
    for name, make in kinds.items():
        ms, totals = [], []
        for _ in range(repeat):
            params = make()
            t = time.perf_counter()
            r = client.get("/api/search", params=params)
            ms.append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                print(f"{name}: HTTP {r.status_code}: {r.text[:200]}", file=sys.stderr)
                continue
            totals.append(r.json()["total"])
        report(name, ms, f"{statistics.median(totals):,.0f}" if totals else "-")
    ms, first, copy_first = [], 0, 0
    for doc_id, text in pasted:
        t = time.perf_counter()
        r = client.post("/api/search", json={"q": text})
        ms.append((time.perf_counter() - t) * 1000)
        hits = r.json()["hits"] if r.status_code == 200 else []
        first += bool(hits) and hits[0]["doc_id"] == doc_id
        top = hits[0] if hits else {}
        copy_first += bool(hits) and top["doc_id"] != doc_id and original.get(doc_id) is not None and (
            original.get(doc_id) == original.get(top["doc_id"]))
    if ms:
        report("500 words pasted (POST)", ms, f"first hit: its source {first}, a stored duplicate of it {copy_first}, "
                                              f"of {len(pasted)}")
    ms = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get("/search", params={"q": rng.choice(SHORT + ENGLISH)})
        ms.append((time.perf_counter() - t) * 1000)
    report("/search page (HTML)", ms, "")
    ms = []
    for _, text in pasted[:repeat]:
        t = time.perf_counter()
        client.post("/search", content=urlencode({"q": text}).encode(),
                    headers={"content-type": "application/x-www-form-urlencoded"})
        ms.append((time.perf_counter() - t) * 1000)
    if ms:
        report("/search page, 500 words", ms, "")
    print(f"peak RSS                 {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    return 0


def report(name: str, ms: list[float], extra: str) -> None:
    print(f"{name:<28}{statistics.median(ms):8.1f} ms{percentile(ms, 0.95):7.1f} ms{max(ms):7.1f} ms   {extra}")


if __name__ == "__main__":
    sys.exit(main())

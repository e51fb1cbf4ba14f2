"""REST API latency on a store holding all 31k SaudiNewsNet articles (stories, entities, events, views).

    python bench/bench_api.py [--store FILE] [--data ../shared/data/saudinewsnet] [--requests 300]

Without --store, or when the file does not exist yet, the store is built first with every stage
(ingest, stories, entities, events: about two hours on 2 cores, with progress) and kept for the
next run. The reader views (events table, story views, search index) are refreshed, then the API
is served by uvicorn on a local port and queried over HTTP by httpx, one request at a time:
story pages (random stories, the largest included) and event queries with random filter
combinations. Prints p50/p95/max latency per endpoint; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"
DEFAULT_STORE = Path(__file__).resolve().parents[1] / "out" / "bench" / "snn_full.sqlite"


def build_store(path: Path, data: Path) -> None:
    from rasid.ingest import FieldMap, ReadOptions
    from rasid.pipeline import analyze
    from rasid.store import Store

    archives = sorted(data.glob("*.zip"))
    fields = FieldMap().with_overrides({"text": "content", "outlet": "source", "published": "date_extracted"})
    t0 = time.perf_counter()
    done = {"entities": 0}

    def on_segment(n: int) -> None:
        if n % 1000 == 0:
            print(f"  stories: {n:,} segments assigned ({time.perf_counter() - t0:,.0f} s)", flush=True)

    def on_entities(n: int) -> None:
        done["entities"] += n
        if done["entities"] % 1000 < n:
            print(f"  entities: {done['entities']:,} documents ({time.perf_counter() - t0:,.0f} s)", flush=True)

    with Store(path) as store:
        print(f"building {path} from {len(archives)} archives (every stage; kept for later runs)", flush=True)
        analyze(archives, store, options=ReadOptions(fields=fields), workers=2, on_story_segment=on_segment,
                on_entity_documents=on_entities, views=False)
    print(f"built in {time.perf_counter() - t0:,.0f} s", flush=True)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--requests", type=int, default=300, help="requests per endpoint")
    args = ap.parse_args()
    import httpx
    import uvicorn

    from rasid.store import Store
    from rasid.views import build_views
    from rasid.web.app import create_app

    if not args.store.exists():
        if not list(args.data.glob("*.zip")):
            print(f"no SaudiNewsNet archives under {args.data}", file=sys.stderr)
            return 1
        args.store.parent.mkdir(parents=True, exist_ok=True)
        build_store(args.store, args.data)
    with Store(args.store) as store:
        t0 = time.perf_counter()
        built = build_views(store, on_story=lambda n, total: n % 2000 == 0 and print(
            f"  views: {n:,} of {total:,} stories", flush=True))
        print(f"views refreshed in {time.perf_counter() - t0:,.1f} s: {built}")
        counts = {t: n for t, n in store.table_counts().items() if t in ("documents", "stories", "events", "story_views")}
        stories = list(store.story_sizes())
        facets = store.event_facets()
        actors = [v for v, _ in store.event_value_counts("actor1", 30)]
        places = [v for v, _ in store.event_value_counts("location_ar", 50)]
        dates = sorted(v for v, _ in store.event_value_counts("event_date"))
    print("store                    " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    if not stories:
        print("the store has no stories yet: run the full analysis first", file=sys.stderr)
        return 1
    rng = random.Random(7)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(args.store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    story_ids = stories[:20] + rng.sample(stories, min(len(stories), args.requests - 20))

    def event_query() -> dict:
        q: dict = {"limit": 50}
        for key, pool, p in (("event_type", facets["event_type"], 0.5), ("actor", actors, 0.4),
                             ("place", places, 0.4), ("outlet", facets["outlet"], 0.3)):
            if pool and rng.random() < p:
                q[key] = rng.choice(pool)
        if dates and rng.random() < 0.4:
            a, b = sorted(rng.sample(dates, 2)) if len(dates) > 1 else (dates[0], dates[0])
            q.update(date_from=a, date_to=b)
        return q

    timings: dict[str, list[float]] = {"GET /api/stories/{id}": [], "GET /api/events?filters": [],
                                       "GET /api/stories (list)": [], "GET /stories/{id} (HTML page)": [],
                                       "GET /api/search": []}
    words = ["سرت", "الحوثي", "الرياض", "الجفرة", "مجلس الأمن", "النفط", "طرابلس", "الانتخابات", "داعش", "اليمن"]
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/api/stories")  # warm up
        for i in range(args.requests):
            sid = story_ids[i % len(story_ids)]
            calls = (("GET /api/stories/{id}", f"/api/stories/{sid}", None),
                     ("GET /api/events?filters", "/api/events", event_query()),
                     ("GET /api/stories (list)", "/api/stories", {"offset": rng.randrange(0, 2000), "limit": 50}),
                     ("GET /stories/{id} (HTML page)", f"/stories/{sid}", None),
                     ("GET /api/search", "/api/search", {"q": rng.choice(words)}))
            for name, url, params in calls:
                t = time.perf_counter()
                r = client.get(url, params=params)
                timings[name].append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    print(f"{name}: HTTP {r.status_code}: {r.text[:200]}", file=sys.stderr)
    server.should_exit = True
    thread.join(5)
    print(f"requests per endpoint    {args.requests} (sequential, over HTTP on localhost)")
    for name, ms in timings.items():
        print(f"{name:<30} p50 {statistics.median(ms):6.1f} ms   p95 {percentile(ms, 0.95):6.1f} ms   "
              f"max {max(ms):6.1f} ms")
    print(f"peak RSS                 {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

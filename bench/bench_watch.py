"""How soon an item published on a feed is on the dashboard, with ``rasid watch``.

A local RSS feed (127.0.0.1) of real SaudiNewsNet articles; ``rasid watch`` runs in a thread with
``--interval``; after its first round an article is published on the feed and the dashboard's
``/api/arrived`` is polled until it lists it. Prints the first round's time, the latency from
publication to the dashboard (it should be under one interval plus a round's work), the rounds'
times and the load average.

    .venv/bin/python bench/bench_watch.py                 # full pipeline (stories, entities, events)
    .venv/bin/python bench/bench_watch.py --light         # cleaning and storing only
    .venv/bin/python bench/bench_watch.py --items 200 --interval 10
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import threading
import time
import zipfile
from datetime import UTC, datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SNN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "saudinewsnet"


def snn_articles(n: int) -> list[dict]:
    """The first `n` SaudiNewsNet articles (distinct links, some text) of the first days."""
    out, links = [], set()
    for day in sorted(SNN.glob("*.zip")):
        with zipfile.ZipFile(day) as archive:
            for r in json.loads(archive.read(archive.namelist()[0])):
                if len(r.get("content") or "") > 300 and r.get("title") and r["url"] not in links:
                    links.add(r["url"])
                    out.append(r)
                    if len(out) == n:
                        return out
    return out


def rss(items: list[dict]) -> bytes:
    body = "".join(f"<item><title>{escape(a['title'])}</title><link>{escape(a['url'])}</link>"
                   f"<content:encoded>{escape(a['content'])}</content:encoded></item>" for a in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/'
            f'modules/content/"><channel><title>bench</title>{body}</channel></rss>').encode()


def serve(items: list[dict]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = rss(items)
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/rss.xml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=20, help="articles on the feed at the start (default 20)")
    parser.add_argument("--interval", type=float, default=5.0, help="watch interval in seconds (default 5)")
    parser.add_argument("--light", action="store_true", help="no stories, entities or events")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from rasid.store import Store
    from rasid.watch import Watcher, item_doc_id, parse_sources
    from rasid.web.app import create_app

    articles = snn_articles(args.items + 1)
    items = articles[:args.items]
    server, url = serve(items)
    tmp = Path(tempfile.mkdtemp(prefix="bench_watch_"))
    db = tmp / "rasid.sqlite"
    rounds, stop = [], threading.Event()
    stages = {"stories": False, "entities": False, "events": False} if args.light else {}

    def watch() -> None:
        with Store(db) as store:
            watcher = Watcher(parse_sources([url]), store, spool=tmp / "watch", interval=args.interval, **stages)
            watcher.run(stop, on_round=rounds.append)
            watcher.close()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    while not rounds:
        time.sleep(0.05)
    since = datetime.now(UTC).isoformat()
    late = articles[args.items]
    items.insert(0, late)
    published = time.monotonic()
    client, wanted = TestClient(create_app(db)), item_doc_id(late["url"], None, "", "")
    while True:
        answer = client.get("/api/arrived", params={"since": since}).json()
        if any(d["doc_id"] == wanted for d in answer["documents"]):
            break
        time.sleep(0.05)
    latency = time.monotonic() - published
    stop.set()
    thread.join()
    server.shutdown()
    load = os.getloadavg()
    mode = "light (clean + store)" if args.light else "full pipeline"
    print(f"rasid watch, {mode}: {args.items} feed items, interval {args.interval:g}s")
    print(f"first round (fetch + analyse {rounds[0].new} items, models loaded): {rounds[0].seconds:.1f}s")
    print(f"published -> on the dashboard (/api/arrived): {latency:.1f}s "
          f"(bound: interval {args.interval:g}s + a round's work)")
    print("rounds: " + ", ".join(f"#{r.number} {r.new} new {r.seconds:.2f}s" for r in rounds))
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)")


if __name__ == "__main__":
    main()

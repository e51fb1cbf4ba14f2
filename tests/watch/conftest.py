"""A local news site on 127.0.0.1 for ``rasid watch``: an RSS feed with full texts and an Atom feed of
teasers whose article pages it serves, both made from real SaudiNewsNet articles, and feeds that fail
in the usual ways (500, too slow, malformed XML, a redirect loop)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import zipfile
from collections import Counter
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SNN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "saudinewsnet" / "2015-07-21.zip"
SLOW_SECONDS = 3.0  # the slow feed answers after this long; tests give fetches much less


def _snn_articles(n: int) -> list[dict]:
    """The first `n` SaudiNewsNet articles of a day of 800 to 4,000 characters, from distinct links."""
    if not SNN.exists():
        pytest.skip(f"SaudiNewsNet not found at {SNN}")
    with zipfile.ZipFile(SNN) as archive:
        records = json.loads(archive.read(archive.namelist()[0]))
    chosen, links = [], set()
    for r in records:
        if 800 <= len(r.get("content") or "") <= 4000 and r.get("title") and r["url"] not in links:
            links.add(r["url"])
            chosen.append(r)
        if len(chosen) == n:
            break
    return chosen


class FeedSite:
    """What the local site serves; tests change it between rounds."""

    def __init__(self, articles: list[dict]):
        self.rss_items = [dict(a, guid=f"snn-{i}") for i, a in enumerate(articles[:5])]
        self.spare = articles[5:7]  # published later by a test
        self.atom_items = [dict(a, page=f"/articles/{i}.html") for i, a in enumerate(articles[7:10])]
        self.atom_items.append(dict(articles[7], title="صفحة مفقودة", page="/articles/missing.html",
                                    content="خبر قصير لا صفحة له على الموقع حتى الآن."))
        self.atom_updated = formatdate(time.time() - 3600, usegmt=True)
        self.requests: Counter = Counter()
        self.not_modified: Counter = Counter()
        self.error_fixed = False
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def rss(self, items: list[dict] | None = None) -> bytes:
        """The RSS feed of `items` (default: the site's), full texts in content:encoded."""
        items = "".join(
            f"<item><title>{escape(a['title'])}</title><link>{escape(a['url'])}</link><guid>{a['guid']}</guid>"
            f"<pubDate>Tue, 21 Jul 2015 08:00:00 GMT</pubDate><description>{escape(a['content'][:200])}</description>"
            f"<content:encoded><![CDATA[{''.join(f'<p>{escape(p)}</p>' for p in a['content'].split(chr(10)) if p.strip())}]]>"
            "</content:encoded></item>" for a in (self.rss_items if items is None else items))
        return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>صحيفة الاختبار</title>'
                f'<link>{self.url("/")}</link><description>آخر الأخبار</description>{items}</channel></rss>'
                ).encode()

    def atom(self) -> bytes:
        entries = "".join(
            f'<entry><title>{escape(a["title"])}</title><link href="{self.url(a["page"])}"/>'
            f'<id>tag:127.0.0.1,2015:{a["page"]}</id><updated>2015-07-21T09:00:00Z</updated>'
            f'<summary>{escape(a["content"].split(chr(10))[0][:150])}</summary></entry>' for a in self.atom_items)
        return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f'<title>وكالة الاختبار</title><id>{self.url("/atom.xml")}</id>'
                f'<updated>2015-07-21T09:00:00Z</updated>{entries}</feed>').encode()

    def page(self, path: str) -> bytes | None:
        for a in self.atom_items:
            if a["page"] == path and path != "/articles/missing.html":
                paragraphs = "".join(f"<p>{escape(p)}</p>" for p in a["content"].split("\n") if p.strip())
                return (f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{escape(a["title"])}'
                        '</title></head><body><nav><a href="/">الرئيسية</a> | <a href="/sport">رياضة</a></nav>'
                        f'<article><h1>{escape(a["title"])}</h1>{paragraphs}</article>'
                        '<footer>جميع الحقوق محفوظة</footer></body></html>').encode()
        return None

    def publish(self) -> dict:
        """Put a spare article at the top of the RSS feed; return it."""
        article = dict(self.spare.pop(0), guid=f"snn-late-{len(self.spare)}")
        self.rss_items.insert(0, article)
        return article


def _handler(site: FeedSite):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes = b"", ctype: str = "application/xml", **headers) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                self.send_header(k.replace("_", "-"), v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            path = self.path
            site.requests[path] += 1
            if path == "/rss.xml":
                body = site.rss()
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    site.not_modified[path] += 1
                    return self._send(304, ETag=etag)
                return self._send(200, body, "application/rss+xml; charset=utf-8", ETag=etag)
            if path == "/atom.xml":
                if self.headers.get("If-Modified-Since") == site.atom_updated:
                    site.not_modified[path] += 1
                    return self._send(304)
                return self._send(200, site.atom(), "application/atom+xml", Last_Modified=site.atom_updated)
            if path.startswith("/articles/"):
                page = site.page(path)
                return self._send(200, page, "text/html; charset=utf-8") if page else self._send(404, b"not found")
            if path == "/frontpage.xml":  # every item points at the front page; only guids tell them apart
                items = [dict(a, url=site.url("/")) for a in site.rss_items[:3]]
                return self._send(200, site.rss(items))
            if path == "/busy.xml":
                return self._send(503, b"busy", "text/plain", Retry_After="120")
            if path == "/error.xml":
                if site.error_fixed:
                    return self._send(200, site.rss(), "application/rss+xml")
                return self._send(500, b"internal error")
            if path == "/slow.xml":
                time.sleep(SLOW_SECONDS)
                return self._send(200, site.rss())
            if path == "/malformed.xml":
                return self._send(200, b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</ti')
            if path in ("/loop.xml", "/loop2.xml"):
                target = "/loop2.xml" if path == "/loop.xml" else "/loop.xml"
                return self._send(302, Location=site.url(target))
            return self._send(404, b"not found", "text/plain")

    return Handler


@pytest.fixture(scope="session")
def snn_articles() -> list[dict]:
    """Ten real SaudiNewsNet articles (source, url, title, content)."""
    return _snn_articles(10)


@pytest.fixture
def site(snn_articles):
    """A running local news site (fresh for each test), stopped afterwards."""
    site = FeedSite(snn_articles)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()

"""Live feeds: poll RSS/Atom feeds and watch folders, and analyse only what is new (``rasid watch``).

A :class:`Watcher` works in rounds. Each round it

1. fetches every feed that is due, with a conditional GET (the ETag and Last-Modified of its last
   answer), following redirects, within a time limit and a size limit, and reads its items with
   feedparser, turning HTML into text as :mod:`rasid.ingest.readers` does for saved feeds;
2. keeps the items whose document id is not stored yet. The id comes from the item's link (else
   its guid, else its text): ``<host>-<sha1[:12]>``, so an item seen again, carried by two feeds,
   or re-published under the same link with a new guid or edited text is stored once (a front
   page, or a link many items share, names no article: those items go by their guid);
3. for an item that gives only a teaser (no full content, and a summary shorter than
   :data:`TEASER_MAX_CHARS`), fetches the linked article page and extracts its text as a saved
   page is read (trafilatura). When the page cannot be had, the summary is stored, noted in the
   record (``text_from``, ``page_error``); ``fetch_pages=False`` always stores the summary;
4. writes the new items to a JSONL file in its spool folder (kept: what was fetched, as fetched)
   and runs :func:`rasid.pipeline.analyze` on that file and on the watched folders whose files
   changed since the last round (the store skips files it has read before, unchanged).

A feed that is down, slow, malformed, answers 4xx/5xx or redirects in a loop gets one warning when
it starts failing; it is then retried after ``interval * 2**(failures - 1)`` seconds (the next
round, then 2, 4, 8... intervals later; longer if a Retry-After asks so), at most ``max_backoff``,
without holding up the others, and a line says when it is back. Each feed's validators, back-off
and the spool files not yet analysed are kept in ``state.json`` in the spool folder, so a
``--once`` run from cron, or a restarted watcher, carries on where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rasid.document import Article, Skipped
from rasid.errors import IngestError, RasidError

if TYPE_CHECKING:
    from rasid.store import Store

log = logging.getLogger(__name__)

__all__ = ["Watcher", "RoundReport", "SourceResult", "WatchError", "parse_sources", "parse_since"]

DEFAULT_INTERVAL = 300.0  # seconds between the starts of two rounds
FETCH_TIMEOUT = 20.0  # seconds for one feed or page, from connecting to the last byte
MAX_FEED_BYTES = 10 * 1024 * 1024  # a feed larger than this is refused (a misconfigured URL, not a feed)
MAX_PAGE_BYTES = 5 * 1024 * 1024  # an article page larger than this keeps the feed's summary
MAX_REDIRECTS = 10  # more hops than this is a loop
MAX_BACKOFF = 3600.0  # a failing feed is tried at least this often (seconds)
TEASER_MAX_CHARS = 600  # an item without full content whose summary is shorter than this is a teaser (a
#                         lead sentence or two): its page is fetched. Feeds that carry whole articles in the
#                         summary run to thousands of characters and are stored as they are.
DUE_SLACK = 0.05  # a failing feed due within this fraction of an interval is tried now (cron starts jitter)
MAX_ITEMS_PER_LINK = 2  # a link shared by more items of one feed than this is a section page, not an article
STATE_FILE = "state.json"


class WatchError(RasidError):
    """A source cannot be watched (not an http(s) URL nor a folder), or the spool folder is unusable.

    Attributes:
        source: the offending source as given.
    """

    def __init__(self, source: str, message: str):
        super().__init__(f"{source}: {message}")
        self.source = source


@dataclass(frozen=True)
class Source:
    """One thing to watch: a feed URL (``kind="feed"``) or a folder (``kind="folder"``)."""

    location: str
    kind: str


def parse_sources(values: Iterable[str]) -> list[Source]:
    """Tell feeds from folders: http(s) URLs are feeds, existing folders are folders.

    Raises:
        WatchError: another URL scheme, a file, or a path that does not exist.

    Example:
        >>> parse_sources(["https://example.org/rss.xml"])
        [Source(location='https://example.org/rss.xml', kind='feed')]
    """
    sources: list[Source] = []
    for value in values:
        scheme = urlsplit(value).scheme.lower()
        if scheme in ("http", "https"):
            sources.append(Source(value, "feed"))
        elif "://" in value:
            raise WatchError(value, f"only http and https feeds can be watched, not {scheme}://")
        elif Path(value).is_dir():
            sources.append(Source(str(Path(value)), "folder"))
        elif Path(value).exists():
            raise WatchError(value, "a file, not a folder: watch the folder it is in, or read it once with "
                                    "'rasid analyze'")
        else:
            raise WatchError(value, "no such folder (and not an http(s) feed URL)")
    if not sources:
        raise WatchError("", "nothing to watch: name feed URLs or folders")
    return list(dict.fromkeys(sources))


@dataclass
class SourceResult:
    """What one source gave in one round.

    Attributes:
        status: ``ok`` (read), ``unchanged`` (the server said 304 Not Modified, or the folder did
            not change), ``failed`` (``message`` says why) or ``waiting`` (backing off after failures).
        items: items in the feed, or files in the folder.
        new: documents from this source stored for the first time (or changed files' documents).
    """

    source: str
    kind: str
    status: str
    items: int = 0
    new: int = 0
    message: str = ""


@dataclass
class RoundReport:
    """One round: what each source gave, and the analysis run (None when nothing was new)."""

    number: int
    started: float
    sources: list[SourceResult]
    run: object | None = None  # a rasid.pipeline.RunReport
    seconds: float = 0.0
    stopped: bool = False  # a stop was asked for before the round could finish; the rest waits for the next one

    @property
    def new(self) -> int:
        """Documents stored for the first time in this round, from every source."""
        return sum(r.new for r in self.sources)

    @property
    def failed(self) -> list[SourceResult]:
        """The sources that failed in this round."""
        return [r for r in self.sources if r.status == "failed"]


@dataclass
class _FeedState:
    """What is remembered of a feed between rounds (and runs)."""

    etag: str | None = None
    modified: str | None = None
    failures: int = 0
    next_try: float = 0.0
    error: str | None = None


@dataclass
class _Answer:
    status: int
    content: bytes
    etag: str | None
    modified: str | None
    url: str
    charset: str | None


class _FetchFailed(Exception):
    """A feed or page could not be had; the message says why in a few words. `retry_after` is the
    server's Retry-After in seconds (429 and 503 answers), when it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date); None when absent or unreadable.

    Example:
        >>> _retry_after("120"), _retry_after(None), _retry_after("soon")
        (120.0, None, None)
    """
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class _Fetcher:
    """HTTP GETs with validators, redirects, a whole-answer time limit and a size limit (httpx)."""

    def __init__(self, *, timeout: float):
        import httpx

        from rasid import __version__

        self.timeout = timeout
        self.client = httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout,
                                   headers={"User-Agent": f"rasid/{__version__} (rasid watch)"})

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, *, etag: str | None = None, modified: str | None = None,
            max_bytes: int = MAX_FEED_BYTES) -> _Answer:
        """Fetch `url`; raise :class:`_FetchFailed` on any failure (a 304 is an answer, not a failure)."""
        import httpx

        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        deadline = time.monotonic() + self.timeout
        try:
            with self.client.stream("GET", url, headers=headers) as answer:
                if answer.status_code == 304:
                    return _Answer(304, b"", etag, modified, str(answer.url), None)
                if not answer.is_success:
                    raise _FetchFailed(f"HTTP {answer.status_code} {answer.reason_phrase}".strip(),
                                       retry_after=_retry_after(answer.headers.get("retry-after")))
                chunks, size = [], 0
                for chunk in answer.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise _FetchFailed(f"answer larger than {max_bytes / 1e6:.0f} MB")
                    if time.monotonic() > deadline:
                        raise _FetchFailed(f"too slow: not received within {self.timeout:g}s")
                    chunks.append(chunk)
                return _Answer(answer.status_code, b"".join(chunks), answer.headers.get("etag"),
                               answer.headers.get("last-modified"), str(answer.url), answer.charset_encoding)
        except httpx.TooManyRedirects:
            raise _FetchFailed(f"redirects in a loop (more than {MAX_REDIRECTS} hops)") from None
        except httpx.TimeoutException:
            raise _FetchFailed(f"no answer within {self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise _FetchFailed(f"cannot fetch ({type(exc).__name__}: {exc})") from None


@dataclass
class _FeedItem:
    """One feed item on its way to the spool file (a JSONL record :mod:`rasid.ingest.readers` reads)."""

    doc_id: str
    text: str
    title: str | None
    url: str | None
    outlet: str | None
    published: str | None
    feed: str
    text_from: str  # content, summary or page
    page_error: str | None = None

    def record(self) -> dict:
        """The JSONL record: the reader's field names, and the feed and text basis kept as extra fields."""
        rec = {"id": self.doc_id, "text": self.text, "title": self.title, "url": self.url, "outlet": self.outlet,
               "published": self.published, "feed": self.feed, "text_from": self.text_from}
        if self.page_error:
            rec["page_error"] = self.page_error[:400]
        return {k: v for k, v in rec.items() if v is not None}


def item_doc_id(link: str | None, guid: str | None, text: str, feed_url: str) -> str:
    """The stable document id of a feed item: its link's host and a hash of the link (else guid, else text).

    The link is compared by host (any case, without ``www.``), path and query: its scheme and
    fragment do not count, so ``http://Example.org/a#top`` and ``https://www.example.org/a`` are
    one article.

    Example:
        >>> item_doc_id("http://Example.org/news/1#top", None, "", "https://example.org/rss")
        'example.org-81a5dc12fe0b'
        >>> item_doc_id("https://www.example.org/news/1", "tag:2", "", "https://example.org/rss")
        'example.org-81a5dc12fe0b'
    """
    if link:
        parts = urlsplit(link.strip())
        netloc = parts.netloc.lower().split("@")[-1].removeprefix("www.")
        host = netloc.split(":")[0]
        key = f"{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    else:
        key = f"guid:{guid}" if guid else "text:" + hashlib.sha1(text.encode("utf-8")).hexdigest()
        host = urlsplit(feed_url).netloc.lower().split("@")[-1].split(":")[0].removeprefix("www.")
    return f"{host or 'feed'}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


def read_feed_entries(data: bytes, url: str) -> tuple[str | None, list[dict]]:
    """Parse a feed's bytes: its title, and its items as ``{"link", "guid", "title", "published",
    "content", "summary"}`` (content and summary as text, HTML removed).

    Raises:
        _FetchFailed: not an RSS/Atom feed feedparser can read any item from.
    """
    import feedparser

    from rasid.ingest.html import fragment_text

    feed = feedparser.parse(data)
    if not feed.entries and (feed.bozo or not feed.get("version")):
        raise _FetchFailed(f"not a readable RSS/Atom feed ({feed.get('bozo_exception') or 'no feed elements'})")
    if feed.bozo:
        log.info("%s: feed is not well-formed (%s); read leniently", url, feed.get("bozo_exception"))
    entries = []
    for entry in feed.entries:
        content = max((c.get("value", "") for c in entry.get("content") or []), key=len, default="")
        summary = entry.get("summary", "") or entry.get("description", "")
        published = None
        for attr in ("published_parsed", "updated_parsed"):
            if entry.get(attr):
                published = "{:04d}-{:02d}-{:02d}".format(*entry[attr][:3])
                break
        entries.append({"link": entry.get("link"), "guid": entry.get("id"), "title": entry.get("title"),
                        "published": published, "content": fragment_text(content).strip() if content else "",
                        "summary": fragment_text(summary).strip() if summary else ""})
    return feed.feed.get("title"), entries


ARRIVED_DEFAULT_HOURS = 24  # what "arrived since" shows when no time is given
LAST_SECOND = 253402300799.0  # 9999-12-31T23:59:59Z


def parse_since(value: str | None, *, now: float | None = None) -> float:
    """Read an "arrived since" time: an ISO date or date-time (UTC unless it names its offset).

    Without a value: :data:`ARRIVED_DEFAULT_HOURS` before `now`.

    Raises:
        ValueError: not an ISO date or date-time.

    Example:
        >>> parse_since("2026-12-04T21:00"), parse_since("2026-12-04T23:00+02:00")
        (1796418000.0, 1796418000.0)
    """
    if not value:
        return (time.time() if now is None else now) - ARRIVED_DEFAULT_HOURS * 3600
    try:
        when = datetime.fromisoformat(value.strip().replace(" ", "T").replace("Z", "+00:00"))
        seconds = (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
        return min(max(seconds, 0.0), LAST_SECOND)  # before 1970 is all of it; what UTC can still print
    except (ValueError, OverflowError):
        raise ValueError(f"since must be an ISO date or date-time like 2026-12-04 or 2026-12-04T21:00 "
                         f"(UTC unless an offset is given); got {value!r}") from None


class Watcher:
    """Poll feeds and watch folders, analysing what is new into a store.

    Args:
        sources: from :func:`parse_sources`.
        store: the store to write (opened in the thread that runs the watcher).
        spool: folder for the fetched items (JSONL, one file a round with new items) and ``state.json``.
        interval: seconds between the starts of two rounds; also the unit of the back-off.
        timeout: seconds for one feed or page, connecting to last byte.
        fetch_pages: fetch an item's page when the feed gives only a teaser.
        max_backoff: longest wait before retrying a failing feed (seconds).
        stories, entities, events, views: as for :func:`rasid.pipeline.analyze` (True: the shipped
            models, loaded once, at the first round with something new).
        cleaner: a :class:`rasid.clean.Cleaner` (default: built from `data_files` at that round too).
        data_files: the user's data files (:class:`rasid.fingerprints.DataFiles`; default the shipped
            ones), as ``rasid analyze`` takes them: a store's layers follow the files they were made from,
            so a watcher should use the same ones as the runs that filled its store.
        clock: the wall clock (a test may pass its own to check the back-off).
    """

    def __init__(self, sources: list[Source], store: Store, *, spool: str | Path, interval: float = DEFAULT_INTERVAL,
                 timeout: float = FETCH_TIMEOUT, fetch_pages: bool = True, max_backoff: float = MAX_BACKOFF,
                 stories=True, entities=True, events=True, views: bool = True, cleaner=None,
                 data_files=None, clock: Callable[[], float] = time.time):
        self.feeds = [s.location for s in sources if s.kind == "feed"]
        self.folders = [s.location for s in sources if s.kind == "folder"]
        self.store, self.interval, self.fetch_pages, self.max_backoff = store, interval, fetch_pages, max_backoff
        self.clock = clock
        self.spool = Path(spool)
        self._check_spool()
        self.spool.mkdir(parents=True, exist_ok=True)
        self.feed_states: dict[str, _FeedState] = {u: _FeedState() for u in self.feeds}
        self.pending: dict[str, list[str]] = {}  # spool files written but not yet analysed -> their doc ids
        self._load_state()
        self.fetcher = _Fetcher(timeout=timeout)
        self.stages = {"stories": stories, "entities": entities, "events": events}
        self.views = views
        self.data_files = data_files
        self.cleaner = cleaner
        self.folder_marks: dict[str, dict] = {}
        self.unusable: set[str] = set()  # items with no text at all: not looked at again by this watcher
        self.rounds = 0
        self.stored_total = 0

    # -- state --------------------------------------------------------------------------------------

    def _check_spool(self) -> None:
        """Refuse a watched folder that holds the spool folder or the store: what the watcher writes
        there would come back as input."""
        spool = self.spool.resolve()
        store_path = str(getattr(self.store, "path", "") or "")
        store_file = Path(store_path).resolve() if store_path and "://" not in store_path and \
            store_path != ":memory:" else None
        for folder in self.folders:
            root = Path(folder).resolve()
            if spool == root or root in spool.parents:
                raise WatchError(str(self.spool), f"the spool folder is inside the watched folder {folder}; "
                                                  "its files would be read twice (name another with --spool)")
            if store_file is not None and root in store_file.parents:
                raise WatchError(store_path, f"the store is inside the watched folder {folder}; keep it "
                                             "elsewhere (--db or --out)")

    def _load_state(self) -> None:
        path = self.spool / STATE_FILE
        if not path.exists():
            return
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            for url, values in saved.get("feeds", {}).items():
                if url in self.feed_states:
                    self.feed_states[url] = _FeedState(**values)
            self.pending = {p: list(ids) for p, ids in saved.get("pending", {}).items() if Path(p).exists()}
        except (OSError, ValueError, TypeError) as exc:
            log.warning("%s: unreadable (%s); starting afresh (feeds are fetched whole once)", path, exc)

    def _save_state(self) -> None:
        path = self.spool / STATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"feeds": {u: asdict(s) for u, s in self.feed_states.items()},
                                   "pending": self.pending}, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a crash leaves the old state or the new one

    def close(self) -> None:
        """Release the HTTP connections."""
        self.fetcher.close()

    # -- rounds -------------------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, once: bool = False,
            on_round: Callable[[RoundReport], None] | None = None) -> None:
        """Run rounds every ``interval`` seconds until `stop` is set (or one round, with `once`).

        A stop is honoured between steps (between feeds, before analysing, while waiting); an
        analysis under way finishes first, so nothing is half-written.
        """
        while not stop.is_set():
            began = time.monotonic()
            report = self.run_round(stop)
            if on_round is not None:
                on_round(report)
            if once:
                return
            stop.wait(max(0.0, self.interval - (time.monotonic() - began)))

    def run_round(self, stop: threading.Event | None = None) -> RoundReport:
        """Fetch what is due, spool the new items, analyse them with changed folders; report per source."""
        stop = stop or threading.Event()
        self.rounds += 1
        began = time.monotonic()
        report = RoundReport(self.rounds, self.clock(), [])
        stored = self.store.stored_hashes()
        taken = set(stored) | {d for ids in self.pending.values() for d in ids}
        items: list[_FeedItem] = []
        validators: dict[str, tuple[str | None, str | None]] = {}
        for url in self.feeds:
            if stop.is_set():
                report.stopped = True
                break
            result, new_items, answer = self._poll_feed(url, taken, stop)
            report.sources.append(result)
            items.extend(new_items)
            taken.update(i.doc_id for i in new_items)
            if answer is not None:
                validators[url] = (answer.etag, answer.modified)
        report.stopped = stop.is_set()  # (perhaps midway through a feed's items)
        if report.stopped:  # nothing spooled: the feeds' validators stay as they were, so nothing is missed
            self._save_state()
            report.seconds = time.monotonic() - began
            return report
        if items:
            self.pending[str(self._spool_items(items, report.started))] = [i.doc_id for i in items]
        for url, (etag, modified) in validators.items():
            self.feed_states[url].etag, self.feed_states[url].modified = etag, modified
        self._save_state()
        marks = {f: _folder_mark(f) for f in self.folders}
        changed = [f for f in self.folders if marks[f] != self.folder_marks.get(f)]
        folder_results = {f: SourceResult(f, "folder", "ok" if f in changed else "unchanged",
                                          items=len(marks[f])) for f in self.folders}
        report.sources.extend(folder_results.values())
        paths = [*self.pending, *changed]
        if paths and stop.is_set():
            report.stopped = True  # spooled items wait in state.json for the next run
        elif paths:
            report.run = self._analyze(paths, stored, folder_results)
            self.pending.clear()
            self._save_state()
            self.folder_marks.update(marks)
            self.stored_total = report.run.stored
        report.seconds = time.monotonic() - began
        return report

    def _poll_feed(self, url: str, taken: set[str],
                   stop: threading.Event) -> tuple[SourceResult, list[_FeedItem], _Answer | None]:
        state = self.feed_states[url]
        now = self.clock()
        if state.next_try - now > DUE_SLACK * self.interval:
            return (SourceResult(url, "feed", "waiting", message=f"failing ({state.error}); next try in "
                                 f"{state.next_try - now:.0f}s"), [], None)
        try:
            answer = self.fetcher.get(url, etag=state.etag, modified=state.modified)
            if answer.status == 304:
                self._succeeded(url, state)
                return SourceResult(url, "feed", "unchanged", message="not modified"), [], answer
            outlet, entries = read_feed_entries(answer.content, url)
        except _FetchFailed as exc:
            self._failed(url, state, str(exc), retry_after=exc.retry_after)
            return SourceResult(url, "feed", "failed", message=str(exc)), [], None
        self._succeeded(url, state)
        new_items = []
        generic = _generic_links(entries)
        for entry in entries:
            if stop.is_set():
                break
            text = entry["content"] or entry["summary"]
            link = entry["link"] if entry["link"] not in generic else None
            doc_id = item_doc_id(link, entry["guid"], text, url)
            if doc_id in taken or doc_id in self.unusable:
                continue
            item = self._item(entry, doc_id, outlet, url, page=link)
            if item is None:
                self.unusable.add(doc_id)
                log.info("%s: item %s has no text; skipped", url, entry["link"] or entry["guid"] or doc_id)
                continue
            taken.add(doc_id)
            new_items.append(item)
        return SourceResult(url, "feed", "ok", items=len(entries), new=len(new_items)), new_items, answer

    def _item(self, entry: dict, doc_id: str, outlet: str | None, feed_url: str, *,
              page: str | None) -> _FeedItem | None:
        """Build a feed item, fetching its `page` (its link, unless that names no article) when the
        feed gives only a teaser."""
        item = _FeedItem(doc_id, entry["content"], entry["title"], entry["link"], outlet, entry["published"],
                         feed_url, "content")
        if entry["content"]:
            return item
        item.text, item.text_from = entry["summary"], "summary"
        if self.fetch_pages and page and len(entry["summary"]) < TEASER_MAX_CHARS:
            try:
                extracted = self._page(page)
            except (_FetchFailed, IngestError) as exc:
                item.page_error = str(exc)
                log.info("%s: page %s not used (%s); storing the feed's summary", feed_url, page, exc)
            else:
                from rasid.ingest.fields import parse_published

                if len(extracted["text"]) > len(item.text):
                    item.text, item.text_from = extracted["text"], "page"
                    item.title = item.title or extracted["title"]
                    item.published = item.published or parse_published(extracted["published"])
        return item if item.text.strip() else None

    def _page(self, link: str) -> dict:
        from rasid.ingest.encodings import decode_bytes
        from rasid.ingest.html import extract_page
        from rasid.ingest.readers import _declared_charset

        answer = self.fetcher.get(link, max_bytes=MAX_PAGE_BYTES)
        declared = answer.charset or _declared_charset(answer.content)
        decoded = decode_bytes(answer.content, link, declared=declared)
        return extract_page(decoded.text, link, url=answer.url)

    def _succeeded(self, url: str, state: _FeedState) -> None:
        if state.failures:
            log.warning("%s: back after %d failed tries", url, state.failures)
        state.failures, state.next_try, state.error = 0, 0.0, None

    def _failed(self, url: str, state: _FeedState, reason: str, *, retry_after: float | None = None) -> None:
        state.failures += 1
        wait = self.interval * 2 ** (state.failures - 1)  # 1, 2, 4, 8... intervals
        wait = min(max(wait, retry_after or 0.0), self.max_backoff)  # a server's Retry-After is honoured
        state.next_try, state.error = self.clock() + wait, reason
        if state.failures == 1:  # one warning per outage; the retries are logged at info level
            log.warning("%s: %s; the other sources go on, this one is retried in %.0fs (then after doubling "
                        "waits of at most %.0fs)", url, reason, wait, self.max_backoff)
        else:
            log.info("%s: still failing (%s; try %d); next try in %.0fs", url, reason, state.failures, wait)

    def _spool_items(self, items: list[_FeedItem], started: float) -> Path:
        stamp = datetime.fromtimestamp(started, tz=UTC).strftime("%Y%m%dT%H%M%S")
        path = self.spool / f"feeds-{stamp}-{self.rounds:05d}.jsonl"
        n = 1
        while path.exists():
            n += 1
            path = self.spool / f"feeds-{stamp}-{self.rounds:05d}-{n}.jsonl"
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for item in items:
                fh.write(json.dumps(item.record(), ensure_ascii=False) + "\n")
        os.replace(tmp, path)
        return path

    def _analyze(self, paths: list[str], stored: dict[str, str], folder_results: dict[str, SourceResult]):
        from rasid.pipeline import analyze

        self._load_stages()
        roots = [(str(Path(f)), result) for f, result in folder_results.items()]

        def on_document(item: Article | Skipped) -> None:
            if not isinstance(item, Article) or stored.get(item.doc_id) == item.content_hash:
                return
            for root, result in roots:
                if item.source == root or item.source.startswith(root.rstrip(os.sep) + os.sep):
                    result.new += 1
                    return

        return analyze(paths, self.store, cleaner=self.cleaner, on_document=on_document, views=self.views,
                       data_files=self.data_files, **self.stages)

    def _load_stages(self) -> None:
        """Build the cleaner and the shipped models once, at the first round that analyses something."""
        from rasid.clean import Cleaner
        from rasid.fingerprints import DataFiles
        from rasid.pipeline import build_coder, build_extractor
        from rasid.stories import StoryClusterer

        data_files = self.data_files = self.data_files or DataFiles()
        if self.cleaner is None:
            self.cleaner = Cleaner.from_data(rules=data_files.rules, outlets=data_files.outlets,
                                             line_model=data_files.line_model)
        if self.stages["stories"] is True:
            self.stages["stories"] = StoryClusterer.from_data()
        if self.stages["entities"] is True:
            self.stages["entities"] = build_extractor(data_files)
        if self.stages["events"] is True:
            self.stages["events"] = build_coder(data_files)


def _generic_links(entries: list[dict]) -> set[str]:
    """Links that do not name one article: a site's front page, or a link more than
    :data:`MAX_ITEMS_PER_LINK` items of one feed share (a feed that points every item at a section).
    Such items are known by their guid, else their text."""
    counts = Counter(e["link"] for e in entries if e["link"])
    generic = {link for link, n in counts.items() if n > MAX_ITEMS_PER_LINK}
    for link in counts:
        parts = urlsplit(link)
        if parts.path in ("", "/") and not parts.query:
            generic.add(link)
    return generic


def _folder_mark(folder: str) -> dict[str, tuple[int, int]]:
    """Every visible file below `folder` with its size and modification time (what tells a change)."""
    root = Path(folder)
    mark = {}
    for f in root.rglob("*"):
        if any(part.startswith(".") for part in f.relative_to(root).parts):
            continue
        try:
            st = f.stat()
        except OSError:
            continue
        if f.is_file():
            mark[str(f)] = (st.st_size, st.st_mtime_ns)
    return mark

"""Read articles from files, folders, JSONL/JSON/CSV exports, saved HTML pages, RSS/Atom feeds and ZIP archives.

:func:`iter_articles` yields an :class:`~rasid.document.Article` per article and a
:class:`~rasid.document.Skipped` per input it could not use, naming the file (and line or row),
so a run continues past bad input.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from rasid.document import Article, Skipped
from rasid.errors import IngestError
from rasid.ingest.encodings import decode_bytes
from rasid.ingest.fields import FieldMap, parse_published
from rasid.ingest.html import extract_page, fragment_text, looks_like_html

log = logging.getLogger(__name__)

__all__ = ["ReadOptions", "iter_articles", "count_inputs"]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # one article file; exports (JSONL, CSV) are streamed whatever their size
MAX_RECORD_CHARS = 2_000_000  # one article inside an export
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".tsv"}
SKIP_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".pdf", ".doc", ".docx", ".xls", ".xlsx",
                 ".mp3", ".mp4", ".avi", ".mov", ".exe", ".so", ".dll", ".pyc", ".gz", ".tar", ".7z", ".rar",
                 ".woff", ".woff2", ".ttf", ".css", ".js", ".sqlite", ".db"}


@dataclass
class ReadOptions:
    """How to read inputs.

    Attributes:
        fields: which record fields hold text, title, url, outlet, published and id.
        meta: per-document metadata keyed by doc_id (from ``--meta``), applied over what the input says.
        max_document_bytes: larger single-article files are skipped with a warning.
    """

    fields: FieldMap = field(default_factory=FieldMap)
    meta: dict[str, dict] = field(default_factory=dict)
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    on_file: Callable[[Path], None] | None = None  # called before each input file is read (progress bars)


def load_meta(path: str | Path) -> tuple[dict[str, dict], list[Skipped]]:
    """Read a metadata JSONL file: one ``{"id", "url", "outlet", "published", "title"}`` object a line."""
    meta: dict[str, dict] = {}
    skipped: list[Skipped] = []
    p = Path(path)
    try:
        text = decode_bytes(p.read_bytes(), str(p)).text
    except (OSError, IngestError) as exc:
        raise IngestError(str(p), "meta", f"cannot read metadata file ({exc})") from exc
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            skipped.append(Skipped(f"{p}:{n}", "meta", "json", f"not valid JSON ({exc.msg})"))
            continue
        if not isinstance(obj, dict) or not obj.get("id"):
            skipped.append(Skipped(f"{p}:{n}", "meta", "meta-id", "metadata line has no 'id'"))
            continue
        meta[str(obj["id"])] = obj
    return meta, skipped


def count_inputs(paths: Iterable[str | Path]) -> int:
    """Count the files the given paths expand to (for a progress bar)."""
    return sum(1 for _ in _walk(paths))


def _walk(paths: Iterable[str | Path]) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for every file below the given paths, sorted for a stable order."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(x for x in p.rglob("*") if x.is_file()):
                if not any(part.startswith(".") for part in f.relative_to(p).parts):
                    yield f, p
        else:
            yield p, p.parent


def iter_articles(paths: Iterable[str | Path], options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """Yield the articles (and skips) of every input path, in a stable order.

    Folders are read recursively (hidden files skipped); ZIP archives are read member by member.
    """
    options = options or ReadOptions()
    seen: dict[str, str] = {}
    for f, _root in _walk(paths):
        if options.on_file is not None:
            options.on_file(f)
        for item in _read_path(f, options):
            if isinstance(item, Article):
                item = _unique(item, seen)
                _apply_meta(item, options.meta)
            yield item


def _unique(article: Article, seen: dict[str, str]) -> Article:
    """Give a second, different article that claims an existing doc_id a stable id of its own."""
    owner = seen.get(article.doc_id)
    if owner is not None and owner != article.source:
        new_id = f"{article.doc_id}-{hashlib.sha1(article.source.encode()).hexdigest()[:8]}"
        article.warnings.append(f"doc_id {article.doc_id} already used by {owner}; renamed {new_id}")
        log.warning("%s: doc_id %s already used by %s; renamed %s", article.source, article.doc_id, owner, new_id)
        article.doc_id = new_id
    seen.setdefault(article.doc_id, article.source)
    return article


def _apply_meta(article: Article, meta: dict[str, dict]) -> None:
    m = meta.get(article.doc_id)
    if not m:
        return
    for attr, key in (("url", "url"), ("outlet", "outlet"), ("title", "title")):
        if m.get(key):
            setattr(article, attr, str(m[key]))
    if m.get("published"):
        published = parse_published(m["published"])
        if published:
            article.published = published
        else:
            article.warnings.append(f"meta: unreadable published date {m['published']!r}")


def _read_path(path: Path, options: ReadOptions) -> Iterator[Article | Skipped]:
    source = str(path)
    suffix = path.suffix.lower()
    if suffix in SKIP_SUFFIXES:
        yield Skipped(source, "ingest", "file-type", f"unsupported file type {suffix}")
        return
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield Skipped(source, "ingest", "unreadable", f"cannot read ({exc.strerror or exc})")
        return
    if suffix == ".zip":
        yield from _read_zip(path, options)
        return
    if suffix in (".jsonl", ".ndjson", ".csv", ".tsv"):
        yield from _read_table_stream(path, source, suffix, options)
        return
    if size > options.max_document_bytes and suffix != ".json":
        yield Skipped(source, "ingest", "too-large", f"file is {size / 1e6:.1f} MB, over the {options.max_document_bytes / 1e6:.0f} MB "
                                                     "limit for one article (split it, or export it as JSONL)")
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Skipped(source, "ingest", "unreadable", f"cannot read ({exc.strerror or exc})")
        return
    yield from read_bytes(data, source, path.stem, suffix, options)


def read_bytes(data: bytes, source: str, stem: str, suffix: str, options: ReadOptions) -> Iterator[Article | Skipped]:
    """Read one file's bytes (from disk or an archive) by its type."""
    try:
        if suffix == ".json":
            yield from _read_json(data, source, stem, options)
            return
        if suffix in (".jsonl", ".ndjson", ".csv", ".tsv"):
            yield from _read_table_text(decode_bytes(data, source).text, source, stem, suffix, options)
            return
        head = data[:2048].lstrip().lower()
        if suffix in FEED_SUFFIXES or head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head):
            if b"<rss" in head or b"<feed" in head or b"<rdf" in head:
                yield from _read_feed(data, source, stem)
                return
        decoded = decode_bytes(data, source, declared=_declared_charset(data))
        if suffix in HTML_SUFFIXES or suffix in FEED_SUFFIXES or looks_like_html(decoded.text):
            page = extract_page(decoded.text, source)
            yield Article(stem, page["text"], source, "html", title=page["title"], url=page["url"],
                          outlet=page["outlet"], published=parse_published(page["published"]),
                          encoding=decoded.encoding, warnings=decoded.warnings)
            return
        yield Article(stem, decoded.text, source, "text", encoding=decoded.encoding, warnings=decoded.warnings)
    except IngestError as exc:
        yield Skipped(exc.source, "ingest", exc.reason, str(exc).removeprefix(f"{exc.source}: "))


def _declared_charset(data: bytes) -> str | None:
    import re

    m = re.search(rb"""charset=["']?([A-Za-z0-9_-]+)""", data[:4096])
    return m.group(1).decode("ascii") if m else None


def _read_zip(path: Path, options: ReadOptions) -> Iterator[Article | Skipped]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Skipped(str(path), "ingest", "archive", f"not a readable ZIP archive ({exc})")
        return
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or PurePosixPath(info.filename).name.startswith("."):
                continue
            member = PurePosixPath(info.filename)
            source = f"{path}!{info.filename}"
            suffix = member.suffix.lower()
            if suffix in SKIP_SUFFIXES or suffix == ".zip":
                yield Skipped(source, "ingest", "file-type", f"unsupported file type {suffix}")
                continue
            if info.file_size > options.max_document_bytes and suffix not in TABLE_SUFFIXES:
                yield Skipped(source, "ingest", "too-large", f"member is {info.file_size / 1e6:.1f} MB, over the limit")
                continue
            yield from read_bytes(archive.read(info), source, member.stem, suffix, options)


def _record_article(record, source: str, default_id: str, fmt: str, options: ReadOptions) -> Article | Skipped:
    fields = options.fields
    if not isinstance(record, dict):
        return Skipped(source, "ingest", "record", f"expected an object, got {type(record).__name__}")
    text = fields.pick(record, "text")
    if not isinstance(text, str) or not text.strip():
        return Skipped(source, "ingest", "no-text", f"record has no text (looked for fields: {', '.join(fields.names['text'])})")
    if len(text) > MAX_RECORD_CHARS:
        return Skipped(source, "ingest", "too-large", f"record text has {len(text):,} characters, over {MAX_RECORD_CHARS:,}")
    warnings: list[str] = []
    if looks_like_html(text):
        text = fragment_text(text)
        warnings.append("html: record text was HTML; tags removed")
    doc_id = fields.pick(record, "id")
    published_raw = fields.pick(record, "published")
    published = parse_published(published_raw)
    if published_raw and not published:
        warnings.append(f"unreadable published date {published_raw!r}")
    return Article(str(doc_id).strip() if doc_id not in (None, "") else default_id, text, source, fmt,
                   title=_title(fields.pick(record, "title")), url=_str(fields.pick(record, "url")),
                   outlet=_str(fields.pick(record, "outlet")), published=published, warnings=warnings,
                   extra={k: v for k, v in record.items() if isinstance(v, str | int | float) and k != "text"
                          and not (isinstance(v, str) and len(v) > 500)})


def _str(value) -> str | None:
    return str(value).strip() or None if value is not None else None


def _title(value) -> str | None:
    """A record's title as text: exports often keep HTML entities in it ("&quot;الوفاق&quot;")."""
    title = _str(value)
    return html.unescape(title) if title and "&" in title else title


def _read_json(data: bytes, source: str, stem: str, options: ReadOptions) -> Iterator[Article | Skipped]:
    try:
        obj = json.loads(decode_bytes(data, source).text)
    except json.JSONDecodeError as exc:
        yield Skipped(f"{source}:{exc.lineno}", "ingest", "json", f"not valid JSON ({exc.msg}, column {exc.colno})")
        return
    if isinstance(obj, dict):
        for key in ("articles", "items", "data", "documents", "results", "records"):
            if isinstance(obj.get(key), list):
                obj = obj[key]
                break
    if isinstance(obj, dict):
        yield _record_article(obj, source, stem, "json", options)
        return
    if not isinstance(obj, list):
        yield Skipped(source, "ingest", "json", f"expected an object or a list of objects, got {type(obj).__name__}")
        return
    width = max(5, len(str(len(obj))))
    for i, record in enumerate(obj, 1):
        yield _record_article(record, f"{source}#{i}", f"{stem}-{i:0{width}d}", "json", options)


def _read_table_stream(path: Path, source: str, suffix: str, options: ReadOptions) -> Iterator[Article | Skipped]:
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
        if not head.strip():
            yield Skipped(source, "ingest", "empty", "file is empty")
            return
        cut = head.rfind(b"\n")
        if 0 < cut < len(head) - 1:
            head = head[:cut + 1]  # do not cut a multi-byte character in two
        encoding = decode_bytes(head, source).encoding
        if encoding.startswith("utf_16") or encoding == "utf_32":
            yield from _read_table_text(decode_bytes(path.read_bytes(), source).text, source, path.stem, suffix, options)
            return
        # legacy single-byte code pages and UTF-8 decode line by line; undecodable bytes are replaced and counted
        with path.open(encoding=encoding, errors="replace", newline="") as fh:
            yield from _read_table_lines(fh, source, path.stem, suffix, options)
    except IngestError as exc:
        yield Skipped(exc.source, "ingest", exc.reason, str(exc).removeprefix(f"{exc.source}: "))
    except OSError as exc:
        yield Skipped(source, "ingest", "unreadable", f"cannot read ({exc.strerror or exc})")


def _read_table_text(text: str, source: str, stem: str, suffix: str, options: ReadOptions) -> Iterator[Article | Skipped]:
    yield from _read_table_lines(io.StringIO(text, newline=""), source, stem, suffix, options)


def _read_table_lines(fh, source: str, stem: str, suffix: str, options: ReadOptions) -> Iterator[Article | Skipped]:
    if suffix in (".jsonl", ".ndjson"):
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Skipped(f"{source}:{n}", "ingest", "json", f"line is not valid JSON ({exc.msg}, column {exc.colno})")
                continue
            yield _record_article(record, f"{source}:{n}", f"{stem}-{n:05d}", "jsonl", options)
        return
    yield from _read_csv(fh, source, stem, suffix, options)


def _read_csv(fh, source: str, stem: str, suffix: str, options: ReadOptions) -> Iterator[Article | Skipped]:
    csv.field_size_limit(MAX_RECORD_CHARS * 4)
    sample = fh.read(16384)
    fh.seek(0)
    if suffix == ".tsv":
        dialect: type[csv.Dialect] | csv.Dialect = csv.excel_tab
    else:
        try:
            dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0] + "\n", delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
    reader = csv.DictReader(fh, dialect=dialect)
    columns = reader.fieldnames or []
    if options.fields.column_for(list(columns), "text") is None:
        yield Skipped(source, "ingest", "csv-columns", f"no text column among {list(columns)}; "
                                                       f"name one with --field text=COLUMN")
        return
    try:
        for row in reader:
            n = reader.line_num
            if None in row:  # more cells than header columns
                row.pop(None)
            yield _record_article(row, f"{source}:{n}", f"{stem}-{n:05d}", "csv", options)
    except csv.Error as exc:
        yield Skipped(f"{source}:{reader.line_num}", "ingest", "csv", f"malformed CSV ({exc}); rest of file skipped")


def _read_feed(data: bytes, source: str, stem: str) -> Iterator[Article | Skipped]:
    import feedparser

    feed = feedparser.parse(data)
    if feed.bozo and not feed.entries:
        yield Skipped(source, "ingest", "feed", f"not a readable RSS/Atom feed ({feed.get('bozo_exception')})")
        return
    feed_title = feed.feed.get("title")
    for i, entry in enumerate(feed.entries, 1):
        html = ""
        if entry.get("content"):
            html = max((c.get("value", "") for c in entry.content), key=len)
        html = html or entry.get("summary", "") or entry.get("description", "")
        text = fragment_text(html) if html else ""
        key = entry.get("id") or entry.get("link") or f"{i}"
        item_source = f"{source}#{i}"
        if not text.strip():
            yield Skipped(item_source, "ingest", "no-text", "feed entry has no text")
            continue
        published = None
        for attr in ("published_parsed", "updated_parsed"):
            if entry.get(attr):
                year, month, day = entry[attr][:3]
                published = f"{year:04d}-{month:02d}-{day:02d}"
                break
        doc_id = f"{stem}-{hashlib.sha1(str(key).encode()).hexdigest()[:10]}"
        yield Article(doc_id, text, item_source, "feed", title=entry.get("title"), url=entry.get("link"),
                      outlet=feed_title, published=published, encoding=feed.get("encoding"))

"""The embedded SQLite store (the default).

Ids are the documents' own stable ids. Every document is written with its lines, segments and
sentences inside one transaction (documents are committed in batches), so an interrupted run
leaves whole documents or nothing; the next run finds what is stored by content hash and goes
on with the rest. Re-running on unchanged input writes nothing.

Each stored layer of a document (clean, entity, event) records the fingerprint of what made it in
``layer_state`` (see :mod:`rasid.fingerprints`), so a run can tell which documents a changed data
file or cleaning result has made stale. Schema 1 stores are upgraded in place: their documents get
the hash of their stored cleaning result but no fingerprints, so every layer counts as stale.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rasid.document import Article, Document, Line, LineStatus, Segment, Sentence, Skipped
from rasid.errors import StoreError

log = logging.getLogger(__name__)

__all__ = ["Store", "SCHEMA_VERSION", "EVENT_SORTS"]

SCHEMA_VERSION = 4  # 2: layer_state (fingerprints of stored layers); 3: users and reviews (the review loop);
# 4: passwords, browser sessions, failed logins, story corrections (merge, split)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL NOT NULL, finished REAL,
  status TEXT NOT NULL, inputs TEXT NOT NULL, counts TEXT);
CREATE TABLE IF NOT EXISTS articles (
  doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, source TEXT NOT NULL, format TEXT NOT NULL,
  text TEXT NOT NULL, title TEXT, url TEXT, outlet TEXT, published TEXT, encoding TEXT, extra TEXT NOT NULL,
  run_id INTEGER, read_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  doc_id TEXT PRIMARY KEY REFERENCES articles(doc_id) ON DELETE CASCADE, title TEXT, outlet TEXT,
  outlet_basis TEXT, credits TEXT NOT NULL, publication_date TEXT, language TEXT, language_score REAL,
  warnings TEXT NOT NULL, duplicate_of TEXT, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS documents_outlet ON documents(outlet);
CREATE INDEX IF NOT EXISTS documents_date ON documents(publication_date);
CREATE TABLE IF NOT EXISTS lines (
  doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, n INTEGER NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, status TEXT NOT NULL, segment INTEGER,
  rule TEXT, role TEXT, key_hash TEXT, PRIMARY KEY (doc_id, n)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lines_key ON lines(key_hash);
CREATE TABLE IF NOT EXISTS segments (
  doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, idx INTEGER NOT NULL,
  first_line INTEGER NOT NULL, last_line INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
  title TEXT, story_id TEXT, PRIMARY KEY (doc_id, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sentences (
  doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, idx INTEGER NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, line INTEGER NOT NULL, segment INTEGER,
  PRIMARY KEY (doc_id, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fingerprints (
  doc_id TEXT PRIMARY KEY REFERENCES articles(doc_id) ON DELETE CASCADE, exact_key TEXT NOT NULL,
  shingles BLOB NOT NULL, signature BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS fingerprints_exact ON fingerprints(exact_key);
CREATE TABLE IF NOT EXISTS story_members (
  doc_id TEXT NOT NULL REFERENCES articles(doc_id) ON DELETE CASCADE, segment INTEGER NOT NULL,
  story_id TEXT NOT NULL, score REAL NOT NULL, date TEXT, outlet TEXT, title TEXT NOT NULL,
  headline INTEGER NOT NULL, terms TEXT NOT NULL, embedding BLOB NOT NULL,
  PRIMARY KEY (doc_id, segment)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story_id);
CREATE TABLE IF NOT EXISTS stories (
  story_id TEXT PRIMARY KEY, title_ar TEXT NOT NULL, start_date TEXT, end_date TEXT, size INTEGER NOT NULL,
  sources TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS annotations (
  doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, layer TEXT NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, label TEXT NOT NULL, data TEXT);
CREATE INDEX IF NOT EXISTS annotations_doc ON annotations(doc_id, layer);
CREATE TABLE IF NOT EXISTS story_views (
  story_id TEXT PRIMARY KEY, basis TEXT NOT NULL, title_en TEXT, data TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, story_id TEXT,
  event_type TEXT NOT NULL, sub_event_type TEXT, actor1 TEXT, actor2 TEXT, side1 TEXT, side2 TEXT,
  location TEXT, location_ar TEXT, country TEXT, event_date TEXT, outlet TEXT, fatalities INTEGER,
  lead TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_story ON events(story_id);
CREATE INDEX IF NOT EXISTS events_date ON events(event_date);
CREATE INDEX IF NOT EXISTS events_type ON events(event_type, event_date);
CREATE INDEX IF NOT EXISTS events_actor1 ON events(actor1);
CREATE INDEX IF NOT EXISTS events_actor2 ON events(actor2);
CREATE INDEX IF NOT EXISTS events_location ON events(location);
CREATE INDEX IF NOT EXISTS events_outlet ON events(outlet);
CREATE INDEX IF NOT EXISTS events_doc ON events(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(title, body, tokenize="unicode61 remove_diacritics 2");
CREATE TABLE IF NOT EXISTS search_index (
  doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE, fts_rowid INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS search_index_rowid ON search_index(fts_rowid);
CREATE TABLE IF NOT EXISTS layer_state (
  doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, layer TEXT NOT NULL,
  fingerprint TEXT NOT NULL, result TEXT, refs TEXT, PRIMARY KEY (doc_id, layer)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS layer_state_layer ON layer_state(layer);
CREATE TABLE IF NOT EXISTS input_files (
  path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, options TEXT NOT NULL,
  articles TEXT NOT NULL, skips TEXT NOT NULL, updated REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reviews (
  review_id INTEGER PRIMARY KEY, event_id TEXT NOT NULL, doc_id TEXT NOT NULL, action TEXT NOT NULL,
  fields TEXT NOT NULL, note TEXT, user TEXT NOT NULL, at REAL NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reviews_event ON reviews(event_id);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL, created REAL NOT NULL,
  expires REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key, at);
CREATE TABLE IF NOT EXISTS story_edits (
  edit_id INTEGER PRIMARY KEY, action TEXT NOT NULL, story_id TEXT NOT NULL, other TEXT, members TEXT NOT NULL,
  note TEXT, user TEXT NOT NULL, at REAL NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS skips (
  run_id INTEGER NOT NULL, source TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL);
"""


class Store:
    """A Rasid database in one SQLite file.

    Example:
        >>> store = Store(":memory:")
        >>> store.count_documents()
        0
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA foreign_keys=ON")
            if self.path != ":memory:":
                self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a Rasid database or damaged ({exc})") from exc

    def _migrate(self) -> None:
        row = None
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.OperationalError:
            tables = self.db.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
            if tables:
                raise StoreError(f"{self.path}: an SQLite database that is not a Rasid store") from None
        if row and int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: written by a newer Rasid (schema {row[0]} > {SCHEMA_VERSION}); upgrade rasid")
        with self.transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            if row and int(row[0]) < 2:
                self._backfill_cleaning_results()
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(users)")}
            if "password_hash" not in columns:  # schema 3 -> 4: users may log in with a password
                self.db.execute("ALTER TABLE users ADD COLUMN password_hash TEXT")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def _backfill_cleaning_results(self) -> None:
        """Schema 1 -> 2: record each stored document's cleaning result with an unknown fingerprint (stale)."""
        from rasid.fingerprints import cleaning_hash

        log.warning("%s: upgrading the store to schema %d: every stored layer will be redone once (its "
                     "fingerprints were not recorded)", self.path, SCHEMA_VERSION)
        self.db.executemany("INSERT OR REPLACE INTO layer_state VALUES (?, 'clean', '', ?, NULL)",
                            [(doc.doc_id, cleaning_hash(doc)) for doc in self.iter_documents()])

    @classmethod
    def open_readonly(cls, path: str | Path) -> Store:
        """Open an existing store for reading only (what ``rasid serve`` does by default).

        The connection may be shared by the threads of a web server; SQLite serialises it.
        """
        self = cls.__new__(cls)
        self.path = str(path)
        if not Path(self.path).exists():
            raise StoreError(f"{self.path}: no such store; run 'rasid analyze PATH --db {self.path}' first")
        try:
            self.db = sqlite3.connect(f"file:{Path(self.path).resolve()}?mode=ro", uri=True, isolation_level=None,
                                      check_same_thread=False, timeout=30)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            self.db.execute("SELECT 1 FROM story_views LIMIT 1")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: not a Rasid store, or written by an older Rasid without reader views "
                             f"({exc}); run 'rasid analyze' on it once") from exc
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a Rasid database or damaged ({exc})") from exc
        if row is None or int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: not a Rasid store of schema {SCHEMA_VERSION}")
        return self

    def close(self) -> None:
        """Close the database (checkpointing the write-ahead log)."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self):
        """Run a block of writes atomically: all of it is stored, or none of it."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # -- runs -----------------------------------------------------------------------------------

    def begin_run(self, inputs: list[str]) -> int:
        """Record the start of a run and return its id."""
        with self.transaction():
            cur = self.db.execute("INSERT INTO runs (started, status, inputs) VALUES (?, 'running', ?)",
                                  (time.time(), json.dumps(inputs, ensure_ascii=False)))
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, counts: dict, status: str = "done") -> None:
        """Record the end of a run and its counts."""
        with self.transaction():
            self.db.execute("UPDATE runs SET finished=?, status=?, counts=? WHERE run_id=?",
                            (time.time(), status, json.dumps(counts), run_id))

    def record_skips(self, run_id: int, skipped: Iterable[Skipped]) -> None:
        """Keep the inputs a run could not use, with the reason."""
        with self.transaction():
            self.db.executemany("INSERT INTO skips VALUES (?, ?, ?, ?, ?)",
                                [(run_id, s.source, s.stage, s.reason, s.message) for s in skipped])

    # -- documents --------------------------------------------------------------------------------

    def stored_hashes(self) -> dict[str, str]:
        """Return ``{doc_id: content_hash}`` of every stored article."""
        return dict(self.db.execute("SELECT doc_id, content_hash FROM articles"))

    def write_documents(self, docs: list[Document], *, run_id: int | None = None,
                        line_keys: dict[str, list[str]] | None = None, fingerprints: dict | None = None,
                        clean_fingerprint: str = "") -> None:
        """Store documents (replacing earlier versions of the same ids) in one transaction.

        `fingerprints` are the near-duplicate fingerprints (:mod:`rasid.dedup`); `clean_fingerprint`
        is the cleaning layer's (:class:`rasid.fingerprints.LayerFingerprints`), recorded with the
        hash of each document's cleaning result (empty: unknown, so the layer counts as stale).
        """
        from rasid.fingerprints import cleaning_hash

        now = time.time()
        with self.transaction() as db:
            for doc in docs:
                art = doc.article
                db.execute("DELETE FROM articles WHERE doc_id=?", (doc.doc_id,))  # cascades to all derived rows
                db.execute(
                    "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (doc.doc_id, doc.content_hash, doc.source, doc.fmt, doc.text,
                     art.title if art else doc.title, art.url if art else doc.url, art.outlet if art else None,
                     art.published if art else doc.publication_date, doc.encoding,
                     json.dumps(art.extra if art else {}, ensure_ascii=False, default=str), run_id, now))
                db.execute(
                    "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (doc.doc_id, doc.title, doc.outlet, doc.outlet_basis, json.dumps(doc.credits, ensure_ascii=False),
                     doc.publication_date, doc.language, doc.language_score,
                     json.dumps(doc.warnings, ensure_ascii=False), doc.duplicate_of, now))
                keys = (line_keys or {}).get(doc.doc_id)
                db.executemany(
                    "INSERT INTO lines VALUES (?,?,?,?,?,?,?,?,?)",
                    [(doc.doc_id, ln.n, ln.start, ln.end, ln.status, ln.segment, ln.rule, ln.role,
                      _key_hash(keys[i]) if keys else None) for i, ln in enumerate(doc.lines)])
                db.executemany("INSERT INTO segments VALUES (?,?,?,?,?,?,?,?)",
                               [(doc.doc_id, s.index, s.first_line, s.last_line, s.start, s.end, s.title, s.story_id)
                                for s in doc.segments])
                fp = (fingerprints or {}).get(doc.doc_id)
                if fp is not None:
                    db.execute("INSERT INTO fingerprints VALUES (?,?,?,?)",
                               (doc.doc_id, fp.exact_key, fp.shingles.astype("<u4").tobytes(),
                                fp.signature.astype("<u4").tobytes()))
                db.executemany("INSERT INTO sentences VALUES (?,?,?,?,?,?)",
                               [(doc.doc_id, i, s.start, s.end, s.line, s.segment) for i, s in enumerate(doc.sentences)])
                db.execute("INSERT INTO layer_state VALUES (?, 'clean', ?, ?, NULL)",
                           (doc.doc_id, clean_fingerprint, cleaning_hash(doc)))

    def count_documents(self) -> int:
        """Return how many documents are stored."""
        return int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def article_urls(self, doc_ids: Iterable[str] | None = None) -> dict[str, str]:
        """The original address of every stored article that has one (of these documents, or all):
        for exports' provenance and links to the original."""
        sql = "SELECT doc_id, url FROM articles WHERE url IS NOT NULL AND url != ''"
        if doc_ids is None:
            return dict(self.db.execute(sql))
        ids, out = list(dict.fromkeys(doc_ids)), {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out.update(self.db.execute(sql + f" AND doc_id IN ({', '.join('?' * len(chunk))})", chunk))
        return out

    def get_article(self, doc_id: str) -> Article | None:
        """Load an article as it was read (text and metadata before any inference)."""
        r = self.db.execute("SELECT doc_id, text, source, format, title, url, outlet, published, encoding, extra "
                            "FROM articles WHERE doc_id=?", (doc_id,)).fetchone()
        if r is None:
            return None
        return Article(r[0], r[1], r[2], r[3], title=r[4], url=r[5], outlet=r[6], published=r[7], encoding=r[8],
                       extra=json.loads(r[9]))

    def document_text(self, doc_id: str) -> str | None:
        """The text of one document (without loading its lines and sentences)."""
        r = self.db.execute("SELECT text FROM articles WHERE doc_id=?", (doc_id,)).fetchone()
        return r[0] if r else None

    def doc_ids(self) -> list[str]:
        """Return the stored doc_ids in order."""
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents ORDER BY doc_id")]

    def arabic_doc_ids(self) -> list[str]:
        """Ids of the documents the entity and event layers cover (Arabic or of unknown language), in order."""
        return [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents WHERE language IS NULL OR language='ar' ORDER BY doc_id")]

    def docs_not_current(self, layer: str, fingerprint: str) -> set[str]:
        """Documents whose `layer` was not made with `fingerprint` (or has no recorded fingerprint)."""
        return {r[0] for r in self.db.execute(
            "SELECT d.doc_id FROM documents d LEFT JOIN layer_state s ON s.doc_id = d.doc_id AND s.layer = ? "
            "WHERE s.fingerprint IS NULL OR s.fingerprint != ?", (layer, fingerprint))}

    def input_files(self, options: str) -> dict[str, tuple[int, int, list, list]]:
        """``{path: (size, mtime_ns, [(doc_id, content_hash, source)], [skip fields])}`` of the input
        files read with read options `options` (a hash), as :meth:`record_input_files` stored them."""
        return {r[0]: (r[1], r[2], json.loads(r[3]), json.loads(r[4])) for r in self.db.execute(
            "SELECT path, size, mtime_ns, articles, skips FROM input_files WHERE options=?", (options,))}

    def record_input_files(self, options: str, records: dict[str, tuple[int, int, list, list]]) -> None:
        """Remember what each input file gave when read with options `options`, so an unchanged
        file need not be read again (see :func:`rasid.pipeline.analyze`)."""
        now = time.time()
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO input_files VALUES (?,?,?,?,?,?,?)",
                           [(path, size, mtime, options, json.dumps(articles, ensure_ascii=False),
                             json.dumps(skips, ensure_ascii=False), now)
                            for path, (size, mtime, articles, skips) in records.items()])

    def layer_states(self, layer: str) -> dict[str, tuple[str, str | None, str | None]]:
        """``{doc_id: (fingerprint, result, refs)}`` recorded for `layer` (see :mod:`rasid.fingerprints`)."""
        return {r[0]: (r[1], r[2], r[3]) for r in self.db.execute(
            "SELECT doc_id, fingerprint, result, refs FROM layer_state WHERE layer=?", (layer,))}

    def get_document(self, doc_id: str) -> Document | None:
        """Load one document with its lines, segments and sentences."""
        docs = list(self.iter_documents([doc_id]))
        return docs[0] if docs else None

    def iter_documents(self, doc_ids: list[str] | None = None, *, batch: int = 500) -> Iterator[Document]:
        """Yield stored documents (all, in doc_id order, or the given ids) with their lines and segments."""
        ids = doc_ids if doc_ids is not None else self.doc_ids()
        for i in range(0, len(ids), batch):
            chunk = ids[i:i + batch]
            marks = ",".join("?" * len(chunk))
            lines: dict[str, list[Line]] = {}
            for r in self.db.execute(f'SELECT doc_id, n, start, "end", status, segment, rule, role FROM lines '
                                     f"WHERE doc_id IN ({marks}) ORDER BY doc_id, n", chunk):
                lines.setdefault(r[0], []).append(Line(r[1], r[2], r[3], r[4], r[5], r[6], r[7]))
            segs: dict[str, list[Segment]] = {}
            for r in self.db.execute(f'SELECT doc_id, idx, first_line, last_line, start, "end", title, story_id '
                                     f"FROM segments WHERE doc_id IN ({marks}) ORDER BY doc_id, idx", chunk):
                segs.setdefault(r[0], []).append(Segment(*r[1:]))
            sents: dict[str, list[Sentence]] = {}
            for r in self.db.execute(f'SELECT doc_id, start, "end", line, segment FROM sentences '
                                     f"WHERE doc_id IN ({marks}) ORDER BY doc_id, idx", chunk):
                sents.setdefault(r[0], []).append(Sentence(*r[1:]))
            rows = {r[0]: r for r in self.db.execute(
                "SELECT d.doc_id, a.content_hash, a.source, a.format, a.text, d.title, a.url, d.outlet, d.outlet_basis, "
                "d.credits, d.publication_date, d.language, d.language_score, a.encoding, d.warnings, d.duplicate_of "
                f"FROM documents d JOIN articles a USING (doc_id) WHERE d.doc_id IN ({marks})", chunk)}
            for doc_id in chunk:
                r = rows.get(doc_id)
                if r is None:
                    continue
                yield Document(doc_id=r[0], content_hash=r[1], source=r[2], fmt=r[3], text=r[4], title=r[5], url=r[6],
                               outlet=r[7], outlet_basis=r[8], credits=json.loads(r[9]), publication_date=r[10],
                               language=r[11], language_score=r[12], encoding=r[13], warnings=json.loads(r[14]),
                               duplicate_of=r[15], lines=lines.get(doc_id, []), segments=segs.get(doc_id, []),
                               sentences=sents.get(doc_id, []))

    # -- corpus passes ----------------------------------------------------------------------------

    def mark_outlet_boilerplate(self, *, min_docs: int, max_chars: int) -> int:
        """Mark kept lines that recur in at least `min_docs` distinct documents of one outlet as boilerplate.

        Documents with identical text count once (a reprinted article is not evidence of a
        template), and only lines of at most `max_chars` characters qualify. Returns how many
        lines changed status.
        """
        with self.transaction() as db:
            db.execute("DROP TABLE IF EXISTS temp.recurring")
            db.execute(
                f"""CREATE TEMP TABLE recurring AS
                SELECT d.outlet AS outlet, l.key_hash AS key_hash
                FROM lines l JOIN documents d ON d.doc_id = l.doc_id JOIN articles a ON a.doc_id = l.doc_id
                WHERE d.outlet IS NOT NULL AND l.key_hash IS NOT NULL AND l."end" - l.start <= ?
                  AND l.status IN ('{LineStatus.KEPT}', '{LineStatus.BOILERPLATE}')
                GROUP BY d.outlet, l.key_hash
                HAVING count(DISTINCT a.content_hash) >= ?""",
                (max_chars, min_docs))
            cur = db.execute(
                f"""UPDATE lines SET status='{LineStatus.BOILERPLATE}', rule='outlet-recurring'
                WHERE status='{LineStatus.KEPT}' AND key_hash IS NOT NULL AND EXISTS (
                  SELECT 1 FROM recurring r JOIN documents d ON d.outlet = r.outlet
                  WHERE d.doc_id = lines.doc_id AND r.key_hash = lines.key_hash)
                RETURNING doc_id, n""")
            changed_lines = cur.fetchall()
            db.executemany("DELETE FROM sentences WHERE doc_id=? AND line=?", changed_lines)
            changed = len(changed_lines)
            db.execute("DROP TABLE temp.recurring")
            self._refresh_cleaning_results(sorted({d for d, _n in changed_lines}))
        return changed

    def _refresh_cleaning_results(self, doc_ids: list[str]) -> None:
        """Re-hash the cleaning result of documents whose lines changed after cleaning (their entities
        and events become stale). Call inside a transaction."""
        from rasid.fingerprints import cleaning_hash

        self.db.executemany("INSERT INTO layer_state VALUES (?, 'clean', '', ?, NULL) "
                            "ON CONFLICT (doc_id, layer) DO UPDATE SET result=excluded.result",
                            [(doc.doc_id, cleaning_hash(doc)) for doc in self.iter_documents(doc_ids)])

    def iter_fingerprints(self, exclude: set[str] = frozenset()):
        """Yield the stored document fingerprints (see :mod:`rasid.dedup`)."""
        import numpy as np

        from rasid.dedup import Fingerprint

        for doc_id, exact_key, shingles, signature in self.db.execute(
                "SELECT doc_id, exact_key, shingles, signature FROM fingerprints ORDER BY doc_id"):
            if doc_id not in exclude:
                yield Fingerprint(doc_id, np.frombuffer(shingles, dtype="<u4"), np.frombuffer(signature, dtype="<u4"),
                                  exact_key)

    def duplicate_info(self) -> dict[str, tuple[str | None, str | None]]:
        """Return ``{doc_id: (publication_date, duplicate_of)}`` for every document."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT doc_id, publication_date, duplicate_of FROM documents")}

    def set_duplicates(self, duplicate_of: dict[str, str | None]) -> None:
        """Point each document at the earliest copy of its article (None for an original)."""
        with self.transaction() as db:
            db.executemany("UPDATE documents SET duplicate_of=? WHERE doc_id=?",
                           [(orig, doc_id) for doc_id, orig in duplicate_of.items()])

    def shared_passages(self, *, min_chars: int = 80) -> list[dict]:
        """Paragraphs printed in two documents that are not copies of each other (wire copy, shared quotes).

        A line matches another when their matching keys are equal; only lines of at least
        `min_chars` characters count, so datelines and stock phrases do not. Each pair is listed
        once, earlier document first, with the line numbers and spans in both.
        """
        rows = self.db.execute(
            f"""SELECT a.doc_id, a.n, a.start, a."end", b.doc_id, b.n, b.start, b."end"
            FROM lines a JOIN lines b ON a.key_hash = b.key_hash AND a.doc_id < b.doc_id
            JOIN documents da ON da.doc_id = a.doc_id JOIN documents db ON db.doc_id = b.doc_id
            WHERE a.key_hash IS NOT NULL AND a."end" - a.start >= ? AND b."end" - b.start >= ?
              AND a.status IN ('{LineStatus.KEPT}', '{LineStatus.HEADING}')
              AND b.status IN ('{LineStatus.KEPT}', '{LineStatus.HEADING}')
              AND coalesce(da.duplicate_of, da.doc_id) != coalesce(db.duplicate_of, db.doc_id)
            ORDER BY a.doc_id, a.n, b.doc_id, b.n""", (min_chars, min_chars)).fetchall()
        return [{"doc_id": r[0], "line": r[1], "span": [r[2], r[3]], "other_doc_id": r[4], "other_line": r[5],
                 "other_span": [r[6], r[7]]} for r in rows]

    def duplicate_groups(self) -> list[dict]:
        """Groups of copies: the original and the documents whose ``duplicate_of`` points at it."""
        groups: dict[str, list[str]] = {}
        for doc_id, orig in self.db.execute(
                "SELECT doc_id, duplicate_of FROM documents WHERE duplicate_of IS NOT NULL ORDER BY doc_id"):
            groups.setdefault(orig, []).append(doc_id)
        info = {r[0]: (r[1], r[2], r[3]) for r in self.db.execute(
            "SELECT d.doc_id, d.outlet, d.publication_date, d.title FROM documents d WHERE d.doc_id IN "
            "(SELECT doc_id FROM documents WHERE duplicate_of IS NOT NULL UNION "
            "SELECT duplicate_of FROM documents WHERE duplicate_of IS NOT NULL)")}
        out = []
        for orig, copies in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
            members = [orig, *copies]
            out.append({"original": orig, "copies": copies, "title": info.get(orig, (None, None, None))[2],
                        "outlets": sorted({info[m][0] for m in members if m in info and info[m][0]}),
                        "dates": sorted({info[m][1] for m in members if m in info and info[m][1]})})
        return out

    # -- stories --------------------------------------------------------------------------------

    def unassigned_segments(self) -> list[tuple[str, int]]:
        """Return the (doc_id, segment) pairs that belong to no story yet."""
        return [tuple(r) for r in self.db.execute(
            "SELECT s.doc_id, s.idx FROM segments s LEFT JOIN story_members m "
            "ON m.doc_id = s.doc_id AND m.segment = s.idx WHERE m.doc_id IS NULL ORDER BY s.doc_id, s.idx")]

    def iter_story_members(self):
        """Yield ``(story_id, doc_id, segment, score, date, outlet, title, headline, terms, embedding)`` of members."""
        import numpy as np

        for r in self.db.execute("SELECT story_id, doc_id, segment, score, date, outlet, title, headline, terms, "
                                 "embedding FROM story_members ORDER BY date, doc_id, segment"):
            yield (*r[:7], bool(r[7]), json.loads(r[8]), np.frombuffer(r[9], dtype="<f4"))

    def write_story_members(self, rows: list[tuple]) -> None:
        """Store assignments ``(story_id, doc_id, segment, score, date, outlet, title, headline, terms,
        embedding)`` and set the segments' story ids, in one transaction."""
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO story_members VALUES (?,?,?,?,?,?,?,?,?,?)",
                           [(r[1], r[2], r[0], r[3], r[4], r[5], r[6], int(r[7]), json.dumps(r[8], ensure_ascii=False),
                             r[9].astype("<f4").tobytes()) for r in rows])
            db.executemany("UPDATE segments SET story_id=? WHERE doc_id=? AND idx=?", [(r[0], r[1], r[2]) for r in rows])

    def write_stories(self, stories: list[dict]) -> None:
        """Replace the summary rows of the given stories (and drop stories left without members)."""
        now = time.time()
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO stories VALUES (?,?,?,?,?,?,?)",
                           [(s["story_id"], s["title_ar"], s["start_date"], s["end_date"], s["size"],
                             json.dumps(s["sources"], ensure_ascii=False), now) for s in stories])
            db.execute("DELETE FROM stories WHERE story_id NOT IN (SELECT story_id FROM story_members)")

    def iter_stories(self):
        """Yield stories newest first, each with its members ``[{"doc_id", "segment"}]``."""
        members: dict[str, list[dict]] = {}
        for sid, doc_id, seg in self.db.execute(
                "SELECT story_id, doc_id, segment FROM story_members ORDER BY date, doc_id, segment"):
            members.setdefault(sid, []).append({"doc_id": doc_id, "segment": seg})
        for r in self.db.execute("SELECT story_id, title_ar, start_date, end_date, size, sources FROM stories "
                                 "ORDER BY coalesce(end_date, '') DESC, size DESC, story_id"):
            yield {"story_id": r[0], "title_ar": r[1], "title_en": None, "start_date": r[2], "end_date": r[3],
                   "size": r[4], "sources": json.loads(r[5]), "members": members.get(r[0], [])}

    def get_story(self, story_id: str) -> dict | None:
        """One story with its members (without reading every story)."""
        r = self.db.execute("SELECT story_id, title_ar, start_date, end_date, size, sources FROM stories "
                            "WHERE story_id=?", (story_id,)).fetchone()
        if r is None:
            return None
        members = [{"doc_id": d, "segment": seg} for d, seg in self.db.execute(
            "SELECT doc_id, segment FROM story_members WHERE story_id=? ORDER BY date, doc_id, segment", (story_id,))]
        return {"story_id": r[0], "title_ar": r[1], "title_en": None, "start_date": r[2], "end_date": r[3],
                "size": r[4], "sources": json.loads(r[5]), "members": members}

    def list_stories(self, *, limit: int = 50, offset: int = 0, min_size: int = 1) -> tuple[int, list[dict]]:
        """A page of stories, newest first, with their English title and event count; and the total."""
        total = self.db.execute("SELECT count(*) FROM stories WHERE size >= ?", (min_size,)).fetchone()[0]
        rows = self.db.execute(
            "SELECT s.story_id, s.title_ar, v.title_en, s.start_date, s.end_date, s.size, s.sources, "
            "(SELECT count(*) FROM events e WHERE e.story_id = s.story_id) FROM stories s "
            "LEFT JOIN story_views v USING (story_id) WHERE s.size >= ? "
            "ORDER BY coalesce(s.end_date, '') DESC, s.size DESC, s.story_id LIMIT ? OFFSET ?",
            (min_size, limit, offset))
        return total, [{"story_id": r[0], "title_ar": r[1], "title_en": r[2], "start_date": r[3], "end_date": r[4],
                        "size": r[5], "sources": json.loads(r[6]), "events": r[7]} for r in rows]

    def line_stories(self) -> dict[tuple[str, int], str | None]:
        """The story of every stored line, by ``(doc_id, line number)``, from its segment."""
        rows = self.db.execute("SELECT l.doc_id, l.n, s.story_id FROM lines l LEFT JOIN segments s "
                               "ON s.doc_id = l.doc_id AND s.idx = l.segment")
        return {(d, n): story for d, n, story in rows}

    def docs_missing_layer(self, layer: str) -> list[str]:
        """Ids of Arabic documents that have no annotation run of `layer` yet, in id order."""
        rows = self.db.execute(
            "SELECT d.doc_id FROM documents d WHERE (d.language IS NULL OR d.language='ar') AND NOT EXISTS "
            "(SELECT 1 FROM annotations a WHERE a.doc_id=d.doc_id AND a.layer=?) ORDER BY d.doc_id", (layer + ":done",))
        return [r[0] for r in rows]

    def write_annotations(self, layer: str, rows_by_doc: dict[str, list[dict]], *,
                          states: dict[str, tuple[str, list[str] | None]] | None = None) -> None:
        """Replace the `layer` annotations of these documents in one transaction.

        Rows need a ``span``; their ``type`` (or ``event_type``) is stored as the label.

        A marker row (layer ``<layer>:done``) records that a document was processed even when it
        yields nothing. `states` gives each document's ``(fingerprint, refs)`` for ``layer_state``
        (see :mod:`rasid.fingerprints`): a later run redoes the document when its fingerprint differs.
        """
        with self.transaction() as db:
            for doc_id, (fingerprint, refs) in (states or {}).items():
                db.execute("INSERT OR REPLACE INTO layer_state VALUES (?,?,?,NULL,?)",
                           (doc_id, layer, fingerprint, None if refs is None else json.dumps(refs, ensure_ascii=False)))
            for doc_id, rows in rows_by_doc.items():
                db.execute("DELETE FROM annotations WHERE doc_id=? AND layer IN (?, ?)", (doc_id, layer, layer + ":done"))
                db.executemany("INSERT INTO annotations VALUES (?,?,?,?,?,?)",
                               [(doc_id, layer, r["span"][0], r["span"][1], r.get("type") or r.get("event_type", ""),
                                 json.dumps(r, ensure_ascii=False)) for r in rows])
                db.execute("INSERT INTO annotations VALUES (?,?,0,0,'',NULL)", (doc_id, layer + ":done"))

    def annotations(self, layer: str, doc_id: str | None = None) -> Iterator[dict]:
        """Stored annotation rows of `layer` (of one document, or all), in document and span order."""
        sql = "SELECT data FROM annotations WHERE layer=?" + (" AND doc_id=?" if doc_id else "")
        sql += " ORDER BY doc_id, start, \"end\""
        for (data,) in self.db.execute(sql, (layer, doc_id) if doc_id else (layer,)):
            yield json.loads(data)

    # -- views for readers (report, REST API, dashboard) -------------------------------------------

    def story_view_bases(self) -> dict[str, str]:
        """``{story_id: basis}`` of the stored story views (the basis says what a view was computed from)."""
        return dict(self.db.execute("SELECT story_id, basis FROM story_views"))

    def write_story_views(self, views: list[tuple[str, str, str | None, dict]]) -> None:
        """Store ``(story_id, basis, title_en, view)`` rows and drop views of stories that no longer exist."""
        now = time.time()
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO story_views VALUES (?,?,?,?,?)",
                           [(sid, basis, title, json.dumps(view, ensure_ascii=False), now)
                            for sid, basis, title, view in views])
            db.execute("DELETE FROM story_views WHERE story_id NOT IN (SELECT story_id FROM stories)")

    def story_view(self, story_id: str) -> dict | None:
        """The stored comparison and brief of one story."""
        r = self.db.execute("SELECT data FROM story_views WHERE story_id=?", (story_id,)).fetchone()
        return json.loads(r[0]) if r else None

    def replace_events(self, events: list[dict]) -> None:
        """Replace the queryable events table with these linked events (one transaction)."""
        with self.transaction() as db:
            db.execute("DELETE FROM events")
            db.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [_event_row(e) for e in events])

    def get_event(self, event_id: str) -> dict | None:
        """One event of the queryable table (as readers see it, reviews applied)."""
        r = self.db.execute("SELECT data FROM events WHERE event_id=?", (event_id,)).fetchone()
        return json.loads(r[0]) if r else None

    def put_event(self, event: dict) -> None:
        """Write one event of the queryable table as it now reads (after a review)."""
        self.db.execute("INSERT OR REPLACE INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", _event_row(event))

    def query_events(self, *, event_type: str | None = None, sub_event_type: str | None = None,
                     actor: str | None = None, place: str | None = None, outlet: str | None = None,
                     country: str | None = None, story_id: str | None = None, doc_id: str | None = None,
                     date_from: str | None = None, date_to: str | None = None, distinct: bool = False,
                     limit: int | None = 100, offset: int = 0, sort: str = "newest") -> tuple[int, list[dict]]:
        """Events matching every given filter, newest first, and how many match in all.

        `actor` matches either role by canonical id or side; `place` the English or Arabic place
        name; dates are ISO days, inclusive. With `distinct`, linked reports of one event count once.
        `sort` is one of :data:`EVENT_SORTS` (newest, oldest, deadliest).
        """
        where, args = _event_filters(event_type=event_type, sub_event_type=sub_event_type, actor=actor, place=place,
                                     outlet=outlet, country=country, story_id=story_id, doc_id=doc_id,
                                     date_from=date_from, date_to=date_to, distinct=distinct)
        sql = " WHERE " + " AND ".join(where) if where else ""
        total = self.db.execute("SELECT count(*) FROM events" + sql, args).fetchone()[0]
        page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        order = EVENT_SORTS.get(sort, EVENT_SORTS["newest"])
        rows = self.db.execute("SELECT data FROM events" + sql + f" ORDER BY {order}" + page, args)
        return total, [json.loads(r[0]) for r in rows]

    def event_outlets(self, event_ids: Iterable[str]) -> dict[str, tuple[str | None, str]]:
        """``{event_id: (outlet, doc_id)}`` of these events (the other reports of a linked event)."""
        ids = list(dict.fromkeys(event_ids))
        out = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out.update({r[0]: (r[1], r[2]) for r in self.db.execute(
                f"SELECT event_id, outlet, doc_id FROM events WHERE event_id IN ({', '.join('?' * len(chunk))})", chunk)})
        return out

    def event_places(self, **filters) -> list[dict]:
        """Matching events counted by place (linked reports once): for a map of a whole selection."""
        where, args = _event_filters(**filters, distinct=True)
        sql = " WHERE location IS NOT NULL AND json_extract(data, '$.modality') IS NOT 'denied'" \
            " AND json_extract(data, '$.reviewed.action') IS NOT 'reject'" \
            + (" AND " + " AND ".join(where) if where else "")
        rows = self.db.execute(
            "SELECT location, location_ar, json_extract(data, '$.location.lat'), json_extract(data, '$.location.lon'), "
            "country, count(*), group_concat(DISTINCT event_type), min(event_date), max(event_date) FROM events"
            + sql + " GROUP BY location, location_ar ORDER BY count(*) DESC LIMIT 2000", args)
        return [{"location": r[0], "location_ar": r[1], "lat": r[2], "lon": r[3], "country": r[4], "reports": r[5],
                 "event_type": r[6].split(",")[0] if r[6] else None, "types": r[6].split(",") if r[6] else [],
                 "date": r[7] if r[7] == r[8] else f"{r[7]} – {r[8]}",
                 "notes_en": f"{r[5]} events: " + ", ".join(r[6].split(",") if r[6] else [])} for r in rows]

    def event_facet_counts(self, **filters) -> dict[str, list[tuple[str, int]]]:
        """The values the events can be filtered by, each with how many events (linked reports once)
        have it, most frequent first: for pick lists that say what a choice will give. Each list is
        counted within the other filters (a chosen type does not narrow the list of types)."""
        out = {}
        for name in ("event_type", "sub_event_type", "outlet", "country"):
            where, args = _event_filters(**{k: v for k, v in filters.items() if k != name}, distinct=True)
            sql = " AND ".join([f"{name} IS NOT NULL", *where])
            out[name] = [(r[0], r[1]) for r in self.db.execute(
                f"SELECT {name}, count(*) FROM events WHERE {sql} GROUP BY {name} ORDER BY count(*) DESC, 1 LIMIT 100",
                args)]
        return out

    def event_facets(self) -> dict[str, list]:
        """The values the events can be filtered by, most frequent first (for filter menus)."""
        out = {}
        for name, column in (("event_type", "event_type"), ("outlet", "outlet"), ("country", "country")):
            out[name] = [r[0] for r in self.db.execute(
                f"SELECT {column} FROM events WHERE {column} IS NOT NULL GROUP BY {column} ORDER BY count(*) DESC "
                "LIMIT 50")]
        return out

    def search(self, match: str | None = None, *, like: Iterable[str] = (), like_terms: int = 24,
               like_cap: int = 200, limit: int = 20, offset: int = 0, date_from: str | None = None, date_to: str | None = None,
               outlet: str | None = None, sort: str = "relevance") -> dict:
        """Full-text search over the index of :meth:`index_search`: an FTS5 expression over search keys
        (see :mod:`rasid.search_query`), best first by bm25 (title words weigh more); or `like`, the
        key words of a long text ("find similar"): the documents holding any of its `like_terms`
        rarest words that the index holds, those holding most of them first (then the rarer ones);
        each word is counted up to `like_cap` documents (the true counts of common words are read
        only when too few words are rarer).

        `date_from` and `date_to` bound the publication date (either may be a year or a month:
        ``date_to="2020-06"`` takes in all of June); `outlet` is one outlet (any case); `sort` is
        ``relevance`` or ``newest``. Returns ``{"total", "hits", "terms"}``: the number of matching
        documents, the page of hits (doc_id, title, outlet, publication_date, duplicate_of, score;
        with `like`, ``shared_terms`` too) and the words a `like` search kept.
        """
        import math

        where, args = [], []
        if date_from:
            where.append("d.publication_date >= ?")
            args.append(date_from)
        if date_to:  # "2020-06" and "2020-06-30" both end after every date they begin
            where.append("d.publication_date < ?")
            args.append(date_to + "~")
        if outlet:
            where.append("d.outlet = ? COLLATE NOCASE")
            args.append(outlet)
        columns = "i.doc_id, d.title, d.outlet, d.publication_date, d.duplicate_of"
        try:
            if like:
                # the rarest words, counted in the index up to `cap` documents each (a common word's
                # whole list is never read); then every document holding one, scored by how many it
                # holds and how rare they are
                cap = like_cap
                wanted = list(dict.fromkeys(w.replace('"', "") for w in like if len(w.replace('"', "")) >= 2))
                counts: dict[str, int] = dict(self.db.execute(
                    "SELECT value, (SELECT count(*) FROM (SELECT 1 FROM search WHERE search MATCH '\"' || value || '\"' "
                    "LIMIT ?)) FROM json_each(?)", (cap, json.dumps(wanted, ensure_ascii=False))))
                common = [w for w in wanted if counts[w] >= cap]
                if common and sum(0 < n < cap for n in counts.values()) < like_terms:
                    # a text of common words: their true counts from fts5vocab (a temp table works on a
                    # read-only connection too)
                    self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search, row)")
                    counts.update(self.db.execute("SELECT term, doc FROM temp.search_vocab WHERE term IN "
                                                  "(SELECT value FROM json_each(?))", (json.dumps(common),)))
                terms = sorted((w for w in wanted if counts.get(w)), key=lambda w: (counts[w], w))[:like_terms]
                n_docs = self.db.execute("SELECT count(*) FROM search_index").fetchone()[0]
                shared: dict[int, int] = {}
                score: dict[int, float] = {}
                for t in terms:  # each a rare word: a short list of rows
                    idf = math.log(1 + (n_docs - counts[t] + 0.5) / (counts[t] + 0.5))
                    for (rowid,) in self.db.execute("SELECT rowid FROM search WHERE search MATCH ?", ('"' + t + '"',)):
                        shared[rowid] = shared.get(rowid, 0) + 1
                        score[rowid] = score.get(rowid, 0.0) + idf
                rows = self.db.execute(
                    f"SELECT i.fts_rowid, {columns} FROM search_index i JOIN documents d ON d.doc_id = i.doc_id "
                    "WHERE i.fts_rowid IN (SELECT value FROM json_each(?))" + "".join(" AND " + w for w in where),
                    [json.dumps(list(shared)), *args]).fetchall()
                rows.sort(key=lambda r: (-shared[r[0]], -score[r[0]], r[1]))
                if sort == "newest":  # (a stable sort: the same day's best first)
                    rows.sort(key=lambda r: r[4] or "", reverse=True)
                return {"total": len(rows), "terms": terms,
                        "hits": [{"doc_id": r[1], "title": r[2], "outlet": r[3], "publication_date": r[4],
                                  "duplicate_of": r[5], "score": round(score[r[0]], 3), "shared_terms": shared[r[0]]}
                                 for r in rows[offset:offset + limit]]}
            if not match:
                return {"total": 0, "hits": [], "terms": []}
            # the index is read first (CROSS JOIN keeps that order), then each hit's document
            sql = (" FROM search CROSS JOIN search_index i ON i.fts_rowid = search.rowid "
                   "CROSS JOIN documents d ON d.doc_id = i.doc_id WHERE " + " AND ".join(["search MATCH ?", *where]))
            order = "bm25(search, 3.0, 1.0)"
            if sort == "newest":
                order = "d.publication_date IS NULL, d.publication_date DESC, " + order
            total = self.db.execute("SELECT count(*)" + sql, [match, *args]).fetchone()[0]
            rows = self.db.execute(f"SELECT {columns}, bm25(search, 3.0, 1.0)" + sql
                                   + f" ORDER BY {order} LIMIT ? OFFSET ?", [match, *args, limit, offset]).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search failed: {exc}") from exc
        return {"total": total, "terms": [],
                "hits": [{"doc_id": r[0], "title": r[1], "outlet": r[2], "publication_date": r[3],
                          "duplicate_of": r[4], "score": round(-r[5], 3)} for r in rows]}

    def docs_missing_search(self) -> list[str]:
        """Documents not yet in the full-text index, indexed from another cleaning result (lines
        marked outlet boilerplate since, or cleaned again), or by an older index: the fingerprint of
        a document's entry is the index version ("k2": a bare ك is not stripped as a proclitic, see
        :func:`rasid.views.word_search_key`) and its cleaning result."""
        return [r[0] for r in self.db.execute(
            "SELECT d.doc_id FROM documents d LEFT JOIN layer_state c ON c.doc_id = d.doc_id AND c.layer = 'clean' "
            "LEFT JOIN layer_state s ON s.doc_id = d.doc_id AND s.layer = 'search' "
            "WHERE s.doc_id IS NULL OR s.fingerprint != 'k2:' || coalesce(c.result, '') ORDER BY d.doc_id")]

    def index_search(self, rows: list[tuple[str, str, str]]) -> None:
        """Add ``(doc_id, title key, body key)`` rows to the full-text index, replacing older ones, and
        record the index version and the cleaning result each was indexed from (see :meth:`docs_missing_search`)."""
        with self.transaction() as db:
            db.execute("DELETE FROM search WHERE rowid NOT IN (SELECT fts_rowid FROM search_index)")
            for doc_id, title, body in rows:
                db.execute("DELETE FROM search WHERE rowid IN (SELECT fts_rowid FROM search_index WHERE doc_id=?)",
                           (doc_id,))
                cur = db.execute("INSERT INTO search (title, body) VALUES (?, ?)", (title, body))
                db.execute("INSERT OR REPLACE INTO search_index VALUES (?, ?)", (doc_id, cur.lastrowid))
                db.execute("INSERT OR REPLACE INTO layer_state SELECT ?, 'search', 'k2:' || coalesce("
                           "(SELECT result FROM layer_state WHERE doc_id=? AND layer='clean'), ''), NULL, NULL",
                           (doc_id, doc_id))

    def skip_counts(self, run_id: int) -> dict[str, int]:
        """Count a run's skipped inputs by reason."""
        return dict(self.db.execute("SELECT reason, count(*) FROM skips WHERE run_id=? GROUP BY reason", (run_id,)))


EVENT_SORTS = {  # how an event list may be ordered (undated events last)
    "newest": "event_date IS NULL, event_date DESC, event_id",
    "oldest": "event_date IS NULL, event_date, event_id",
    "deadliest": "coalesce(fatalities, -1) DESC, event_date DESC, event_id",
}


def _key_hash(key: str) -> str | None:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest() if key else None


def _event_row(e: dict) -> tuple:
    a1, a2, loc = e.get("actor1") or {}, e.get("actor2") or {}, e.get("location") or {}
    ids = [e["event_id"], *e.get("same_as", [])]
    return (e["event_id"], e["doc_id"], e.get("story_id"), e["event_type"], e.get("sub_event_type"),
            a1.get("id"), a2.get("id"), a1.get("side"), a2.get("side"), loc.get("name_en"), loc.get("name_ar"),
            loc.get("country"), e.get("event_date"), e.get("outlet"), e.get("fatalities"), min(ids),
            json.dumps(e, ensure_ascii=False))


def _event_filters(*, event_type=None, sub_event_type=None, actor=None, place=None, outlet=None, country=None,
                   story_id=None, doc_id=None, date_from=None, date_to=None, distinct=False) -> tuple[list[str], list]:
    """SQL conditions and arguments for the events table (see :meth:`Store.query_events`)."""
    where, args = [], []
    for column, value in (("event_type", event_type), ("sub_event_type", sub_event_type), ("outlet", outlet),
                          ("country", country)):
        if value:  # (names and codes as a person types them: "battles", "ly")
            where.append(f"{column} = ? COLLATE NOCASE")
            args.append(value)
    for column, value in (("story_id", story_id), ("doc_id", doc_id)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if actor:  # one id or side, or several (a name the actor dictionary resolved)
        ids = [actor] if isinstance(actor, str) else list(actor) or [""]
        marks = ", ".join("?" * len(ids))
        where.append(f"(actor1 COLLATE NOCASE IN ({marks}) OR actor2 COLLATE NOCASE IN ({marks}) "
                     f"OR side1 COLLATE NOCASE IN ({marks}) OR side2 COLLATE NOCASE IN ({marks}))")
        args += ids * 4
    if place:
        where.append("(location = ? COLLATE NOCASE OR location_ar = ?)")
        args += [place, place]
    if date_from:
        where.append("event_date >= ?")
        args.append(date_from)
    if date_to:
        where.append("event_date < ?")  # "2020-06" takes in the whole of June ("2020-06-10" < "2020-06~")
        args.append(date_to + "~")
    if distinct:
        where.append("lead = event_id")
    return where, args

"""The embedded SQLite store (the default).

Ids are the documents' own stable ids. Every document is written with its lines, segments and
sentences inside one transaction (documents are committed in batches), so an interrupted run
leaves whole documents or nothing; the next run finds what is stored by content hash and goes
on with the rest. Re-running on unchanged input writes nothing.

Each stored layer of a document (clean, entity, event) records the fingerprint of what made it in
``layer_state`` (see :mod:`rasid.fingerprints`), so a run can tell which documents a changed data
file or cleaning result has made stale. Schema 1 stores are upgraded in place: their documents get
the hash of their stored cleaning result but no fingerprints, so every layer counts as stale.

The queries SQLite and PostgreSQL read alike are in :class:`rasid.store.sql.SQLStore`; this module
holds the connection, the schema and its upgrades, and the FTS5 full-text index.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from rasid.errors import StoreError
from rasid.store.sql import EVENT_SORTS, SQLStore

log = logging.getLogger(__name__)

__all__ = ["Store", "SCHEMA_VERSION", "EVENT_SORTS"]

SCHEMA_VERSION = 5  # 2: layer_state (fingerprints of stored layers); 3: users and reviews (the review loop);
# 4: passwords, browser sessions, failed logins, story corrections (merge, split); 5: story members' entity signals

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL NOT NULL, finished REAL,
  status TEXT NOT NULL, inputs TEXT NOT NULL, counts TEXT);
CREATE TABLE IF NOT EXISTS articles (
  doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, source TEXT NOT NULL, format TEXT NOT NULL,
  text TEXT NOT NULL, title TEXT, url TEXT, outlet TEXT, published TEXT, encoding TEXT, extra TEXT NOT NULL,
  run_id INTEGER, read_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS articles_read_at ON articles(read_at);
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
CREATE TABLE IF NOT EXISTS story_dates (
  doc_id TEXT NOT NULL REFERENCES articles(doc_id) ON DELETE CASCADE, segment INTEGER NOT NULL,
  date TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, phrase TEXT NOT NULL, basis TEXT NOT NULL,
  PRIMARY KEY (doc_id, segment)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS story_links (
  story_id TEXT NOT NULL, linked_id TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY (story_id, linked_id)) WITHOUT ROWID;
"""


class Store(SQLStore):
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
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(story_members)")}
            if "signals" not in columns:  # schema 4 -> 5: what the entity and event layers found, per member
                self.db.execute("ALTER TABLE story_members ADD COLUMN signals TEXT")
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

    @contextmanager
    def transaction(self):
        """Run a block of writes atomically: all of it is stored, or none of it. A block inside
        another is part of the outer one."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # -- dialect ------------------------------------------------------------------------------------

    _errors = (sqlite3.Error,)

    def _nocase(self, expr: str) -> str:
        return f"{expr} COLLATE NOCASE"

    def _json(self, column: str, path: str) -> str:
        return f"json_extract({column}, '$.{path}')"

    def _json_number(self, column: str, path: str) -> str:
        return self._json(column, path)

    def _agg(self, column: str) -> str:
        return f"group_concat({column})"

    def change_stamp(self) -> tuple | None:
        """The store file's identity and change stamps (the database and its write-ahead log), or None
        for a store without a file."""
        if not self.path or self.path == ":memory:" or not os.path.exists(self.path):
            return None
        stamps: list = [self.path]
        for p in (self.path, self.path + "-wal"):
            try:
                st = os.stat(p)
                stamps += [st.st_mtime_ns, st.st_size]
            except OSError:
                stamps += [None, None]
        return tuple(stamps)

    def count_never_indexed(self) -> int:
        """How many documents were never put in the full-text index (see :meth:`docs_missing_search`)."""
        return int(self.db.execute("SELECT count(*) FROM documents d LEFT JOIN search_index s USING (doc_id) "
                                   "WHERE s.doc_id IS NULL").fetchone()[0])

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

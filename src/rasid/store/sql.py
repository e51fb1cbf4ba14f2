"""The SQL both stores share: what a stage or the web app asks of a store, written once.

:class:`SQLStore` holds every query that SQLite and PostgreSQL read alike; a backend gives the
connection (``self.db``: ``execute``/``executemany`` with ``?`` placeholders), the schema, the
transactions, the full-text index and the few dialect differences (:meth:`SQLStore._nocase`,
:meth:`SQLStore._json`, :meth:`SQLStore._agg`). Nothing outside :mod:`rasid.store` writes SQL.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator

from rasid.document import Article, Document, Line, LineStatus, Segment, Sentence, Skipped
from rasid.errors import StoreError

__all__ = ["SQLStore", "EVENT_SORTS"]


class SQLStore:
    """The queries shared by :class:`rasid.store.Store` (SQLite) and :class:`rasid.store.postgres.PostgresStore`."""

    db = None  # the backend's connection
    _errors: tuple[type[Exception], ...] = ()  # the backend's errors
    _ROWID = "rowid"  # the login_failures column that tells one attempt from another
    path: str = ""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    # -- dialect ----------------------------------------------------------------------------------

    def _nocase(self, expr: str) -> str:
        """`expr` compared without regard to (ASCII) case."""
        raise NotImplementedError

    def _json(self, column: str, path: str) -> str:
        """The text at `path` (``a.b``) of a JSON text column (JSON text for an object or list)."""
        raise NotImplementedError

    def _json_number(self, column: str, path: str) -> str:
        """The number at `path` of a JSON text column."""
        raise NotImplementedError

    def _agg(self, column: str) -> str:
        """The values of `column` in a group, joined by commas."""
        raise NotImplementedError

    def _not_rejected(self) -> str:
        """The condition on the events table: an event no coder rejected."""
        return f"coalesce({self._json('data', 'reviewed.action')}, '') != 'reject'"

    def _counted(self) -> str:
        """The condition on the events table: an event that counts (not denied, not rejected)."""
        return f"coalesce({self._json('data', 'modality')}, '') != 'denied' AND {self._not_rejected()}"

    # -- runs -----------------------------------------------------------------------------------

    def begin_run(self, inputs: list[str]) -> int:
        """Record the start of a run and return its id."""
        with self.transaction():
            row = self.db.execute("INSERT INTO runs (started, status, inputs) VALUES (?, 'running', ?) RETURNING run_id",
                                  (time.time(), json.dumps(inputs, ensure_ascii=False))).fetchall()[0]
        return int(row[0])

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
        docs = list({doc.doc_id: doc for doc in docs}.values())  # (an id given twice: its last version)
        keys = line_keys or {}
        prints = {d: fp for d, fp in (fingerprints or {}).items() if fp is not None}
        articles, documents, lines, segments, fps, sentences, states = [], [], [], [], [], [], []
        for doc in docs:  # one statement per table for the whole batch (a round trip each on a server)
            art = doc.article
            articles.append((doc.doc_id, doc.content_hash, doc.source, doc.fmt, doc.text,
                             art.title if art else doc.title, art.url if art else doc.url,
                             art.outlet if art else None, art.published if art else doc.publication_date,
                             doc.encoding, json.dumps(art.extra if art else {}, ensure_ascii=False, default=str),
                             run_id, now))
            documents.append((doc.doc_id, doc.title, doc.outlet, doc.outlet_basis,
                              json.dumps(doc.credits, ensure_ascii=False), doc.publication_date, doc.language,
                              doc.language_score, json.dumps(doc.warnings, ensure_ascii=False), doc.duplicate_of, now))
            doc_keys = keys.get(doc.doc_id)
            lines += [(doc.doc_id, ln.n, ln.start, ln.end, ln.status, ln.segment, ln.rule, ln.role,
                       _key_hash(doc_keys[i]) if doc_keys else None) for i, ln in enumerate(doc.lines)]
            segments += [(doc.doc_id, s.index, s.first_line, s.last_line, s.start, s.end, s.title, s.story_id)
                         for s in doc.segments]
            fp = prints.get(doc.doc_id)
            if fp is not None:
                fps.append((doc.doc_id, fp.exact_key, fp.shingles.astype("<u4").tobytes(),
                            fp.signature.astype("<u4").tobytes()))
            sentences += [(doc.doc_id, i, s.start, s.end, s.line, s.segment) for i, s in enumerate(doc.sentences)]
            states.append((doc.doc_id, clean_fingerprint, cleaning_hash(doc)))
        with self.transaction() as db:
            # earlier versions go first: deleting an article cascades to all its derived rows
            db.executemany("DELETE FROM articles WHERE doc_id=?", [(doc.doc_id,) for doc in docs])
            db.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", articles)
            db.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?)", documents)
            db.executemany("INSERT INTO lines VALUES (?,?,?,?,?,?,?,?,?)", lines)
            db.executemany("INSERT INTO segments VALUES (?,?,?,?,?,?,?,?)", segments)
            db.executemany("INSERT INTO fingerprints VALUES (?,?,?,?)", fps)
            db.executemany("INSERT INTO sentences VALUES (?,?,?,?,?,?)", sentences)
            db.executemany("INSERT INTO layer_state VALUES (?, 'clean', ?, ?, NULL)", states)

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
            db.executemany(_upsert("input_files", _INPUT_FILE_COLUMNS, ("path",)),
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
            db.execute("DROP TABLE IF EXISTS recurring")  # (a temporary table: there is no other)
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
            db.execute("DROP TABLE recurring")
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
        """Yield ``(story_id, doc_id, segment, score, date, outlet, title, headline, terms, embedding, signals)``
        of members (`signals`: the dict the entity and event layers gave, or None)."""
        import numpy as np

        for r in self.db.execute("SELECT story_id, doc_id, segment, score, date, outlet, title, headline, terms, "
                                 "embedding, signals FROM story_members ORDER BY date NULLS FIRST, doc_id, segment"):
            yield (*r[:7], bool(r[7]), json.loads(r[8]), np.frombuffer(r[9], dtype="<f4"),
                   json.loads(r[10]) if r[10] else None)

    def write_story_members(self, rows: list[tuple]) -> None:
        """Store assignments ``(story_id, doc_id, segment, score, date, outlet, title, headline, terms,
        embedding, signals)`` and set the segments' story ids, in one transaction (`signals`: a dict or None)."""
        with self.transaction() as db:
            db.executemany(_upsert("story_members", _STORY_MEMBER_COLUMNS, ("doc_id", "segment")),
                           [(r[1], r[2], r[0], r[3], r[4], r[5], r[6], int(r[7]), json.dumps(r[8], ensure_ascii=False),
                             r[9].astype("<f4").tobytes(),
                             json.dumps(r[10], ensure_ascii=False) if r[10] else None) for r in rows])
            db.executemany("UPDATE segments SET story_id=? WHERE doc_id=? AND idx=?", [(r[0], r[1], r[2]) for r in rows])

    def members_needing_signals(self) -> list[str]:
        """The documents with story members whose entity signals are not stored (assigned before the
        entity and event layers ran, or those layers were redone since) while those layers have rows."""
        marks = ", ".join("?" for _ in STORY_SIGNAL_LAYERS)
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT m.doc_id FROM story_members m WHERE m.signals IS NULL AND EXISTS "
            f"(SELECT 1 FROM annotations a WHERE a.doc_id = m.doc_id AND a.layer IN ({marks})) ORDER BY m.doc_id",
            STORY_SIGNAL_LAYERS)]

    def set_member_signals(self, rows: list[tuple[dict | None, str, int]]) -> None:
        """Store members' entity signals ``(signals, doc_id, segment)`` in one transaction."""
        with self.transaction() as db:
            db.executemany("UPDATE story_members SET signals=? WHERE doc_id=? AND segment=?",
                           [(json.dumps(sig, ensure_ascii=False) if sig else None, d, seg) for sig, d, seg in rows])

    def write_stories(self, stories: list[dict]) -> None:
        """Replace the summary rows of the given stories (and drop stories left without members)."""
        now = time.time()
        with self.transaction() as db:
            db.executemany(_upsert("stories", _STORY_COLUMNS, ("story_id",)),
                           [(s["story_id"], s["title_ar"], s["start_date"], s["end_date"], s["size"],
                             json.dumps(s["sources"], ensure_ascii=False), now) for s in stories])
            db.execute("DELETE FROM stories WHERE story_id NOT IN (SELECT story_id FROM story_members)")
            db.execute(_DROP_STALE_LINKS)

    def iter_stories(self):
        """Yield stories newest first, each with its members ``[{"doc_id", "segment"}]``."""
        members: dict[str, list[dict]] = {}
        for sid, doc_id, seg in self.db.execute(
                "SELECT story_id, doc_id, segment FROM story_members ORDER BY date NULLS FIRST, doc_id, segment"):
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
            "SELECT doc_id, segment FROM story_members WHERE story_id=? ORDER BY date NULLS FIRST, doc_id, segment", (story_id,))]
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
                db.execute(_upsert("layer_state", _LAYER_STATE_COLUMNS, ("doc_id", "layer")),
                           (doc_id, layer, fingerprint, None, None if refs is None else json.dumps(refs, ensure_ascii=False)))
            for doc_id, rows in rows_by_doc.items():
                db.execute("DELETE FROM annotations WHERE doc_id=? AND layer IN (?, ?)", (doc_id, layer, layer + ":done"))
                db.executemany("INSERT INTO annotations VALUES (?,?,?,?,?,?)",
                               [(doc_id, layer, r["span"][0], r["span"][1], r.get("type") or r.get("event_type", ""),
                                 json.dumps(r, ensure_ascii=False)) for r in rows])
                db.execute("INSERT INTO annotations VALUES (?,?,0,0,'',NULL)", (doc_id, layer + ":done"))
                if layer in STORY_SIGNAL_LAYERS:  # what its story members carry is read again (stories pass)
                    db.execute("UPDATE story_members SET signals=NULL WHERE doc_id=?", (doc_id,))

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
            db.executemany(_upsert("story_views", _STORY_VIEW_COLUMNS, ("story_id",)),
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
        self.db.execute(_upsert("events", _EVENT_COLUMNS, ("event_id",)), _event_row(event))

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
                                     date_from=date_from, date_to=date_to, distinct=distinct, nocase=self._nocase)
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
        where, args = _event_filters(**filters, distinct=True, nocase=self._nocase)
        sql = " WHERE location IS NOT NULL AND " + self._counted() \
            + (" AND " + " AND ".join(where) if where else "")
        rows = self.db.execute(
            f"SELECT location, location_ar, min({self._json_number('data', 'location.lat')}), "
            f"min({self._json_number('data', 'location.lon')}), min(country), count(*), "
            f"{self._agg('event_type')}, min(event_date), max(event_date) FROM events"
            + sql + " GROUP BY location, location_ar ORDER BY count(*) DESC, location, location_ar LIMIT 2000", args)
        out = []
        for r in rows:  # a place's types, the most frequent first
            counted = Counter(r[6].split(",") if r[6] else [])
            types = sorted(counted, key=lambda t: (-counted[t], t))
            out.append({"location": r[0], "location_ar": r[1], "lat": r[2], "lon": r[3], "country": r[4],
                        "reports": r[5], "event_type": types[0] if types else None, "types": types,
                        "date": r[7] if r[7] == r[8] else f"{r[7]} – {r[8]}",
                        "notes_en": f"{r[5]} events: " + ", ".join(types)})
        return out

    def event_facet_counts(self, **filters) -> dict[str, list[tuple[str, int]]]:
        """The values the events can be filtered by, each with how many events (linked reports once)
        have it, most frequent first: for pick lists that say what a choice will give. Each list is
        counted within the other filters (a chosen type does not narrow the list of types)."""
        out = {}
        for name in ("event_type", "sub_event_type", "outlet", "country"):
            where, args = _event_filters(**{k: v for k, v in filters.items() if k != name}, distinct=True,
                                         nocase=self._nocase)
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
                f"SELECT {column} FROM events WHERE {column} IS NOT NULL GROUP BY {column} ORDER BY count(*) DESC, {column} "
                "LIMIT 50")]
        return out

    def outlet_counts(self, limit: int = 200) -> list[tuple[str, int]]:
        """The stored documents' outlets with their counts, most documents first."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT outlet, count(*) FROM documents WHERE outlet IS NOT NULL AND outlet != '' GROUP BY outlet "
            "ORDER BY count(*) DESC, outlet LIMIT ?", (limit,))]

    def outlet_summary(self, outlet: str) -> tuple[int, str | None, str | None]:
        """``(documents, first publication date, last)`` of one outlet."""
        r = self.db.execute("SELECT count(*), min(publication_date), max(publication_date) FROM documents "
                            "WHERE outlet = ?", (outlet,)).fetchone()
        return int(r[0]), r[1], r[2]

    def mention_counts(self, layer: str = "entity") -> dict[str, int]:
        """``{doc_id: annotations of `layer`}`` of every document that has some."""
        return {r[0]: int(r[1]) for r in self.db.execute(
            "SELECT doc_id, count(*) FROM annotations WHERE layer=? GROUP BY doc_id", (layer,))}

    def segment_story_counts(self) -> tuple[int, int]:
        """``(segments in a story, segments in none)``."""
        r = self.db.execute("SELECT count(story_id), count(*) - count(story_id) FROM segments").fetchone()
        return int(r[0] or 0), int(r[1] or 0)

    def count_never_indexed(self) -> int:
        """How many documents were never put in the full-text index (see :meth:`docs_missing_search`)."""
        return int(self.db.execute(
            "SELECT count(*) FROM documents d LEFT JOIN layer_state s ON s.doc_id = d.doc_id AND s.layer = 'search' "
            "WHERE s.doc_id IS NULL").fetchone()[0])

    def meta_value(self, key: str) -> str | None:
        """A value the store keeps about itself (``meta`` table), or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta_value(self, key: str, value: str) -> None:
        """Keep `value` under `key` in the store's ``meta`` table."""
        with self.transaction():
            self.db.execute(_upsert("meta", ("key", "value"), ("key",)), (key, value))

    def table_counts(self) -> dict[str, int]:
        """How many rows each table holds (for benches and ``rasid status``)."""
        return {t: int(self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in _COUNTED_TABLES}

    def event_value_counts(self, column: str, limit: int | None = None) -> list[tuple[str, int]]:
        """The values of one column of the events table (``actor1``, ``location_ar``, ``event_date``...)
        with how many events have each, most frequent first (for benches and pick lists)."""
        if column not in _EVENT_COLUMNS[:-2]:
            raise StoreError(f"no events column {column!r}")
        page = "" if limit is None else f" LIMIT {int(limit)}"
        return [(r[0], int(r[1])) for r in self.db.execute(
            f"SELECT {column}, count(*) FROM events WHERE {column} IS NOT NULL GROUP BY {column} "
            f"ORDER BY count(*) DESC, {column}" + page)]

    def story_sizes(self) -> dict[str, int]:
        """``{story_id: size}`` of every story, largest first."""
        return {r[0]: int(r[1]) for r in self.db.execute("SELECT story_id, size FROM stories "
                                                        "ORDER BY size DESC, story_id")}

    def long_documents(self, min_chars: int) -> list[str]:
        """Ids of the indexed documents whose text is longer than `min_chars` characters, in order."""
        return [r[0] for r in self.db.execute(
            "SELECT a.doc_id FROM articles a JOIN layer_state s ON s.doc_id = a.doc_id AND s.layer = 'search' "
            "WHERE length(a.text) > ? ORDER BY a.doc_id", (min_chars,))]

    def line_status_counts(self) -> dict[str, int]:
        """How many stored lines have each status."""
        return {r[0]: int(r[1]) for r in self.db.execute("SELECT status, count(*) FROM lines GROUP BY status")}

    # -- story corrections ----------------------------------------------------------------------------

    def story_member_keys(self, story_id: str) -> list[tuple[str, int]]:
        """``(doc_id, segment)`` of a story's members, earliest first."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT doc_id, segment FROM story_members WHERE story_id=? ORDER BY date NULLS FIRST, doc_id, segment",
            (story_id,))]

    def story_reports(self, story_id: str) -> list[dict]:
        """A story's member reports (doc_id, segment, title, outlet, date), earliest first."""
        return [{"doc_id": r[0], "segment": r[1], "title": r[2], "outlet": r[3], "date": r[4]}
                for r in self.db.execute("SELECT doc_id, segment, title, outlet, date FROM story_members WHERE "
                                         "story_id=? ORDER BY date NULLS FIRST, doc_id, segment", (story_id,))]

    def story_of_member(self, doc_id: str, segment: int) -> str | None:
        """The story a segment belongs to, or None."""
        r = self.db.execute("SELECT story_id FROM story_members WHERE doc_id=? AND segment=?",
                            (doc_id, segment)).fetchone()
        return r[0] if r else None

    def move_story_members(self, members: list[tuple[str, int]], target: str) -> int:
        """Put these ``(doc_id, segment)`` members into story `target`; return how many."""
        rows = [(target, d, s) for d, s in members]
        with self.transaction() as db:
            db.executemany("UPDATE story_members SET story_id=? WHERE doc_id=? AND segment=?", rows)
            db.executemany("UPDATE segments SET story_id=? WHERE doc_id=? AND idx=?", rows)
        return len(rows)

    def set_member_titles(self, rows: list[tuple[str, bool, str, int]]) -> None:
        """Set ``(title, headline, doc_id, segment)`` of story members."""
        with self.transaction() as db:
            db.executemany("UPDATE story_members SET title=?, headline=? WHERE doc_id=? AND segment=?",
                           [(t, int(h), d, s) for t, h, d, s in rows])

    def resummarise_stories(self, story_ids: Iterable[str]) -> None:
        """Recount the stories' rows from their members (a story left empty is dropped). A story keeps its
        title; a new one takes its earliest headline report's title."""
        now = time.time()
        with self.transaction() as db:
            for sid in sorted(story_ids):
                rows = db.execute("SELECT date, outlet, title, headline FROM story_members WHERE story_id=? "
                                  "ORDER BY date NULLS FIRST, doc_id, segment", (sid,)).fetchall()
                if not rows:
                    db.execute("DELETE FROM stories WHERE story_id=?", (sid,))
                    db.execute("DELETE FROM story_links WHERE story_id=? OR linked_id=?", (sid, sid))
                    continue
                old = db.execute("SELECT title_ar FROM stories WHERE story_id=?", (sid,)).fetchone()
                title = old[0] if old else next((r[2] for r in rows if r[3] and r[2]), rows[0][2])
                dates = sorted(r[0] for r in rows if r[0])
                sources = sorted({r[1] for r in rows if r[1]})
                db.execute(_upsert("stories", _STORY_COLUMNS, ("story_id",)),
                           (sid, title, dates[0] if dates else None, dates[-1] if dates else None, len(rows),
                            json.dumps(sources, ensure_ascii=False), now))

    def add_story_edit(self, action: str, story_id: str, other: str | None, members: list, note: str | None,
                       user: str, before: dict, after: dict) -> None:
        """Record one story correction (merge, split) in the audit trail."""
        with self.transaction() as db:
            db.execute('INSERT INTO story_edits (action, story_id, other, members, note, "user", at, before, after) '
                       "VALUES (?,?,?,?,?,?,?,?,?)",
                       (action, story_id, other, json.dumps([list(m) for m in members]), note, user, time.time(),
                        json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False)))

    def story_edit_moves(self) -> list[tuple[str, list]]:
        """``(target story, [[doc_id, segment], ...])`` of every recorded correction, oldest first."""
        return [(r[0], json.loads(r[1])) for r in self.db.execute(
            "SELECT other, members FROM story_edits ORDER BY edit_id")]

    def story_edits(self, story_id: str | None = None) -> list[dict]:
        """The audit trail of story corrections (touching one story, or all), newest first."""
        sql = 'SELECT edit_id, action, story_id, other, members, note, "user", at, before, after FROM story_edits'
        args: tuple = ()
        if story_id:
            sql += " WHERE story_id=? OR other=?"
            args = (story_id, story_id)
        return [{"edit_id": r[0], "action": r[1], "story_id": r[2], "into": r[3], "members": json.loads(r[4]),
                 "note": r[5], "by": r[6], "at": r[7], "before": json.loads(r[8]), "after": json.loads(r[9])}
                for r in self.db.execute(sql + " ORDER BY edit_id DESC", args)]

    # -- users, reviews, sessions ---------------------------------------------------------------------

    def put_user(self, name: str, role: str, token_hash: str, password_hash: str | None) -> None:
        """Add a user or give one a new role and token (and, when given, password: their browser
        sessions end)."""
        with self.transaction() as db:
            db.execute("INSERT INTO users (name, role, token_hash, created, password_hash) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT(name) DO UPDATE SET role=excluded.role, token_hash=excluded.token_hash, "
                       "password_hash=coalesce(excluded.password_hash, users.password_hash)",
                       (name, role, token_hash, time.time(), password_hash))
            if password_hash is not None:
                db.execute('DELETE FROM sessions WHERE "user"=?', (name,))

    def user_by_token(self, token_hash: str) -> tuple[str, str] | None:
        """``(name, role)`` of the user whose token hashes to `token_hash`, or None."""
        r = self.db.execute("SELECT name, role FROM users WHERE token_hash=?", (token_hash,)).fetchone()
        return (r[0], r[1]) if r else None

    def user_exists(self, name: str) -> bool:
        """Whether a user of this name exists."""
        return self.db.execute("SELECT 1 FROM users WHERE name=?", (name,)).fetchone() is not None

    def user_password(self, name: str) -> tuple[str, str, str | None] | None:
        """``(name, role, password hash or None)`` of a user, or None."""
        r = self.db.execute("SELECT name, role, password_hash FROM users WHERE name=?", (name,)).fetchone()
        return (r[0], r[1], r[2]) if r else None

    def set_password_hash(self, name: str, password_hash: str, *, replacing: str | None = None) -> None:
        """Store a user's new password hash. With `replacing`, only over that hash (a rehash: sessions
        stay); without, the user's browser sessions end."""
        with self.transaction() as db:
            if replacing is not None:
                db.execute("UPDATE users SET password_hash=? WHERE name=? AND password_hash=?",
                           (password_hash, name, replacing))
                return
            db.execute("UPDATE users SET password_hash=? WHERE name=?", (password_hash, name))
            db.execute('DELETE FROM sessions WHERE "user"=?', (name,))

    def list_users(self) -> list[dict]:
        """Every user: name, role, when added and whether a password is set, by name."""
        rows = self.db.execute("SELECT name, role, created, password_hash IS NOT NULL FROM users ORDER BY name")
        return [{"name": r[0], "role": r[1], "created": r[2], "password": bool(r[3])} for r in rows]

    def reviews(self, event_id: str | None = None) -> list[dict]:
        """The audit trail: every review (of one event, or all), oldest first."""
        sql = 'SELECT review_id, event_id, doc_id, action, fields, note, "user", at, before, after FROM reviews'
        rows = self.db.execute(sql + (" WHERE event_id=?" if event_id else "") + " ORDER BY review_id",
                               (event_id,) if event_id else ())
        return [{"review_id": r[0], "event_id": r[1], "doc_id": r[2], "action": r[3], "fields": json.loads(r[4]),
                 "note": r[5], "by": r[6], "at": r[7], "before": json.loads(r[8]), "after": json.loads(r[9])}
                for r in rows]

    def add_review(self, before: dict, after: dict, *, action: str, fields: dict, note: str | None, user: str,
                   at: float) -> None:
        """Record a review of an event and store the event as it now reads, in one transaction."""
        with self.transaction() as db:
            db.execute('INSERT INTO reviews (event_id, doc_id, action, fields, note, "user", at, before, after) '
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (before["event_id"], before["doc_id"], action, json.dumps(fields, ensure_ascii=False), note,
                        user, at, json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False)))
            self.put_event(after)

    def add_session(self, token_hash: str, user: str, csrf: str, created: float, expires: float) -> None:
        """Start a browser session (and purge the expired ones)."""
        with self.transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires <= ?", (created,))
            db.execute('INSERT INTO sessions (token_hash, "user", csrf, created, expires) VALUES (?, ?, ?, ?, ?)',
                       (token_hash, user, csrf, created, expires))

    def session(self, token_hash: str, now: float) -> dict | None:
        """``{"name", "role", "csrf"}`` of a live session, or None."""
        try:
            row = self.db.execute('SELECT s."user", u.role, s.csrf FROM sessions s JOIN users u ON u.name = s."user" '
                                  "WHERE s.token_hash=? AND s.expires > ?", (token_hash, now)).fetchone()
        except self._errors as exc:  # a store of an older schema, served read-only
            raise StoreError(f"{self.path}: no browser sessions in this store ({exc})") from exc
        return {"name": row[0], "role": row[1], "csrf": row[2]} if row else None

    def end_session(self, token_hash: str) -> None:
        """End a browser session."""
        with self.transaction() as db:
            db.execute("DELETE FROM sessions WHERE token_hash=?", (token_hash,))

    def login_attempt(self, keys: Iterable[str], now: float, *, window: float, max_failures: int
                      ) -> tuple[float, list]:
        """Count a login attempt against each of `keys` (a name, an address) unless one of them has had
        `max_failures` failures within `window` seconds. Returns ``(seconds to wait, attempt ids)``:
        a wait above 0 means refused (nothing recorded); the ids are for :meth:`forget_login_failures`."""
        with self.transaction() as db:
            db.execute("DELETE FROM login_failures WHERE at <= ?", (now - window,))
            wait = 0.0
            for key in keys:
                times = [r[0] for r in db.execute("SELECT at FROM login_failures WHERE key=? ORDER BY at", (key,))]
                if len(times) >= max_failures:  # free again when all but max_failures - 1 are out of the window
                    wait = max(wait, times[len(times) - max_failures] + window - now)
            if wait > 0:
                return wait, []
            # counted as failed until the password is found good, so that parallel guesses count too
            ids = [db.execute(f"INSERT INTO login_failures (key, at) VALUES (?, ?) RETURNING {self._ROWID}",
                              (key, now)).fetchall()[0][0] for key in keys]
        return 0.0, ids

    def forget_login_failures(self, ids: list, key: str) -> None:
        """A good password: drop the attempts `ids` and every failure of `key`."""
        with self.transaction() as db:
            db.executemany(f"DELETE FROM login_failures WHERE {self._ROWID}=?", [(r,) for r in ids])
            db.execute("DELETE FROM login_failures WHERE key=?", (key,))

    # -- dashboard figures -----------------------------------------------------------------------------

    def overview_events(self, *, date_from: str | None = None, date_to: str | None = None,
                        country: str | None = None) -> list[tuple]:
        """``(event_id, lead, event_type, actor1, actor2, country, event_date, outlet)`` of the events
        that count (not denied, not rejected) within the dates (inclusive) and country."""
        where, args = [self._counted()], []
        if date_from:
            where.append("event_date >= ?")
            args.append(date_from)
        if date_to:
            where.append("event_date <= ?")
            args.append(date_to)
        if country:
            where.append(f"{self._nocase('country')} = {self._nocase('?')}")
            args.append(country)
        return [tuple(r) for r in self.db.execute(
            "SELECT event_id, lead, event_type, actor1, actor2, country, event_date, outlet FROM events WHERE "
            + " AND ".join(where), args)]

    def actor_events(self, actor_id: str) -> list[tuple[str, dict]]:
        """``(lead, event)`` of the events (not rejected) with this actor in either role, newest first."""
        return [(r[0], json.loads(r[1])) for r in self.db.execute(
            "SELECT lead, data FROM events WHERE (actor1 = ? OR actor2 = ?) AND " + self._not_rejected()
            + " ORDER BY event_date DESC NULLS LAST, event_id", (actor_id, actor_id))]

    def outlet_events(self, outlet: str) -> list[tuple]:
        """``(lead, event_type, actor1, actor2, event_date)`` of an outlet's events that count, by id."""
        return [tuple(r) for r in self.db.execute(
            "SELECT lead, event_type, actor1, actor2, event_date FROM events WHERE outlet = ? AND "
            + self._counted() + " ORDER BY event_id", (outlet,))]

    def story_index_rows(self) -> list[tuple]:
        """``(story_id, title_ar, title_en, start, end, size, sources JSON, framing JSON, labels JSON)`` of
        every story, newest first (what the dashboard's outlet and name pages are built from)."""
        return [tuple(r) for r in self.db.execute(
            "SELECT s.story_id, s.title_ar, v.title_en, s.start_date, s.end_date, s.size, s.sources, "
            f"{self._json('v.data', 'comparison.framing')}, {self._json('v.data', 'comparison.labels')} "
            "FROM stories s LEFT JOIN story_views v ON v.story_id = s.story_id "
            "ORDER BY coalesce(s.end_date, '') DESC, s.size DESC, s.story_id")]

    def change_stamp(self) -> tuple | None:
        """Something that changes whenever the store does (for caches of derived figures), or None
        when the backend cannot tell."""
        return None

    # -- arrivals (rasid watch; added by the live-feeds work) -------

    def arrived_since(self, since: float, *, limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        """Documents stored at or after `since` (a Unix time), latest first, and how many in all: each
        with its title, outlet, link, publication day, storage time, duplicate_of, stories (id and
        Arabic title) and event count. A document stored again (its input changed) counts from its latest storage."""
        total = self.db.execute("SELECT count(*) FROM articles WHERE read_at >= ?", (since,)).fetchone()[0]
        rows = self.db.execute(
            "SELECT a.doc_id, coalesce(d.title, a.title), coalesce(d.outlet, a.outlet), a.url, "
            "coalesce(d.publication_date, a.published), a.read_at, d.duplicate_of FROM articles a "
            "LEFT JOIN documents d ON d.doc_id = a.doc_id WHERE a.read_at >= ? "
            "ORDER BY a.read_at DESC, a.doc_id LIMIT ? OFFSET ?", (since, limit, offset)).fetchall()
        docs = [{"doc_id": r[0], "title": r[1], "outlet": r[2], "url": r[3], "publication_date": r[4],
                 "stored_at": r[5], "duplicate_of": r[6], "stories": [], "events": 0} for r in rows]
        by_id = {d["doc_id"]: d for d in docs}
        if by_id:
            marks = ", ".join("?" * len(by_id))
            for doc_id, story_id, title in self.db.execute(
                    f"SELECT DISTINCT m.doc_id, m.story_id, s.title_ar FROM story_members m LEFT JOIN stories s "
                    f"ON s.story_id = m.story_id WHERE m.doc_id IN ({marks}) ORDER BY m.doc_id, m.story_id",
                    list(by_id)):
                by_id[doc_id]["stories"].append({"story_id": story_id, "title_ar": title})
            for doc_id, n in self.db.execute(
                    f"SELECT doc_id, count(*) FROM events WHERE doc_id IN ({marks}) GROUP BY doc_id", list(by_id)):
                by_id[doc_id]["events"] = n
        return total, docs

    # -- dates read from a report's text (the stories pass; added by issue 22, portable SQL) ---------------

    def write_story_dates(self, rows: list[tuple]) -> None:
        """Store the dates the stories pass read from undated reports' texts: ``(doc_id, segment, date,
        start, end, phrase, basis)``, the phrase's span being character offsets into the document's text."""
        with self.transaction() as db:
            db.executemany('INSERT INTO story_dates (doc_id, segment, date, start, "end", phrase, basis) '
                           "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id, segment) DO UPDATE SET "
                           'date=excluded.date, start=excluded.start, "end"=excluded."end", phrase=excluded.phrase, '
                           "basis=excluded.basis", rows)

    def story_dates(self, doc_ids: list[str] | None = None) -> dict[tuple[str, int], dict]:
        """The dates read from reports' texts, by ``(doc_id, segment)``: date, span, phrase and basis."""
        sql = 'SELECT doc_id, segment, date, start, "end", phrase, basis FROM story_dates'
        args: list = []
        if doc_ids is not None:
            sql += f" WHERE doc_id IN ({', '.join('?' * len(doc_ids))})"
            args = list(doc_ids)
        return {(r[0], r[1]): {"date": r[2], "span": [r[3], r[4]], "phrase": r[5], "basis": r[6]}
                for r in self.db.execute(sql + " ORDER BY doc_id, segment", args)}

    def write_story_links(self, rows: list[tuple[str, str, float]]) -> None:
        """Store thread links between stories ``(story_id, linked_id, score)``, both ways (a development that
        resurfaces, or the next step of one campaign: linked stories, not one)."""
        with self.transaction() as db:
            db.executemany("INSERT INTO story_links (story_id, linked_id, score) VALUES (?, ?, ?) "
                           "ON CONFLICT (story_id, linked_id) DO UPDATE SET score=excluded.score",
                           [x for a, b, score in rows for x in ((a, b, score), (b, a, score))])

    def move_story_links(self, story_id: str, into: str) -> int:
        """Give story `into` the thread links of `story_id` (merged into it), keeping the higher score of a
        link both had, and drop `story_id`'s own; return how many links `into` took."""
        with self.transaction() as db:
            theirs = db.execute("SELECT linked_id, score FROM story_links WHERE story_id=? AND linked_id!=?",
                                (story_id, into)).fetchall()
            own = dict(db.execute("SELECT linked_id, score FROM story_links WHERE story_id=?", (into,)).fetchall())
            db.execute("DELETE FROM story_links WHERE story_id=? OR linked_id=?", (story_id, story_id))
            rows = [(into, linked, max(score, own.get(linked, score))) for linked, score in theirs]
            self.write_story_links(rows)
        return len(rows)

    def story_links(self, story_id: str | None = None) -> dict[str, list[tuple[str, float]]]:
        """The stories linked to each story (or to `story_id` only) as one thread: ``[(linked_id, score)]``,
        most probable first."""
        sql, args = "SELECT story_id, linked_id, score FROM story_links", ()
        if story_id is not None:
            sql, args = sql + " WHERE story_id = ?", (story_id,)
        out: dict[str, list[tuple[str, float]]] = {}
        for sid, linked, score in self.db.execute(sql + " ORDER BY story_id, score DESC, linked_id", args):
            out.setdefault(sid, []).append((linked, score))
        return out

    def docs_missing_search(self) -> list[str]:
        """Documents not yet in the full-text index, indexed from another cleaning result (lines
        marked outlet boilerplate since, or cleaned again), or by an older index: the fingerprint of
        a document's entry is the index version ("k2": a bare ك is not stripped as a proclitic, see
        :func:`rasid.views.word_search_key`) and its cleaning result."""
        return [r[0] for r in self.db.execute(
            "SELECT d.doc_id FROM documents d LEFT JOIN layer_state c ON c.doc_id = d.doc_id AND c.layer = 'clean' "
            "LEFT JOIN layer_state s ON s.doc_id = d.doc_id AND s.layer = 'search' "
            "WHERE s.doc_id IS NULL OR s.fingerprint != 'k2:' || coalesce(c.result, '') ORDER BY d.doc_id")]

    def skip_counts(self, run_id: int) -> dict[str, int]:
        """Count a run's skipped inputs by reason."""
        return dict(self.db.execute("SELECT reason, count(*) FROM skips WHERE run_id=? GROUP BY reason", (run_id,)))


EVENT_SORTS = {  # how an event list may be ordered (undated events last)
    "newest": "event_date IS NULL, event_date DESC, event_id",
    "oldest": "event_date IS NULL, event_date, event_id",
    "deadliest": "coalesce(fatalities, -1) DESC, event_date DESC NULLS LAST, event_id",
}


STORY_SIGNAL_LAYERS = ("entity", "event")  # the layers whose rows stories read (rasid.stories.signals)
_INPUT_FILE_COLUMNS = ("path", "size", "mtime_ns", "options", "articles", "skips", "updated")
_STORY_MEMBER_COLUMNS = ("doc_id", "segment", "story_id", "score", "date", "outlet", "title", "headline", "terms",
                         "embedding", "signals")
# thread links of stories that no longer have members (merged away, or emptied by a re-run)
_DROP_STALE_LINKS = ("DELETE FROM story_links WHERE story_id NOT IN (SELECT story_id FROM story_members) "
                     "OR linked_id NOT IN (SELECT story_id FROM story_members)")
_STORY_COLUMNS = ("story_id", "title_ar", "start_date", "end_date", "size", "sources", "updated")
_LAYER_STATE_COLUMNS = ("doc_id", "layer", "fingerprint", "result", "refs")
_STORY_VIEW_COLUMNS = ("story_id", "basis", "title_en", "data", "updated")
_EVENT_COLUMNS = ("event_id", "doc_id", "story_id", "event_type", "sub_event_type", "actor1", "actor2", "side1",
                  "side2", "location", "location_ar", "country", "event_date", "outlet", "fatalities", "lead", "data")


_COUNTED_TABLES = ("articles", "documents", "lines", "segments", "sentences", "story_members", "stories",
                   "annotations", "story_views", "events", "users", "reviews")


def _upsert(table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    """An INSERT of a whole row that replaces the row of the same `key` (SQLite and PostgreSQL alike)."""
    updates = ", ".join(f"{c}=excluded.{c}" for c in columns if c not in key)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}")


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
                   story_id=None, doc_id=None, date_from=None, date_to=None, distinct=False,
                   nocase=lambda expr: f"{expr} COLLATE NOCASE") -> tuple[list[str], list]:
    """SQL conditions and arguments for the events table (see :meth:`Store.query_events`)."""
    where, args = [], []
    for column, value in (("event_type", event_type), ("sub_event_type", sub_event_type), ("outlet", outlet),
                          ("country", country)):
        if value:  # (names and codes as a person types them: "battles", "ly")
            where.append(f"{nocase(column)} = {nocase('?')}")
            args.append(value)
    for column, value in (("story_id", story_id), ("doc_id", doc_id)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if actor:  # one id or side, or several (a name the actor dictionary resolved)
        ids = [actor] if isinstance(actor, str) else list(actor) or [""]
        marks = ", ".join([nocase("?")] * len(ids))
        where.append(f"({nocase('actor1')} IN ({marks}) OR {nocase('actor2')} IN ({marks}) "
                     f"OR {nocase('side1')} IN ({marks}) OR {nocase('side2')} IN ({marks}))")
        args += ids * 4
    if place:
        where.append(f"({nocase('location')} = {nocase('?')} OR location_ar = ?)")
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

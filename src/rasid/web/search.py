"""Full-text search: the API's ``/api/search`` and the dashboard's ``/search`` page.

A query is read by :func:`rasid.search_query.parse_query` (words, ``OR``/``أو``, ``prefix*``,
``"phrases"``, ``-exclusions``, English names of places and actors, and long pasted texts as "find
similar"); the store finds and counts the documents; each hit of the page gets the passage of its
kept lines holding the most matched words, marked, and a link to the sentence where it starts.

A pasted article makes an address of tens of kilobytes, more than many proxies and servers take,
so both routes also take the query by POST: ``/api/search`` as JSON, ``/search`` as the form it
shows (its script switches the form to POST when the query is long).
"""

from __future__ import annotations

import logging
import math
import threading
from typing import Literal
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape
from pydantic import BaseModel, Field

from rasid.errors import StoreError
from rasid.search_query import (
    SIMILAR_TERMS,
    SearchQuery,
    Term,
    find_marks,
    mark_text,
    marked_passage,
    parse_query,
    written_forms,
)
from rasid.store import Store

__all__ = ["add_search_routes", "run_search"]

log = logging.getLogger(__name__)

PAGE = 20  # hits per page unless the reader picks another size
MAX_INT = 2**31 - 1
MAX_QUERY = 100_000  # characters: a long article pasted whole, not a book
Sort = Literal["relevance", "newest"]


class SearchBody(BaseModel):
    """``POST /api/search``: the parameters of ``GET /api/search`` as JSON."""

    q: str = Field(..., min_length=1, max_length=MAX_QUERY)
    limit: int = Field(20, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_INT)
    date_from: str | None = None
    date_to: str | None = None
    outlet: str | None = None
    sort: Sort = "relevance"


def add_search_routes(app: FastAPI, current, page) -> None:
    """Add the search routes to `app`: `current()` is the request's store, `page(name, request, **context)`
    renders a dashboard template."""
    from rasid.search_query import english_names

    # the English names come from the gazetteer and the actor dictionary (a few seconds to load):
    # loaded now, in the background, not on the first English query
    threading.Thread(target=english_names, name="search-names", daemon=True).start()

    @app.get("/api/search", tags=["search"])
    def api_search(q: str = Query(..., min_length=1, max_length=MAX_QUERY,
                                  description="words; OR / أو; prefix*; \"phrase\"; -exclude; English place or "
                                              "actor names; a long pasted text finds similar documents"),
                   limit: int = Query(20, ge=1, le=200), offset: int = Query(0, ge=0, le=MAX_INT),
                   date_from: str | None = Query(None, description="publication date from (2015, 2015-07 or 2015-07-21)"),
                   date_to: str | None = Query(None, description="publication date to, inclusive"),
                   outlet: str | None = None, sort: Sort = "relevance"):
        """Full-text search with Arabic normalisation (hamza/alef forms, ta marbuta, diacritics,
        attached proclitics: سرت finds وسرت and بسرت). Each hit has the passage with the most matched
        words (``snippet``; ``snippet_html`` with them in ``<mark>``) and ``read_as`` says how the query
        was read (English names expanded, a long text searched by its rarest words)."""
        return run_search(current(), q, limit=limit, offset=offset, date_from=date_from, date_to=date_to,
                          outlet=outlet, sort=sort)

    @app.post("/api/search", tags=["search"])
    def api_search_post(body: SearchBody):
        """The same search with the query in a JSON body (a pasted article is too long for a URL)."""
        return run_search(current(), body.q, limit=body.limit, offset=body.offset, date_from=body.date_from,
                          date_to=body.date_to, outlet=body.outlet, sort=body.sort)

    def search_page(request: Request, params: dict, method: str) -> HTMLResponse:
        q = params.get("q") or ""
        if len(q) > MAX_QUERY:
            raise HTTPException(422, f"the query is longer than {MAX_QUERY:,} characters")
        try:
            page_no = int(params.get("page") or 1)
        except ValueError:
            raise HTTPException(422, "page must be a number") from None
        try:
            per_page = int(params.get("per_page") or PAGE)
        except ValueError:
            raise HTTPException(422, "per_page must be a number") from None
        if not 1 <= per_page <= 100:
            raise HTTPException(422, "per_page must be between 1 and 100")
        sort = params.get("sort") or "relevance"
        if sort not in ("relevance", "newest"):
            raise HTTPException(422, f"sort must be relevance or newest; got {sort!r}")
        filters = {"date_from": params.get("date_from") or None, "date_to": params.get("date_to") or None,
                   "outlet": params.get("outlet") or None}
        if not 1 <= page_no <= MAX_INT // per_page:
            raise HTTPException(422, f"page must be between 1 and {MAX_INT // per_page}")
        result = run_search(current(), q, limit=per_page, offset=(page_no - 1) * per_page, sort=sort, **filters) \
            if q.strip() else None
        pages = max(1, math.ceil(result["total"] / per_page)) if result else 1
        kept = {k: v for k, v in {"q": q, **filters, "sort": sort if sort != "relevance" else None,
                                  "per_page": per_page if per_page != PAGE else None}.items() if v}
        return page("search.html", request, q=q, result=result, filters=filters, sort=sort, page_no=page_no,
                    pages=pages, per_page=per_page, outlets=_outlets(current()), method=method, kept=kept,
                    query=Markup(escape(urlencode(kept))), page_numbers=_page_numbers(page_no, pages))

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page_get(request: Request):
        return search_page(request, dict(request.query_params), "get")

    @app.post("/search", response_class=HTMLResponse, include_in_schema=False)
    async def search_page_post(request: Request):
        body = (await request.body()).decode("utf-8", errors="replace")
        return search_page(request, {**dict(request.query_params), **dict(parse_qsl(body))}, "post")


def run_search(store: Store, q: str, *, limit: int = 20, offset: int = 0, date_from: str | None = None,
               date_to: str | None = None, outlet: str | None = None, sort: str = "relevance") -> dict:
    """Search `store` for a query as typed; the API's answer (dates checked: 422 for a bad one)."""
    from rasid.web.app import _date

    date_from, date_to = _date(date_from, "date_from"), _date(date_to, "date_to")
    query = parse_query(q)
    notes = list(query.notes)
    try:
        found = store.search(query.match(), like=query.similar, like_terms=SIMILAR_TERMS, limit=limit, offset=offset,
                             date_from=date_from, date_to=date_to, outlet=outlet or None, sort=sort)
    except StoreError as exc:  # a query the parser let through and FTS5 refused: say so, never a 500
        log.warning("search %r: %s", q, exc)
        found = {"total": 0, "hits": [], "terms": []}
        notes.append("the index could not read this query")
    terms = [Term((t,)) for t in found["terms"]] if query.similar else query.marked_terms()
    hits = _with_passages(store, found["hits"], terms)
    return {"query": q, "total": found["total"], "limit": limit, "offset": offset, "read_as": _read_as(query, found),
            "notes": notes, "hits": hits}


def _read_as(query: SearchQuery, found: dict) -> dict:
    return {"match": query.match() if not query.similar else " OR ".join(f'"{t}"' for t in found["terms"]),
            "expanded": [{"typed": typed, "names": names} for typed, names in query.expansions],
            "excluded": [c.typed.lstrip("-") for c in query.excluded],
            "similar": bool(query.similar), "similar_terms": found["terms"],
            "similar_words": list(written_forms(query.text, found["terms"]).values())}


def _with_passages(store: Store, hits: list[dict], terms: list[Term]) -> list[dict]:
    """Each hit with its best passage (kept lines only) marked, its title marked, and the sentence
    where the passage's first match is (``anchor``: the document page's ``#s-START``)."""
    docs = {d.doc_id: d for d in store.iter_documents([h["doc_id"] for h in hits])} if hits else {}
    out = []
    for h in hits:
        h = dict(h)
        doc = docs.get(h["doc_id"])
        title = h.get("title") or ""
        h["title_html"] = mark_text(title, find_marks(title, terms)) if title else Markup("")
        if doc is None:
            h.update(snippet="", snippet_html=Markup(""), anchor=None)
            out.append(h)
            continue
        ranges = [(ln.start, ln.end) for ln in doc.content_lines()] or [(0, len(doc.text))]
        html, plain, first, _ = marked_passage(doc.text, terms, ranges=ranges)
        sentence = next((s for s in doc.sentences if first is not None and s.start <= first < s.end), None)
        h.update(snippet=plain, snippet_html=html, anchor=sentence.start if sentence else None)
        out.append(h)
    return out


def _outlets(store: Store) -> list[tuple[str, int]]:
    """The stored documents' outlets with their counts, most documents first (the page's outlet menu)."""
    return store.outlet_counts(200)


def _page_numbers(page_no: int, pages: int) -> list[int | None]:
    """The page numbers a pager shows: the first, the last and two either side of this one (None: a gap).

    Example:
        >>> _page_numbers(7, 20)
        [1, None, 5, 6, 7, 8, 9, None, 20]
    """
    shown = sorted({1, pages, *range(max(1, page_no - 2), min(pages, page_no + 2) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out

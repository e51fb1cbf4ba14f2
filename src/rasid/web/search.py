"""Full-text search: the API's ``/api/search`` and the dashboard's ``/search`` page."""

from __future__ import annotations

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from rasid.store import Store
from rasid.views import search_key

__all__ = ["add_search_routes"]

PAGE = 50
MAX_INT = 2**31 - 1
MAX_PAGE = MAX_INT // PAGE


def add_search_routes(app: FastAPI, current, page) -> None:
    """Add the search routes to `app`: `current()` is the request's store, `page(name, request, **context)`
    renders a dashboard template."""

    @app.get("/api/search", tags=["search"])
    def api_search(q: str = Query(..., min_length=1), limit: int = Query(20, ge=1, le=200),
                   offset: int = Query(0, ge=0, le=MAX_INT)):
        """Full-text search with Arabic normalisation (hamza/alef forms, ta marbuta, diacritics,
        attached proclitics: سرت finds وسرت and بسرت)."""
        total, hits = current().search(search_key(q), limit=limit, offset=offset)
        for h in hits:
            h["snippet"] = _snippet(current(), h["doc_id"], q)
        return {"total": total, "query": q, "hits": hits}

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: str = "", page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE)):
        total, hits = current().search(search_key(q), limit=PAGE, offset=(page_no - 1) * PAGE) if q.strip() else (0, [])
        for h in hits:
            h["snippet"] = _snippet(current(), h["doc_id"], q)
        return page("search.html", request, q=q, hits=hits, total=total)



def _snippet(store: Store, doc_id: str, query: str, width: int = 90) -> str:
    """Original text around the first word of the document that matches a query word."""
    from rasid.text.normalize import match_key
    from rasid.text.tokens import tokenize
    from rasid.views import word_search_key

    text = store.document_text(doc_id)
    if text is None:
        return ""
    wanted = set(search_key(query).split())
    for t in tokenize(text):
        if t.kind == "word" and word_search_key(match_key(t.text)) in wanted:
            a, b = max(0, t.start - width), min(len(text), t.end + width)
            return ("…" if a else "") + text[a:b].replace("\n", " ") + ("…" if b < len(text) else "")
    return text[:2 * width].replace("\n", " ")

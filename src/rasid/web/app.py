"""``rasid serve``: the REST API (``/api``, OpenAPI at ``/docs``) and the dashboard over one store.

Read-only by default: the store is opened with SQLite's ``mode=ro`` (or, over PostgreSQL, in
read-only transactions), so serving can never change what an analysis stored. Pages are rendered on the server (no build step, no CDN); the map and its
outlines, the Arabic font and the API docs' scripts are served from the package.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from datetime import date
from functools import cache
from html import escape
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from rasid import __version__
from rasid.review import WRITERS
from rasid.store import Store, open_store
from rasid.web.render import (
    FIELD_ROLES,
    Mark,
    assets,
    environment,
    event_card,
    field_marks,
    nested_html,
    prepare_story,
)

__all__ = ["create_app"]

PAGE = 50
MAX_INT = 2**31 - 1  # counts and offsets past any store: a clear 422, not an SQLite overflow
MAX_PAGE = MAX_INT // PAGE
MAX_FORM = 200_000  # bytes of a posted review form (a split may tick many reports)


def create_app(db: str | Path, *, read_only: bool = True, review: bool = False) -> FastAPI:
    """The application serving the store at `db` (an SQLite file or a ``postgresql://`` URL, see
    :func:`rasid.store.open_store`); with `review`, coders may correct events
    (``POST /api/events/{event_id}/review`` with a bearer token; see :mod:`rasid.review`)."""
    read_only = read_only and not review
    opened = open_store(db, read_only=read_only)  # fails early on a bad path
    local = threading.local()
    local.store = opened

    def current() -> Store:
        """This thread's connection (the server answers requests in a pool of threads)."""
        if getattr(local, "store", None) is None:
            local.store = open_store(db, read_only=read_only)
        return local.store

    app = FastAPI(title="Rasid API", version=__version__, docs_url=None, redoc_url=None,
                  description="Stories, events, documents and search over a Rasid store. Every event and "
                              "claim carries its document id and the character span of its sentence.")
    app.state.store = opened
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    vendor = "/static/vendor"  # swagger-ui-dist 5, vendored (tools/vendor_web_assets.sh): it reads OpenAPI 3.1

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Rasid API",
                                   swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{vendor}/swagger-ui.css",
                                   swagger_favicon_url=f"{vendor}/swagger-favicon-32x32.png")

    # -- JSON API -------------------------------------------------------------------------------

    @app.get("/api/stories", tags=["stories"])
    def api_stories(limit: int = Query(PAGE, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_INT),
                    min_size: int = Query(1, ge=1, le=MAX_INT, description="only stories with at least this many articles")):
        """Stories, newest first: titles (Arabic, English), dates, size, outlets, event count."""
        total, rows = current().list_stories(limit=limit, offset=offset, min_size=min_size)
        return {"total": total, "limit": limit, "offset": offset, "stories": rows}

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def api_story(story_id: str):
        """One story: members, brief (Arabic summary with spans, English brief, claims, timeline),
        comparison (sources × events, conflicts, names per outlet, framing) and its events."""
        story = current().get_story(story_id)
        if story is None:
            raise HTTPException(404, f"no story {story_id}")
        view = current().story_view(story_id) or {}
        _, events = current().query_events(story_id=story_id, limit=None)
        return {**story, "title_en": (view.get("brief") or {}).get("title_en"), "brief": view.get("brief"),
                "comparison": view.get("comparison"), "events": events}

    def _events(event_type, sub_event_type, actor, place, outlet, country, story, date_from, date_to, distinct,
                limit, offset):
        chosen = _selection(event_type=event_type, sub_event_type=sub_event_type, actor=actor, place=place,
                            outlet=outlet, country=country, story_id=story, date_from=date_from, date_to=date_to)
        return current().query_events(**chosen, distinct=distinct, limit=limit, offset=offset)

    @app.get("/api/events", tags=["events"])
    def api_events(event_type: str | None = None, sub_event_type: str | None = None,
                   actor: str | None = Query(None, description="canonical actor id or side (either role)"),
                   place: str | None = Query(None, description="place name, English or Arabic"),
                   outlet: str | None = None, country: str | None = Query(None, description="ISO code"),
                   story: str | None = None, date_from: str | None = None, date_to: str | None = None,
                   distinct: bool = Query(False, description="linked reports of one event once"),
                   limit: int = Query(PAGE, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_INT)):
        """Coded events (ACLED vocabulary) with filters; each with its source sentence span."""
        total, rows = _events(event_type, sub_event_type, actor, place, outlet, country, story, date_from, date_to,
                              distinct, limit, offset)
        return {"total": total, "limit": limit, "offset": offset, "events": rows}

    @app.get("/api/events/places", tags=["events"])
    def api_event_places(event_type: str | None = None, actor: str | None = None, outlet: str | None = None,
                         country: str | None = None, story: str | None = None, date_from: str | None = None,
                         date_to: str | None = None):
        """Matching events counted by place (linked reports once), for maps of a whole selection."""
        return {"places": current().event_places(**_selection(event_type=event_type, actor=actor, outlet=outlet,
                                                              country=country, story_id=story, date_from=date_from,
                                                              date_to=date_to))}

    @app.post("/api/events/{event_id}/review", tags=["review"])
    def api_review(event_id: str, body: ReviewBody, request: Request):
        """Accept, reject or edit one event (``rasid serve --review``; a coder's or admin's token as
        ``Authorization: Bearer TOKEN``). Edits name their fields (event_type, sub_event_type,
        actor1, actor2 as dictionary ids, location as a place name, event_date, fatalities); the
        correction is stored apart from the coder's layer, with who and when, and survives re-runs.
        401 without a valid token, 403 for a viewer, 405 when the server was not started to review."""
        from rasid.review import WRITERS, ReviewError, review_event, user_of

        if not review:
            raise HTTPException(405, "this server is read-only: start it with rasid serve --review")
        auth = request.headers.get("authorization", "")
        who = user_of(current(), auth[7:].strip() if auth.lower().startswith("bearer ") else None)
        if who is None:
            raise HTTPException(401, "a valid token is needed (Authorization: Bearer TOKEN; rasid users add)",
                                headers={"WWW-Authenticate": "Bearer"})
        if who[1] not in WRITERS:
            raise HTTPException(403, f"{who[0]} is a {who[1]}: reviewing needs the coder role")
        try:
            return review_event(current(), event_id, body.action, body.fields, body.note, who[0])
        except ReviewError as exc:
            raise HTTPException(404 if str(exc).startswith("no event") else 422, str(exc)) from None

    @app.get("/api/documents/{doc_id}", tags=["documents"])
    def api_document(doc_id: str):
        """A document (text, lines, segments, sentences) with every extracted mention and event.

        Each event carries ``span`` (its sentence), ``modality`` (``asserted``, ``attributed``,
        ``uncertain`` or ``denied``; denied events are kept and shown as denied) and ``spans``: for each
        field found in the text (``trigger``, ``actor1``, ``actor2``, ``location``, ``date``,
        ``fatalities``, ``wounded``, ``claimant``) ``{"text", "start", "end"}``, character offsets
        into ``text`` with ``text[start:end] == spans[field]["text"]``. A field not taken from the
        text (a date from the publication date, an actor named in an earlier sentence) has no entry;
        events coded before spans existed have no ``spans`` key."""
        doc = current().get_document(doc_id)
        if doc is None:
            raise HTTPException(404, f"no document {doc_id}")
        _, events = current().query_events(doc_id=doc_id, limit=None)
        row = doc.to_json()
        # the input path is the server's business: a reader gets the file's name, not where it lies
        row["source"] = _public_source(row.get("source"))
        return {**row, "mentions": list(current().annotations("entity", doc_id)), "events": events}

    def _arrived(since: str | None, limit: int, offset: int) -> tuple[float, int, list[dict]]:
        from rasid.watch import parse_since

        try:
            start = parse_since(since)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        total, rows = current().arrived_since(start, limit=limit, offset=offset)
        return start, total, rows

    @app.get("/api/arrived", tags=["documents"])
    def api_arrived(since: str | None = Query(None, description="ISO date or date-time, UTC unless an offset is "
                                                                "given (default: the last 24 hours)"),
                    limit: int = Query(PAGE, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_INT)):
        """Documents stored since a time (what ``rasid watch`` or a run brought), latest first: title,
        outlet, link, publication day, ``stored_at`` (Unix time), stories and event count."""
        start, total, rows = _arrived(since, limit, offset)
        return {"since": start, "total": total, "limit": limit, "offset": offset, "documents": rows}

    @app.get("/api/export/events.{fmt}", tags=["exports"])
    def api_export(fmt: str, event_type: str | None = None, sub_event_type: str | None = None,
                   actor: str | None = None, place: str | None = None, outlet: str | None = None,
                   country: str | None = None, story: str | None = None, date_from: str | None = None,
                   date_to: str | None = None):
        """All matching events as ``csv`` (ACLED columns, then provenance), ``jsonl`` or ``geojson``."""
        _, rows = _events(event_type, sub_event_type, actor, place, outlet, country, story, date_from, date_to,
                          False, None, 0)
        if fmt == "jsonl":
            body = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in rows)
            return PlainTextResponse(body, media_type="application/x-ndjson",
                                     headers={"Content-Disposition": "attachment; filename=events.jsonl"})
        if fmt == "csv":
            return Response(_csv(rows, current().article_urls()), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": "attachment; filename=events.csv"})
        if fmt == "geojson":
            from rasid.output import geojson_features

            return Response(json.dumps({"type": "FeatureCollection", "features": geojson_features(rows)},
                                       ensure_ascii=False), media_type="application/geo+json",
                            headers={"Content-Disposition": "attachment; filename=events.geojson"})
        raise HTTPException(404, "formats: events.csv, events.jsonl, events.geojson")

    # -- dashboard --------------------------------------------------------------------------------

    env = environment()
    linked = assets(False)

    def page(name: str, request: Request, status_code: int = 200, **context) -> HTMLResponse:
        user = _session_user(request)
        html = env.get_template(name).render(inline=False, assets=linked, base="", home="/", review=review,
                                             user=user, can_write=bool(user and user["role"] in WRITERS),
                                             **context)
        return HTMLResponse(html, status_code=status_code)

    def _session_user(request: Request) -> dict | None:
        """The logged-in reader of a reviewing server (None on a read-only one: nobody logs in there)."""
        if not review:
            return None
        from rasid.web.accounts import session_user

        return session_user(current(), request)

    # a dashboard page answers a bad address or parameter with a page that says so; the API with JSON
    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        if request.url.path.startswith("/api") or request.url.path.startswith("/openapi"):
            return await request_validation_exception_handler(request, exc)
        problems = [f"{'.'.join(str(x) for x in e.get('loc', ())[1:])}: {e.get('msg')}" for e in exc.errors()]
        return page("error.html", request, status_code=422, status=422, problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api") or request.url.path.startswith("/static"):
            return await http_exception_handler(request, exc)
        return page("error.html", request, status_code=exc.status_code, status=exc.status_code,
                    problems=[str(exc.detail)])

    def doc_href(doc_id: str, span) -> str:
        return f"/documents/{doc_id}#s-{int(span[0])}"

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE), min_size: int = Query(1, ge=1, le=MAX_INT)):
        total, rows = current().list_stories(limit=PAGE, offset=(page_no - 1) * PAGE, min_size=min_size)
        return page("index.html", request, stories=rows, total=total, page_no=page_no, pages=-(-total // PAGE),
                    min_size=min_size, n_documents=current().count_documents())

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: str):
        story = current().get_story(story_id)
        if story is None:
            raise HTTPException(404, f"no story {story_id}")
        from rasid.stories.edits import story_edits_of

        reports = current().story_reports(story_id)
        edits = story_edits_of(current(), story_id) if review else []
        return page("story.html", request, s=prepare_story(story, current().story_view(story_id)), doc_href=doc_href,
                    reports=reports, edits=edits)

    @app.get("/events", response_class=HTMLResponse, include_in_schema=False)
    def events_page(request: Request, event_type: str | None = None, sub_event_type: str | None = None,
                    actor: str | None = None, place: str | None = None, outlet: str | None = None,
                    country: str | None = None, date_from: str | None = None, date_to: str | None = None,
                    sort: Literal["newest", "oldest", "deadliest"] = "newest",
                    reports: Literal["events", "all"] = "events",
                    page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE)):
        filters = {"event_type": event_type, "sub_event_type": sub_event_type, "actor": actor, "place": place,
                   "outlet": outlet, "country": country, "date_from": date_from, "date_to": date_to}
        chosen = _selection(**{k: v or None for k, v in filters.items()})
        # one row per event by default: a wire copy or another outlet's report of it is listed in its row
        total, rows = current().query_events(**chosen, distinct=reports == "events", limit=PAGE,
                                             offset=(page_no - 1) * PAGE, sort=sort)
        others = current().event_outlets(x for e in rows for x in e.get("same_as", [])) if reports == "events" else {}
        for e in rows:
            e["other_reports"] = [{"event_id": x, "outlet": others[x][0], "doc_id": others[x][1]}
                                  for x in e.get("same_as", []) if x in others]
        # the map shows the whole selection, not the page: each place once, with its count
        points = current().event_places(**chosen)
        query = "&".join(f"{k}={quote(v)}" for k, v in {**filters, "sort": sort if sort != "newest" else None,
                                                        "reports": reports if reports != "events" else None}.items() if v)
        return page("events.html", request, events=rows, total=total, filters=filters, sort=sort, reports=reports,
                    facets=current().event_facet_counts(**chosen), points=points, page_no=page_no,
                    pages=-(-total // PAGE), query=query, doc_href=doc_href,
                    urls=_web_urls(current().article_urls(e["doc_id"] for e in rows)))

    @app.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def map_page(request: Request, event_type: str | None = None, actor: str | None = None,
                 outlet: str | None = None, date_from: str | None = None, date_to: str | None = None):
        filters = {"event_type": event_type, "actor": actor, "outlet": outlet, "date_from": date_from,
                   "date_to": date_to}
        places = current().event_places(**{k: v or None for k, v in filters.items()})
        return page("map.html", request, places=places, filters=filters, facets=current().event_facets())

    @app.get("/documents/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(request: Request, doc_id: str):
        doc = current().get_document(doc_id)
        if doc is None:
            raise HTTPException(404, f"no document {doc_id}")
        mentions = list(current().annotations("entity", doc_id))
        _, events = current().query_events(doc_id=doc_id, limit=None)
        return page("document.html", request, doc=doc, blocks=_highlighted(doc, mentions, events),
                    mentions=mentions, events=events, doc_href=doc_href, by_id={e["event_id"]: e for e in events},
                    url=_web_urls(current().article_urls([doc_id])).get(doc_id), choices=_review_choices())

    @app.get("/arrived", response_class=HTMLResponse, include_in_schema=False)
    def arrived_page(request: Request, since: str | None = None,
                     page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE)):
        start, total, rows = _arrived(since, PAGE, (page_no - 1) * PAGE)
        return page("arrived.html", request, documents=rows, total=total, since=since or "", start=start,
                    page_no=page_no, pages=-(-total // PAGE), query=f"since={quote(since)}" if since else "",
                    urls=_web_urls({d["doc_id"]: d["url"] for d in rows if d["url"]}))

    # -- the review loop in the browser (rasid serve --review; a coder logged in) ----------------------

    async def _form(request: Request) -> dict[str, list[str]]:
        """A posted form (application/x-www-form-urlencoded), every field with all its values."""
        if not review:
            raise HTTPException(405, "this server is read-only: start it with rasid serve --review")
        body = b""
        async for chunk in request.stream():  # read no more than a form can hold
            body += chunk
            if len(body) > MAX_FORM:
                raise HTTPException(413, "form too large")
        return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=2000)

    def _writer(request: Request, form: dict[str, list[str]]) -> str:
        from rasid.web.accounts import require_writer

        return require_writer(current(), request, (form.get("csrf") or [""])[0])

    def _back(form: dict[str, list[str]], default: str) -> RedirectResponse:
        from rasid.web.accounts import safe_next

        target = (form.get("next") or [""])[0]
        return RedirectResponse(safe_next(target) if target else default, status_code=303)

    @app.post("/events/{event_id}/review", include_in_schema=False)
    async def review_form(request: Request, event_id: str):
        """A coder's review from an event card: accept, reject, or edit the fields that differ."""
        from rasid.review import ReviewError, review_event

        form = await _form(request)
        who = _writer(request, form)
        event = current().get_event(event_id)
        if event is None:
            raise HTTPException(404, f"no event {event_id}")
        one = {k: v[0].strip() for k, v in form.items() if v}
        action = one.get("action", "")
        try:
            fields = _edited_fields(event, one) if action == "edit" else {}
            review_event(current(), event_id, action, fields, one.get("note") or None, who)
        except ReviewError as exc:
            raise HTTPException(422, str(exc)) from None
        return _back(form, f"/documents/{event['doc_id']}#ev-{event_id}")

    @app.post("/stories/{story_id}/merge", include_in_schema=False)
    async def merge_form(request: Request, story_id: str):
        """Merge this story into another (its id, or the address of its page)."""
        from rasid.stories.edits import StoryEditError, merge_stories

        form = await _form(request)
        who = _writer(request, form)
        into = (form.get("into") or [""])[0].strip().rstrip("/").rsplit("/", 1)[-1]
        try:
            merged = merge_stories(current(), story_id, into, user=who, note=(form.get("note") or [""])[0] or None)
        except StoryEditError as exc:
            raise HTTPException(404 if str(exc).startswith("no story") else 422, str(exc)) from None
        return RedirectResponse(f"/stories/{merged['story_id']}", status_code=303)

    @app.post("/stories/{story_id}/split", include_in_schema=False)
    async def split_form(request: Request, story_id: str):
        """Move the ticked reports (``member=doc_id:segment``) into a story of their own."""
        from rasid.stories.edits import StoryEditError, split_story

        form = await _form(request)
        who = _writer(request, form)
        members = []
        for value in form.get("member", []):
            doc_id, _, seg = value.rpartition(":")
            if not doc_id or not seg.isdigit():
                raise HTTPException(422, f"a report is doc_id:segment, got {value!r}")
            members.append((doc_id, int(seg)))
        try:
            new = split_story(current(), story_id, members, user=who, note=(form.get("note") or [""])[0] or None)
        except StoryEditError as exc:
            raise HTTPException(404 if str(exc).startswith("no story") else 422, str(exc)) from None
        return RedirectResponse(f"/stories/{new['story_id']}", status_code=303)

    @app.get("/reviews", response_class=HTMLResponse, include_in_schema=False)
    def reviews_page(request: Request, event: str | None = None, story: str | None = None,
                     page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE)):
        """The audit trail: every correction (who, when, before, after), newest first."""
        trail = _audit_trail(current(), event, story)
        rows = trail[(page_no - 1) * PAGE:page_no * PAGE]
        query = "&".join(f"{k}={quote(v)}" for k, v in (("event", event), ("story", story)) if v)
        return page("reviews.html", request, rows=rows, total=len(trail), page_no=page_no,
                    pages=-(-len(trail) // PAGE), query=query, event=event, story=story)

    @app.get("/api/reviews", tags=["review"])
    def api_reviews(event: str | None = None, story: str | None = None, limit: int = Query(PAGE, ge=1, le=1000),
                    offset: int = Query(0, ge=0, le=MAX_INT)):
        """The audit trail of corrections (event reviews and story merges and splits), newest first:
        who, when, the action, the fields, the note, the record before and after."""
        trail = _audit_trail(current(), event, story)
        return {"total": len(trail), "reviews": trail[offset:offset + limit]}

    from rasid.web.accounts import add_account_routes
    from rasid.web.overview import add_overview_routes
    from rasid.web.search import add_search_routes

    add_search_routes(app, current, page)
    add_overview_routes(app, current, page)
    add_account_routes(app, current, page, review)
    return app


def _edited_fields(event: dict, form: dict[str, str]) -> dict:
    """The fields of an edit form that differ from the event as it reads (empty boxes change nothing;
    "-" clears an actor or the toll)."""
    fields: dict[str, Any] = {}
    for name in ("event_type", "sub_event_type", "event_date"):
        value = form.get(name, "")
        if value and value != (event.get(name) or ""):
            fields[name] = value
    for name in ("actor1", "actor2"):
        value = form.get(name, "")
        now = (event.get(name) or {}).get("id") or ""
        if value == "-":
            if now:
                fields[name] = None
        elif value and value != now:
            fields[name] = _one_actor(value)
    place = form.get("location", "")
    loc = event.get("location") or {}
    if place and place not in (loc.get("name_en"), loc.get("name_ar"), loc.get("name")):
        fields["location"] = place
    toll = form.get("fatalities", "")
    if toll == "-":
        if event.get("fatalities") is not None:
            fields["fatalities"] = None
    elif toll:
        if not toll.isdigit():
            from rasid.review import ReviewError

            raise ReviewError(f"fatalities is a whole number, got {toll!r}")
        if int(toll) != event.get("fatalities"):
            fields["fatalities"] = int(toll)
    return fields


def _web_urls(urls: dict[str, str]) -> dict[str, str]:
    """The addresses a page may link to: http and https only (never javascript: or file:)."""
    return {k: v for k, v in urls.items() if re.match(r"https?://", v, re.I)}


@cache
def _review_choices() -> dict[str, list]:
    """What the review form offers: ACLED's types and sub-types, the dictionary's actors."""
    from rasid.entities import ActorDictionary
    from rasid.events.taxonomy import Taxonomy

    tax = Taxonomy.load()
    actors = sorted((a.id, f"{a.name_en} · {a.name_ar}") for a in ActorDictionary.from_data().actors.values())
    return {"event_type": list(tax.event_types), "sub_event_type": list(tax.all_sub_event_types), "actors": actors}


def _one_actor(typed: str) -> str:
    """The dictionary id a coder means by what they typed (an id, a name, an alias); else as typed
    (the review then says it is no actor of the dictionary)."""
    from rasid.entities import ActorDictionary
    from rasid.text.normalize import match_words

    actors = ActorDictionary.from_data()
    if actors.get(typed) is not None:
        return typed
    exact = {a.id for a in actors.actors.values() if typed.casefold() in (a.id.casefold(), a.name_en.casefold())}
    if len(exact) == 1:
        return exact.pop()
    hit = actors.lookup(match_words(typed), typos=False)  # an Arabic name or alias, with proclitics
    if hit:
        return hit[0].id
    ids = [i for i in _actor_ids(typed) or [] if actors.get(i) is not None]
    return ids[0] if len(ids) == 1 else typed


def _audit_trail(store: Store, event: str | None, story: str | None) -> list[dict]:
    """Event reviews and story corrections as one list, newest first."""
    from rasid.review import reviews_of
    from rasid.stories.edits import story_edits_of

    rows = []
    if not story:
        for r in reviews_of(store, event):
            changed = {k: (_shown(r["before"].get(k)), _shown(r["after"].get(k))) for k in r["fields"]}
            rows.append({"kind": "event", "id": r["event_id"], "doc_id": r["doc_id"], "action": r["action"],
                         "by": r["by"], "at": r["at"], "note": r["note"], "changed": changed})
    if not event:
        for r in story_edits_of(store, story):
            rows.append({"kind": "story", "id": r["story_id"], "into": r["into"], "action": r["action"],
                         "by": r["by"], "at": r["at"], "note": r["note"], "members": r["members"],
                         "changed": {"reports": (r["before"]["from"]["size"], r["after"]["from"]["size"])}})
    return sorted(rows, key=lambda r: -r["at"])


def _shown(value) -> str:
    """A field's value as the audit trail shows it."""
    if isinstance(value, dict):
        return str(value.get("label_en") or value.get("name_en") or value.get("id") or "")
    return "—" if value is None else str(value)


def _csv(rows: list[dict], urls: dict[str, str]) -> str:
    """The ACLED CSV, with a byte-order mark: a spreadsheet then reads it as UTF-8 (Arabic intact).
    Like ``rasid analyze``'s events.csv, it leaves out denied and rejected events."""
    from rasid.events.model import counted
    from rasid.output import ACLED_COLUMNS, EXTRA_COLUMNS, acled_row

    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow(ACLED_COLUMNS + EXTRA_COLUMNS)
    for e in rows:
        if not counted(e):
            continue  # a denied or rejected event is in events.jsonl, not among ACLED's incidents
        row = acled_row(e, urls)
        w.writerow([row.get(c, "") for c in ACLED_COLUMNS + EXTRA_COLUMNS])
    return buf.getvalue()


class ReviewBody(BaseModel):
    """A coder's review of one event."""

    action: Literal["accept", "reject", "edit"]
    fields: dict[str, Any] = Field(default_factory=dict)
    note: str | None = Field(None, max_length=2000)


def _selection(*, actor=None, place=None, country=None, date_from=None, date_to=None, **exact) -> dict:
    """Event filters as the store takes them, from what a reader typed: an actor's names resolved to
    ids, a country's name given as a place turned into its code, dates checked; empty values dropped."""
    chosen = {k: v for k, v in exact.items() if v}
    chosen.update(actor=_actor_ids(actor), date_from=_date(date_from, "date_from"), date_to=_date(date_to, "date_to"))
    code = _country_code(place) if place and not country else None
    chosen.update(place=None if code else place or None, country=code or country or None)
    return chosen


def _actor_ids(query: str | None) -> list[str] | None:
    """The actor ids a typed name means: an id or side as it is ("isis" too), or any actor whose English
    name, Arabic name or alias it is ("Islamic State", "داعش", "الجيش الوطني الليبي")."""
    if not query or not query.strip():
        return None
    from rasid.entities import ActorDictionary
    from rasid.text.normalize import match_key, match_words

    q = query.strip()
    found = {q} | _actor_names().get(q.lower(), set()) | _actor_names().get(match_key(q), set())
    hit = ActorDictionary.from_data().lookup(match_words(q), typos=False)  # with proclitics: "لقوات حفتر"
    if hit:
        found.add(hit[0].id)
    return sorted(found)


@cache
def _actor_names() -> dict[str, set[str]]:
    """Actor ids by every name a reader may type (ids, sides, English names lower-cased; Arabic by matching key)."""
    from rasid.entities import ActorDictionary
    from rasid.text.normalize import match_key

    names: dict[str, set[str]] = {}
    for a in ActorDictionary.from_data().actors.values():
        for name in {a.id.lower(), (a.side or "").lower(), a.name_en.lower(), *map(match_key, (a.name_ar, *a.aliases))}:
            if name:
                names.setdefault(name, set()).add(a.id)
    return names


def _country_code(name: str) -> str | None:
    """The ISO code of a country named in English or Arabic ("Libya", "ليبيا"), else None."""
    from rasid.text.normalize import match_key

    return _country_names().get(name.strip().lower()) or _country_names().get(match_key(name))


@cache
def _country_names() -> dict[str, str]:
    from rasid.geo import PlaceGazetteer
    from rasid.text.normalize import match_key

    out = {}
    for code, place in PlaceGazetteer.from_data().countries().items():
        out[place.name_en.lower()] = out[match_key(place.name_ar)] = code
    return out


def _public_source(source: str | None) -> str | None:
    """``/home/me/feeds/libya.jsonl:12`` -> ``libya.jsonl:12``."""
    if not source:
        return source
    return Path(source.replace("\\", "/")).name


def _date(value: str | None, name: str) -> str | None:
    """A date filter as given (2020, 2020-06 or 2020-06-10), or a 422 that says what is expected."""
    if not value:
        return None
    try:
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise ValueError(value)
        date.fromisoformat((value + "-01-01")[:10] if len(value) < 10 else value)
    except ValueError:
        raise HTTPException(422, f"{name} must be a date like 2020-06-10, 2020-06 or 2020; got {value!r}") from None
    return value


def _highlighted(doc, mentions: list[dict], events: list[dict]) -> list[dict]:
    """The document's lines as HTML blocks, each with the cards of the events coded in it.

    Removed lines are greyed; sentences are anchored (``#s-START``); every entity mention is marked
    by type. An event sentence is underlined with its coding as a tooltip, and each field of its
    events that the coder found in the text (``spans``: trigger, actors, place, date, toll, claimant)
    is marked by role, nested with the mentions. Events from stores without spans keep the plain
    underline. Returns ``[{"html": Markup, "cards": [card, ...]}]`` in text order (see
    :func:`rasid.web.render.event_card`).
    """
    from rasid.document import LineStatus

    coded: dict[int, list[dict]] = {}
    for e in events:
        coded.setdefault(e["span"][0], []).append(e)
    sentences_by_line: dict[int, list] = {}
    for s in doc.sentences:
        sentences_by_line.setdefault(s.line, []).append(s)
    kept = _mention_marks(mentions)
    blocks, placed = [], set()
    for ln in doc.lines:
        text = doc.text[ln.start:ln.end]
        if ln.status != LineStatus.KEPT:
            blocks.append({"html": Markup(f'<p class="removed" title="{escape(ln.status)}">{escape(text)}</p>'),
                           "cards": []})
            continue
        parts, pos, cards = [], ln.start, []
        for s in sentences_by_line.get(ln.n, []):
            parts.append(escape(doc.text[pos:s.start]))
            evs = coded.get(s.start, [])
            fields = field_marks(evs, doc.text)
            cls = ' class="ev-sentence"' if evs else ""
            cls += f' data-fields="{len(fields)}"' if fields else ""
            tip = " | ".join(f'{e["event_type"]} / {e.get("sub_event_type")}: {e.get("notes_en", "")}' for e in evs)
            title = f' title="{escape(tip)}"' if tip else ""
            body = nested_html(doc.text, s.start, s.end, fields + kept)
            parts.append(f'<span id="s-{s.start}"{cls}{title}>{body}</span>')
            pos = s.end
            cards += [event_card(e, doc.text) for e in evs]
            placed.update(e["event_id"] for e in evs)
        parts.append(escape(doc.text[pos:ln.end]))
        blocks.append({"html": Markup("<p>" + "".join(parts) + "</p>"), "cards": cards})
    rest = [event_card(e, doc.text) for e in events if e["event_id"] not in placed]
    if rest:  # a sentence the document no longer has (a store from an older cleaner): cards without marks
        blocks.append({"html": Markup(""), "cards": rest})
    return blocks


def _mention_marks(mentions: list[dict]) -> list[Mark]:
    """Entity mentions as marks by type, longest first where they overlap (an overlapping one is dropped)."""
    marks, pos = [], -1
    for m in sorted(mentions, key=lambda m: (m["span"][0], -m["span"][1])):
        a, b = m["span"]
        if a < pos:
            continue
        label = m.get("name_en") or m.get("name") or ""
        kind = m.get("type", "")
        tip = f"{kind}: {label}" + (f" ({m['id']})" if m.get("id") else "")
        marks.append(Mark(a, b, "mark", attrs=(("class", f"m-{kind}"), ("title", tip)), rank=len(FIELD_ROLES)))
        pos = b
    return marks

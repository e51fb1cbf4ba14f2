"""Overviews of a store: events over time, counts by type, actor, country and outlet, actor and outlet pages.

Every count here is of events, not reports: linked reports of one event (one ``lead``) count once,
and events the text denies or a coder rejected are left out. An outlet's count is the number of
events it reported (an event three outlets reported counts once for each of them).

Routes: ``/overview``, ``/actors/{actor_id}``, ``/outlets/{outlet}`` (pages) and the same figures
as JSON under ``/api/`` (tag "overview").
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from urllib.parse import quote, urlencode

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from rasid.web.charts import bar_rows_html, stacked_bars_svg, time_bins

__all__ = ["add_overview_routes", "overview_data", "actor_data", "outlet_data", "MIN_LEAN_STORIES"]

TOP = 20  # rows of a bar chart on a page (the JSON has them all)
ACTOR_EVENTS = 20  # rows of an actor's events table (the events page has them all)
PAGE = 50  # stories per page of an outlet
MIN_LEAN_STORIES = 3  # stories with side-marked wording before an outlet's lean is told at all

TYPE_AR = {
    "Battles": "معارك",
    "Explosions/Remote violence": "انفجارات وعنف عن بعد",
    "Violence against civilians": "عنف ضد المدنيين",
    "Protests": "احتجاجات",
    "Riots": "أعمال شغب",
    "Strategic developments": "تطورات استراتيجية",
}


def add_overview_routes(app: FastAPI, current, page) -> None:
    """Add the overview routes to `app`: `current()` is the request's store, `page(name, request, **context)`
    renders a dashboard template."""
    # the actor dictionary and the name tables take seconds to read: read them now, not in the first request
    threading.Thread(target=_warm, name="rasid-overview-warm", daemon=True).start()

    @app.get("/api/overview", tags=["overview"])
    def api_overview(date_from: str | None = None, date_to: str | None = None,
                     country: str | None = Query(None, description="ISO code or country name")):
        """Events (linked reports once; denied and rejected ones left out) over time by event type, and
        counted by event type, actor (either role), country and outlet (the events each outlet reported)."""
        return overview_data(current(), **_filters(date_from, date_to, country))

    @app.get("/overview", response_class=HTMLResponse, include_in_schema=False)
    def overview_page(request: Request, date_from: str | None = None, date_to: str | None = None,
                      country: str | None = None):
        chosen = _filters(date_from, date_to, country)
        data = overview_data(current(), **chosen)
        keep = {"date_from": chosen["date_from"], "date_to": chosen["date_to"],
                "place": _country_name(chosen["country"]) if chosen["country"] else None}
        colours = _colours()
        chart = stacked_bars_svg(data["over_time"]["unit"], data["over_time"]["bins"], colours=colours,
                                 link=lambda t, a, b: _href("/events", event_type=t, date_from=a, date_to=b,
                                                            place=keep["place"]))
        bars = {
            "type": bar_rows_html([{"key": r["event_type"], "label": TYPE_AR.get(r["event_type"], r["event_type"]),
                                    "label_en": r["event_type"], "count": r["events"],
                                    "colour": colours.get(r["event_type"], "#999"),
                                    "href": _href("/events", event_type=r["event_type"], **keep),
                                    "count_href": _href("/events", event_type=r["event_type"], **keep)}
                                   for r in data["by_type"]]),
            "actor": bar_rows_html([_actor_row(r, keep) for r in data["by_actor"][:TOP]]),
            "country": bar_rows_html([{"key": r["country"], "label": r["name_ar"] or r["country"],
                                       "label_en": r["name_en"] or r["country"], "count": r["events"],
                                       "href": _href("/overview", country=r["country"], date_from=chosen["date_from"],
                                                     date_to=chosen["date_to"]),
                                       "count_href": _href("/events", **{**keep, "place": r["name_en"] or r["country"]})}
                                      for r in data["by_country"][:TOP]]),
            "outlet": bar_rows_html([{"key": r["outlet"], "label": r["name_ar"] or r["outlet"], "label_en": r["outlet"],
                                      "count": r["events"], "href": "/outlets/" + quote(r["outlet"], safe=""),
                                      "count_href": _href("/events", outlet=r["outlet"], **keep)}
                                     for r in data["by_outlet"][:TOP]]),
        }
        points = current().event_places(date_from=chosen["date_from"], date_to=chosen["date_to"],
                                         country=chosen["country"])
        countries = [{"code": c, "name": _country_name(c) or c} for c in current().event_facets().get("country", [])]
        return page("overview.html", request, d=data, chart=Markup(chart), bars={k: Markup(v) for k, v in bars.items()},
                    filters=chosen, countries=countries, points=points, top=TOP, type_ar=TYPE_AR)

    @app.get("/api/actors/{actor_id:path}", tags=["overview"])
    def api_actor(actor_id: str):
        """One actor: its events (as actor 1 or 2; linked reports once), places, opponents, the names each
        outlet gives it and its events over time. 404 for an id neither the actor dictionary nor any event has."""
        return actor_data(current(), actor_id)

    @app.get("/actors/{actor_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def actor_page(request: Request, actor_id: str):
        data = actor_data(current(), actor_id)
        colours = _colours()
        chart = stacked_bars_svg(data["over_time"]["unit"], data["over_time"]["bins"], colours=colours,
                                 link=lambda t, a, b: _href("/events", actor=actor_id, event_type=t, date_from=a,
                                                            date_to=b))
        bars = {
            "places": bar_rows_html([{"key": p["location"], "label": p["location_ar"] or p["location"],
                                      "label_en": p["location"], "count": p["events"],
                                      "href": _href("/events", actor=actor_id, place=p["location_ar"] or p["location"]),
                                      "count_href": _href("/events", actor=actor_id,
                                                          place=p["location_ar"] or p["location"])}
                                     for p in data["places"][:TOP]]),
            "opponents": bar_rows_html([_actor_row(r, {}) for r in data["opponents"][:TOP]], colour="#a2407e"),
            "outlets": bar_rows_html([{"key": r["outlet"], "label": r["outlet"], "count": r["events"],
                                       "href": "/outlets/" + quote(r["outlet"], safe=""),
                                       "count_href": _href("/events", actor=actor_id, outlet=r["outlet"])}
                                      for r in data["outlets"][:TOP]], colour="#5f6b76"),
        }
        return page("actor.html", request, a=data, chart=Markup(chart), bars={k: Markup(v) for k, v in bars.items()},
                    points=data["points"], type_ar=TYPE_AR, colours_=colours)

    @app.get("/api/outlets/{outlet:path}", tags=["overview"])
    def api_outlet(outlet: str, page_no: int = Query(1, alias="page", ge=1, le=10**6)):
        """One outlet: its documents and events, the stories it covered (a page of them), the lean of its
        wording across those stories (side-marked framing terms), and its blindspots: stories that at least
        two outlets covered, among them an outlet of the opposite lean, and this one did not."""
        return outlet_data(current(), outlet, page_no=page_no)

    @app.get("/outlets/{outlet:path}", response_class=HTMLResponse, include_in_schema=False)
    def outlet_page(request: Request, outlet: str, page_no: int = Query(1, alias="page", ge=1, le=10**6)):
        data = outlet_data(current(), outlet, page_no=page_no)
        colours = _colours()
        chart = stacked_bars_svg(data["over_time"]["unit"], data["over_time"]["bins"], colours=colours,
                                 link=lambda t, a, b: _href("/events", outlet=outlet, event_type=t, date_from=a,
                                                            date_to=b))
        bars = {
            "type": bar_rows_html([{"key": r["event_type"], "label": TYPE_AR.get(r["event_type"], r["event_type"]),
                                    "label_en": r["event_type"], "count": r["events"],
                                    "colour": colours.get(r["event_type"], "#999"),
                                    "href": _href("/events", outlet=outlet, event_type=r["event_type"]),
                                    "count_href": _href("/events", outlet=outlet, event_type=r["event_type"])}
                                   for r in data["by_type"]]),
            "actor": bar_rows_html([_actor_row(r, {"outlet": outlet}) for r in data["by_actor"][:TOP]]),
        }
        return page("outlet.html", request, o=data, chart=Markup(chart), bars={k: Markup(v) for k, v in bars.items()},
                    min_lean=MIN_LEAN_STORIES, path="/outlets/" + quote(outlet, safe=""))


# -- the figures ---------------------------------------------------------------------------------------


def overview_data(store, *, date_from: str | None = None, date_to: str | None = None,
                  country: str | None = None) -> dict:
    """The overview's figures (what ``/api/overview`` returns)."""
    rows = store.overview_events(date_from=date_from, date_to=date_to, country=country)
    distinct = [r for r in rows if r[0] == r[1]]
    actors = _actors()
    by_actor = Counter(a for r in distinct for a in {r[3], r[4]} - {None})
    by_country = Counter(r[5] for r in distinct if r[5])
    by_outlet = Counter(o for o, _ in {(r[7], r[1]) for r in rows if r[7]})
    reports_by_outlet = Counter(r[7] for r in rows if r[7])
    dated = [r[6] for r in distinct if r[6]]
    unit, bins = time_bins(Counter((r[6], r[2]) for r in distinct if r[6]))
    outlet_ar = _outlet_names()
    return {
        "filters": {"date_from": date_from, "date_to": date_to, "country": country},
        "events": len(distinct), "reports": len(rows), "undated": len(distinct) - len(dated),
        "first_date": min(dated, default=None), "last_date": max(dated, default=None),
        "by_type": [{"event_type": t, "events": n} for t, n in _ranked(Counter(r[2] for r in distinct))],
        "by_actor": [{**_actor_info(a, actors), "events": n} for a, n in _ranked(by_actor)],
        "by_country": [{"country": c, "name_en": _country_name(c), "name_ar": _country_name(c, "ar"), "events": n}
                       for c, n in _ranked(by_country)],
        "by_outlet": [{"outlet": o, "name_ar": outlet_ar.get(o), "events": n, "reports": reports_by_outlet[o]}
                      for o, n in _ranked(by_outlet)],
        "over_time": {"unit": unit, "bins": bins},
    }


def actor_data(store, actor_id: str) -> dict:
    """An actor's page figures (what ``/api/actors/{actor_id}`` returns); 404 when nothing knows the id."""
    actors = _actors()
    reports = store.actor_events(actor_id)
    if not reports and actor_id not in actors:
        raise HTTPException(404, f"no actor {actor_id} (not in the actor dictionary, in no event)")
    counted = [(lead, e) for lead, e in reports if e.get("modality") != "denied"]
    events = [e for lead, e in counted if lead == e["event_id"]]
    places: dict[tuple, dict] = {}
    opponents: Counter = Counter()
    labels: dict[str, dict] = {}
    table = []
    for e in events:
        role = "actor1" if (e.get("actor1") or {}).get("id") == actor_id else "actor2"
        other = e.get("actor2" if role == "actor1" else "actor1") or {}
        if other.get("id") and other["id"] != actor_id:
            opponents[other["id"]] += 1
            labels.setdefault(other["id"], other)
        loc = e.get("location") or {}
        if loc.get("name_en") or loc.get("name_ar"):
            p = places.setdefault((loc.get("name_en"), loc.get("name_ar")), {
                "location": loc.get("name_en"), "location_ar": loc.get("name_ar"), "country": loc.get("country"),
                "lat": loc.get("lat"), "lon": loc.get("lon"), "events": 0, "types": Counter(), "dates": []})
            p["events"] += 1
            p["types"][e["event_type"]] += 1
            if e.get("event_date"):
                p["dates"].append(e["event_date"])
        if len(table) < ACTOR_EVENTS:
            table.append({"event_id": e["event_id"], "doc_id": e["doc_id"], "span": e.get("span"), "role": role,
                          "event_date": e.get("event_date"), "event_type": e["event_type"],
                          "sub_event_type": e.get("sub_event_type"), "other": _short_actor(other),
                          "location": loc.get("name_en"), "location_ar": loc.get("name_ar"), "outlet": e.get("outlet"),
                          "fatalities": e.get("fatalities"), "sentence": e.get("sentence") or "",
                          "modality": e.get("modality")})
    # how each outlet names it: the words of every report's sentence (linked reports too: each outlet's own
    # wording), and the mentions of the stories' comparisons
    names: dict[str, Counter] = {}
    for _, e in reports:
        for role in ("actor1", "actor2"):
            a = e.get(role) or {}
            if a.get("id") == actor_id and a.get("surface"):
                names.setdefault(e.get("outlet") or "", Counter())[a["surface"]] += 1
    story_names: dict[str, Counter] = {}
    for source, counts in views_index(store).names.get(actor_id, {}).items():
        story_names.setdefault("" if source.startswith("doc:") else source, Counter()).update(counts)
    info = _actor_info(actor_id, actors)
    if actor_id not in actors:  # an id only the events know (an edited event): the names they give it
        first = next((e.get(r) for _, e in reports for r in ("actor1", "actor2")
                      if (e.get(r) or {}).get("id") == actor_id), None) or {}
        info.update(name_ar=first.get("label_ar"), name_en=first.get("label_en") or actor_id, side=first.get("side"))
    dated = [e["event_date"] for e in events if e.get("event_date")]
    unit, bins = time_bins(Counter((e["event_date"], e["event_type"]) for e in events if e.get("event_date")))
    outlets = Counter(o for o, _ in {(e.get("outlet"), lead) for lead, e in counted if e.get("outlet")})
    ranked_places = sorted(places.values(), key=lambda p: (-p["events"], p["location"] or p["location_ar"] or ""))
    return {
        **info, "known": actor_id in actors,
        "events": len(events), "reports": len(counted), "denied": len(reports) - len(counted),
        "as_actor1": sum(1 for e in events if (e.get("actor1") or {}).get("id") == actor_id),
        "first_date": min(dated, default=None), "last_date": max(dated, default=None),
        "table": table, "table_limit": ACTOR_EVENTS,
        "places": [{k: v for k, v in p.items() if k not in ("types", "dates")} | {"types": dict(p["types"])}
                   for p in ranked_places],
        "opponents": [{**_actor_info(a, actors, labels.get(a)), "events": n} for a, n in _ranked(opponents)],
        "outlets": [{"outlet": o, "events": n} for o, n in _ranked(outlets)],
        "names_by_outlet": _names_rows(names),
        "story_names_by_outlet": _names_rows(story_names),
        "over_time": {"unit": unit, "bins": bins},
        "points": [_point(p) for p in ranked_places if p["lat"] is not None and p["lon"] is not None],
    }


def outlet_data(store, outlet: str, *, page_no: int = 1) -> dict:
    """An outlet's page figures (what ``/api/outlets/{outlet}`` returns); 404 for an outlet the store lacks."""
    n_docs, first_doc, last_doc = store.outlet_summary(outlet)
    rows = store.outlet_events(outlet)
    index = views_index(store)
    covered = [sid for sid in index.order if outlet in index.stories[sid]["sources"]]
    if not n_docs and not rows and not covered:
        raise HTTPException(404, f"no outlet {outlet} (no document, event or story of it)")
    firsts: dict[str, tuple] = {}
    for r in rows:
        firsts.setdefault(r[0], r)  # an event it reported twice (linked reports) counts once
    events = list(firsts.values())
    actors = _actors()
    unit, bins = time_bins(Counter((r[4], r[1]) for r in events if r[4]))
    lean = index.lean(outlet)
    pages = max(1, -(-len(covered) // PAGE))
    shown = covered[(page_no - 1) * PAGE:page_no * PAGE]
    stories = []
    for sid in shown:
        s = index.stories[sid]
        frame = index.framing.get(outlet, {}).get(sid)
        stories.append({**_story_row(s), "lean": _story_lean(frame),
                        "terms": [t for t in (frame or {}).get("terms", []) if t.get("own")][:4]})
    return {
        "outlet": outlet, "name_ar": _outlet_names().get(outlet),
        "documents": n_docs, "first_document": first_doc, "last_document": last_doc,
        "events": len(events), "reports": len(rows),
        "by_type": [{"event_type": t, "events": n} for t, n in _ranked(Counter(r[1] for r in events))],
        "by_actor": [{**_actor_info(a, actors), "events": n}
                     for a, n in _ranked(Counter(a for r in events for a in {r[2], r[3]} - {None}))],
        "over_time": {"unit": unit, "bins": bins},
        "stories": {"total": len(covered), "page": page_no, "pages": pages, "per_page": PAGE, "rows": stories},
        "lean": lean,
        "blindspots": index.blindspots(outlet, first_doc, last_doc),
        "sides": {k: v.get("en", k) for k, v in _framing_sides().items()},
    }


# -- story views, read once per version of the store --------------------------------------------------


@dataclass
class ViewsIndex:
    """What the outlet and actor pages need from all stories and their comparisons, read in one pass.

    `framing` is ``{outlet: {story_id: {"lean", "terms"}}}`` (the comparison's framing of each source),
    `names` ``{actor id: {source: Counter(surface)}}`` (the comparison's names per source), `stories`
    ``{story_id: row}`` with ``sources`` (the story's outlets) and `order` the story ids newest first.
    """

    stories: dict[str, dict] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    framing: dict[str, dict[str, dict]] = field(default_factory=dict)
    names: dict[str, dict[str, Counter]] = field(default_factory=dict)
    _leans: dict[str, dict] = field(default_factory=dict)

    def lean(self, outlet: str) -> dict:
        """The lean of `outlet`'s wording across the stories it covered (see :func:`outlet_lean`)."""
        if outlet not in self._leans:
            covered = [sid for sid in self.order if outlet in self.stories[sid]["sources"]]
            self._leans[outlet] = outlet_lean(self.framing.get(outlet, {}), covered)
        return self._leans[outlet]

    def blindspots(self, outlet: str, first: str | None = None, last: str | None = None, *, limit: int = 50) -> dict:
        """Stories at least two outlets covered, one of them of a lean opposed to `outlet`'s, that `outlet`
        did not cover; only stories of the days it was publishing (`first` to `last`, when known)."""
        own = self.lean(outlet)
        side = own["side"]
        out = {"side": side, "total": 0, "rows": [], "first": first, "last": last}
        if side is None:
            return out
        sides = _framing_sides()
        opposed = set(sides.get(side, {}).get("opponents") or [s for s in sides if s != side])
        found = []
        for sid in self.order:
            s = self.stories[sid]
            sources = s["sources"]
            if len(sources) < 2 or outlet in sources:
                continue
            if first and s.get("end_date") and s["end_date"] < first[:10]:
                continue
            if last and s.get("start_date") and s["start_date"] > last[:10]:
                continue
            leans = {o: self.lean(o)["side"] for o in sources}
            against = sorted(o for o, x in leans.items() if x in opposed)
            if against:
                found.append({**_story_row(s), "outlets": [{"outlet": o, "side": leans[o]} for o in sources],
                              "opposed": against})
        found.sort(key=lambda r: (-len(r["sources"]), -(r["size"] or 0), r["story_id"]))
        out.update(total=len(found), rows=found[:limit], opposed=sorted(opposed))
        return out


_INDEX: dict[tuple, ViewsIndex] = {}
_INDEX_LOCK = threading.Lock()


def views_index(store) -> ViewsIndex:
    """The :class:`ViewsIndex` of `store`, kept while its file is unchanged (a server reads it once)."""
    key = _version(store)
    if key is not None and key in _INDEX:
        return _INDEX[key]
    index = ViewsIndex()
    rows = store.story_index_rows()
    for sid, title_ar, title_en, start, end, size, sources, framing, labels in rows:
        index.order.append(sid)
        index.stories[sid] = {"story_id": sid, "title_ar": title_ar, "title_en": title_en, "start_date": start,
                              "end_date": end, "size": size, "sources": [s for s in json.loads(sources) if s]}
        for source, row in (json.loads(framing) if framing else {}).items():
            index.framing.setdefault(source, {})[sid] = {
                "lean": row.get("lean") or {},
                "terms": [{k: t.get(k) for k in ("term", "en", "favours", "about", "own", "quoted")}
                          for t in row.get("terms") or []]}
        for label in json.loads(labels) if labels else []:
            by_source = index.names.setdefault(label.get("id"), {})
            for source, names in (label.get("by_source") or {}).items():
                counts = by_source.setdefault(source, Counter())
                for n in names:
                    counts[n["surface"]] += n["count"]
    if key is not None:
        with _INDEX_LOCK:
            for old in [k for k in _INDEX if k[0] == key[0]]:
                del _INDEX[old]
            _INDEX[key] = index
    return index


def _version(store) -> tuple | None:
    """What changes whenever the store does (:meth:`rasid.store.base.ReadStore.change_stamp`), or None."""
    return store.change_stamp()


def outlet_lean(framing: dict[str, dict], covered: list[str]) -> dict:
    """The lean of an outlet's wording across the stories it covered, from each story's framing terms.

    Per side of the framing lexicon: in how many of the covered stories the outlet itself uses a term
    that favours that side (``own_stories``), and in how many more only inside a quote
    (``quoted_stories``). The overall estimate pools the weighted terms of all its stories (own voice
    fully, quotes at a quarter) and applies the comparison's rule (:func:`rasid.compare.framing.lean`:
    one side's share at least 60 %, at least 2 points); it is only told (``side``) when at least
    :data:`MIN_LEAN_STORIES` stories have side-marked wording at all (``enough``).
    """
    from rasid.compare.framing import lean

    sides = _framing_sides()
    weights = _framing_weights()
    pooled: Counter = Counter()
    own: Counter = Counter()
    quoted_only: Counter = Counter()
    points: Counter = Counter()
    verdicts: Counter = Counter()
    with_terms = 0
    for sid in covered:
        row = framing.get(sid)
        if row is None:
            verdicts["no comparison"] += 1
            continue
        terms = row.get("terms") or []
        verdicts[_story_lean(row)] += 1
        if terms:
            with_terms += 1
        own_sides, quoted_sides = set(), set()
        for t in terms:
            w = weights.get(t["term"], 1.0)
            side = t.get("favours")
            pooled[(side, False)] += w * (t.get("own") or 0)
            pooled[(side, True)] += w * (t.get("quoted") or 0)
            points[side] += w * ((t.get("own") or 0) + 0.25 * (t.get("quoted") or 0))
            if t.get("own"):
                own_sides.add(side)
            if t.get("quoted"):
                quoted_sides.add(side)
        own.update(own_sides)
        quoted_only.update(quoted_sides - own_sides)
    estimate = lean(pooled, sides)
    enough = with_terms >= MIN_LEAN_STORIES
    names = list(sides) + sorted(set(points) - set(sides) - {None})
    total_points = sum(points.values())
    return {
        "stories": len(covered), "stories_with_terms": with_terms, "enough": enough,
        "side": estimate["side"] if enough else None, "label": estimate["label"] if enough else "too few stories",
        "share": estimate["share"], "points": estimate["points"],
        "by_side": [{"side": s, "en": sides.get(s, {}).get("en", s), "own_stories": own[s],
                     "quoted_stories": quoted_only[s], "points": round(points[s], 2),
                     "points_share": round(points[s] / total_points, 2) if total_points else None} for s in names],
        "verdicts": dict(verdicts.most_common()),
    }


def _story_lean(frame: dict | None) -> str:
    """One story's verdict on an outlet's wording: the comparison's lean label, or why there is none."""
    if frame is None:
        return "no comparison"
    if not frame.get("terms"):
        return "no side-marked wording"
    return (frame.get("lean") or {}).get("label") or "unclear"


# -- helpers ---------------------------------------------------------------------------------------------


def _filters(date_from: str | None, date_to: str | None, country: str | None) -> dict:
    """The overview's filters, checked: whole days (a month or year widened to its days), a country code."""
    code = None
    if country and country.strip():
        code = _country_codes().get(country.strip().lower()) or _country_codes().get(country.strip())
        if code is None:
            raise HTTPException(422, f"country must be an ISO code or a country's name; got {country!r}")
    return {"date_from": _day(date_from, "date_from", end=False), "date_to": _day(date_to, "date_to", end=True),
            "country": code}


def _day(value: str | None, name: str, *, end: bool) -> str | None:
    """``2015``, ``2015-07`` or ``2015-07-21`` as one day (the first or, with `end`, the last of the period)."""
    if not value:
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):
            raise ValueError(value)
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        if len(value) == 7:
            first = date.fromisoformat(value + "-01")
            nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return (nxt - timedelta(days=1) if end else first).isoformat()
        return f"{value}-12-31" if end else f"{value}-01-01"
    except ValueError:
        raise HTTPException(422, f"{name} must be a date like 2020-06-10, 2020-06 or 2020; got {value!r}") from None


def _href(path: str, **params) -> str:
    """``path?k=v&...`` with the empty parameters left out."""
    q = urlencode({k: v for k, v in params.items() if v})
    return f"{path}?{q}" if q else path


def _ranked(counts: Counter) -> list[tuple]:
    """Most first; ties by name (a stable order for pages and tests)."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))


def _warm() -> None:
    try:
        _actors(), _countries(), _framing_weights(), _outlet_names(), _colours()
    except Exception:  # noqa: BLE001 (a request reads them again and reports what fails)
        pass


def _colours() -> dict[str, str]:
    from rasid.web import charts

    return charts.EVENT_COLOURS


def _actors() -> dict:
    from rasid.entities import ActorDictionary

    return ActorDictionary.from_data().actors


def _actor_info(actor_id: str, actors: dict, seen: dict | None = None) -> dict:
    a = actors.get(actor_id)
    if a is not None:
        return {"id": actor_id, "name_ar": a.name_ar, "name_en": a.name_en, "side": a.side, "type": a.type}
    seen = seen or {}
    return {"id": actor_id, "name_ar": seen.get("label_ar"), "name_en": seen.get("label_en"), "side": seen.get("side"),
            "type": None}


def _actor_row(r: dict, keep: dict) -> dict:
    return {"key": r["id"], "label": r["name_ar"] or r["name_en"] or r["id"], "label_en": r["name_en"] or r["id"],
            "count": r["events"], "href": "/actors/" + quote(r["id"], safe=""),
            "count_href": _href("/events", actor=r["id"], **keep), "title": r["side"] or ""}


def _short_actor(a: dict) -> dict | None:
    if not a:
        return None
    return {"id": a.get("id"), "label_ar": a.get("label_ar") or a.get("surface"), "label_en": a.get("label_en")}


def _names_rows(names: dict[str, Counter]) -> list[dict]:
    rows = [{"outlet": o or None, "mentions": sum(c.values()),
             "names": [{"surface": s, "count": n} for s, n in _ranked(c)]} for o, c in names.items()]
    return sorted(rows, key=lambda r: (r["outlet"] is None, -r["mentions"], r["outlet"] or ""))


def _point(p: dict) -> dict:
    """A place of an actor's events as the map takes it (the shape of :meth:`Store.event_places`)."""
    types = [t for t, _ in _ranked(p["types"])]
    dates = sorted(p["dates"])
    when = (dates[0] if dates[0] == dates[-1] else f"{dates[0]} – {dates[-1]}") if dates else None
    return {"location": p["location"], "location_ar": p["location_ar"], "lat": p["lat"], "lon": p["lon"],
            "country": p["country"], "reports": p["events"], "event_type": types[0] if types else None, "types": types,
            "date": when, "notes_en": f"{p['events']} events: " + ", ".join(types)}


def _story_row(s: dict) -> dict:
    return {k: s.get(k) for k in ("story_id", "title_ar", "title_en", "start_date", "end_date", "size", "sources")}


@cache
def _framing_data() -> dict:
    from rasid.resources import load_yaml

    return load_yaml("compare/data/framing.yaml") or {}


def _framing_sides() -> dict[str, dict]:
    return _framing_data().get("sides") or {}


@cache
def _framing_weights() -> dict[str, float]:
    return {t["term"]: float(t.get("weight", 1.0)) for t in _framing_data().get("terms") or [] if t.get("term")}


@cache
def _countries() -> dict[str, tuple[str, str]]:
    """``{ISO code: (English name, Arabic name)}`` from the shipped place table (its country rows only)."""
    from rasid.resources import data_path

    out = {}
    for line in data_path("geo/data/places.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\tcountry\t" not in line:
            continue
        f = line.split("\t")
        if len(f) == 8 and f[5] == "country":
            out[f[4]] = (f[1], f[7].split("|")[0])
    return out


@cache
def _country_codes() -> dict[str, str]:
    out = {}
    for code, (en, ar) in _countries().items():
        out[code.lower()] = out[en.lower()] = out[ar] = code
    return out


def _country_name(code: str | None, lang: str = "en") -> str | None:
    names = _countries().get((code or "").upper())
    return None if names is None else names[0 if lang == "en" else 1]


@cache
def _outlet_names() -> dict[str, str]:
    """Arabic names of the outlets the shipped outlet directory knows, by canonical name."""
    from rasid.resources import load_yaml

    try:
        rows = (load_yaml("clean/data/outlets.yaml") or {}).get("outlets") or []
    except Exception:  # noqa: BLE001 (a page without Arabic outlet names is still a page)
        return {}
    return {r["name"]: r["ar"][0] for r in rows if r.get("name") and r.get("ar")}

"""The overview, actor and outlet pages and the maps: their figures against the store's own events, on the
analysed sample articles and on a copy of them with stories, leans and places added; then in Chromium."""

import json
import re
import shutil
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from rasid.compare.framing import lean
from rasid.store import Store
from rasid.web.app import create_app

GNA_TERM = {"term": "مليشيات حفتر", "en": "Haftar's militias", "favours": "GNA", "about": "LNA"}  # weight 2
LNA_TERM = {"term": "الميليشيات الإرهابية", "en": "the terrorist militias", "favours": "LNA", "about": "GNA"}
# story id -> (outlets, date, {outlet: term used in its own voice})
STORIES = {
    "s-t1": (["Outlet A", "Outlet B"], "2020-06-07", {"Outlet A": GNA_TERM, "Outlet B": LNA_TERM}),
    "s-t2": (["Outlet A", "Outlet C"], "2020-06-07", {"Outlet A": GNA_TERM, "Outlet C": LNA_TERM}),
    "s-t3": (["Outlet A"], "2020-06-07", {"Outlet A": GNA_TERM}),
    "s-t4": (["Outlet B", "Outlet C"], "2020-06-07", {"Outlet B": LNA_TERM, "Outlet C": LNA_TERM}),
    "s-t5": (["Outlet B"], "2020-06-07", {"Outlet B": LNA_TERM}),
    "s-t6": (["Outlet B", "Outlet C"], "2021-01-01", {"Outlet C": LNA_TERM}),
    "s-t7": (["Outlet C", "Outlet D"], "2020-06-07", {"Outlet C": LNA_TERM, "Outlet D": GNA_TERM}),
    "s-t8": (["Outlet D", "Outlet E"], "2020-06-07", {"Outlet D": GNA_TERM}),
}
N_PLACES = 150  # more than the old map table showed


def counted(e: dict) -> bool:
    return e.get("modality") != "denied" and (e.get("reviewed") or {}).get("action") != "reject"


def lead_of(e: dict) -> str:
    return min([e["event_id"], *e.get("same_as", [])])


@pytest.fixture(scope="module")
def seeds_db(seeds_out):
    return seeds_out / "rasid.sqlite"


@pytest.fixture(scope="module")
def client(seeds_db):
    return TestClient(create_app(seeds_db))


@pytest.fixture(scope="module")
def built(seeds_db, tmp_path_factory):
    """A copy of the sample store with eight stories of five outlets and their framing, 150 places of
    events around Sirte, one event a coder rejected, and Outlet A publishing on 2020-06-07 only."""
    path = tmp_path_factory.mktemp("overview") / "rasid.sqlite"
    shutil.copy(seeds_db, path)
    store = Store(path)
    db = store.db
    for sid, (outlets, day, terms) in STORIES.items():
        db.execute("INSERT INTO stories VALUES (?,?,?,?,?,?,0)",
                   (sid, f"قصة {sid}", day, day, len(outlets), json.dumps(outlets, ensure_ascii=False)))
        framing = {}
        for o in outlets:
            used = [{**terms[o], "own": 1, "quoted": 0, "spans": []}] if o in terms else []
            weights = Counter({(t["favours"], False): 2.0 for t in used})
            framing[o] = {"lean": lean(weights, {}), "terms": used, "loaded": [], "quotes_sides": {}}
        view = {"comparison": {"story_id": sid, "sources": [], "matrix": [], "conflicts": [], "labels": [],
                               "framing": framing}, "brief": {}}
        db.execute("INSERT INTO story_views VALUES (?,?,?,?,0)", (sid, "test", f"Story {sid}",
                                                                   json.dumps(view, ensure_ascii=False)))
    db.execute("UPDATE documents SET outlet='Outlet A' WHERE doc_id='002_21a362b9bfaece20'")  # 2020-06-07
    for i in range(N_PLACES):
        store.put_event({"event_id": f"ev-syn-{i:03d}", "doc_id": "001_f26e5b47cef9b3b6", "event_type":
                         "Protests" if i % 3 else "Battles", "sub_event_type": None, "actor1": None, "actor2": None,
                         "location": {"name_en": f"Synthetic {i}", "name_ar": f"مكان {i}", "lat": 31.0 + (i % 15) * 0.02,
                                      "lon": 16.0 + (i // 15) * 0.02, "country": "LY"},
                         "event_date": "2020-06-07", "outlet": "Outlet E", "modality": "asserted", "span": [0, 10],
                         "sentence": "", "same_as": []})
    rejected = db.execute("SELECT event_id, event_type FROM events WHERE lead = event_id AND event_id NOT LIKE "
                          "'ev-syn%' AND json_extract(data, '$.modality') IS NOT 'denied' ORDER BY event_id").fetchone()
    db.execute("UPDATE events SET data = json_set(data, '$.reviewed', json('{\"action\": \"reject\"}')) "
               "WHERE event_id = ?", (rejected[0],))
    db.commit()
    store.close()
    return {"path": path, "rejected": rejected[0], "rejected_type": rejected[1]}


@pytest.fixture(scope="module")
def built_client(built):
    return TestClient(create_app(built["path"]))


def all_events(store_path) -> list[dict]:
    store = Store.open_readonly(store_path)
    try:
        return store.query_events(limit=None)[1]
    finally:
        store.close()


# -- overview ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["seeds", "built"])
def test_overview_counts_are_the_stores_distinct_events(which, seeds_db, built, client, built_client):
    path, c = (seeds_db, client) if which == "seeds" else (built["path"], built_client)
    store = Store.open_readonly(path)
    _, distinct = store.query_events(distinct=True, limit=None)
    store.close()
    events = [e for e in distinct if counted(e)]
    assert len(events) > 10 and len(events) < len(all_events(path))  # linked reports were counted once
    data = c.get("/api/overview").json()
    assert data["events"] == len(events)
    assert {r["event_type"]: r["events"] for r in data["by_type"]} == Counter(e["event_type"] for e in events)
    by_actor = Counter(a for e in events for a in {(e.get("actor1") or {}).get("id"), (e.get("actor2") or {}).get("id")}
                       - {None})
    assert by_actor and {r["id"]: r["events"] for r in data["by_actor"]} == by_actor
    by_country = Counter((e.get("location") or {}).get("country") for e in events if (e.get("location") or {}).get("country"))
    assert {r["country"]: r["events"] for r in data["by_country"]} == by_country
    # an outlet's count: the events it reported, each once however many of its reports are linked
    reported = {(e["outlet"], lead_of(e)) for e in all_events(path) if counted(e) and e.get("outlet")}
    assert {r["outlet"]: r["events"] for r in data["by_outlet"]} == Counter(o for o, _ in reported)
    dated = sum(b["total"] for b in data["over_time"]["bins"])
    assert dated == sum(1 for e in events if e.get("event_date")) and dated + data["undated"] == data["events"]


def test_a_rejected_event_is_not_counted(client, built_client, built):
    before = {r["event_type"]: r["events"] for r in client.get("/api/overview").json()["by_type"]}
    after = {r["event_type"]: r["events"] for r in built_client.get("/api/overview").json()["by_type"]}
    kind = built["rejected_type"]
    added = Counter("Protests" if i % 3 else "Battles" for i in range(N_PLACES))
    assert after[kind] == before[kind] + added[kind] - 1


def test_overview_filters(client):
    everything = client.get("/api/overview").json()
    day = client.get("/api/overview", params={"date_from": "2020-06-07", "date_to": "2020-06-07"}).json()
    assert 0 < day["events"] < everything["events"]
    assert all(b["start"] == b["end"] == "2020-06-07" for b in day["over_time"]["bins"])
    month = client.get("/api/overview", params={"date_from": "2020-06", "date_to": "2020-06"}).json()
    assert month["filters"] == {"date_from": "2020-06-01", "date_to": "2020-06-30", "country": None}
    assert month["events"] == everything["events"] - everything["undated"]
    egypt = client.get("/api/overview", params={"country": "Egypt"}).json()
    assert egypt["filters"]["country"] == "EG" and [r["country"] for r in egypt["by_country"]] == ["EG"]
    assert egypt["events"] == next(r["events"] for r in everything["by_country"] if r["country"] == "EG")
    assert client.get("/api/overview", params={"country": "ليبيا"}).json()["filters"]["country"] == "LY"
    for bad in ({"date_from": "2020-13-01"}, {"date_to": "soon"}, {"country": "Atlantis"}):
        r = client.get("/api/overview", params=bad)
        assert r.status_code == 422, bad
        page = client.get("/overview", params=bad)
        assert page.status_code == 422 and "<html" in page.text


def test_overview_page_draws_what_the_api_counts(client):
    data = client.get("/api/overview").json()
    html = client.get("/overview").text
    segs = re.findall(r'<rect class="seg" data-type="([^"]+)" data-count="(\d+)"', html)
    assert len(segs) == sum(len(b["counts"]) for b in data["over_time"]["bins"]) > 0
    assert sum(int(n) for _, n in segs) == sum(b["total"] for b in data["over_time"]["bins"])
    assert Counter(t for t, _ in segs).keys() == {t for b in data["over_time"]["bins"] for t in b["counts"]}
    by_type = html[html.index('id="by-type"'):html.index('id="by-actor"')]
    rows = re.findall(r'class="hbar" data-key="([^"]+)" data-count="(\d+)"', by_type)
    assert [(k.replace("&#x27;", "'"), int(n)) for k, n in rows] == [(r["event_type"], r["events"]) for r in data["by_type"]]
    assert f'href="/events?event_type={data["by_type"][0]["event_type"].replace("/", "%2F").replace(" ", "+")}"' in by_type
    by_actor = html[html.index('id="by-actor"'):html.index('id="by-country"')]
    top = data["by_actor"][0]
    assert f'href="/actors/{top["id"]}"' in by_actor and f'href="/events?actor={top["id"]}"' in by_actor
    by_outlet = html[html.index('id="by-outlet"'):]
    assert 'href="/outlets/Al%20Jazeera"' in by_outlet and 'href="/events?outlet=Al+Jazeera"' in by_outlet
    assert 'href="/overview"' in html and "نظرة عامة" in html  # the nav link


# -- actor pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["GNA", "LNA"])
def test_actor_page_has_only_that_actors_events(client, seeds_db, actor):
    data = client.get(f"/api/actors/{actor}").json()
    mine = [e for e in all_events(seeds_db) if counted(e) and lead_of(e) == e["event_id"]
            and actor in ((e.get("actor1") or {}).get("id"), (e.get("actor2") or {}).get("id"))]
    assert data["events"] == len(mine) == len(data["table"]) > 0
    assert {r["event_id"] for r in data["table"]} == {e["event_id"] for e in mine}
    by_id = {e["event_id"]: e for e in mine}
    for row in data["table"]:
        e = by_id[row["event_id"]]
        assert (e.get(row["role"]) or {}).get("id") == actor
        other = e.get("actor2" if row["role"] == "actor1" else "actor1") or {}
        assert (row["other"] or {}).get("id") == other.get("id")
    opponents = Counter(o for e in mine for o in [((e.get("actor2") if (e.get("actor1") or {}).get("id") == actor
                                                    else e.get("actor1")) or {}).get("id")] if o and o != actor)
    assert {r["id"]: r["events"] for r in data["opponents"]} == opponents
    assert sum(p["events"] for p in data["places"]) == sum(1 for e in mine if (e.get("location") or {}).get("name_en"))
    names = Counter((e.get("outlet"), a["surface"]) for e in all_events(seeds_db) if (e.get("reviewed") or {}).get("action") != "reject"
                    for a in (e.get("actor1") or {}, e.get("actor2") or {}) if a.get("id") == actor and a.get("surface"))
    assert {(r["outlet"], n["surface"]): n["count"] for r in data["names_by_outlet"] for n in r["names"]} == names
    html = client.get(f"/actors/{actor}").text
    for row in data["table"]:
        assert f'href="/documents/{row["doc_id"]}#s-{row["span"][0]}"' in html
    assert html.count("<tr data-event=") == len(data["table"])


def test_actor_page_of_an_unknown_or_idle_actor(client):
    assert client.get("/api/actors/no-such-actor").status_code == 404
    page = client.get("/actors/no-such-actor")
    assert page.status_code == 404 and "<html" in page.text and "no actor no-such-actor" in page.text
    idle = client.get("/api/actors/Hezbollah").json()  # in the dictionary, in no sample event
    assert idle["known"] and idle["events"] == 0 and idle["name_ar"]
    assert client.get("/actors/Hezbollah").status_code == 200


# -- outlet pages -----------------------------------------------------------------------------------------


def test_outlet_page_lists_the_stories_it_covered(client, seeds_db):
    store = Store.open_readonly(seeds_db)
    covering = {s["story_id"] for s in store.iter_stories() if "Al Jazeera" in s["sources"]}
    store.close()
    data = client.get("/api/outlets/Al Jazeera").json()
    assert covering and {s["story_id"] for s in data["stories"]["rows"]} == covering
    assert all("Al Jazeera" in s["sources"] for s in data["stories"]["rows"])
    reported = {lead_of(e) for e in all_events(seeds_db) if counted(e) and e.get("outlet") == "Al Jazeera"}
    assert data["events"] == len(reported) > 0 and data["documents"] == 1
    # one story with GNA-side wording: counted in the bars, but too few stories to tell a lean
    lean_ = data["lean"]
    assert {s["side"]: s["own_stories"] for s in lean_["by_side"]} == {"GNA": 1, "LNA": 0}
    assert not lean_["enough"] and lean_["side"] is None and data["blindspots"]["rows"] == []
    assert "too few stories to tell" in client.get("/outlets/Al Jazeera").text
    assert client.get("/api/outlets/Nobody News").status_code == 404


def test_outlet_leans_and_blindspots(built_client):
    a = built_client.get("/api/outlets/Outlet A").json()
    assert a["lean"]["enough"] and a["lean"]["side"] == "GNA" and a["lean"]["stories_with_terms"] == 3
    assert {s["story_id"] for s in a["stories"]["rows"]} == {"s-t1", "s-t2", "s-t3"}
    # covered by two outlets, one of them leaning LNA, not by A, in the days A published: s-t4 and s-t7;
    # not s-t5 (one outlet), s-t6 (2021, A publishes on 2020-06-07), s-t8 (no outlet of the other lean)
    spots = a["blindspots"]
    assert [r["story_id"] for r in sorted(spots["rows"], key=lambda r: r["story_id"])] == ["s-t4", "s-t7"]
    assert spots["total"] == 2 and all("Outlet A" not in r["sources"] for r in spots["rows"])
    assert all(r["opposed"] and len(r["sources"]) >= 2 for r in spots["rows"])
    b = built_client.get("/api/outlets/Outlet B").json()
    assert b["lean"]["side"] == "LNA" and [r["story_id"] for r in b["blindspots"]["rows"]] == ["s-t2"]
    d = built_client.get("/api/outlets/Outlet D").json()  # two stories with wording: too few
    assert not d["lean"]["enough"] and d["lean"]["side"] is None and d["blindspots"]["total"] == 0
    assert {s["side"]: s["own_stories"] for s in d["lean"]["by_side"]}["GNA"] == 2
    html = built_client.get("/outlets/Outlet A").text
    assert 'data-side="GNA"' in html and html.count('<tr data-story="s-t4"') == 1
    assert re.search(r'data-side="GNA" data-own="3" data-quoted="0"', html)


# -- the map page -----------------------------------------------------------------------------------------


def test_map_page_lists_every_place(built_client):
    places = built_client.get("/api/events/places").json()["places"]
    assert len(places) > N_PLACES
    html = built_client.get("/map").text
    table = html[html.index('<table class="places">'):]
    assert table.count("<tr><td>") == len(places)
    assert f'data-places="{len(places)}"' in html and f"All {len(places)} places" in html


# -- in a browser -----------------------------------------------------------------------------------------

def test_overview_and_actor_pages_in_a_browser(seeds_db, serve, browser, client):
    server = serve(seeds_db)
    data = client.get("/api/overview").json()
    page = browser.new_page(viewport={"width": 1280, "height": 1200})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.goto(server + "/overview")
    page.wait_for_selector("div.map[data-markers]")
    assert page.locator("svg.bars-time rect.seg").count() == sum(len(b["counts"]) for b in data["over_time"]["bins"])
    box = page.locator("svg.bars-time").bounding_box()
    assert box["width"] > 500 and box["height"] > 100  # drawn, not collapsed
    assert page.locator("#by-type .hbar-fill").count() == len(data["by_type"])
    widths = page.eval_on_selector_all("#by-actor .hbar-fill", "els => els.map(e => e.getBoundingClientRect().width)")
    assert widths[0] > 0 and widths == sorted(widths, reverse=True)
    assert page.locator(".map-legend").is_visible()
    assert page.locator(".map-legend .dot").count() >= 1
    places = client.get("/api/events/places").json()["places"]
    assert int(page.get_attribute("div.map", "data-markers")) == len([p for p in places if p["lat"] is not None])
    page.screenshot(path=str(seeds_db.parent / "overview.png"), full_page=True)
    page.click('#by-actor .hbar a[href^="/actors/"]')
    page.wait_for_url("**/actors/*")
    page.wait_for_selector("div.map[data-markers]")
    actor = page.url.rsplit("/", 1)[1]
    a = client.get(f"/api/actors/{actor}").json()
    assert page.locator("svg.bars-time rect.seg").count() == sum(len(b["counts"]) for b in a["over_time"]["bins"]) > 0
    assert page.locator("table.actor-events tbody tr").count() == len(a["table"])
    assert page.locator(".map-legend").is_visible()
    assert int(page.get_attribute("div.map", "data-markers")) == len(a["points"]) > 0
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).direction") == "rtl"
    assert not errors, errors
    page.close()


def test_world_outlines_have_no_band_across_the_antimeridian(seeds_db, serve, browser):
    server = serve(seeds_db)
    page = browser.new_page()
    page.goto(server + "/map")
    page.wait_for_selector("div.map[data-markers]")
    found = page.evaluate("""() => fetch('/static/vendor/countries-50m.topojson.json').then(r => r.json()).then(t => {
        const raw = topojson.feature(t, t.objects.countries), fixed = rasidFixOutlines(raw);
        const jumps = fc => { let n = 0; fc.features.forEach(f => {
          const g = f.geometry, polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
          polys.forEach(rings => rings.forEach(ring => { for (let i = 1; i < ring.length; i++) {
            if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) n++; } })); }); return n; };
        const lons = fixed.features.flatMap(f => f.geometry.coordinates.flat(2).map(p => p[0]));
        const names = fixed.features.map(f => f.properties.name);
        const russia = fixed.features.find(f => f.properties.name === 'Russia');
        return {before: jumps(raw), after: jumps(fixed), min: Math.min(...lons), max: Math.max(...lons),
                antarctica: names.includes('Antarctica'), count: fixed.features.length, before_count: raw.features.length,
                russia_east: russia.geometry.coordinates.some(p => p[0].some(q => q[0] > 179)),
                russia_west: russia.geometry.coordinates.some(p => p[0].some(q => q[0] < -179))};
    })""")
    assert found["before"] > 0 and found["after"] == 0  # the rings that crossed are split
    assert -180 <= found["min"] and found["max"] <= 180
    assert not found["antarctica"] and found["count"] == found["before_count"] - 1
    assert found["russia_east"] and found["russia_west"]  # Chukotka kept, on both sides of the line
    page.close()


def test_map_gathers_nearby_places_until_zoomed_in(built, serve, browser):
    server = serve(built["path"])
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/map")
    page.wait_for_selector("div.map[data-markers]")
    places = int(page.get_attribute("div.map", "data-markers"))
    assert places > N_PLACES
    clusters = page.locator("div.map path.event-cluster").count()
    singles = page.locator("div.map path.event-marker").count()
    assert clusters > 0 and clusters + singles < places  # nearby places drawn as one
    numbers = [int(t) for t in page.locator("div.map .cluster-count").all_inner_texts()]
    assert len(numbers) == clusters and sum(numbers) > clusters
    assert page.locator("div.map .place-label").count() > 0
    assert page.locator(".map-legend").is_visible() and "nearby places" in page.locator(".map-legend").inner_text()
    before = clusters
    page.locator("div.map path.event-cluster").first.click()
    page.wait_for_timeout(800)
    assert page.locator("div.map path.event-marker").count() > singles or \
        page.locator("div.map path.event-cluster").count() != before  # zooming in splits a group
    assert not errors, errors
    page.close()

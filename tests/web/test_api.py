"""The REST API over the analysed sample articles (FastAPI's test client; nothing listens on a port)."""

import csv
import io
import sqlite3

import pytest
from fastapi.testclient import TestClient

from rasid import output
from rasid.errors import StoreError
from rasid.store import Store
from rasid.web.app import create_app


@pytest.fixture(scope="module")
def client(seeds_out):
    return TestClient(create_app(seeds_out / "rasid.sqlite"))


@pytest.fixture(scope="module")
def sirte(client):
    stories = client.get("/api/stories").json()["stories"]
    return max(stories, key=lambda s: s["size"])


def test_story_list_and_story_page(client, sirte):
    listing = client.get("/api/stories").json()
    assert listing["total"] == len(listing["stories"]) == 3
    assert sirte["events"] > 0 and sirte["title_en"]
    page = client.get(f"/api/stories/{sirte['story_id']}").json()
    assert {m["doc_id"][:3] for m in page["members"]} == {"000", "001", "002", "003"}
    assert {c["kind"] for c in page["comparison"]["conflicts"]} >= {"territory"}
    assert all(e["story_id"] == sirte["story_id"] for e in page["events"])
    assert page["brief"]["summary_ar"] and page["brief"]["timeline"]
    assert client.get("/api/stories/s-nope").status_code == 404


def test_event_filters(client):
    everything = client.get("/api/events", params={"limit": 1000}).json()
    assert everything["total"] == len(everything["events"]) > 10
    sirte = client.get("/api/events", params={"place": "سرت", "limit": 1000}).json()["events"]
    assert sirte and all(e["location"]["name_ar"] == "سرت" for e in sirte)
    assert len(client.get("/api/events", params={"place": "Sirte", "limit": 1000}).json()["events"]) == len(sirte)
    lna = client.get("/api/events", params={"actor": "LNA", "limit": 1000}).json()["events"]
    assert lna and all("LNA" in ((e["actor1"] or {}).get("side"), (e["actor2"] or {}).get("side"),
                                 (e["actor1"] or {}).get("id"), (e["actor2"] or {}).get("id")) for e in lna)
    window = client.get("/api/events", params={"date_from": "2020-06-07", "date_to": "2020-06-08"}).json()["events"]
    assert window and all("2020-06-07" <= e["event_date"] <= "2020-06-08" for e in window)
    air = client.get("/api/events", params={"event_type": "Explosions/Remote violence", "outlet": "Al Jazeera"}).json()
    assert air["total"] and all(e["outlet"] == "Al Jazeera" and e["event_type"].startswith("Explosions")
                                for e in air["events"])
    distinct = client.get("/api/events", params={"distinct": True, "limit": 1000}).json()["total"]
    assert distinct < everything["total"]  # linked reports of one event count once
    page2 = client.get("/api/events", params={"limit": 5, "offset": 5}).json()["events"]
    assert [e["event_id"] for e in page2] == [e["event_id"] for e in everything["events"][5:10]]


def test_document_with_its_facts_and_spans(client):
    doc = client.get("/api/documents/001_f26e5b47cef9b3b6").json()
    assert doc["outlet"] == "Al Jazeera" and doc["mentions"] and doc["events"]
    for m in doc["mentions"]:
        assert doc["text"][m["span"][0]:m["span"][1]] == m["text"]
    for e in doc["events"]:
        assert doc["text"][e["span"][0]:e["span"][1]] == e["sentence"]
    assert client.get("/api/documents/nope").status_code == 404


def test_search_normalises_arabic_and_proclitics(client):
    plain = client.get("/api/search", params={"q": "الجفرة"}).json()
    assert plain["total"] >= 2 and any(h["doc_id"].startswith("001") for h in plain["hits"])
    with_clitic = client.get("/api/search", params={"q": "بالجفره"}).json()  # ب + ال, ه for ة
    assert {h["doc_id"] for h in with_clitic["hits"]} == {h["doc_id"] for h in plain["hits"]}
    assert all("الجفرة" in h["snippet"] or "الجفره" in h["snippet"] for h in plain["hits"])
    assert client.get("/api/search", params={"q": "كلمةغيرموجودة"}).json()["total"] == 0
    assert client.get("/api/search", params={"q": 'سرت" OR *'}).status_code == 200  # FTS syntax is neutralised


def test_exports(client):
    response = client.get("/api/export/events.csv", params={"place": "سرت"})
    assert response.content.startswith("\ufeff".encode())  # a spreadsheet reads it as UTF-8
    assert response.headers["content-disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type"]
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["sentence"] and "سرت" in " ".join(r[-1] for r in rows[1:]) and first["modality"]
    # the samples have no addresses: a stored article's url fills source_url
    event = client.get("/api/events", params={"limit": 1}).json()["events"][0]
    assert output.acled_row(event, {event["doc_id"]: "https://example.org/a"})["source_url"] == "https://example.org/a"
    assert len(rows) - 1 == client.get("/api/events", params={"place": "سرت"}).json()["total"]
    geo = client.get("/api/export/events.geojson").json()
    assert geo["type"] == "FeatureCollection" and all(f["geometry"]["type"] == "Point" for f in geo["features"])
    lines = client.get("/api/export/events.jsonl").text.splitlines()
    assert len(lines) == client.get("/api/events").json()["total"]
    assert client.get("/api/export/events.xml").status_code == 404


def test_openapi_docs_are_served_offline(client):
    docs = client.get("/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200
    assert "Rasid current()" not in client.get("/openapi.json").text
    assert "/api/events" in client.get("/openapi.json").json()["paths"]


def test_the_server_cannot_change_the_store(seeds_out):
    store = Store.open_readonly(seeds_out / "rasid.sqlite")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.db.execute("DELETE FROM events")
    with pytest.raises(StoreError, match="no such store"):
        Store.open_readonly(seeds_out / "missing.sqlite")


def test_dashboard_pages_render(client, sirte):
    home = client.get("/").text
    assert 'dir="rtl"' in home and f"/stories/{sirte['story_id']}" in home
    story = client.get(f"/stories/{sirte['story_id']}").text
    assert 'class="map"' in story and "<svg" in story and 'data-kind="territory"' in story
    doc = client.get("/documents/001_f26e5b47cef9b3b6").text
    assert '<mark class="m-PERS"' in doc and 'class="ev-sentence"' in doc
    assert "الجفرة" in client.get("/search", params={"q": "الجفرة"}).text
    assert client.get("/events", params={"place": "سرت"}).status_code == 200


def test_events_counted_by_place_for_the_map(client):
    places = client.get("/api/events/places").json()["places"]
    distinct = client.get("/api/events", params={"distinct": True, "limit": 1000}).json()["events"]
    located = [e for e in distinct if e["location"]]
    assert sum(p["reports"] for p in places) == len(located)
    sirte = next(p for p in places if p["location"] == "Sirte")
    assert sirte["location_ar"] == "سرت" and abs(sirte["lat"] - 31.2) < 0.1
    assert "سرت" in client.get("/map").text


HOSTILE = ["9223372036854775807", "99999999999999999999999", "-1", "-9223372036854775809", "abc", "1e999", "",
           "%00", "' OR 1=1 --", "2015-13-45", "notadate", "NaN", "0x10", "١٢"]


def test_no_route_answers_500_to_any_query_string(seeds_out, sirte):
    """Every route, every parameter it takes (and a few it does not), with huge, negative, non-numeric
    and malformed values: a clear 4xx or a page, never a server error."""
    client = TestClient(create_app(seeds_out / "rasid.sqlite"), raise_server_exceptions=False)
    app_routes = [r for r in client.app.routes if getattr(r, "methods", None) and "GET" in r.methods]
    params = {"limit", "offset", "page", "min_size", "q", "type", "sub_event_type", "actor", "place", "country",
              "date_from", "date_to", "story", "outlet", "modality", "sort", "bbox"}
    failures = []
    for route in app_routes:
        path = route.path.replace("{story_id}", sirte["story_id"]).replace("{doc_id}", "000_930dda6a6b7502e0") \
            .replace("{fmt}", "csv").replace("{path:path}", "rasid.css")
        if "{" in path:
            continue
        for name in params:
            for value in HOSTILE:
                r = client.get(path, params={name: value})
                if r.status_code >= 500:
                    failures.append((path, name, value, r.status_code))
    assert failures == [], failures


def test_bad_parameters_get_a_clear_answer(seeds_out):
    client = TestClient(create_app(seeds_out / "rasid.sqlite"))
    r = client.get("/api/events", params={"date_from": "notadate"})
    assert r.status_code == 422 and "date_from must be a date" in r.json()["detail"]
    assert client.get("/api/events", params={"date_from": "2020-06"}).status_code == 200
    page = client.get("/events", params={"page": "9223372036854775807"})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html") and "page" in page.text
    missing = client.get("/stories/s-nope")
    assert missing.status_code == 404 and "<html" in missing.text and "no story s-nope" in missing.text
    assert client.get("/api/stories/s-nope").json() == {"detail": "no story s-nope"}


def test_a_document_does_not_reveal_where_its_input_lies(client, seeds_dir):
    response = client.get("/api/documents/000_930dda6a6b7502e0")
    assert response.json()["source"].startswith("000_930dda6a6b7502e0")  # the file's name
    assert "/" not in response.json()["source"] and str(seeds_dir) not in response.text


@pytest.mark.parametrize("value", ["LNA", "lna", "Libyan National Army (Haftar forces)", "الجيش الوطني الليبي",
                                   "قوات حفتر"])
def test_the_actor_filter_takes_names_as_people_type_them(client, value):
    by_id = client.get("/api/events", params={"actor": "LNA"}).json()["total"]
    assert by_id > 0 and client.get("/api/events", params={"actor": value}).json()["total"] == by_id


def test_place_type_and_country_filters_ignore_case_and_take_country_names(client):
    sirte = client.get("/api/events", params={"place": "Sirte"}).json()["total"]
    assert sirte > 0 and client.get("/api/events", params={"place": "sirte"}).json()["total"] == sirte
    libya = client.get("/api/events", params={"country": "LY"}).json()["total"]
    for value in ("ly",):
        assert client.get("/api/events", params={"country": value}).json()["total"] == libya
    for value in ("Libya", "ليبيا"):
        assert client.get("/api/events", params={"place": value}).json()["total"] == libya
    battles = client.get("/api/events", params={"event_type": "Battles"}).json()["total"]
    assert battles > 0 and client.get("/api/events", params={"event_type": "battles"}).json()["total"] == battles

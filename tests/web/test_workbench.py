"""The analyst's workbench on the sample articles: the events list (one row per event, pick lists with
counts, sorting, page numbers, links to the original), a coder's corrections from the dashboard's forms
(events reviewed, stories merged and split) with their audit trail, and their survival across re-runs."""

import csv
import io
import re
import shutil

import pytest
from fastapi.testclient import TestClient

from rasid.cli import main
from rasid.review import add_user
from rasid.store import Store
from rasid.web.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reader(seeds_out):
    return TestClient(create_app(seeds_out / "rasid.sqlite"))


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr data-event="([^"]+)"', html)


def test_events_list_one_row_per_event_with_its_other_reports(reader, seeds_out):
    with Store.open_readonly(seeds_out / "rasid.sqlite") as store:
        total, events = store.query_events(limit=None)
        distinct, leads = store.query_events(limit=None, distinct=True)
    assert distinct < total  # the samples hold linked reports of one event
    page = reader.get("/events").text
    assert len(rows_of(page)) == distinct
    linked = next(e for e in leads if e["same_as"])
    row = page.split(f'<tr data-event="{linked["event_id"]}"', 1)[1].split("</tr>", 1)[0]
    assert f'+{len(linked["same_as"])}' in row
    for other in linked["same_as"]:
        assert f'#ev-{other}"' in row  # each other report links to its card in its document
    every = reader.get("/events", params={"reports": "all"}).text
    assert len(rows_of(every)) == total


def test_pick_lists_say_how_many_events_each_choice_gives(reader, seeds_out):
    with Store.open_readonly(seeds_out / "rasid.sqlite") as store:
        _, leads = store.query_events(limit=None, distinct=True)
    page = reader.get("/events").text
    for name in ("event_type", "sub_event_type", "outlet", "country"):
        options = re.findall(r'<option value="([^"]+)" [^>]*>[^<(]*\((\d+)\)</option>',
                             page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0])
        assert options, name
        for value, n in options:
            assert int(n) == sum(1 for e in leads if (e.get(name) if name != "country" else
                                                      (e.get("location") or {}).get("country")) == value), (name, value)
            chosen = reader.get("/events", params={name: value}).text
            assert len(rows_of(chosen)) == int(n)


def test_events_sort_by_fatalities_and_by_date(reader):
    deadliest = reader.get("/api/events", params={"limit": 1000, "distinct": True}).json()["events"]
    top = max(e["fatalities"] or 0 for e in deadliest)
    first = rows_of(reader.get("/events", params={"sort": "deadliest"}).text)[0]
    assert next(e for e in deadliest if e["event_id"] == first)["fatalities"] == top
    oldest = rows_of(reader.get("/events", params={"sort": "oldest"}).text)
    dates = [next(e for e in deadliest if e["event_id"] == i)["event_date"] for i in oldest]
    assert [d for d in dates if d] == sorted(d for d in dates if d)
    assert reader.get("/events", params={"sort": "random"}).status_code == 422


def test_pager_shows_page_numbers_around_this_one():
    from rasid.web.render import environment

    pager = environment().from_string('{% from "_pager.html" import pager %}{{ pager("/events", 6, 12, "x=1") }}')
    html = pager.render()
    numbers = [int(n) for n in re.findall(r'<bdi dir="ltr">(\d+)</bdi>', html)]
    assert numbers == [1, 4, 5, 6, 7, 8, 12]
    assert 'aria-current="page"><bdi dir="ltr">6<' in html and 'rel="prev"' in html and 'rel="next"' in html
    assert environment().from_string('{% from "_pager.html" import pager %}{{ pager("/e", 1, 1, "") }}').render().strip() == ""


@pytest.fixture()
def writable(seeds_out, tmp_path):
    """A copy of the analysed samples (output folder and store) that a reviewing server may change."""
    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    return out


def logged_in(db, name: str, role: str) -> tuple[TestClient, str]:
    """A reviewing server's client with a session of a user of this role, and the session's CSRF token."""
    from rasid.web.accounts import SESSION_COOKIE, start_session

    with Store(db) as store:
        add_user(store, name, role)
        cookie, csrf = start_session(store, name)
    client = TestClient(create_app(db, review=True), follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, cookie)
    return client, csrf


def test_a_coder_reviews_events_from_the_document_page(writable):
    db = writable / "rasid.sqlite"
    coder, csrf = logged_in(db, "amal", "coder")
    events = coder.get("/api/events", params={"limit": 1000}).json()["events"]
    target = next(e for e in events if e.get("fatalities") is not None)
    wrong = next(e for e in events if e["event_id"] != target["event_id"])
    page = coder.get(f"/documents/{target['doc_id']}").text
    assert f'action="/events/{target["event_id"]}/review"' in page and f'value="{csrf}"' in page

    form = {"csrf": csrf, "action": "edit", "event_type": target["event_type"],
            "sub_event_type": target["sub_event_type"], "actor1": "قوات الوفاق",
            "location": "Misrata", "event_date": target["event_date"], "fatalities": "3", "note": "checked twice"}
    assert coder.post(f"/events/{target['event_id']}/review", data={**form, "csrf": "forged"}).status_code == 403
    r = coder.post(f"/events/{target['event_id']}/review", data=form)
    assert r.status_code == 303 and r.headers["location"].endswith(f"#ev-{target['event_id']}")
    after = coder.get("/api/events", params={"limit": 1000}).json()["events"]
    edited = next(e for e in after if e["event_id"] == target["event_id"])
    assert (edited["fatalities"], edited["actor1"]["id"], edited["location"]["name_en"]) == (3, "GNA", "Misrata")
    assert edited["reviewed"] == {**edited["reviewed"], "action": "edit", "by": "amal", "note": "checked twice"}
    assert coder.post(f"/events/{wrong['event_id']}/review", data={"csrf": csrf, "action": "reject"}).status_code == 303
    bad = coder.post(f"/events/{wrong['event_id']}/review", data={**form, "fatalities": "many"})
    assert bad.status_code == 422 and "fatalities" in bad.text

    # the audit trail says who changed what, from what to what
    trail = coder.get("/api/reviews").json()["reviews"]
    assert [r["action"] for r in trail] == ["reject", "edit"]
    assert trail[1]["changed"]["fatalities"] == (str(target["fatalities"]), "3") or \
        trail[1]["changed"]["fatalities"] == [str(target["fatalities"]), "3"]
    assert "amal" in coder.get("/reviews").text

    # the correction reaches the spreadsheet export, which keeps Arabic for Excel
    body = coder.get("/api/export/events.csv").content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = {r["rasid_event_id"]: r for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff")))}
    assert rows[target["event_id"]]["reviewed"] == "edit" and rows[target["event_id"]]["fatalities"] == "3"
    assert "مصراتة" in body or "Misrata" in body
    assert wrong["event_id"] not in rows  # rejected: out of the ACLED incidents, kept in JSONL
    jsonl = coder.get("/api/export/events.jsonl").text
    assert '"action": "reject"' in jsonl

    # a viewer may read but not review; a read-only server takes no form at all
    viewer, vcsrf = logged_in(db, "sami", "viewer")
    assert viewer.post(f"/events/{target['event_id']}/review", data={"csrf": vcsrf, "action": "accept"}).status_code == 403
    assert 'action="/events/' not in viewer.get(f"/documents/{target['doc_id']}").text
    assert TestClient(create_app(db)).post(f"/events/{target['event_id']}/review",
                                           data={"action": "accept"}).status_code == 405


def test_merged_and_split_stories_survive_reruns(writable, seeds_dir):
    from rasid.stories.edits import story_edits_of

    db = writable / "rasid.sqlite"
    coder, csrf = logged_in(db, "amal", "coder")
    stories = sorted(coder.get("/api/stories").json()["stories"], key=lambda s: -s["size"])
    big, small = stories[0], stories[-1]
    small_docs = {m["doc_id"] for m in coder.get(f"/api/stories/{small['story_id']}").json()["members"]}
    small_events = {e["event_id"] for e in coder.get("/api/events", params={"story": small["story_id"]}).json()["events"]}

    r = coder.post(f"/stories/{small['story_id']}/merge", data={"csrf": csrf, "into": big["story_id"]})
    assert r.status_code == 303 and r.headers["location"] == f"/stories/{big['story_id']}"
    merged = coder.get(f"/api/stories/{big['story_id']}").json()
    assert merged["size"] == big["size"] + small["size"] and coder.get(f"/api/stories/{small['story_id']}").status_code == 404
    assert small_docs <= {m["doc_id"] for m in merged["members"]}
    # the merged report's events now belong to the story they were merged into
    now = {e["event_id"] for e in coder.get("/api/events", params={"story": big["story_id"], "limit": 1000}).json()["events"]}
    assert small_events and small_events <= now

    # split one report out again, into a story of its own
    member = next(m for m in merged["members"] if m["doc_id"] not in small_docs)
    r = coder.post(f"/stories/{big['story_id']}/split",
                   data={"csrf": csrf, "member": f"{member['doc_id']}:{member['segment']}", "note": "another day"})
    assert r.status_code == 303
    new_id = r.headers["location"].rsplit("/", 1)[1]
    assert [m["doc_id"] for m in coder.get(f"/api/stories/{new_id}").json()["members"]] == [member["doc_id"]]
    assert coder.post(f"/stories/{big['story_id']}/split", data={"csrf": csrf, "member": "nope:0"}).status_code == 422

    # a re-run that places the moved reports afresh (as after cleaning them anew) puts them back
    with Store(db) as store:
        placed_anew = sorted(small_docs | {member["doc_id"]})
        store.db.execute(f"DELETE FROM story_members WHERE doc_id IN ({','.join('?' * len(placed_anew))})", placed_anew)
        assert len(story_edits_of(store)) == 2
    assert main(["analyze", str(seeds_dir), "--meta", str(seeds_dir.parent / "meta.jsonl"), "--out", str(writable),
                 "-q"]) == 0
    reader = TestClient(create_app(db))
    assert {m["doc_id"] for m in reader.get(f"/api/stories/{big['story_id']}").json()["members"]} >= small_docs
    assert [m["doc_id"] for m in reader.get(f"/api/stories/{new_id}").json()["members"]] == [member["doc_id"]]
    trail = reader.get("/api/reviews").json()["reviews"]
    assert [(r["kind"], r["action"], r["by"]) for r in trail] == [("story", "split", "amal"), ("story", "merge", "amal")]

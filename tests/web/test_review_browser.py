"""A coder's review in a real headless Chromium, from login to export: log in with a password, correct
an event on its card, reject another, split a report out of a story, see the audit trail, download the
spreadsheet; and what a reader sees on the events list (one row per event, a source sentence marked)."""

import csv
import io
import shutil

import pytest

from rasid.review import add_user
from rasid.store import Store

pytestmark = pytest.mark.slow
PASSWORD = "ward-sirte-2020"


@pytest.fixture(scope="module")
def reviewing(seeds_out, serve, tmp_path_factory):
    """A reviewing server over a copy of the analysed samples, with a coder "amal" who has a password."""
    db = tmp_path_factory.mktemp("review_browser") / "rasid.sqlite"
    shutil.copy(seeds_out / "rasid.sqlite", db)
    with Store(db) as store:
        add_user(store, "amal", "coder", password=PASSWORD)
    return serve(db, review=True), db


def test_a_coders_review_from_login_to_export(reviewing, browser, tmp_path):
    import httpx

    server, db = reviewing
    events = httpx.get(f"{server}/api/events", params={"limit": 1000}).json()["events"]
    target = next(e for e in events if e.get("fatalities") is not None and e.get("location"))
    wrong = next(e for e in events if e["doc_id"] == target["doc_id"] and e["event_id"] != target["event_id"])
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # no review form before logging in; a wrong password is refused without saying which part was wrong
    page.goto(f"{server}/documents/{target['doc_id']}")
    assert page.locator("details.review-form").count() == 0
    page.click("header .account a[href$='/login']")
    page.fill("input[name=name]", "amal")
    page.fill("input[name=password]", "not-the-password")
    page.click("form button[type=submit]")
    assert page.locator("input[name=password]").count() == 1  # still the form
    page.fill("input[name=name]", "amal")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_selector("header .account form.logout")
    cookie = next(c for c in context.cookies() if c["name"] == "rasid_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    # correct the toll of one event on its card, reject another
    page.goto(f"{server}/documents/{target['doc_id']}")
    card = page.locator(f"#ev-{target['event_id']}")
    card.locator("details.review-form summary").click()
    card.locator("input[name=fatalities]").fill(str(target["fatalities"] + 5))
    card.locator("input[name=note]").fill("two reports agree")
    card.locator("button[value=edit]").click()
    page.wait_for_selector(f"#ev-{target['event_id']} .rv-note")
    assert "edited by amal" in page.locator(f"#ev-{target['event_id']} .rv-note").inner_text()
    other = page.locator(f"#ev-{wrong['event_id']}")
    other.locator("details.review-form summary").click()
    other.locator("button[value=reject]").click()
    page.wait_for_selector(f"#ev-{wrong['event_id']} .rv-note.rv-reject")

    # split a report out of the story, then read the audit trail
    story = target["story_id"]
    page.goto(f"{server}/stories/{story}")
    boxes = page.locator("#split-form input[name=member]")
    assert boxes.count() >= 2
    moved = boxes.last.get_attribute("value")
    boxes.last.check()
    page.click("#split-form button[type=submit]")
    page.wait_for_url("**/stories/S*")
    assert page.locator("#split-form input[name=member]").count() == 1
    page.goto(f"{server}/reviews")
    trail = page.locator("table.audit tbody tr")
    assert trail.count() == 3
    assert "split" in trail.nth(0).inner_text() and "reject" in trail.nth(1).inner_text()
    assert f"{target['fatalities']} → {target['fatalities'] + 5}" in trail.nth(2).inner_text()

    # the spreadsheet: a download, Arabic intact behind a byte-order mark, the correction in it
    page.goto(f"{server}/events?reports=all")
    with page.expect_download() as download:
        page.click("a[href^='/api/export/events.csv']")
    path = tmp_path / "events.csv"
    download.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = {r["rasid_event_id"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert rows[target["event_id"]]["fatalities"] == str(target["fatalities"] + 5)
    assert rows[target["event_id"]]["reviewed"] == "edit" and wrong["event_id"] not in rows
    assert any("\u0600" <= ch <= "\u06ff" for ch in raw.decode("utf-8-sig"))
    with Store.open_readonly(db) as store:
        doc_id, segment = moved.rsplit(":", 1)
        assert {m["doc_id"] + ":" + str(m["segment"]) for m in store.get_story(
            store.story_of_member(doc_id, int(segment)))["members"]} == {moved}
    assert not errors


def test_the_events_list_shows_each_event_once_and_a_source_sentence_is_marked(reviewing, browser):
    import httpx

    server, _ = reviewing
    leads = httpx.get(f"{server}/api/events", params={"limit": 1000, "distinct": True}).json()
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{server}/events")
    assert page.locator("table.events tbody tr").count() == leads["total"]
    linked = page.locator("table.events tr:has(details.other-reports)")
    assert linked.count() >= 1
    linked.first.locator("details.other-reports summary").click()
    assert linked.first.locator("details.other-reports li a").first.is_visible()
    sentence = page.locator("table.events tbody tr td:last-child a").first
    href = sentence.get_attribute("href")
    sentence.click()
    page.wait_for_url("**" + href)
    anchor = href.split("#", 1)[1]
    marked = page.locator(f"[id='{anchor}']")
    assert marked.is_visible()
    background = page.evaluate(f"getComputedStyle(document.getElementById('{anchor}')).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # the linked sentence is marked
    box = marked.bounding_box()
    assert 0 <= box["y"] < 1400  # and scrolled into view

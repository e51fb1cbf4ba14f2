"""The dashboard in a real headless Chromium (Debian's, driven by Playwright): from the story list
to the Sirte story, its map markers, timeline, conflict panel and names; then to a source sentence.

`make test` installs Chromium (apt) when it is missing; without it these tests are skipped.
"""


import pytest


@pytest.fixture(scope="module")
def server(seeds_out, serve):
    return serve(seeds_out / "rasid.sqlite")


def test_story_page_in_a_browser(server, browser, tmp_path):
    import httpx

    stories = httpx.get(f"{server}/api/stories").json()["stories"]
    sirte = max(stories, key=lambda s: s["size"])
    story = httpx.get(f"{server}/api/stories/{sirte['story_id']}").json()
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.goto(server + "/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.click(f'tr[data-story="{sirte["story_id"]}"] a')
    page.wait_for_url(f"**/stories/{sirte['story_id']}")
    page.wait_for_selector("div.map[data-markers]")
    located = [t for t in story["brief"]["timeline"] if t["lat"] is not None]
    assert int(page.get_attribute("div.map", "data-markers")) == len(located) > 0
    assert page.locator("div.map path.leaflet-interactive.event-marker").count() == len(located)
    assert page.locator("div.map path.leaflet-interactive").count() > len(located)  # country outlines drawn
    dated = [t for t in story["brief"]["timeline"] if t["date"]]
    assert page.locator("svg.timeline circle.tl-dot").count() == len(dated)
    territory = page.locator('.conflict[data-kind="territory"]')
    assert territory.locator(".claim.full").count() >= 1
    limited = territory.locator(".claim.limited")
    assert limited.count() >= 1 and "30" in limited.first.inner_text()
    labels = page.locator("table.labels").inner_text()
    assert "مليشيات حفتر" in labels and "الجيش الوطني الليبي" in labels
    page.wait_for_function("document.fonts.check('16px \"Noto Naskh Arabic\"', 'سرت')")
    assert page.evaluate("getComputedStyle(document.querySelector('h2')).direction") == "rtl"
    page.screenshot(path=str(tmp_path / "story.png"), full_page=True)
    # a claim's "source sentence" link opens the document at that sentence, highlighted
    href = limited.first.locator("a").get_attribute("href")
    page.click(f'.conflict[data-kind="territory"] .claim.limited a[href="{href}"]')
    page.wait_for_selector(".doc-text")
    target = href.split("#", 1)[1]
    assert page.locator(f"#{target}").count() == 1
    assert "30" in page.locator(f"#{target}").inner_text()
    assert page.locator(".doc-text mark").count() > 10
    assert not errors, errors
    page.close()


def test_events_page_filters_and_map(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1200})
    page.goto(server + "/events")
    page.fill('input[name="place"]', "سرت")
    page.click('form.filters button[type="submit"]')
    page.wait_for_selector("div.map[data-markers]")
    rows = page.locator("table.events tbody tr")
    assert rows.count() > 0
    assert all("سرت" in rows.nth(i).inner_text() for i in range(rows.count()))
    # the map shows the whole selection, each place once (not only this page's rows)
    import json
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode({"place": "سرت", "distinct": "true", "limit": 1000})
    selected = json.load(urllib.request.urlopen(f"{server}/api/events?{query}"))["events"]
    places = {(e["location"]["name_en"], e["location"]["name_ar"]) for e in selected
              if e.get("location") and e.get("modality") != "denied"}
    assert int(page.get_attribute("div.map", "data-markers")) == len(places) > 0
    page.close()


def test_report_opens_offline_in_a_browser(seeds_out, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1200})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((seeds_out / "report.html").as_uri())
    page.wait_for_function("document.querySelectorAll('div.map[data-markers]').length === "
                           "document.querySelectorAll('div.map').length")
    markers = [int(m) for m in page.eval_on_selector_all("div.map", "els => els.map(e => e.dataset.markers)")]
    assert markers and all(n > 0 for n in markers)
    assert page.locator("div.map path.leaflet-interactive").count() > sum(markers)  # outlines too
    assert all(u.startswith(("file:", "data:")) for u in requests), [u for u in requests if u.startswith("http")]
    assert not errors, errors
    page.close()


def test_api_docs_render_every_operation_offline(server, browser):
    page = browser.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
    page.goto(f"{server}/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    text = page.inner_text("body")
    assert "Unable to render" not in text
    paths = page.evaluate("() => fetch('/openapi.json').then(r => r.json()).then(j => Object.keys(j.paths))")
    shown = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.getAttribute('data-path'))")
    assert set(paths) <= set(shown)
    page.screenshot(path="/tmp/rasid_docs.png")
    assert outside == []  # nothing fetched from the internet
    page.close()


def test_dates_and_ids_read_left_to_right_inside_arabic(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for path in ("/", "/documents/000_930dda6a6b7502e0"):
        page.goto(server + path)
        order = page.evaluate("""() => [...document.querySelectorAll('bdi[dir=ltr]')].slice(0, 6).map(b => {
            const t = b.firstChild, r = document.createRange();
            r.setStart(t, 0); r.setEnd(t, 1); const first = r.getBoundingClientRect().left;
            r.setStart(t, t.length - 1); r.setEnd(t, t.length); const last = r.getBoundingClientRect().left;
            return [t.textContent, first < last];
        })""")
        assert order and all(ok for _, ok in order), (path, order)
    page.close()


def test_pages_reflow_on_a_phone(server, browser):
    import json
    import urllib.request

    story = json.load(urllib.request.urlopen(f"{server}/api/stories"))["stories"][0]["story_id"]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    for path in ("/", "/events", f"/stories/{story}", "/documents/000_930dda6a6b7502e0", "/map", "/search?q=سرت"):
        page.goto(server + path)
        scroll, client = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client, (path, scroll, client)  # nothing makes the page scroll sideways
    page.close()

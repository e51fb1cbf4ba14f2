"""``rasid watch``: feeds and folders polled on a local site, new items stored once, failing feeds backed
off, the dashboard's "arrived since" view, and a clean stop on SIGINT."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rasid.store import Store
from rasid.watch import Watcher, WatchError, item_doc_id, parse_sources

LIGHT = {"stories": False, "entities": False, "events": False}  # the cleaning and storing path only


def _watcher(site, store, tmp_path, paths, cleaner, **kwargs) -> Watcher:
    sources = parse_sources([site.url(p) if p.startswith("/") else p for p in paths])
    return Watcher(sources, store, spool=tmp_path / "spool", cleaner=cleaner, **{**LIGHT, **kwargs})


def _articles(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0]: {"url": r[1], "text": r[2], "title": r[3], "source": r[4], "extra": json.loads(r[5])}
                for r in con.execute("SELECT doc_id, url, text, title, source, extra FROM articles")}
    finally:
        con.close()


def test_new_items_are_stored_once_and_a_second_round_stores_nothing(site, tmp_path, cleaner):
    db = tmp_path / "rasid.sqlite"
    with Store(db) as store:
        watcher = _watcher(site, store, tmp_path, ["/rss.xml", "/atom.xml"], cleaner)
        first = watcher.run_round()
        assert [(r.status, r.items, r.new) for r in first.sources] == [("ok", 5, 5), ("ok", 4, 4)]
        assert first.new == 9 and store.count_documents() == 9
        stored = _articles(db)
        # RSS items keep their full text (content:encoded); every stored article points at its link
        for item in site.rss_items:
            doc = stored[item_doc_id(item["url"], None, "", "")]
            assert doc["url"] == item["url"] and doc["title"] == item["title"]
            assert item["content"].split("\n")[0].strip()[:60] in doc["text"]
            assert doc["extra"]["text_from"] == "content" and doc["extra"]["feed"] == site.url("/rss.xml")
            assert ".jsonl:" in doc["source"]  # provenance: the spool file and line, kept on disk
        # Atom teasers: the article page was fetched and its text stored, not the 150-character summary
        for item in site.atom_items[:3]:
            doc = stored[item_doc_id(site.url(item["page"]), None, "", "")]
            assert doc["extra"]["text_from"] == "page"
            assert len(doc["text"]) > 600 and item["content"].split("\n")[-1].strip()[:40] in doc["text"]
        missing = stored[item_doc_id(site.url("/articles/missing.html"), None, "", "")]
        assert missing["extra"]["text_from"] == "summary" and "404" in missing["extra"]["page_error"]
        assert missing["text"].startswith("خبر قصير")

        second = watcher.run_round()
        assert second.new == 0 and second.run is None and store.count_documents() == 9
        assert [r.status for r in second.sources] == ["unchanged", "unchanged"]  # 304s: conditional GETs
        assert site.not_modified["/rss.xml"] == 1 and site.not_modified["/atom.xml"] == 1
        assert site.requests["/articles/0.html"] == 1  # pages of stored items are not fetched again
        watcher.close()


def test_an_item_seen_again_under_the_same_link_is_not_stored_twice(site, tmp_path, cleaner):
    db = tmp_path / "rasid.sqlite"
    with Store(db) as store:
        watcher = _watcher(site, store, tmp_path, ["/rss.xml", "/atom.xml"], cleaner)
        assert watcher.run_round().new == 9
        # re-published: a new guid, an edited text, the link with another scheme and a fragment
        again = site.rss_items[0]
        site.rss_items.append(dict(again, guid="snn-republished", content=again["content"] + "\nتحديث: تفاصيل جديدة.",
                                   url=again["url"].replace("http://", "https://") + "#comments"))
        # and another outlet's feed carrying the same link in the same round
        site.atom_items.append(dict(site.atom_items[0]))
        site.atom_updated = "Wed, 22 Jul 2015 10:00:00 GMT"
        report = watcher.run_round()
        assert [(r.status, r.new) for r in report.sources] == [("ok", 0), ("ok", 0)]
        assert report.new == 0 and store.count_documents() == 9
        assert len({a["url"].split("#")[0].split("://")[1] for a in _articles(db).values()}) == 9
        watcher.close()


def test_failing_feeds_warn_once_back_off_and_do_not_stop_the_round(site, tmp_path, cleaner, caplog):
    now = [1_000_000.0]
    failing = ["/error.xml", "/slow.xml", "/malformed.xml", "/loop.xml"]
    with Store(tmp_path / "rasid.sqlite") as store:
        watcher = _watcher(site, store, tmp_path, [*failing, "/rss.xml"], cleaner, interval=10.0, timeout=0.5,
                           clock=lambda: now[0])
        with caplog.at_level(logging.INFO, logger="rasid.watch"):
            first = watcher.run_round()
            by_url = {r.source: r for r in first.sources}
            assert by_url[site.url("/rss.xml")].new == 5 and store.count_documents() == 5  # the good feed went on
            reasons = {p: by_url[site.url(p)].message for p in failing}
            assert [by_url[site.url(p)].status for p in failing] == ["failed"] * 4
            assert "HTTP 500" in reasons["/error.xml"] and "0.5s" in reasons["/slow.xml"]
            assert "not a readable RSS/Atom feed" in reasons["/malformed.xml"]
            assert "redirects in a loop" in reasons["/loop.xml"]

            asked = sum(site.requests[p] for p in failing)
            waiting = watcher.run_round()  # the same moment: every failing feed waits, none is asked
            assert [r.status for r in waiting.sources[:4]] == ["waiting"] * 4
            assert sum(site.requests[p] for p in failing) == asked

            now[0] += 10.0  # one interval: due again
            third = watcher.run_round()
            assert [r.status for r in third.sources[:4]] == ["failed"] * 4
            state = watcher.feed_states[site.url("/error.xml")]
            assert state.failures == 2 and state.next_try - now[0] == 20.0  # the wait doubles
            site.error_fixed = True
            now[0] += 20.0
            fourth = watcher.run_round()
            assert fourth.sources[0].status == "ok" and watcher.feed_states[site.url("/error.xml")].failures == 0
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        for p in failing:  # one warning per outage, however many rounds it lasts
            assert sum(m.startswith(site.url(p) + ": ") and "retried in" in m for m in warnings) == 1, warnings
        assert any(m == f"{site.url('/error.xml')}: back after 2 failed tries" for m in warnings)
        # the back-off is capped
        for _ in range(10):
            now[0] += 10_000.0
            watcher.run_round()
        slow = watcher.feed_states[site.url("/slow.xml")]
        assert slow.next_try - now[0] == watcher.max_backoff
        watcher.close()


def test_state_survives_a_restart(site, tmp_path, cleaner):
    with Store(tmp_path / "rasid.sqlite") as store:
        watcher = _watcher(site, store, tmp_path, ["/rss.xml"], cleaner)
        assert watcher.run_round().new == 5
        watcher.close()
        again = _watcher(site, store, tmp_path, ["/rss.xml"], cleaner)  # a --once run from cron, say
        report = again.run_round()
        assert report.sources[0].status == "unchanged" and site.not_modified["/rss.xml"] == 1
        again.close()


def test_a_new_file_in_a_watched_folder_is_picked_up(tmp_path, seeds_dir, cleaner):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    shutil.copy(seeds[0], inbox)
    with Store(tmp_path / "rasid.sqlite") as store:
        watcher = Watcher(parse_sources([str(inbox)]), store, spool=tmp_path / "spool", cleaner=cleaner, **LIGHT)
        first = watcher.run_round()
        assert (first.sources[0].status, first.sources[0].new, store.count_documents()) == ("ok", 1, 1)
        quiet = watcher.run_round()
        assert quiet.sources[0].status == "unchanged" and quiet.run is None
        shutil.copy(seeds[1], inbox)
        third = watcher.run_round()
        assert (third.sources[0].new, third.sources[0].items, store.count_documents()) == (1, 2, 2)
        assert set(store.doc_ids()) == {seeds[0].stem, seeds[1].stem}
        watcher.close()


def test_sources_that_cannot_be_watched_are_refused(tmp_path, seeds_dir):
    with pytest.raises(WatchError, match="only http and https"):
        parse_sources(["ftp://example.org/feed.xml"])
    with pytest.raises(WatchError, match="no such folder"):
        parse_sources([str(tmp_path / "nowhere")])
    with pytest.raises(WatchError, match="a file, not a folder"):
        parse_sources([str(next(seeds_dir.glob("*.txt")))])
    with Store(tmp_path / "rasid.sqlite") as store, pytest.raises(WatchError, match="spool folder is inside"):
        Watcher(parse_sources([str(tmp_path)]), store, spool=tmp_path / "spool")
    (tmp_path / "inbox").mkdir()
    with Store(tmp_path / "inbox" / "rasid.sqlite") as store, pytest.raises(WatchError, match="store is inside"):
        Watcher(parse_sources([str(tmp_path / "inbox")]), store, spool=tmp_path / "spool")


def test_an_item_published_between_rounds_is_on_the_dashboard_within_one_interval(site, tmp_path, cleaner):
    from fastapi.testclient import TestClient

    from rasid.web.app import create_app

    db, interval = tmp_path / "rasid.sqlite", 2.0
    rounds: list = []
    stop, failed = threading.Event(), []

    def watch() -> None:
        try:
            with Store(db) as store:  # a connection of the watching thread's own
                watcher = _watcher(site, store, tmp_path, ["/rss.xml"], cleaner, interval=interval)
                watcher.run(stop, on_round=rounds.append)
                watcher.close()
        except BaseException as exc:  # surfaced by the assertions below
            failed.append(exc)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        _wait(lambda: rounds or failed, 60)
        assert not failed and rounds[0].new == 5
        since = datetime.now(UTC)
        time.sleep(0.05)
        article = site.publish()
        published_at, seen = time.monotonic(), len(rounds)
        new_id = item_doc_id(article["url"], None, "", "")
        _wait(lambda: new_id in _articles(db) or failed, 60)
        arrived_after = time.monotonic() - published_at
        assert not failed
        _wait(lambda: any(r.new for r in rounds[seen:]), 30)
        assert [r.new for r in rounds[seen:] if r.new] == [1]  # stored once, by one round
        # within one interval, plus the time a round takes to fetch and analyse
        assert arrived_after < interval + max(r.seconds for r in rounds) + 2.0, arrived_after

        client = TestClient(create_app(db))
        answer = client.get("/api/arrived", params={"since": since.isoformat()}).json()
        assert [d["doc_id"] for d in answer["documents"]] == [new_id] and answer["total"] == 1
        assert answer["documents"][0]["url"] == article["url"]
        page = client.get("/arrived", params={"since": since.isoformat()})
        assert page.status_code == 200 and article["title"] in page.text
        assert site.rss_items[1]["title"] not in page.text  # stored before `since`
        everything = client.get("/api/arrived", params={"since": "2000-01-01"}).json()
        assert everything["total"] == 6
        assert client.get("/api/arrived", params={"since": "yesterday"}).status_code == 422
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_a_running_watch_cleanly(site, tmp_path, signum):
    db, log_path = tmp_path / "rasid.sqlite", tmp_path / "watch.log"
    cmd = [sys.executable, "-m", "rasid", "watch", site.url("/rss.xml"), site.url("/error.xml"), "--db", str(db),
           "--out", str(tmp_path / "out"), "--interval", "1", "--no-stories", "--no-entities"]
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log_file, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            _wait(lambda: db.exists() and len(_articles_safe(db)) == 5 or proc.poll() is not None, 120)
            time.sleep(1.5)  # let it reach a later round (or the wait between rounds)
            proc.send_signal(signum)
            out, _ = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
    errors = log_path.read_text()
    assert proc.returncode in (0, 130), errors
    assert "rasid watch:" in out and "5 new document(s)" in out, out
    assert errors.count("HTTP 500") == 1, errors  # one warning for the failing feed, however many rounds
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
        assert {r[0] for r in con.execute("SELECT status FROM runs")} == {"done"}
    finally:
        con.close()
    assert (tmp_path / "out" / "documents.jsonl").exists()


def test_watch_once_from_the_command_line(site, tmp_path, capsys):
    from rasid.cli import main

    args = ["watch", site.url("/rss.xml"), "--db", str(tmp_path / "rasid.sqlite"), "--out", str(tmp_path / "out"),
            "--once", "--no-stories", "--no-entities"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"{site.url('/rss.xml')}: 5 new of 5 items" in out and "1 round(s)" in out
    assert main(args) == 0
    assert f"{site.url('/rss.xml')}: not modified" in capsys.readouterr().out
    assert main(["watch", "ftp://example.org/x", "--db", str(tmp_path / "rasid.sqlite"), "--once"]) == 1


def _articles_safe(db: Path) -> dict:
    try:
        return _articles(db)
    except sqlite3.Error:
        return {}


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    raise AssertionError(f"not reached within {seconds}s")


HOSTILE = ["9223372036854775807", "-1", "abc", "1e999", "", "%00", "' OR 1=1 --", "2015-13-45", "NaN", "١٢",
           "0001-01-01T00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-12-04T21:00:00.5Z"]


def test_arrived_routes_answer_every_query_string_without_a_server_error(tmp_path, seeds_dir, cleaner):
    from fastapi.testclient import TestClient

    from rasid.web.app import create_app

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(next(seeds_dir.glob("*.txt")), inbox)
    with Store(tmp_path / "rasid.sqlite") as store:
        Watcher(parse_sources([str(inbox)]), store, spool=tmp_path / "spool", cleaner=cleaner, **LIGHT).run_round()
    client = TestClient(create_app(tmp_path / "rasid.sqlite"), raise_server_exceptions=False)
    failures = [(path, name, value, r.status_code) for path in ("/arrived", "/api/arrived")
                for name in ("since", "page", "limit", "offset") for value in HOSTILE
                if (r := client.get(path, params={name: value})).status_code >= 500]
    assert failures == []
    assert client.get("/api/arrived").json()["total"] == 1  # default: the last 24 hours
    assert client.get("/api/arrived", params={"since": "2999-01-01"}).json()["total"] == 0
    bad = client.get("/arrived", params={"since": "yesterday"})
    assert bad.status_code == 422 and "ISO date" in bad.text and "<html" in bad.text


def test_items_fetched_before_an_interrupted_analysis_are_analysed_by_the_next_run(site, tmp_path, cleaner,
                                                                                     monkeypatch):
    db = tmp_path / "rasid.sqlite"
    with Store(db) as store:
        watcher = _watcher(site, store, tmp_path, ["/rss.xml"], cleaner)

        def second_ctrl_c(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(watcher, "_analyze", second_ctrl_c)
        with pytest.raises(KeyboardInterrupt):
            watcher.run_round()
        watcher.close()
        assert store.count_documents() == 0
        state = json.loads((tmp_path / "spool" / "state.json").read_text(encoding="utf-8"))
        assert [len(ids) for ids in state["pending"].values()] == [5]  # spooled, waiting
        again = _watcher(site, store, tmp_path, ["/rss.xml"], cleaner)
        report = again.run_round()  # the feed answers 304 now: the items come from the spool
        assert report.sources[0].status == "unchanged" and store.count_documents() == 5
        assert json.loads((tmp_path / "spool" / "state.json").read_text(encoding="utf-8"))["pending"] == {}
        assert again.run_round().run is None and store.count_documents() == 5
        again.close()


def test_without_pages_a_teaser_is_stored_as_the_feed_gives_it(site, tmp_path, cleaner):
    db = tmp_path / "rasid.sqlite"
    with Store(db) as store:
        watcher = _watcher(site, store, tmp_path, ["/atom.xml"], cleaner, fetch_pages=False)
        assert watcher.run_round().new == 4
        watcher.close()
    assert not any(p.startswith("/articles/") for p in site.requests)  # no page was asked for
    texts = {d["extra"]["text_from"] for d in _articles(db).values()}
    assert texts == {"summary"}


def test_items_that_all_link_to_the_front_page_are_known_by_their_guids(site, tmp_path, cleaner):
    with Store(tmp_path / "rasid.sqlite") as store:
        watcher = _watcher(site, store, tmp_path, ["/frontpage.xml"], cleaner)
        assert watcher.run_round().new == 3 and store.count_documents() == 3
        assert watcher.run_round().new == 0 and store.count_documents() == 3
        watcher.close()


def test_a_busy_feeds_retry_after_is_honoured(site, tmp_path, cleaner):
    now = [1_000_000.0]
    with Store(tmp_path / "rasid.sqlite") as store:
        watcher = _watcher(site, store, tmp_path, ["/busy.xml"], cleaner, interval=10.0, clock=lambda: now[0])
        report = watcher.run_round()
        assert report.sources[0].status == "failed" and "HTTP 503" in report.sources[0].message
        assert watcher.feed_states[site.url("/busy.xml")].next_try - now[0] == 120.0  # not the 10s of one interval
        now[0] += 60.0
        assert watcher.run_round().sources[0].status == "waiting" and site.requests["/busy.xml"] == 1
        watcher.close()


def test_the_users_data_files_are_used_and_a_bad_one_fails_before_anything_is_fetched(site, tmp_path):
    from rasid.cli import main
    from rasid.fingerprints import DataFiles, LayerFingerprints

    rules = tmp_path / "my_rules.yaml"
    rules.write_text(DataFiles().path("rules").read_text(encoding="utf-8") + "\n# our desk's copy\n",
                     encoding="utf-8")
    db = tmp_path / "rasid.sqlite"
    base = ["watch", site.url("/rss.xml"), "--db", str(db), "--out", str(tmp_path / "out"), "--once",
            "--no-stories", "--no-entities", "-q"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [unclosed\n", encoding="utf-8")
    assert main([*base, "--rules", str(bad)]) == 1 and not site.requests and not db.exists()
    assert main([*base, "--rules", str(rules)]) == 0
    with Store(db) as store:
        assert store.count_documents() == 5
        mine, shipped = LayerFingerprints(DataFiles(rules=rules)).clean, LayerFingerprints(DataFiles()).clean
        assert mine != shipped
        assert store.docs_not_current("clean", mine) == set()  # cleaned with the user's rules
        assert len(store.docs_not_current("clean", shipped)) == 5


def test_the_arrived_page_in_a_browser_links_each_article_and_fits_a_phone(tmp_path, seeds_dir, cleaner):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed (make browser)")
    import socket

    import uvicorn
    from playwright.sync_api import sync_playwright

    from rasid.web.app import create_app

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in sorted(seeds_dir.glob("*.txt"))[:3]:
        shutil.copy(seed, inbox)
    with Store(tmp_path / "rasid.sqlite") as store:
        Watcher(parse_sources([str(inbox)]), store, spool=tmp_path / "spool", cleaner=cleaner, **LIGHT).run_round()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(tmp_path / "rasid.sqlite"), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _wait(lambda: server.started, 30)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"http://127.0.0.1:{port}/")
            page.click("text=Arrived")  # in the navigation of every page
            assert page.url.endswith("/arrived") and page.locator("tr[data-doc]").count() == 3
            page.fill("input[name=since]", "2999-01-01")
            page.click("button[type=submit]")
            assert "since=2999-01-01" in page.url and page.locator("tr[data-doc]").count() == 0
            page.goto(f"http://127.0.0.1:{port}/arrived?since=2000-01-01")
            scroll, width = page.evaluate("() => [document.documentElement.scrollWidth, "
                                          "document.documentElement.clientWidth]")
            assert scroll <= width  # nothing makes the page scroll sideways on a phone
            page.locator("tr[data-doc] a").first.click()
            assert "/documents/" in page.url
            browser.close()
    finally:
        server.should_exit = True
        thread.join(10)

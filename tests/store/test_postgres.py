"""The PostgreSQL store against a real server (tests/store/conftest.py starts one): schema and
upgrades, read-only serving, search, the same outputs and API answers as SQLite, concurrent writers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rasid.errors import StoreError
from rasid.review import add_user, set_password, user_of
from rasid.store import open_store
from rasid.store.postgres import MIGRATIONS, SCHEMA_VERSION, PostgresStore, fts_to_tsquery

ROOT = Path(__file__).resolve().parents[2]
SEEDS, META = ROOT / "demo" / "seeds", ROOT / "demo" / "meta.jsonl"

pytestmark = pytest.mark.usefixtures("pg_server")


def _versions(url: str) -> list[int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY version")]


def test_a_new_database_gets_the_schema_once(pg_url):
    with open_store(pg_url) as store:
        assert store.count_documents() == 0
    with open_store(pg_url) as store:  # opening again changes nothing
        assert store.count_documents() == 0
    assert _versions(pg_url) == [v for v, _, _ in MIGRATIONS] and SCHEMA_VERSION == MIGRATIONS[-1][0]


def test_an_older_schema_is_upgraded_in_place_keeping_its_rows(pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:  # a store as the first schema left it
        for statement in MIGRATIONS[0][2].split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied DOUBLE PRECISION NOT NULL, "
                     "note TEXT NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (1, 0, 'first')")
        conn.execute("INSERT INTO users VALUES ('amal', 'coder', 'h', 1.0)")
    with pytest.raises(StoreError, match="schema 1"):  # a reader does not upgrade
        open_store(pg_url, read_only=True)
    with open_store(pg_url) as store:
        assert [u["name"] for u in store.list_users()] == ["amal"]
        set_password(store, "amal", "a long passphrase")  # schema 2: passwords and sessions
        token = add_user(store, "amal", "coder")
        assert user_of(store, token) == ("amal", "coder")
        columns = {r[0] for r in store.db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name='story_members'")}
        assert "signals" in columns  # schema 3: story members' entity signals
    assert _versions(pg_url) == list(range(1, SCHEMA_VERSION + 1)) == [1, 2, 3]


def test_a_newer_schema_or_an_empty_database_is_refused(pg_url, pg_server):
    with pytest.raises(StoreError, match="no Rasid store"):
        open_store(pg_url, read_only=True)
    with pytest.raises(StoreError, match="no Rasid store"):
        open_store(pg_url, must_exist=True)
    with open_store(pg_url) as store:
        store.db.execute("INSERT INTO schema_version VALUES (?, 0, 'from the future')", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer Rasid"):
        open_store(pg_url)
    with pytest.raises(StoreError, match="cannot connect") as refused:
        open_store(pg_server.url("no_such_db").replace("rasid@", "rasid:s3cret@"))
    assert "s3cret" not in str(refused.value) and "rasid:***@" in str(refused.value)  # no password in messages


def test_a_reader_cannot_write(pg_url):
    with open_store(pg_url) as store:
        add_user(store, "hind", "admin")
    with open_store(pg_url, read_only=True) as reader:
        assert [u["name"] for u in reader.list_users()] == ["hind"]
        with pytest.raises(StoreError, match="reading only"):
            add_user(reader, "eve", "admin")
    with open_store(pg_url) as store:
        assert [u["name"] for u in store.list_users()] == ["hind"]  # nothing half-added


def test_fts_expressions_become_tsqueries():
    assert fts_to_tsquery('"قاعده جفره" AND "تفجير"*') == "( 'قاعده' <-> 'جفره' ) & 'تفجير':*"
    assert fts_to_tsquery('("sirte" OR "سرت") NOT ("طرابلس")') == "( 'sirte' | 'سرت' ) & ! ( 'طرابلس' )"
    assert fts_to_tsquery('"it\'s"') == "'it''s'"
    with pytest.raises(StoreError):
        fts_to_tsquery('""')


# -- the sample articles through both backends ---------------------------------------------------


def _analyze_cli(out: Path, db: str | None = None) -> None:
    from rasid.cli import main

    args = ["analyze", str(SEEDS), "--meta", str(META), "--out", str(out), "-q"]
    assert main(args + (["--db", db] if db else [])) == 0


@pytest.fixture(scope="module")
def pg_seeds(pg_server, tmp_path_factory):
    """The sample articles analysed into PostgreSQL (all stages, views, outputs): (URL, output folder,
    URL of a copy for tests that write)."""
    url = pg_server.create_database()
    out = tmp_path_factory.mktemp("pg_seeds_out")
    _analyze_cli(out, url)
    return url, out, pg_server.create_database(copy_of=url)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["documents.jsonl", "events.jsonl", "stories.jsonl"])
def test_the_samples_give_the_same_outputs_in_postgres_as_in_sqlite(pg_seeds, seeds_out, name):
    pg_out = pg_seeds[1]
    assert _jsonl(pg_out / name) == _jsonl(seeds_out / name)
    assert len(_jsonl(pg_out / name)) > 0


def test_search_finds_the_same_documents_in_both_backends(pg_seeds, seeds_out):
    from rasid.search_query import parse_query

    with open_store(pg_seeds[0], read_only=True) as pg, open_store(seeds_out / "rasid.sqlite", read_only=True) as lite:
        for text in ("سرت", "Sirte OR الجفرة", '"قاعدة الجفرة"', "تفجير*", "قوات -طرابلس", "حفتر", "لا توجد كلمة كهذه"):
            match = parse_query(text).match()
            a, b = pg.search(match, limit=50), lite.search(match, limit=50)
            assert a["total"] == b["total"], text
            assert {h["doc_id"] for h in a["hits"]} == {h["doc_id"] for h in b["hits"]}, text
            assert [h["score"] for h in a["hits"]] == sorted((h["score"] for h in a["hits"]), reverse=True)
        assert pg.search(parse_query("سرت").match())["total"] >= 3
        words = pg.document_text("003_ceb414d14458d7ff").split()  # find similar: a pasted article
        from rasid.views import word_search_key

        keys = [k for k in (word_search_key(w) for w in words) if k]
        a, b = pg.search(like=keys, limit=10), lite.search(like=keys, limit=10)
        assert a["terms"] == b["terms"] and a["hits"][0]["doc_id"] == b["hits"][0]["doc_id"] == "003_ceb414d14458d7ff"
        assert [h["doc_id"] for h in a["hits"]] == [h["doc_id"] for h in b["hits"]]
        for kwargs in ({"outlet": "al jazeera"}, {"date_from": "2020-06-07"}, {"date_to": "2020-06-06"}):
            m = parse_query("ليبيا OR سرت").match()
            assert ({h["doc_id"] for h in pg.search(m, **kwargs)["hits"]}
                    == {h["doc_id"] for h in lite.search(m, **kwargs)["hits"]}), kwargs


API_ROUTES = ["/api/stories", "/api/events?limit=1000", "/api/events?distinct=true&sort=oldest",
              "/api/events?actor=GNA&limit=1000", "/api/events?place=Sirte", "/api/overview",
              "/api/search?q=سرت", "/api/documents/003_ceb414d14458d7ff", "/api/events/places",
              "/api/outlets/Al Jazeera", "/api/actors/GNA", "/api/export/events.csv"]


def test_serve_answers_the_same_over_postgres(pg_seeds, seeds_out):
    from fastapi.testclient import TestClient

    from rasid.web.app import create_app

    pg, lite = TestClient(create_app(pg_seeds[0])), TestClient(create_app(seeds_out / "rasid.sqlite"))
    story = lite.get("/api/stories").json()["stories"][0]["story_id"]
    for route in [*API_ROUTES, f"/api/stories/{story}"]:
        a, b = pg.get(route), lite.get(route)
        assert a.status_code == b.status_code, route
        if a.status_code == 200 and route.endswith(".csv"):
            assert a.text == b.text
        elif a.status_code == 200 and "search" not in route:
            assert a.json() == b.json(), route
        elif a.status_code == 200:  # the same documents; scores are each engine's own
            assert {h["doc_id"] for h in a.json()["hits"]} == {h["doc_id"] for h in b.json()["hits"]}
            assert a.json()["total"] == b.json()["total"]
    assert pg.get("/").status_code == 200 and pg.get(f"/stories/{story}").status_code == 200


def test_serve_opens_postgres_read_only(pg_seeds):
    with PostgresStore.open_readonly(pg_seeds[0]) as reader:
        with pytest.raises(StoreError, match="reading only"):
            reader.set_meta_value("x", "y")
        assert reader.meta_value("x") is None


def test_reviews_logins_and_story_corrections_over_postgres(pg_seeds):
    from rasid.review import review_event, reviews_of
    from rasid.stories.edits import apply_story_edits, merge_stories, split_story, story_edits_of
    from rasid.web.accounts import attempt_login, end_session, session_user, start_session

    with open_store(pg_seeds[2]) as store:
        add_user(store, "amal", "coder", password="a long passphrase")
        event = store.query_events(limit=1)[1][0]
        after = review_event(store, event["event_id"], "edit", {"fatalities": 3}, "from the ministry", "amal")
        assert store.get_event(event["event_id"])["fatalities"] == 3 == after["fatalities"]
        assert [r["by"] for r in reviews_of(store, event["event_id"])] == ["amal"]
        assert attempt_login(store, "amal", "wrong one!", "10.0.0.1").status == "failed"
        assert attempt_login(store, "amal", "a long passphrase", "10.0.0.1").status == "ok"
        token, _csrf = start_session(store, "amal")
        assert session_user(store, token)["name"] == "amal"
        end_session(store, token)
        assert session_user(store, token) is None
        story = max(store.iter_stories(), key=lambda s: s["size"])
        moved = (story["members"][-1]["doc_id"], story["members"][-1]["segment"])
        new = split_story(store, story["story_id"], [moved], user="amal", note="another raid")
        assert [(m["doc_id"], m["segment"]) for m in new["members"]] == [moved]
        assert store.get_story(story["story_id"])["size"] == story["size"] - 1
        assert story_edits_of(store, story["story_id"])[0]["action"] == "split"
        store.move_story_members([moved], story["story_id"])  # as a new stories pass might put it back
        assert apply_story_edits(store) == 1 and store.story_of_member(*moved) == new["story_id"]
        # a merged story's thread links pass to the story it went into; none names it afterwards
        third = next(s["story_id"] for s in store.iter_stories() if s["story_id"] not in (story["story_id"], new["story_id"]))
        store.write_story_links([(new["story_id"], third, 0.4)])
        merge_stories(store, new["story_id"], story["story_id"], user="amal")
        links = store.story_links()
        assert (third, 0.4) in links[story["story_id"]] and (story["story_id"], 0.4) in links[third]
        assert new["story_id"] not in links and all(x != new["story_id"] for rows in links.values() for x, _ in rows)


# -- two writers at once --------------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from rasid.pipeline import analyze
    from rasid.store import open_store

    with open_store(sys.argv[1]) as store:
        report = analyze(sys.argv[2:], store, entities=False, events=False)
    print(report.new, report.segments_assigned)
""")


def test_two_processes_writing_one_postgres_store_lose_and_duplicate_nothing(pg_url, tmp_path):
    files = sorted(SEEDS.glob("*.txt"))
    halves = [tmp_path / "a", tmp_path / "b"]
    for folder, part in zip(halves, (files[:3], files[2:]), strict=True):  # 002 is in both
        folder.mkdir()
        for f in part:
            shutil.copy(f, folder / f.name)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, pg_url, str(folder)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for folder in halves]
    results = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [r[1][-2000:] for r in results]
    with open_store(pg_url) as store:
        assert store.doc_ids() == sorted(f.stem for f in files)  # every document, once
        assert store.table_counts()["articles"] == len(files)
        segments = [(d.doc_id, s.index, s.story_id) for d in store.iter_documents() for s in d.segments]
        members = {(r[1], r[2]): r[0] for r in store.iter_story_members()}
        assert segments and all(story for *_, story in segments)  # every segment in a story, once
        assert {(d, i): s for d, i, s in segments} == members
        stories = list(store.iter_stories())
        assert sum(s["size"] for s in stories) == len(members)
        assert sorted(m["doc_id"] for s in stories for m in s["members"]) == sorted(d for d, _ in members)
        (a0, a1), (b0, b1) = [tuple(r) for r in store.db.execute("SELECT started, finished FROM runs ORDER BY 1")]
        assert b0 < a1  # the two runs overlapped in time
    assert sum(int(r[0].split()[0]) for r in results) in (len(files), len(files) + 1)  # 002 stored once


def test_redone_entity_rows_make_story_members_read_their_signals_again_over_postgres(pg_seeds):
    from rasid.stories.passes import refresh_member_signals
    from rasid.stories.signals import SignalReader

    doc = "000_930dda6a6b7502e0"
    with open_store(pg_seeds[2]) as store:
        before = {(r[1], r[2]): r[10] for r in store.iter_story_members()}
        assert before[(doc, 0)]["places"] and store.members_needing_signals() == []
        store.write_annotations("entity", {doc: list(store.annotations("entity", doc))})  # redone, same rows
        assert store.members_needing_signals() == [doc]
        assert refresh_member_signals(store, SignalReader.from_data().wide_kinds) == 1
        assert {(r[1], r[2]): r[10] for r in store.iter_story_members()} == before
        assert store.members_needing_signals() == []

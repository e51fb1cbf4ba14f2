"""Browser accounts of the review loop (rasid.web.accounts): passwords stored as argon2 hashes,
login with a strict session cookie, CSRF tokens, the failed-login limit, logout, require_writer,
safe redirects, and the users commands."""

import io
import re
import sqlite3
import threading
import time

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

import rasid.review
from rasid.cli import main
from rasid.review import ReviewError, add_user, check_password, set_password, user_of
from rasid.store import Store
from rasid.web.accounts import (
    FAILURE_WINDOW,
    SESSION_COOKIE,
    add_account_routes,
    attempt_login,
    read_form,
    require_writer,
    session_user,
    start_session,
)
from rasid.web.render import assets, environment

PASSWORD = "correct horse battery"


class CountingHasher(PasswordHasher):
    """Cheap parameters (the tests log in many times) and a count of verifications."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def hasher(monkeypatch):
    h = CountingHasher()
    monkeypatch.setattr(rasid.review, "_hasher", lambda: h)
    return h


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        add_user(store, "amal", "coder", PASSWORD)
        add_user(store, "sami", "viewer", PASSWORD)
    return path


@pytest.fixture
def store(db):
    with Store(db) as s:
        yield s


def make_app(db, review: bool = True) -> FastAPI:
    """What create_app will do: a store per thread, pages through the dashboard's templates with `user`."""
    local = threading.local()

    def current() -> Store:
        if getattr(local, "store", None) is None:
            local.store = Store(db)
        return local.store

    env = environment()

    def page(name, request, status_code=200, **context):
        html = env.get_template(name).render(inline=False, assets=assets(False), base="", home="/",
                                             user=session_user(current(), request), **context)
        return HTMLResponse(html, status_code=status_code)

    app = FastAPI()
    add_account_routes(app, current, page, review)

    @app.get("/me")
    def me(request: Request):
        return session_user(current(), request)

    @app.post("/write")
    async def write(request: Request):
        form = await read_form(request)
        return {"by": require_writer(current(), request, form.get("csrf"))}

    return app


def login(client, name, password, next_path=None):
    form = client.get("/login", params={"next": next_path} if next_path else None)
    assert form.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    data = {"name": name, "password": password, "csrf": csrf}
    if next_path:
        data["next"] = re.search(r'name="next" value="([^"]*)"', form.text).group(1)
    return client.post("/login", data=data, follow_redirects=False)


def message(response) -> str:
    return re.search(r'<p class="login-message"[^>]*>(.*?)</p>', response.text, re.S).group(1)


def session_cookies(response) -> list[str]:
    return [v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE + "=")]


# -- passwords ----------------------------------------------------------------------------------------

def test_a_password_is_stored_only_as_an_argon2id_hash(db, store):
    stored = store.user_password("amal")[2]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert PASSWORD.encode() not in db.read_bytes()
    assert check_password(store, "amal", PASSWORD) == ("amal", "coder")
    assert check_password(store, "amal", PASSWORD + "!") is None
    assert check_password(store, "nobody", PASSWORD) is None


def test_weak_passwords_and_unknown_users_are_refused(store):
    for weak in ("short", "amal", "aaaaaaaaaaaa"):
        with pytest.raises(ReviewError):
            set_password(store, "amal", weak)
    with pytest.raises(ReviewError, match="no user"):
        set_password(store, "nobody", PASSWORD)
    with pytest.raises(ReviewError):
        add_user(store, "hind", "coder", "short")
    assert not store.user_exists("hind")  # nothing half-added
    assert check_password(store, "amal", PASSWORD) == ("amal", "coder")  # the old password still holds


def test_unknown_names_and_users_without_a_password_cost_one_verification_too(store, hasher):
    add_user(store, "bot", "coder")  # an API-only user
    for name in ("amal", "nobody", "bot", ""):
        before = hasher.verified
        check_password(store, name, "wrong password!")
        assert hasher.verified == before + 1, name


def test_a_hash_with_weaker_parameters_is_replaced_on_login(store, hasher):
    old = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    store.db.execute("UPDATE users SET password_hash=? WHERE name='amal'", (old,))
    assert hasher.check_needs_rehash(old)
    assert check_password(store, "amal", PASSWORD) == ("amal", "coder")
    new = store.user_password("amal")[2]
    assert new != old and not hasher.check_needs_rehash(new)
    assert check_password(store, "amal", PASSWORD) == ("amal", "coder")


def test_reissuing_a_token_keeps_the_password_and_a_new_password_ends_sessions(store):
    token = add_user(store, "amal", "admin")
    assert user_of(store, token) == ("amal", "admin")
    assert check_password(store, "amal", PASSWORD) == ("amal", "admin")
    cookie, _ = start_session(store, "amal")
    assert session_user(store, cookie_request(cookie))["role"] == "admin"
    set_password(store, "amal", "another long password")
    assert session_user(store, cookie_request(cookie)) is None
    assert check_password(store, "amal", PASSWORD) is None


def cookie_request(token: str | None) -> Request:
    headers = [(b"cookie", f"{SESSION_COOKIE}={token}".encode())] if token else []
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers})


# -- logging in -----------------------------------------------------------------------------------------

def test_the_right_password_sets_a_strict_httponly_session_cookie(db):
    client = TestClient(make_app(db))
    r = login(client, "amal", PASSWORD, next_path="/events?page=2")
    assert r.status_code == 303 and r.headers["location"] == "/events?page=2"
    [cookie] = session_cookies(r)
    attrs = [a.strip().lower() for a in cookie.split(";")]
    assert "httponly" in attrs and "samesite=strict" in attrs and "path=/" in attrs
    assert "secure" not in attrs  # plain http: a Secure cookie would never come back
    me = client.get("/me").json()
    assert (me["name"], me["role"]) == ("amal", "coder")
    assert "amal" in client.get("/login").text  # the form says who is logged in


def test_over_https_the_cookie_is_secure(db):
    client = TestClient(make_app(db), base_url="https://testserver")
    [cookie] = session_cookies(login(client, "amal", PASSWORD))
    assert "secure" in [a.strip().lower() for a in cookie.split(";")]


def test_a_wrong_password_and_an_unknown_name_get_the_same_401(db):
    client = TestClient(make_app(db))
    wrong = login(client, "amal", "not the password")
    unknown = login(client, "nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert not session_cookies(wrong) and not session_cookies(unknown)
    assert message(wrong) == message(unknown) and "Wrong name or password" in message(wrong)
    assert client.get("/me").json() is None


def test_the_sixth_failure_in_the_window_is_refused_even_with_the_right_password(db, hasher):
    client = TestClient(make_app(db))
    for _ in range(5):
        assert login(client, "amal", "not the password").status_code == 401
    before = hasher.verified
    r = login(client, "amal", PASSWORD)
    assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= FAILURE_WINDOW
    assert hasher.verified == before  # the password was not even checked
    assert not session_cookies(r) and client.get("/me").json() is None


def test_failures_count_per_name_and_per_address_and_age_out(store):
    for i in range(5):  # one name from many addresses
        assert attempt_login(store, "amal", "wrong", f"10.0.0.{i}").status == "failed"
    assert attempt_login(store, "amal", PASSWORD, "10.0.0.99").status == "limited"
    assert attempt_login(store, "sami", PASSWORD, "10.0.0.99").status == "ok"  # another name is free
    for name in ("a", "b", "c", "d", "e"):  # many names from one address
        attempt_login(store, name, "wrong", "10.9.9.9")
    assert attempt_login(store, "sami", PASSWORD, "10.9.9.9").status == "limited"
    store.db.execute("UPDATE login_failures SET at = at - ?", (FAILURE_WINDOW + 1,))
    assert attempt_login(store, "amal", PASSWORD, "10.0.0.99").user == ("amal", "coder")
    assert attempt_login(store, "sami", PASSWORD, "10.9.9.9").status == "ok"


def test_a_login_without_the_forms_token_is_refused(db):
    client = TestClient(make_app(db))
    assert client.post("/login", data={"name": "amal", "password": PASSWORD}, follow_redirects=False).status_code == 403
    forged = f"{int(time.time()) + 600}.abc.{'0' * 64}"  # in the cookie and the form, but not signed here
    client.cookies.set("rasid_login", forged, path="/login")
    r = client.post("/login", data={"name": "amal", "password": PASSWORD, "csrf": forged}, follow_redirects=False)
    assert r.status_code == 403 and not session_cookies(r)
    assert client.post("/login", json={"name": "amal"}).status_code == 415


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com", "/\\evil.com", "javascript:alert(1)"])
def test_next_only_leads_to_local_paths(db, target):
    r = login(TestClient(make_app(db)), "amal", PASSWORD, next_path=target)
    assert r.status_code == 303 and r.headers["location"] == "/"


# -- sessions -----------------------------------------------------------------------------------------

def test_an_expired_session_is_no_session(db, store):
    cookie, _ = start_session(store, "amal")
    assert session_user(store, cookie_request(cookie))["name"] == "amal"
    store.db.execute("UPDATE sessions SET expires = ?", (time.time() - 1,))
    assert session_user(store, cookie_request(cookie)) is None
    client = TestClient(make_app(db))
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/me").json() is None
    start_session(store, "sami")  # expired sessions are purged when one starts
    assert store.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


def test_logout_ends_the_session_on_the_server(db, store):
    client = TestClient(make_app(db))
    old = session_cookies(login(client, "amal", PASSWORD))[0].split(";")[0].split("=", 1)[1]
    csrf = client.get("/me").json()["csrf"]
    r = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert store.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    replay = TestClient(make_app(db))
    replay.cookies.set(SESSION_COOKIE, old)
    assert replay.get("/me").json() is None


def test_logout_without_the_csrf_token_is_refused(db):
    client = TestClient(make_app(db))
    login(client, "amal", PASSWORD)
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf": "guess"}, follow_redirects=False).status_code == 403
    assert client.get("/me").json()["name"] == "amal"  # still logged in


def test_require_writer_wants_a_session_the_csrf_token_and_a_writer(db):
    nobody = TestClient(make_app(db))
    assert nobody.post("/write", data={"csrf": "x"}).status_code == 401
    viewer = TestClient(make_app(db))
    login(viewer, "sami", PASSWORD)
    assert viewer.post("/write", data={"csrf": viewer.get("/me").json()["csrf"]}).status_code == 403
    coder = TestClient(make_app(db))
    login(coder, "amal", PASSWORD)
    assert coder.post("/write", data={}).status_code == 403
    assert coder.post("/write", data={"csrf": "guess"}).status_code == 403
    r = coder.post("/write", data={"csrf": coder.get("/me").json()["csrf"]})
    assert r.status_code == 200 and r.json() == {"by": "amal"}


def test_a_read_only_server_has_nothing_to_log_in_to(db):
    client = TestClient(make_app(db, review=False))
    page = client.get("/login")
    assert page.status_code == 200 and "read-only" in page.text and 'name="password"' not in page.text
    assert client.post("/login", data={"name": "amal", "password": PASSWORD}).status_code == 405
    assert client.post("/logout", data={}).status_code == 405


def test_session_user_on_a_store_without_sessions_is_none(tmp_path):
    path = tmp_path / "old.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)  # a store of schema 3, served read-only: no sessions table
    db.execute("DROP TABLE sessions")
    db.commit()
    db.close()
    with Store.open_readonly(path) as old:
        assert session_user(old, cookie_request("abc")) is None


# -- the users commands ------------------------------------------------------------------------------

def test_users_add_with_password_stdin_sets_a_password_and_prints_the_token_once(tmp_path, monkeypatch, capsys):
    path = tmp_path / "s.sqlite"
    Store(path).close()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "amal", "--role", "coder", "--password-stdin", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    token = out.split(": ", 1)[1].split()[0]
    assert out.count(token) == 1 and PASSWORD not in out
    with Store(path) as store:
        assert user_of(store, token) == ("amal", "coder")
        assert check_password(store, "amal", PASSWORD) == ("amal", "coder")

    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no password asked for: stdin is not read
    assert main(["users", "add", "amal", "--role", "admin", "--db", str(path)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert main(["users", "passwd", "amal", "--db", str(path)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "passwd", "amal", "--db", str(path)]) == 1
    assert main(["users", "add", "bot", "--role", "viewer", "--db", str(path)]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--db", str(path)]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"^amal\s+admin\s+yes\b", listing, re.M) and re.search(r"^bot\s+viewer\s+no\b", listing, re.M)
    assert "$argon2" not in listing
    with Store(path) as store:
        assert check_password(store, "amal", "another long password") == ("amal", "admin")
        assert check_password(store, "amal", PASSWORD) is None

"""Browser accounts for ``rasid serve --review``: log in with a password, a session cookie, CSRF tokens.

The API takes bearer tokens (:func:`rasid.review.user_of`); a browser logs in with a name and a
password (set with ``rasid users add NAME --role coder --password`` or ``rasid users passwd NAME``,
stored as an argon2id hash: :func:`rasid.review.check_password`).

Sessions
    A good password starts a session (:func:`start_session`): 256 random bits go to the browser as
    the cookie ``rasid_session`` (HttpOnly, SameSite=Strict, Path=/, Secure when the request came
    over https, 12 hours); the store keeps only their SHA-256 in ``sessions``, with the user, the
    session's CSRF token and when it expires. The role is read from ``users`` on every request, so
    a changed role applies at once, and a new password ends the user's sessions. Logging out
    deletes the row: the old cookie is then worth nothing.
CSRF
    Every form that writes carries the session's token as the hidden field ``csrf``
    (:func:`csrf_input`); :func:`require_writer` compares it in constant time. SameSite=Strict
    already keeps the cookie off requests from other sites; the token is the second lock. The
    login form has no session yet: it gets a pre-session token (expiry, nonce and an HMAC under a
    key of this server process), set both as the cookie ``rasid_login`` (Path=/login, HttpOnly,
    SameSite=Strict) and as the form's ``csrf`` field; a login must bring both, equal, signed and
    unexpired (a signed double-submit cookie).
Failed logins
    Each attempt is first written to ``login_failures`` under its name and its client address
    (before the password is checked, so parallel guesses count too) and taken back if it succeeds.
    With 5 failures for the name or the address in the last 15 minutes the answer is 429 with
    Retry-After, and the password is not checked at all.

Forms are read with :func:`read_form` (``application/x-www-form-urlencoded`` through
``urllib.parse``, at most 16 KiB): no multipart parser is needed for a name and a password.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from rasid.errors import StoreError
from rasid.review import WRITERS, check_password

__all__ = ["SESSION_COOKIE", "start_session", "session_user", "end_session", "attempt_login", "require_writer",
           "csrf_input", "safe_next", "read_form", "add_account_routes"]

SESSION_COOKIE = "rasid_session"
LOGIN_COOKIE = "rasid_login"
SESSION_SECONDS = 12 * 3600
LOGIN_FORM_SECONDS = 3600  # how long a login form stays good
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60
MAX_FORM = 16 * 1024  # bytes of a form body
READ_ONLY = "this server is read-only: start it with rasid serve --review to log in and review"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _same(a: str | None, b: str | None) -> bool:
    """Whether two secrets are equal, in constant time (False if either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


# -- sessions -----------------------------------------------------------------------------------------

def start_session(store, name: str, *, seconds: int = SESSION_SECONDS) -> tuple[str, str]:
    """Start a browser session of user `name`; return ``(cookie_token, csrf)``. Only the token's
    SHA-256 is stored; expired sessions are purged."""
    token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), time.time()
    store.add_session(_hash(token), name, csrf, now, now + seconds)
    return token, csrf


def _token_of(request_or_token) -> str | None:
    token = request_or_token if isinstance(request_or_token, str) or request_or_token is None \
        else request_or_token.cookies.get(SESSION_COOKIE)
    return token if token and len(token) <= 128 else None


def session_user(store, request) -> dict | None:
    """``{"name", "role", "csrf"}`` of the request's live session (cookie ``rasid_session``), or None:
    no cookie, an unknown or expired session, a user no longer there, or a store without sessions."""
    token = _token_of(request)
    if token is None:
        return None
    try:
        return store.session(_hash(token), time.time())
    except StoreError:  # a store of an older schema, served read-only
        return None


def end_session(store, request_or_token) -> None:
    """End the session of a request (its cookie) or of a cookie token: the token is no longer accepted."""
    token = _token_of(request_or_token)
    if token is not None:
        store.end_session(_hash(token))


# -- logging in ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attempt:
    """What came of a login: ``ok`` (with `user`, ``(name, role)``), ``failed`` or ``limited`` (with
    `retry_after` seconds)."""

    status: str
    user: tuple[str, str] | None = None
    retry_after: int = 0


def attempt_login(store, name: str, password: str, address: str | None) -> Attempt:
    """Check a password unless the name or the client address has had :data:`MAX_FAILURES` failed
    logins in the last :data:`FAILURE_WINDOW` seconds (then ``limited``, without checking it)."""
    now = time.time()
    keys = (f"name:{(name or '').strip().casefold()}", f"addr:{address or 'unknown'}")
    # counted as failed until the password is found good, so that parallel guesses count too
    wait, attempts = store.login_attempt(keys, now, window=FAILURE_WINDOW, max_failures=MAX_FAILURES)
    if wait > 0:
        return Attempt("limited", retry_after=max(1, math.ceil(wait)))
    who = check_password(store, name, password)
    if who is None:
        return Attempt("failed")
    store.forget_login_failures(attempts, keys[0])
    return Attempt("ok", user=who)


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a local path (one leading "/"), else "/".

    Example:
        >>> [safe_next(v) for v in ("/events?page=2", "//evil.com", "https://evil.com", "/\\\\evil.com", None)]
        ['/events?page=2', '/', '/', '/', '/']
    """
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 0x20 or c == "\x7f" for c in value):
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


# -- what the dashboard's forms use --------------------------------------------------------------------

def require_writer(store, request: Request, csrf_value: str | None) -> str:
    """The name of the logged-in coder or admin who sent this form, else an HTTPException:
    401 without a live session, 403 for a missing or wrong CSRF token or a viewer."""
    user = session_user(store, request)
    if user is None:
        raise HTTPException(401, "log in first (/login)")
    if not _same(csrf_value, user["csrf"]):
        raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page and try again")
    if user["role"] not in WRITERS:
        raise HTTPException(403, f"{user['name']} is a {user['role']}: reviewing needs the coder role")
    return user["name"]


def csrf_input(user: dict | None) -> Markup:
    """The hidden ``csrf`` field of a form that writes (empty when nobody is logged in).

    Example:
        >>> str(csrf_input({"name": "amal", "role": "coder", "csrf": "a<b"}))
        '<input type="hidden" name="csrf" value="a&lt;b">'
    """
    if not user or not user.get("csrf"):
        return Markup("")
    return Markup('<input type="hidden" name="csrf" value="{}">').format(escape(user["csrf"]))


async def read_form(request: Request, limit: int = MAX_FORM) -> dict[str, str]:
    """The fields of an ``application/x-www-form-urlencoded`` body (the first value of each; an empty
    body is an empty form); 415 for another type, 413 past `limit` bytes, 400 for a body that is no form."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", ""):
        raise HTTPException(415, "a form is expected (application/x-www-form-urlencoded)")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, "the form is too large")
    if body and not kind:
        raise HTTPException(415, "a form is expected (application/x-www-form-urlencoded)")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50, errors="strict")
    except ValueError:  # UnicodeDecodeError included
        raise HTTPException(400, "the body is not a form") from None
    return {k: v[0] for k, v in fields.items()}


# -- routes -------------------------------------------------------------------------------------------

def _login_token(key: bytes, *, seconds: int = LOGIN_FORM_SECONDS) -> str:
    payload = f"{int(time.time()) + seconds}.{secrets.token_urlsafe(16)}"
    return payload + "." + hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def _login_token_left(key: bytes, token: str | None) -> float:
    """Seconds a login form's token stays good (0 if forged, malformed or expired)."""
    try:
        expires, nonce, sig = (token or "").split(".")
        left = int(expires) - time.time()
    except ValueError:
        return 0
    good = hmac.new(key, f"{expires}.{nonce}".encode(), hashlib.sha256).hexdigest()
    return max(left, 0) if hmac.compare_digest(sig.encode(), good.encode()) else 0


def add_account_routes(app: FastAPI, current, page, review: bool) -> None:
    """Add ``GET``/``POST /login`` and ``POST /logout`` to `app`: `current()` is the request's store,
    `page(name, request, status_code=..., **context)` renders a dashboard template. Without
    `review` the store is read-only: ``/login`` says so and the POSTs answer 405."""
    key = secrets.token_bytes(32)  # signs login forms; a restart only makes open login forms stale

    def secure(request: Request) -> bool:
        return request.url.scheme == "https"

    def form_page(request: Request, status: int, *, message: tuple[str, str] | None = None, next_path: str = "/",
                  name: str = "", headers: dict | None = None) -> Response:
        token = request.cookies.get(LOGIN_COOKIE)
        if _login_token_left(key, token) < LOGIN_FORM_SECONDS / 4:
            token = _login_token(key)
        resp = page("login.html", request, status_code=status, read_only=False, message=message,
                    next_path=next_path, login_csrf=token, login_name=name)
        resp.set_cookie(LOGIN_COOKIE, token, max_age=LOGIN_FORM_SECONDS, path="/login", httponly=True,
                        samesite="strict", secure=secure(request))
        resp.headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                             "Content-Security-Policy": "frame-ancestors 'none'", **(headers or {})})
        return resp

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, next_path: str | None = Query(None, alias="next")):
        if not review:
            return page("login.html", request, read_only=True, message=None, next_path="/", login_csrf="", login_name="")
        return form_page(request, 200, next_path=safe_next(next_path))

    @app.post("/login", include_in_schema=False)
    async def login_submit(request: Request):
        if not review:
            raise HTTPException(405, READ_ONLY, headers={"Allow": "GET"})
        form = await read_form(request)
        target, name = safe_next(form.get("next")), form.get("name", "").strip()[:200]
        sent = form.get("csrf")
        if not (_same(sent, request.cookies.get(LOGIN_COOKIE)) and _login_token_left(key, sent) > 0):
            return await run_in_threadpool(
                form_page, request, 403, next_path=target, name=name,
                message=("انتهت صلاحية النموذج؛ أعد المحاولة.",
                         "The form expired or was not sent from this site; please try again."))
        address = request.client.host if request.client else None

        def log_in():
            store = current()
            attempt = attempt_login(store, name, form.get("password", ""), address)
            if attempt.status != "ok":
                return attempt, None
            end_session(store, request)  # a session cookie from before the login is not kept (fixation)
            return attempt, start_session(store, attempt.user[0])[0]

        attempt, token = await run_in_threadpool(log_in)
        if attempt.status == "limited":
            minutes = math.ceil(attempt.retry_after / 60)
            return await run_in_threadpool(
                form_page, request, 429, next_path=target, name=name,
                headers={"Retry-After": str(attempt.retry_after)},
                message=(f"محاولات فاشلة كثيرة؛ حاول بعد {minutes} دقيقة.",
                         f"Too many failed logins; try again in {minutes} minute{'s' if minutes != 1 else ''}."))
        if attempt.status == "failed":
            return await run_in_threadpool(
                form_page, request, 401, next_path=target, name=name,
                message=("الاسم أو كلمة المرور غير صحيحة.", "Wrong name or password."))
        resp = RedirectResponse(target, status_code=303)
        resp.set_cookie(SESSION_COOKIE, token, max_age=SESSION_SECONDS, path="/", httponly=True,
                        samesite="strict", secure=secure(request))
        resp.delete_cookie(LOGIN_COOKIE, path="/login", httponly=True, samesite="strict", secure=secure(request))
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request):
        if not review:
            raise HTTPException(405, READ_ONLY)
        form = await read_form(request)

        def log_out() -> None:
            store = current()
            user = session_user(store, request)
            if user is None:
                return
            if not _same(form.get("csrf"), user["csrf"]):
                raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page and try again")
            end_session(store, request)

        await run_in_threadpool(log_out)
        resp = RedirectResponse("/", status_code=303)
        resp.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=secure(request))
        return resp

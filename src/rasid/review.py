"""The review loop: coders accept, reject or edit coded events; their corrections outlive re-runs.

A correction is a row of the store's ``reviews`` table (who, when, the action, the fields, a
note, the event before and after), never a change to the coder's own layer: a re-run of
``rasid analyze`` recodes events as before, and every view built from them (the events table,
exports) applies the latest review of each event again (:func:`apply_reviews`). An event carries
``reviewed`` ``{"action", "by", "at", "note"}``; a rejected one stays in ``events.jsonl`` and is
left out of tolls, maps and the ACLED CSV like a denied one (:func:`rasid.events.model.counted`).

Writers are people with a role: ``rasid users add NAME --role coder`` prints an API token once
(only its SHA-256 is stored: tokens are 256 random bits, so a plain hash suffices). A browser
logs in with a password instead (``--password``, ``rasid users passwd NAME``): it is stored only
as an argon2id hash (:func:`set_password`, :func:`check_password`; sessions in :mod:`rasid.web.accounts`). The API's
``POST /api/events/{event_id}/review`` (``rasid serve --review``) takes
``{"action": "accept" | "reject" | "edit", "fields": {...}, "note": "..."}``.
:func:`export_gold` writes the reviewed documents in the seeds_gold.json format, which
``rasid eval`` and ``rasid train-events`` read.

Example:
    >>> from rasid.store import Store
    >>> store = Store(":memory:")
    >>> token = add_user(store, "amal", "coder")
    >>> user_of(store, token)
    ('amal', 'coder')
    >>> user_of(store, "guess") is None
    True
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import time
from datetime import date
from functools import cache

from rasid.errors import RasidError

__all__ = ["ROLES", "ACTIONS", "EDITABLE", "add_user", "user_of", "set_password", "check_password", "list_users",
           "review_event", "apply_reviews", "reviews_of", "export_gold", "ReviewError"]

ROLES = ("viewer", "coder", "admin")  # a viewer reads; a coder and an admin also review
WRITERS = ("coder", "admin")
ACTIONS = ("accept", "reject", "edit")
EDITABLE = ("event_type", "sub_event_type", "actor1", "actor2", "location", "event_date", "fatalities")
TOKEN_BYTES = 32
MIN_PASSWORD = 10  # characters
MAX_PASSWORD = 1024  # a bound on what one login makes the server hash


class ReviewError(RasidError):
    """A review that cannot be applied (unknown event, action or field, a bad value)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(store, name: str, role: str, password: str | None = None) -> str:
    """Add (or re-issue) a user; return the new API token, shown once and stored only hashed.

    With `password` the user may also log in from a browser (see :func:`set_password`). Re-issuing
    a token (or changing the role) keeps a password set earlier.
    """
    if role not in ROLES:
        raise ReviewError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if not name or not name.strip():
        raise ReviewError("a user needs a name")
    name = name.strip()
    hashed = _hasher().hash(_strong(name, password)) if password is not None else None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    store.put_user(name, role, _hash(token), hashed)
    return token


def user_of(store, token: str | None) -> tuple[str, str] | None:
    """(name, role) of the user a token belongs to, or None."""
    if not token:
        return None
    return store.user_by_token(_hash(token))


@cache
def _hasher():
    """argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 3 passes over 64 MiB)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash(hasher) -> str:
    """The hash an unknown name (or one without a password) is checked against: the same work as a real one."""
    return hasher.hash(secrets.token_urlsafe(TOKEN_BYTES))


def _strong(name: str, password: str | None) -> str:
    """The password if it may be set, else a ReviewError saying why not."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ReviewError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ReviewError(f"a password has at most {MAX_PASSWORD} characters")
    if password.strip().casefold() == name.strip().casefold() or len(set(password)) < 3:
        raise ReviewError("that password is too easy to guess")
    return password


def set_password(store, name: str, password: str) -> None:
    """Let a user log in from a browser with `password` (stored only as an argon2id hash); ends the
    user's browser sessions. Raises ReviewError for an unknown user or a weak password (fewer than
    :data:`MIN_PASSWORD` characters, the user's name, or fewer than 3 different characters)."""
    name = (name or "").strip()
    if not store.user_exists(name):
        raise ReviewError(f"no user {name!r}; add one with rasid users add NAME --role ROLE")
    store.set_password_hash(name, _hasher().hash(_strong(name, password)))


def check_password(store, name: str, password: str) -> tuple[str, str] | None:
    """(name, role) if `password` is this user's, else None.

    An unknown name, a user without a password and an over-long password cost one argon2
    verification like a known one (against a dummy hash), so the time taken does not tell whether a
    name exists. A hash made with weaker parameters than today's is replaced on success.
    """
    from argon2.exceptions import InvalidHashError, VerificationError

    row = store.user_password((name or "").strip()) if name else None
    stored = row[2] if row and row[2] else None
    usable = isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD
    try:
        ok = _hasher().verify(stored or _dummy_hash(_hasher()), password if usable else "-")
    except (VerificationError, InvalidHashError):
        ok = False
    if not (ok and usable and stored):
        return None
    if _hasher().check_needs_rehash(stored):
        store.set_password_hash(row[0], _hasher().hash(password), replacing=stored)
    return row[0], row[1]


def list_users(store) -> list[dict]:
    """Every user: name, role, when added and whether a password is set (never a hash), by name."""
    return store.list_users()


def reviews_of(store, event_id: str | None = None) -> list[dict]:
    """The audit trail: every review (of one event, or all), oldest first."""
    return store.reviews(event_id)


def _latest(store) -> dict[str, dict]:
    latest: dict[str, dict] = {}
    for r in reviews_of(store):
        latest[r["event_id"]] = r
    return latest


def apply_reviews(store, events: list[dict]) -> list[dict]:
    """The events with each one's latest review applied (the coder's layer is left as it is)."""
    latest = _latest(store)
    if not latest:
        return events
    return [_apply(e, latest[e["event_id"]]) if e["event_id"] in latest else e for e in events]


def _apply(event: dict, review: dict) -> dict:
    out = copy.deepcopy(event)
    for name, value in review["fields"].items():
        out[name] = value
    out["reviewed"] = {"action": review["action"], "by": review["by"], "at": review["at"], "note": review["note"]}
    return out


def review_event(store, event_id: str, action: str, fields: dict | None, note: str | None, user: str) -> dict:
    """Record a review of one event and return the event as readers now see it.

    Raises:
        ReviewError: an unknown event or action, a field that cannot be edited, or a bad value.
    """
    if action not in ACTIONS:
        raise ReviewError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    before = store.get_event(event_id)
    if before is None:
        raise ReviewError(f"no event {event_id}")
    fields = dict(fields or {}) if action == "edit" else {}
    if action == "edit" and not fields:
        raise ReviewError("an edit names the fields it changes")
    checked = {name: _check(name, value) for name, value in fields.items()}
    # edits accumulate: a second edit of one event keeps the first one's fields
    earlier = next((r["fields"] for r in reversed(reviews_of(store, event_id)) if r["action"] == "edit"), {})
    merged = {**earlier, **checked} if action != "reject" else earlier
    after = _apply(before, {"fields": merged, "action": action, "by": user, "at": time.time(), "note": note})
    store.add_review(before, after, action=action, fields=merged, note=note, user=user, at=after["reviewed"]["at"])
    return after


def _check(name: str, value):
    """A field value as stored, or a ReviewError saying what is expected."""
    if name not in EDITABLE:
        raise ReviewError(f"{name!r} cannot be edited; the fields are {', '.join(EDITABLE)}")
    if name in ("event_type", "sub_event_type"):
        from rasid.events.taxonomy import Taxonomy

        tax = Taxonomy.load()
        known = tax.event_types if name == "event_type" else tax.all_sub_event_types
        if value not in known:
            raise ReviewError(f"{name} {value!r} is not an ACLED {name.replace('_', ' ')}")
        return value
    if name == "fatalities":
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise ReviewError("fatalities is a whole number of 0 or more, or null")
        return value
    if name == "event_date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ReviewError(f"event_date must be a day like 2020-06-10, got {value!r}") from None
    if name in ("actor1", "actor2"):
        if value is None:
            return None
        from rasid.entities import ActorDictionary

        actor = ActorDictionary.from_data().get(str(value.get("id") if isinstance(value, dict) else value))
        if actor is None:
            label = value.get("label_en") if isinstance(value, dict) else None
            if not label:
                raise ReviewError(f"{name}: {value!r} is no actor id of the dictionary (or give label_en)")
            return {"id": value.get("id") or label, "label_en": label, "label_ar": value.get("label_ar"),
                    "surface": None, "side": value.get("side")}
        return {"id": actor.id, "label_en": actor.name_en, "label_ar": actor.name_ar, "surface": None,
                "side": actor.side}
    # location: a place of the gazetteer by Arabic or English name, or a dict with name and coordinates
    if isinstance(value, dict) and {"lat", "lon"} <= set(value) and (value.get("name_en") or value.get("name")):
        name_en = value.get("name_en") or value.get("name")
        return {"name": name_en, "name_en": name_en, "name_ar": value.get("name_ar"), "id": value.get("id"),
                "lat": float(value["lat"]), "lon": float(value["lon"]), "country": value.get("country"),
                "geo_precision": int(value.get("geo_precision") or 1), "from": "review"}
    from rasid.geo import PlaceGazetteer
    from rasid.text.normalize import match_words

    gaz = PlaceGazetteer.from_data()
    query = str(value)
    found = gaz.candidates(match_words(query)) or [p for p in gaz.places if p.name_en.lower() == query.lower()]
    if not found:
        raise ReviewError(f"location {value!r} is no place of the gazetteer (give name_en, lat and lon)")
    p = found[0]
    return {"name": p.name_en, "name_en": p.name_en, "name_ar": p.name_ar, "id": p.id, "lat": p.lat, "lon": p.lon,
            "country": p.country, "geo_precision": p.precision, "from": "review"}


def export_gold(store) -> dict:
    """The reviewed documents in the seeds_gold.json format: their events as reviewed (rejected ones
    left out, unreviewed ones as coded), for ``rasid eval`` and ``rasid train-events``."""
    docs = sorted({r["doc_id"] for r in reviews_of(store)})
    gold: dict = {"about": "exported by rasid export-gold: the events of reviewed documents as their coders left them",
                  "documents": {}, "events": [], "actors": {}, "places": {}}
    for doc_id in docs:
        doc = store.get_document(doc_id)
        gold["documents"][doc_id] = {"publication_date": doc.publication_date if doc else None}
        _, events = store.query_events(doc_id=doc_id, limit=None)
        for n, e in enumerate(sorted(events, key=lambda e: e["span"][0]), 1):
            if (e.get("reviewed") or {}).get("action") == "reject":
                continue
            loc = e.get("location") or {}
            key = loc.get("name_en") or loc.get("name")
            if key:
                gold["places"].setdefault(key, {"ar": [x for x in (loc.get("name_ar"),) if x], "lat": loc.get("lat"),
                                                "lon": loc.get("lon"), "country": loc.get("country")})
            roles = {}
            for role in ("actor1", "actor2"):
                a = e.get(role) or {}
                roles[role] = a.get("id")
                if a.get("id"):
                    entry = gold["actors"].setdefault(a["id"], {"name": a.get("label_en") or a["id"], "examples": []})
                    if a.get("surface") and a["surface"] not in entry["examples"]:
                        entry["examples"].append(a["surface"])
            gold["events"].append({
                "id": f"R-{doc_id}-{n}", "doc": doc_id, "core": True, "event_type": e["event_type"],
                "sub_event_type": e.get("sub_event_type"), **roles, "location": key,
                "date": e.get("event_date"), "date_precision": e.get("time_precision"),
                "fatalities": e.get("fatalities"), "reviewed": (e.get("reviewed") or {}).get("action")})
    return gold

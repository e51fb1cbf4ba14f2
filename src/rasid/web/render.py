"""Page rendering shared by ``report.html`` and the dashboard: templates, bundled assets, helpers."""

from __future__ import annotations

import base64
import itertools
import logging
import unicodedata
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from html import escape
from importlib import resources

from markupsafe import Markup

from rasid.web.charts import EVENT_COLOURS, timeline_svg

__all__ = ["environment", "assets", "prepare_story", "highlight", "nested_html", "field_marks", "event_card"]

log = logging.getLogger(__name__)

FONT_FILES = [("arabic", 400), ("arabic", 700), ("latin", 400), ("latin", 700)]
ARABIC_RANGE = "U+0600-06FF, U+0750-077F, U+0870-088E, U+0890-0891, U+0898-08E1, U+08E3-08FF, U+200C-200E, " \
               "U+2010-2011, U+204F, U+2E41, U+FB50-FDFF, U+FE70-FE74, U+FE76-FEFC"
LATIN_RANGE = "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+2000-206F, U+20AC, U+2122"


def _static(name: str) -> resources.abc.Traversable:
    return resources.files("rasid.web") / "static" / name


@cache
def assets(inline: bool) -> dict[str, str]:
    """The page's CSS, scripts and fonts: inlined (a report that opens offline) or linked (the server)."""
    out = {"rasid_js": _static("rasid.js").read_text(encoding="utf-8")}
    faces = []
    for subset, weight in FONT_FILES:
        name = f"noto-naskh-arabic-{subset}-{weight}-normal.woff2"
        if inline:
            data = base64.b64encode(_static("vendor/" + name).read_bytes()).decode("ascii")
            src = f"url(data:font/woff2;base64,{data}) format('woff2')"
        else:
            src = f"url(/static/vendor/{name}) format('woff2')"
        faces.append(f"@font-face{{font-family:'Noto Naskh Arabic';font-style:normal;font-weight:{weight};"
                     f"font-display:swap;src:{src};unicode-range:{ARABIC_RANGE if subset == 'arabic' else LATIN_RANGE};}}")
    out["fonts"] = "\n".join(faces)
    if inline:
        out["rasid_css"] = _static("rasid.css").read_text(encoding="utf-8")
        out["leaflet_css"] = _static("vendor/leaflet.css").read_text(encoding="utf-8")
        out["leaflet_js"] = _static("vendor/leaflet.js").read_text(encoding="utf-8")
        out["topojson_js"] = _static("vendor/topojson-client.min.js").read_text(encoding="utf-8")
        out["topology"] = _static("vendor/countries-50m.topojson.json").read_text(encoding="utf-8")
    return out


def highlight(sentence: str | None, cue: str | None) -> Markup:
    """The sentence with the claim's cue words marked (escaped otherwise)."""
    sentence = sentence or ""
    if cue and cue in sentence:
        i = sentence.index(cue)
        return Markup(escape(sentence[:i]) + '<mark class="cue">' + escape(cue) + "</mark>"
                      + escape(sentence[i + len(cue):]))
    return Markup(escape(sentence))


def utc(seconds: float | None) -> str:
    """A stored time (seconds since 1970) as "2026-12-04 19:05" in UTC.

    Example:
        >>> utc(0)
        '1970-01-01 00:00'
    """
    from datetime import datetime

    return "" if seconds is None else datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M")


def label_of(view: dict, source: str) -> str:
    """How a source key is shown (its outlet, or "unknown outlet (title)")."""
    for s in (view or {}).get("sources", []):
        if s["source"] == source:
            return s["label"]
    return source.removeprefix("doc:")


def ltr(value) -> Markup:
    """A date, id or number isolated left-to-right inside Arabic text ("2015-08-01" is not read "01-08-2015").

    Example:
        >>> str(ltr("2015-08-01"))
        '<bdi dir="ltr">2015-08-01</bdi>'
    """
    if value is None or value == "":
        return Markup("")
    return Markup('<bdi dir="ltr">{}</bdi>').format(value)


@cache
def environment():
    """The Jinja environment (templates ship in ``rasid/web/templates``; output is autoescaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("rasid.web", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["highlight"] = highlight
    env.filters["ltr"] = ltr
    env.filters["utc"] = utc
    env.globals.update(label_of=label_of, colours=EVENT_COLOURS, field_roles=FIELD_ROLES, modalities=MODALITIES)
    return env


def prepare_story(story: dict, view: dict | None) -> dict:
    """A story row (as in stories.jsonl) with what its page shows: brief, comparison, timeline chart."""
    view = view or {}
    brief = view.get("brief") or {}
    s = dict(story)
    s["comparison"] = view.get("comparison") or s.get("comparison")
    s["title_en"] = brief.get("title_en") or s.get("title_en")
    s["summary_sentences"] = brief.get("summary_ar") or s.get("summary_sentences") or []
    s["summary_en"] = brief.get("summary_en") or s.get("summary_en")
    s["claims"] = brief.get("claims") or s.get("claims") or []
    s["brief_timeline"] = brief.get("timeline") or []
    s["timeline_svg"] = Markup(timeline_svg(s["brief_timeline"]))
    return s


# -- the coded fields of an event, marked in its sentence -------------------------------------------

# role -> (short English label shown on the text, Arabic name); the order is the card's and the legend's
FIELD_ROLES = {
    "trigger": ("trigger", "لفظ الحدث"),
    "actor1": ("actor1", "الفاعل"),
    "actor2": ("actor2", "الطرف الثاني"),
    "location": ("place", "المكان"),
    "date": ("date", "التاريخ"),
    "fatalities": ("fatalities", "القتلى"),
    "wounded": ("wounded", "الجرحى"),
    "claimant": ("claimant", "المصدر"),
}
# modality -> (English, Arabic, what it means)
MODALITIES = {
    "asserted": ("asserted", "خبر مؤكد", "reported as fact"),
    "attributed": ("attributed", "منسوب", "reported as a named source's claim"),
    "uncertain": ("uncertain", "غير مؤكد", "reported as possible or unconfirmed"),
    "denied": ("denied", "منفي", "the text says this did not happen"),
}
TIME_PRECISION = {1: "the day", 2: "within a week", 3: "within a month"}  # ACLED time_precision


@dataclass(frozen=True, eq=False)
class Mark:
    """An element to wrap around ``text[start:end]`` when the text is rendered by :func:`nested_html`.

    Marks compare by identity. `attrs` go on every piece of the element (a mark that crosses another
    is cut in pieces), `first` only on the first piece (an ``id``) and `label` (as ``data-label``)
    only on the last. At equal extents a mark of lower `rank` wraps one of higher rank.
    """

    start: int
    end: int
    tag: str
    attrs: tuple[tuple[str, str], ...] = ()
    first: tuple[tuple[str, str], ...] = ()
    label: str | None = None
    rank: int = 0


def _snapped(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen `start`/`end` so that no combining mark (harakat, shadda) is cut from its letter."""
    while 0 < start < len(text) and unicodedata.combining(text[start]):
        start -= 1
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1
    return start, end


def nested_html(text: str, start: int, end: int, marks: list[Mark]) -> str:
    """``text[start:end]`` as escaped HTML with every mark that lies inside it as an element.

    The text is cut at every mark boundary and the elements are opened and closed as a stack, so the
    output is well nested even when marks cross: the mark opened first stays outside and the other
    is closed and reopened around it. Marks outside ``[start, end)`` or empty are skipped.
    Boundaries are moved off combining marks, so a letter and its diacritics stay in one element.

    Example:
        >>> nested_html("قتل 3 في سرت", 0, 12, [Mark(9, 12, "mark"), Mark(4, 5, "b", label="n")])
        'قتل <b data-label="n">3</b> في <mark>سرت</mark>'
    """
    inside = []
    for m in marks:
        a, b = _snapped(text, m.start, m.end)
        if start <= a < b <= end:
            inside.append((a, b, m))
    cuts = sorted({start, end, *(a for a, _, _ in inside), *(b for _, b, _ in inside)})
    out: list[str] = []
    stack: list[tuple[int, int, Mark]] = []
    opened: dict[int, int] = {}  # id(mark) -> index in `out` of its current piece's start tag
    seen: set[int] = set()

    def close(item: tuple[int, int, Mark], at: int) -> None:
        _, b, m = item
        if at == b and m.label is not None:  # the last piece carries the label
            i = opened[id(m)]
            out[i] = out[i][:-1] + f' data-label="{escape(m.label)}">'
        out.append(f"</{m.tag}>")

    for a, b in itertools.pairwise(cuts):
        active = [item for item in inside if item[0] <= a and b <= item[1]]
        keep = 0
        while keep < len(stack) and stack[keep] in active:
            keep += 1
        for item in reversed(stack[keep:]):
            close(item, a)
        stack = stack[:keep]
        for item in sorted((x for x in active if x not in stack), key=lambda x: (-x[1], x[2].rank, x[0])):
            m = item[2]
            attrs = m.attrs + (m.first if id(m) not in seen else ())
            seen.add(id(m))
            opened[id(m)] = len(out)
            out.append(f"<{m.tag}" + "".join(f' {k}="{escape(v)}"' for k, v in attrs) + ">")
            stack.append(item)
        out.append(escape(text[a:b]))
    for item in reversed(stack):
        close(item, end)
    return "".join(out)


def field_spans(event: dict, text: str) -> dict[str, tuple[int, int]]:
    """The event's ``spans`` that can be shown, as ``{role: (start, end)}`` in :data:`FIELD_ROLES` order.

    A span is kept when its offsets are integers inside the event's sentence (``event["span"]``) and
    within `text`, and ``text[start:end]`` equals its ``text``; any other is skipped (an event coded
    before spans existed has none).

    Example:
        >>> field_spans({"span": [0, 10], "spans": {"location": {"text": "سرت", "start": 7, "end": 10},
        ...              "actor1": {"text": "قوات", "start": 0, "end": 3}}}, "قصف في سرت")
        {'location': (7, 10)}
    """
    spans = event.get("spans")
    if not isinstance(spans, dict):
        return {}
    sentence = event.get("span") or (0, len(text))
    lo, hi = int(sentence[0]), min(int(sentence[1]), len(text))
    out = {}
    for role in FIELD_ROLES:
        s = spans.get(role)
        if not isinstance(s, dict):
            continue
        a, b = s.get("start"), s.get("end")
        if type(a) is not int or type(b) is not int or not lo <= a < b <= hi or text[a:b] != s.get("text"):
            log.debug("%s: %s span %r of event %s is not in its sentence; not shown", event.get("doc_id"), role, s,
                      event.get("event_id"))
            continue
        out[role] = (a, b)
    return out


def field_id(role: str, span: tuple[int, int], *, prefix: str = "") -> str:
    """The page id of a marked field (the same for every event that shares it; `prefix` tells documents apart)."""
    return f"f-{prefix}{role}-{span[0]}-{span[1]}"


def field_marks(events: list[dict], text: str, *, prefix: str = "") -> list[Mark]:
    """One :class:`Mark` per marked field of these events (one sentence's); events sharing a field share it.

    Each carries its role (``data-role``, class ``f f-<role>``), the events it belongs to (``data-ev``),
    a ``data-field`` key and ``id`` (:func:`field_id`) that the event cards point at, and a tooltip
    with the coded value. Fields of events that are all denied also get the class ``f-denied``.
    """
    shared: dict[tuple[str, int, int], list[dict]] = {}
    for e in events:
        for role, (a, b) in field_spans(e, text).items():
            shared.setdefault((role, a, b), []).append(e)
    marks = []
    ranks = {role: i for i, role in enumerate(FIELD_ROLES)}
    for (role, a, b), evs in shared.items():
        en, ar = FIELD_ROLES[role]
        key = field_id(role, (a, b), prefix=prefix)
        values = dict.fromkeys(v for v in (_value_en(e, role) for e in evs) if v)
        tip = f"{en} · {ar}" + (": " + " / ".join(values) if values else "")
        cls = f"f f-{role}" + (" f-denied" if all(e.get("modality") == "denied" for e in evs) else "")
        marks.append(Mark(a, b, "span", attrs=(("class", cls), ("data-role", role),
                                               ("data-ev", " ".join(e["event_id"] for e in evs)),
                                               ("data-field", key), ("title", tip)),
                          first=(("id", key),), label=en, rank=ranks[role]))
    return marks


def _value_en(e: dict, role: str) -> str:
    """The coded value of a field, in English where there is one (for tooltips)."""
    if role == "trigger":
        return f"{e.get('event_type')} / {e.get('sub_event_type')}"
    if role in ("actor1", "actor2"):
        a = e.get(role) or {}
        return a.get("label_en") or a.get("label_ar") or a.get("surface") or ""
    if role == "location":
        loc = e.get("location") or {}
        return loc.get("name_en") or loc.get("name_ar") or loc.get("name") or ""
    if role == "date":
        return e.get("event_date") or ""
    if role in ("fatalities", "wounded"):
        return "" if e.get(role) is None else str(e[role])
    return e.get("attributed_to") or ""


def event_card(e: dict, text: str) -> dict:
    """What the card of one coded event shows: type, modality and one row per field.

    Each row has the field's names (``en``, ``ar``), its value (``value`` in Arabic where the store has
    it, ``gloss`` in English) and ``field``, the id of its marked span, or None when the field is not
    marked in the sentence (a date taken from the publication date, an actor named earlier).
    """
    spans = field_spans(e, text)
    a1, a2, loc = e.get("actor1") or {}, e.get("actor2") or {}, e.get("location") or {}

    def actor(a: dict) -> tuple[str, str]:
        gloss = [a.get("label_en"), a.get("side") if a.get("side") != a.get("id") or not a.get("label_en") else None]
        return a.get("label_ar") or a.get("surface") or "", " · ".join(x for x in gloss if x)

    precision = e.get("time_precision")
    date_gloss = " · ".join(x for x in (
        e.get("event_date") or "undated",
        f"precision {precision} ({TIME_PRECISION[precision]})" if precision in TIME_PRECISION else "",
        "from the publication date" if e.get("date_from") == "publication" else "") if x)
    place_gloss = " · ".join(str(x) for x in (loc.get("name_en"), loc.get("country"),
                                             f"geo precision {loc['geo_precision']}" if loc.get("geo_precision") else None)
                             if x)
    values = {
        "trigger": ((e.get("trigger") or ""), ""),
        "actor1": actor(a1),
        "actor2": actor(a2),
        "location": (loc.get("name_ar") or loc.get("name") or "", place_gloss),
        "date": (text[slice(*spans["date"])] if "date" in spans else "", date_gloss),
        "fatalities": ("", "—" if e.get("fatalities") is None else str(e["fatalities"])),
        "wounded": ("", "—" if e.get("wounded") is None else str(e["wounded"])),
        "claimant": (e.get("attributed_to") or "", e.get("attributed_side") or ""),
    }
    rows = []
    for role, (en, ar) in FIELD_ROLES.items():
        if role == "wounded" and e.get("wounded") is None and role not in spans:
            continue
        value, gloss = values[role]
        rows.append({"role": role, "en": en, "ar": ar, "value": value, "gloss": gloss,
                     "field": field_id(role, spans[role]) if role in spans else None})
    modality = e.get("modality") or "asserted"
    en, ar, meaning = MODALITIES.get(modality, (modality, "", ""))
    return {"event_id": e["event_id"], "event_type": e.get("event_type"), "sub_event_type": e.get("sub_event_type"),
            "colour": EVENT_COLOURS.get(e.get("event_type"), "#999"), "modality": modality, "modality_en": en,
            "modality_ar": ar, "modality_meaning": meaning, "denied": modality == "denied", "rows": rows,
            "notes_en": e.get("notes_en") or "", "marked": bool(spans)}

"""Page rendering shared by ``report.html`` and the dashboard: templates, bundled assets, helpers."""

from __future__ import annotations

import base64
from functools import cache
from html import escape
from importlib import resources

from markupsafe import Markup

from rasid.web.charts import EVENT_COLOURS, timeline_svg

__all__ = ["environment", "assets", "prepare_story", "highlight"]

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


def label_of(view: dict, source: str) -> str:
    """How a source key is shown (its outlet, or "unknown outlet (title)")."""
    for s in (view or {}).get("sources", []):
        if s["source"] == source:
            return s["label"]
    return source.removeprefix("doc:")


@cache
def environment():
    """The Jinja environment (templates ship in ``rasid/web/templates``; output is autoescaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("rasid.web", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["highlight"] = highlight
    env.globals.update(label_of=label_of, colours=EVENT_COLOURS)
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

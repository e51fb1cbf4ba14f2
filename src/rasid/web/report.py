"""``report.html``: one self-contained file (scripts, styles, fonts and map outlines inside) that opens
offline, with each story's brief, map, timeline, source matrix, conflicts and framing, and every
cited sentence in an appendix with its document and character span."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from rasid.store import Store
from rasid.web.render import FIELD_ROLES, assets, environment, field_marks, nested_html, prepare_story

__all__ = ["write_report", "REPORT_MAX_STORIES"]

REPORT_MAX_STORIES = 50  # a corpus of thousands of stories gets its largest ones; the dashboard has all


def write_report(store: Store, target: str | Path, *, stories: list[dict], events: list[dict]) -> int:
    """Write the report (renamed into place when complete); return how many stories it shows."""
    target = Path(target)
    n_events = {}
    for e in events:
        if e.get("story_id"):
            n_events[e["story_id"]] = n_events.get(e["story_id"], 0) + 1
    chosen = sorted(stories, key=lambda s: (-n_events.get(s["story_id"], 0), -len(s["members"]), s["story_id"]))
    chosen = chosen[:REPORT_MAX_STORIES]
    shown = [prepare_story(s, store.story_view(s["story_id"])) for s in chosen]
    cited: dict[tuple[str, int, int], None] = {}

    def doc_href(doc_id: str, span) -> str:
        cited[(doc_id, int(span[0]), int(span[1]))] = None
        return f"#{doc_id}-{int(span[0])}"

    env = environment()
    html = env.get_template("report.html").render(
        inline=True, assets=assets(True), home="#", stories=shown, doc_href=doc_href, n_stories=len(stories),
        n_documents=store.count_documents(), n_events=len(events),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    html = html.replace("</main>", _appendix(store, cited, events) + "</main>", 1)
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, target)
    return len(shown)


def _appendix(store: Store, cited: dict, events: list[dict]) -> str:
    """Every cited sentence, grouped by document, each with an anchor the story sections link to.

    In a sentence that events were coded from, each field the coder found in it (the events'
    ``spans``) is marked by role, as on the dashboard's document page; a legend says how.
    """
    by_doc: dict[str, list[tuple[int, int]]] = {}
    for doc_id, a, b in cited:
        by_doc.setdefault(doc_id, []).append((a, b))
    coded: dict[tuple[str, int, int], list[dict]] = {}
    for e in events:
        if e.get("span"):
            coded.setdefault((e["doc_id"], int(e["span"][0]), int(e["span"][1])), []).append(e)
    legend = " ".join(f'<span class="legend-field"><span class="f f-{role}" data-label="{escape(en)}">{escape(ar)}'
                      f'</span> <span lang="en">{escape(en)}</span></span>' for role, (en, ar) in FIELD_ROLES.items())
    parts = ['<section class="card sources" id="sources"><h2>المصادر <span lang="en" class="en">'
             'Cited sentences (document, character span)</span></h2>',
             f'<p class="legend">عناصر الحدث <span lang="en">event fields</span> · {legend}</p>']
    for doc in store.iter_documents(sorted(by_doc)):
        head = escape(doc.title) if doc.title else f'<bdi dir="ltr">{escape(doc.doc_id)}</bdi>'
        meta = " · ".join(escape(x) for x in (doc.outlet or "unknown outlet", doc.publication_date or "undated",
                                              doc.doc_id) if x)
        parts.append(f'<h3>{head}</h3><p class="en" lang="en">{meta}</p><ul>')
        for a, b in sorted(set(by_doc[doc.doc_id])):
            marks = field_marks(coded.get((doc.doc_id, a, b), []), doc.text, prefix=f"{doc.doc_id}-")
            parts.append(f'<li id="{escape(doc.doc_id)}-{a}">{nested_html(doc.text, a, b, marks)} '
                         f'<span class="src" lang="en">[{a}:{b}]</span></li>')
        parts.append("</ul>")
    parts.append("</section>")
    return "".join(parts)

"""The brief of one story: an Arabic extractive summary, an English title written from what the
story holds (events, topic, actors, places, dates) and an English brief generated from its coded
events (Rasid ships no machine translation and does not pretend to), the claims and who made
them, and the timeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rasid.brief.summarize import Candidate, summarize
from rasid.brief.titles import span_of_dates, story_title_en
from rasid.compare.compare import event_clusters, representative, source_key, source_label
from rasid.document import Document, LineStatus
from rasid.events.model import counted

__all__ = ["brief_story", "story_title_en"]

SUMMARY_SENTENCES = 3
MAX_CANDIDATES = 400  # a story of 90 articles has ~1,500 sentences; its leads are what a summary is made of
MAX_EN_EVENTS = 4


def brief_story(story: Mapping, docs: Mapping[str, Document], events: Sequence[dict],
                comparison: Mapping | None = None, mentions: Mapping[str, Sequence[dict]] | None = None) -> dict:
    """``summary_ar`` (sentences with their source spans), ``title_en``, ``summary_en``, ``claims``
    and ``timeline`` of one story.

    Every story gets a ``title_en`` (:mod:`rasid.brief.titles`): from its events when it has some,
    else from its topic, actors and places; `mentions` (the entity layer's rows by document) give
    its places and actors, else the comparison's actor labels give its actors.
    """
    candidates = []
    for m in story["members"]:
        doc = docs.get(m["doc_id"])
        if doc is None or doc.duplicate_of:
            continue
        kept = {ln.n for ln in doc.lines if ln.status == LineStatus.KEPT and ln.segment == m["segment"]
                and ln.role not in ("headline", "caption")}
        index = 0
        for s in doc.sentences:
            if s.line in kept:
                candidates.append(Candidate(doc.text[s.start:s.end], doc.doc_id, source_key(doc), index,
                                            (s.start, s.end), s.line, doc.publication_date))
                index += 1
    if len(candidates) > MAX_CANDIDATES:  # the earliest sentences of every article, up to the cap
        candidates = sorted(candidates, key=lambda c: (c.index, c.doc_id))[:MAX_CANDIDATES]
    chosen = summarize(candidates, k=SUMMARY_SENTENCES)
    events = [e for e in events if e["doc_id"] in docs]
    clusters = event_clusters(events)
    return {"story_id": story["story_id"], "summary_ar": [c.as_dict() for c in chosen],
            "title_en": story_title_en(clusters, story, docs=docs, mentions=mentions, comparison=comparison),
            "summary_en": summary_en(clusters, docs, comparison),
            "claims": claims(events, docs), "timeline": timeline(clusters)}


def summary_en(clusters: Sequence[Sequence[dict]], docs: Mapping[str, Document], comparison: Mapping | None) -> str:
    """An English brief made only from structured fields: who reported what, the main events, disputes."""
    if not clusters:
        return "No events were coded for this story."
    outlets = sorted({source_label(docs[e["doc_id"]]) for c in clusters for e in c if e["doc_id"] in docs})
    dates = [e["event_date"] for c in clusters for e in c if e.get("event_date")]
    text = (f"{len(outlets)} source{'s' if len(outlets) != 1 else ''} ({', '.join(outlets)}) reported "
            f"{len(clusters)} event{'s' if len(clusters) != 1 else ''}")
    when = span_of_dates(dates)
    text += f", {when}." if when else "."
    ranked = sorted(clusters, key=lambda c: (-len({e["doc_id"] for e in c}),
                                             -max(((e.get("fatalities") or 0) for e in c if counted(e)), default=0),
                                             representative(c).get("event_date") or "", representative(c)["event_id"]))
    notes = [representative(c).get("notes_en") for c in ranked[:MAX_EN_EVENTS]]
    notes = [n for n in notes if n]
    if notes:
        text += " Main developments: " + " ".join(notes)
    conflicts = (comparison or {}).get("conflicts") or []
    if conflicts:
        text += " Disputed: " + " ".join(c["summary_en"].rstrip(".") + "." for c in conflicts[:3])
    return text


def claims(events: Sequence[dict], docs: Mapping[str, Document]) -> list[dict]:
    """Every attributed report: who claims what, in which source, with its sentence span."""
    out = []
    for e in events:
        if not e.get("attributed_to"):
            continue
        out.append({"claimant": e["attributed_to"], "side": e.get("attributed_side"), "event_id": e["event_id"],
                    "source": source_label(docs[e["doc_id"]]), "doc_id": e["doc_id"], "line": e.get("line"),
                    "span": e["span"], "sentence": e.get("sentence"), "notes_en": e.get("notes_en")})
    return out


def timeline(clusters: Sequence[Sequence[dict]]) -> list[dict]:
    """The story's events by date, each once, with how many reports and sources it has."""
    out = []
    for c in clusters:
        rep = representative(c)
        loc = rep.get("location") or {}
        out.append({"date": rep.get("event_date"), "event_id": rep["event_id"], "event_type": rep["event_type"],
                    "sub_event_type": rep.get("sub_event_type"), "location": loc.get("name_en"),
                    "location_ar": loc.get("name_ar"), "lat": loc.get("lat"), "lon": loc.get("lon"),
                    "country": loc.get("country"),
                    "fatalities": rep.get("fatalities"), "reports": len(c),
                    "sources": len({e.get("outlet") or e["doc_id"] for e in c}), "notes_en": rep.get("notes_en"),
                    "denied": not any(counted(e) for e in c)})  # only denials: on the timeline, not the map
    return sorted(out, key=lambda t: (t["date"] or "9999", t["event_id"]))

"""Write the output contract (DESIGN.md) from the store: documents.jsonl, later stories.jsonl and events.jsonl."""

from __future__ import annotations

import json
import os
from pathlib import Path

from rasid.entities.extract import summarize
from rasid.entities.passes import LAYER as ENTITY_LAYER
from rasid.events.model import counted
from rasid.store import Store
from rasid.views import linked_events

__all__ = ["write_outputs"]


def write_outputs(store: Store, out_dir: str | Path, *, report: bool = True) -> dict[str, int]:
    """Write every stored document, story and event (the DESIGN.md contract, exports, and unless
    `report` is False a self-contained ``report.html``); return row counts.

    Files are written beside their final name and renamed into place, so a reader never sees a
    half-written file and an interrupted write leaves the previous output intact.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shared: dict[str, list[dict]] = {}
    for p in store.shared_passages():
        shared.setdefault(p["doc_id"], []).append(
            {"line": p["line"], "span": p["span"], "doc_id": p["other_doc_id"], "other_line": p["other_line"],
             "other_span": p["other_span"]})
        shared.setdefault(p["other_doc_id"], []).append(
            {"line": p["other_line"], "span": p["other_span"], "doc_id": p["doc_id"], "other_line": p["line"],
             "other_span": p["span"]})

    mentions: dict[str, list[dict]] = {}
    for m in store.annotations(ENTITY_LAYER):
        mentions.setdefault(m["doc_id"], []).append(m)

    def documents():
        for doc in store.iter_documents():
            row = doc.to_json()
            row["shared_passages"] = sorted(shared.get(doc.doc_id, []), key=lambda x: (x["line"], x["doc_id"]))
            row.update(summarize(mentions.get(doc.doc_id, [])))
            yield row

    def entities():
        for rows in mentions.values():
            yield from rows

    events = linked_events(store)
    stories = list(_with_views(store, _with_timelines(store.iter_stories(), events)))
    counts = {"documents.jsonl": _write_jsonl(out / "documents.jsonl", documents()),
              "stories.jsonl": _write_jsonl(out / "stories.jsonl", stories),
              "entities.jsonl": _write_jsonl(out / "entities.jsonl", entities())}
    counts["events.jsonl"] = _write_jsonl(out / "events.jsonl", events)
    counts["events.csv"] = write_acled_csv(events, out / "events.csv", store.article_urls())
    counts["events.geojson"] = write_geojson(events, out / "events.geojson")
    if report:
        from rasid.web.report import write_report

        counts["report.html"] = write_report(store, out / "report.html", stories=stories, events=events)
    return counts


def _with_views(store: Store, stories):
    """Add each story's brief (``title_en``, ``summary_ar``, ``summary_en``, claims), comparison and
    ``linked_stories``: the other stories of its thread (a development that resurfaces, the next step
    of one campaign), most probable first."""
    links = store.story_links()
    for story in stories:
        story["linked_stories"] = [{"story_id": sid, "score": round(score, 3)}
                                   for sid, score in links.get(story["story_id"], [])]
        view = store.story_view(story["story_id"]) or {}
        brief = view.get("brief") or {}
        story["title_en"] = brief.get("title_en")
        story["summary_ar"] = " ".join(s["text"] for s in brief.get("summary_ar", [])) or None
        story["summary_sentences"] = brief.get("summary_ar", [])
        story["summary_en"] = brief.get("summary_en")
        story["claims"] = brief.get("claims", [])
        story["comparison"] = view.get("comparison")
        yield story


def _with_timelines(stories, events: list[dict]):
    """Add each story's ``timeline``: its events by date, one id per event (linked reports count once)."""
    by_story: dict[str, list[dict]] = {}
    for e in events:
        if e.get("story_id"):
            by_story.setdefault(e["story_id"], []).append(e)
    for story in stories:
        days: dict[str, list[str]] = {}
        seen: set[str] = set()
        for e in sorted(by_story.get(story["story_id"], []), key=lambda e: (e.get("event_date") or "", e["event_id"])):
            if e["event_id"] in seen:
                continue
            seen.update([e["event_id"], *e.get("same_as", [])])
            days.setdefault(e.get("event_date") or "undated", []).append(e["event_id"])
        story["timeline"] = [{"date": d, "events": ids} for d, ids in days.items()]
        yield story


ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp"]
EXTRA_COLUMNS = ["rasid_event_id", "doc_id", "line", "span_start", "span_end", "story_id", "attributed_to",
                 "same_as", "location_ar", "actor1_ar", "actor2_ar", "modality", "confidence", "reviewed",
                 "source_url", "sentence"]


def acled_row(e: dict, urls: dict[str, str] | None = None) -> dict:
    """One event as ACLED export columns plus Rasid's provenance columns (`urls`: articles' addresses)."""
    from rasid.events.taxonomy import Taxonomy

    loc = e.get("location") or {}
    a1, a2 = e.get("actor1") or {}, e.get("actor2") or {}
    date = e.get("event_date") or ""
    return {
        "event_id_cnty": f"{(loc.get('country') or 'XX')}-{e['event_id']}", "event_date": date,
        "year": date[:4], "time_precision": e.get("time_precision"),
        "disorder_type": Taxonomy.load().disorder_type(e["event_type"]), "event_type": e["event_type"],
        "sub_event_type": e.get("sub_event_type") or "", "actor1": a1.get("label_en") or "",
        "actor2": a2.get("label_en") or "",
        "civilian_targeting": "Civilian targeting" if a2.get("id") == "Civilians" else "",
        "iso": "", "country": loc.get("country") or "", "location": loc.get("name_en") or "",
        "latitude": loc.get("lat", ""), "longitude": loc.get("lon", ""),
        "geo_precision": loc.get("geo_precision") or "", "source": e.get("outlet") or "",
        "notes": e.get("notes_en") or "",
        "fatalities": e["fatalities"] if e.get("fatalities") is not None else 0,
        "tags": "fatalities not reported" if e.get("fatalities") is None else "",
        "rasid_event_id": e["event_id"], "doc_id": e["doc_id"], "line": e["line"],
        "span_start": e["span"][0], "span_end": e["span"][1], "story_id": e.get("story_id") or "",
        "attributed_to": e.get("attributed_to") or "", "same_as": " ".join(e.get("same_as") or []),
        "location_ar": loc.get("name_ar") or "", "actor1_ar": a1.get("label_ar") or "",
        "actor2_ar": a2.get("label_ar") or "", "modality": e.get("modality") or "",
        "confidence": e.get("confidence", ""), "reviewed": (e.get("reviewed") or {}).get("action", ""),
        "source_url": (urls or {}).get(e["doc_id"], ""),
        "sentence": " ".join((e.get("sentence") or "").split()),
    }


def write_acled_csv(events: list[dict], target: Path, urls: dict[str, str] | None = None) -> int:
    """``events.csv``: ACLED's export columns in ACLED's order, then Rasid's provenance columns.

    UTF-8 with a byte-order mark, so spreadsheets (Excel) open the Arabic intact."""
    import csv

    tmp = target.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(ACLED_COLUMNS + EXTRA_COLUMNS)
        for e in events:
            if not counted(e):
                continue  # a denied event is in events.jsonl, not among ACLED's incidents
            row = acled_row(e, urls)
            w.writerow([row.get(c, "") for c in ACLED_COLUMNS + EXTRA_COLUMNS])
    os.replace(tmp, target)
    return sum(map(counted, events))


def geojson_features(events: list[dict]) -> list[dict]:
    """One GeoJSON Point feature per located event, its fields as properties."""
    features = []
    for e in events:
        loc = e.get("location") or {}
        if loc.get("lat") is None or not counted(e):
            continue
        props = {k: v for k, v in e.items() if k not in ("location",)}
        props.update(location=loc.get("name_en"), location_ar=loc.get("name_ar"), geo_precision=loc.get("geo_precision"))
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
                         "properties": props})
    return features


def write_geojson(events: list[dict], target: Path) -> int:
    """``events.geojson``: one Point feature per located event, its fields as properties."""
    features = geojson_features(events)
    tmp = target.with_suffix(".geojson.tmp")
    tmp.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)
    return len(features)


def _write_jsonl(target: Path, rows) -> int:
    tmp = target.with_suffix(".jsonl.tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, target)
    return n

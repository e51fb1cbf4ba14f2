"""Score Rasid's output against hand-coded gold annotations (the seeds_gold.json format).

``rasid eval GOLD.json --out DIR`` reads DIR/documents.jsonl and DIR/events.jsonl and reports, for
the documents named in the gold file:

* cleaning: precision/recall/F1 of lines marked removed (gold: repeated and boilerplate lines);
* stories: B-cubed over gold content lines;
* people: names match when the normalised tokens of one contain the other's;
* places: by name or alias, or within 25 km; with the median error in km;
* events: one-to-one matching per document. *detect*: same event type and place; *full*: also
  actors (gold null = any), sub-event type (gold null = any) and date within a day. Recall is over
  core gold events; a system event matching a non-core gold event counts neither way. Fatalities:
  exact accuracy on detected gold events that state a number.

These are the definitions of the project's shared scorer, so figures are comparable.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path

__all__ = ["score_output"]

_DIAC = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_PUNCT = re.compile(r"[^\w\s]")


def _norm(s: str | None) -> str:
    if not s:
        return ""
    s = _DIAC.sub("", s)
    s = re.sub("[إأآٱ]", "ا", s).replace("ى", "ي").replace("ة", "ه").replace("ؤ", "و").replace("ئ", "ي")
    return " ".join(_PUNCT.sub(" ", s.lower()).split())


def _km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _prf(tp: float, n_sys: float, n_gold: float) -> dict:
    p = tp / n_sys if n_sys else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "tp": tp, "system": n_sys, "gold": n_gold}


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


class _Gold:
    def __init__(self, data: dict):
        self.places = data.get("places", {})
        self.actors = data.get("actors", {})

    def place_match(self, key: str | None, loc: dict | None) -> bool:
        if key is None:
            return loc is None
        if not loc:
            return False
        g = self.places.get(key, {})
        aliases = [key, *g.get("ar", [])]
        for n in (loc.get("name"), loc.get("name_ar"), loc.get("name_en")):
            if n and any(_norm(n) == _norm(a) or _norm(n).removeprefix("ال") == _norm(a).removeprefix("ال")
                         for a in aliases):
                return True
        if "lat" in g and loc.get("lat") is not None and loc.get("lon") is not None:
            return _km(g["lat"], g["lon"], loc["lat"], loc["lon"]) <= 25.0
        return False

    def actor_match(self, key: str | None, actor) -> bool:
        if key is None:
            return True
        if not actor:
            return False
        if isinstance(actor, str):
            actor = {"id": actor}
        g = self.actors.get(key, {})
        wanted = [key, g.get("name", ""), *g.get("examples", [])]
        got = [actor.get(k) for k in ("id", "label_en", "label_ar", "surface")]
        return any(x and w and (_norm(x) == _norm(w) or _norm(w) in _norm(x).split(" / ")) for x in got for w in wanted)


def _close(g: str | None, s: str | None) -> bool:
    if not g:
        return True
    if not s:
        return False
    try:
        return abs((date.fromisoformat(g[:10]) - date.fromisoformat(s[:10])).days) <= 1
    except ValueError:
        return False


def score_output(outdir: str | Path, gold_data: dict) -> dict:
    """Scores of an output folder against gold annotations (see the module docstring)."""
    outdir = Path(outdir)
    gold = _Gold(gold_data)
    gdocs = gold_data.get("documents", {})
    docs = {d["doc_id"]: d for d in _jsonl(outdir / "documents.jsonl")}
    res: dict = {"documents": {"gold": len(gdocs), "found": sum(1 for k in gdocs if k in docs)}}
    tp = ns = ng = 0
    for doc_id, g in gdocs.items():
        removed_gold = {b for _, b in g.get("repeated_lines", [])} | set(g.get("boilerplate_lines", []))
        removed_sys = {ln["n"] for ln in docs.get(doc_id, {}).get("lines", []) if ln.get("status", "kept") not in ("kept", "heading")}
        tp, ns, ng = tp + len(removed_gold & removed_sys), ns + len(removed_sys), ng + len(removed_gold)
    res["cleaning"] = _prf(tp, ns, ng)
    items = []
    for doc_id, g in gdocs.items():
        removed = {b for _, b in g.get("repeated_lines", [])} | set(g.get("boilerplate_lines", []))
        d = docs.get(doc_id, {})
        seg_story = {seg["index"]: seg.get("story_id") for seg in d.get("segments", [])}
        line_seg = {ln["n"]: ln.get("segment") for ln in d.get("lines", [])}
        for seg in g.get("segments", []):
            for n in range(seg["lines"][0], seg["lines"][1] + 1):
                if n not in removed:
                    story = seg_story.get(line_seg.get(n))
                    items.append((seg["story"], story if story is not None else f"none:{doc_id}:{n}"))
    if items:
        p = sum(sum(1 for x in items if x[1] == s and x[0] == g) / sum(1 for x in items if x[1] == s) for g, s in items)
        r = sum(sum(1 for x in items if x[0] == g and x[1] == s) / sum(1 for x in items if x[0] == g) for g, s in items)
        p, r = p / len(items), r / len(items)
        res["stories"] = {"bcubed_precision": round(p, 3), "bcubed_recall": round(r, 3),
                          "bcubed_f1": round(2 * p * r / (p + r), 3) if p + r else 0.0, "lines": len(items)}
    tp = ns = ng = 0
    for doc_id, names in gold_data.get("people", {}).items():
        got = [p["name"] if isinstance(p, dict) else p for p in docs.get(doc_id, {}).get("people", [])]
        used: set[int] = set()
        for name in names:
            for i, s in enumerate(got):
                ta, tb = set(_norm(name).split()), set(_norm(s).split())
                if i not in used and ta and tb and (ta <= tb or tb <= ta):
                    used.add(i)
                    tp += 1
                    break
        ns, ng = ns + len(got), ng + len(names)
    res["people"] = _prf(tp, ns, ng)
    tp = ns = ng = 0
    errors = []
    for doc_id, keys in gold_data.get("place_mentions", {}).items():
        got = docs.get(doc_id, {}).get("places", [])
        used = set()
        for key in keys:
            for i, loc in enumerate(got):
                if i not in used and gold.place_match(key, loc):
                    used.add(i)
                    tp += 1
                    g = gold.places.get(key, {})
                    if "lat" in g and loc.get("lat") is not None:
                        errors.append(_km(g["lat"], g["lon"], loc["lat"], loc["lon"]))
                    break
        ns, ng = ns + len(got), ng + len(keys)
    res["places"] = _prf(tp, ns, ng)
    if errors:
        errors.sort()
        res["places"]["median_km_error"] = round(errors[len(errors) // 2], 1)
    by_doc: dict[str, list[dict]] = {}
    for e in _jsonl(outdir / "events.jsonl"):
        by_doc.setdefault(e.get("doc_id"), []).append(e)
    gold_events = [e for e in gold_data.get("events", []) if e["doc"] in gdocs]
    det = full = counted = fat_ok = fat_n = 0
    for doc_id in gdocs:
        sys_list = by_doc.get(doc_id, [])
        taken: set[int] = set()
        noncore: set[int] = set()
        for g in sorted((e for e in gold_events if e["doc"] == doc_id), key=lambda e: not e.get("core", True)):
            best, best_full = None, False
            for i, s in enumerate(sys_list):
                if i in taken or s.get("event_type") != g["event_type"] or not gold.place_match(g["location"], s.get("location")):
                    continue
                is_full = (gold.actor_match(g.get("actor1"), s.get("actor1")) and gold.actor_match(g.get("actor2"), s.get("actor2"))
                           and (g.get("sub_event_type") is None or s.get("sub_event_type") == g["sub_event_type"])
                           and _close(g.get("date"), s.get("event_date")))
                if best is None or (is_full and not best_full):
                    best, best_full = i, is_full
            if best is None:
                continue
            taken.add(best)
            if not g.get("core", True):
                noncore.add(best)
                continue
            det += 1
            full += best_full
            if g.get("fatalities") is not None:
                fat_n += 1
                fat_ok += sys_list[best].get("fatalities") == g["fatalities"]
        counted += len(sys_list) - len(noncore)
    n_core = sum(1 for e in gold_events if e.get("core", True))
    res["events_detect"] = _prf(det, counted, n_core)
    res["events_full"] = _prf(full, counted, n_core)
    if fat_n:
        res["fatalities_accuracy"] = {"correct": fat_ok, "of": fat_n, "accuracy": round(fat_ok / fat_n, 3)}
    ok = n = 0
    for doc_id, g in gdocs.items():
        if g.get("publication_date"):
            n += 1
            ok += docs.get(doc_id, {}).get("publication_date") == g["publication_date"]
    if n:
        res["publication_date_accuracy"] = {"correct": ok, "of": n, "accuracy": round(ok / n, 3)}
    return res

"""Compare the sources of one story: who reports which event, where their claims conflict, and how
each names the sides.

Everything here is computed from what earlier stages stored (documents, entity mentions, linked
events), so a comparison is cheap to redo when a story gains a member.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from rasid.compare.framing import FramingLexicon, lean
from rasid.document import Document, LineStatus
from rasid.events.model import counted
from rasid.text.tokens import proclitic_of, strip_proclitics, tokenize

__all__ = ["compare_story", "source_key", "event_clusters"]

CLAIM_MAX_DAYS = 1  # claims about one place this many days apart are about the same fighting


def source_key(doc: Document) -> str:
    """The outlet, or the document itself when its outlet is unknown (it is still a separate source)."""
    return doc.outlet or f"doc:{doc.doc_id}"


LABEL_CHARS = 40  # how much of an untitled source's first line names it


def source_label(doc: Document) -> str:
    """How a source is shown to people: its outlet; else its title, or its first kept line, quoted."""
    if doc.outlet:
        return doc.outlet
    title = (doc.title or "").strip()
    if not title:
        first = next((ln for ln in doc.lines if ln.status == LineStatus.KEPT), None)
        title = " ".join(doc.text[first.start:first.end].split()) if first else ""
    if not title:
        return f"unknown outlet ({doc.doc_id})"
    return f"unknown outlet: «{title[:LABEL_CHARS] + '…' if len(title) > LABEL_CHARS else title}»"


def event_clusters(events: Sequence[dict]) -> list[list[dict]]:
    """Group reports linked by ``same_as`` into events, in date order."""
    by_id = {e["event_id"]: e for e in events}
    seen: set[str] = set()
    clusters = []
    for e in events:
        if e["event_id"] in seen:
            continue
        members = [by_id[i] for i in [e["event_id"], *e.get("same_as", [])] if i in by_id and i not in seen]
        seen.update(m["event_id"] for m in members)
        clusters.append(members)
    clusters.sort(key=lambda c: (min((m.get("event_date") or "9999") for m in c), c[0]["event_id"]))
    return clusters


def representative(cluster: Sequence[dict]) -> dict:
    """The report that says most: located, dated, with actors and a toll."""
    return max(cluster, key=lambda e: (bool(e.get("location")), bool(e.get("actor1")), bool(e.get("actor2")),
                                       e.get("fatalities") is not None, e.get("confidence") or 0, e["event_id"]))


def compare_story(story: Mapping, docs: Mapping[str, Document], events: Sequence[dict],
                  mentions: Mapping[str, Sequence[dict]], lexicon: FramingLexicon) -> dict:
    """The comparison of one story's sources.

    Returns ``sources`` (one row per outlet, or per document of unknown outlet), ``matrix``
    (events × sources: which source reports which event), ``conflicts`` (fatality figures,
    territorial control, responsibility; each claim with its source sentence span), ``labels``
    (each outlet's names for each actor) and ``framing`` (each outlet's side-marked and loaded
    words by voice, and a lean estimate with the evidence behind it).
    """
    member_lines = _member_lines(story, docs)
    sources: dict[str, dict] = {}
    for doc_id in member_lines:
        doc = docs[doc_id]
        row = sources.setdefault(source_key(doc), {"source": source_key(doc), "label": source_label(doc),
                                                   "outlet": doc.outlet, "documents": [], "dates": []})
        row["documents"].append(doc_id)
        if doc.publication_date and doc.publication_date not in row["dates"]:
            row["dates"].append(doc.publication_date)
    src_of = {d: source_key(docs[d]) for d in member_lines}
    events = [e for e in events if e["doc_id"] in src_of]
    clusters = event_clusters(events)
    matrix = []
    for cluster in clusters:
        rep = representative(cluster)
        cells: dict[str, list[dict]] = defaultdict(list)
        for e in cluster:
            cells[src_of[e["doc_id"]]].append({"event_id": e["event_id"], "doc_id": e["doc_id"], "span": e["span"],
                                                "fatalities": e.get("fatalities"),
                                                "attributed_to": e.get("attributed_to")})
        matrix.append({"event_id": rep["event_id"], "event_type": rep["event_type"],
                       "sub_event_type": rep.get("sub_event_type"), "event_date": rep.get("event_date"),
                       "location": (rep.get("location") or {}).get("name_en"),
                       "location_ar": (rep.get("location") or {}).get("name_ar"),
                       "notes_en": rep.get("notes_en"), "reports": dict(cells),
                       "sources": len(cells)})
    conflicts = (_fatality_conflicts(clusters, src_of, docs) + _territory_conflicts(events, src_of, docs, lexicon)
                 + _responsibility_conflicts(clusters, events, src_of, docs))
    labels = _actor_labels(member_lines, mentions, src_of)
    framing = _framing(member_lines, docs, src_of, lexicon, events)
    return {"story_id": story["story_id"], "sources": sorted(sources.values(), key=lambda s: s["source"]),
            "matrix": matrix, "conflicts": conflicts, "labels": labels, "framing": framing}


def _member_lines(story: Mapping, docs: Mapping[str, Document]) -> dict[str, set[int]]:
    """The kept lines of the story's segments, by document (copies of an earlier document left out)."""
    out: dict[str, set[int]] = {}
    for m in story["members"]:
        doc = docs.get(m["doc_id"])
        if doc is None or doc.duplicate_of:
            continue
        out.setdefault(doc.doc_id, set()).update(
            ln.n for ln in doc.lines if ln.status == LineStatus.KEPT and ln.segment == m["segment"])
    return out


def _claim(e: dict, src_of: Mapping[str, str], docs: Mapping[str, Document], **extra) -> dict:
    doc = docs[e["doc_id"]]
    return {"source": src_of[e["doc_id"]], "source_label": source_label(doc), "event_id": e["event_id"],
            "doc_id": e["doc_id"], "line": e.get("line"), "span": e["span"], "sentence": e.get("sentence"),
            "attributed_to": e.get("attributed_to"), "attributed_side": e.get("attributed_side"), **extra}


def _fatality_conflicts(clusters, src_of, docs) -> list[dict]:
    out = []
    for cluster in clusters:
        figures = [e for e in cluster if e.get("fatalities") is not None and counted(e)]
        if len({e["fatalities"] for e in figures}) < 2:
            continue
        rng = next((e["fatalities_range"] for e in cluster if e.get("fatalities_range")), None)
        rep = representative(cluster)
        claims = [_claim(e, src_of, docs, value=e["fatalities"]) for e in figures]
        values = sorted(c["value"] for c in claims)
        out.append({"kind": "fatalities", "event_id": rep["event_id"],
                    "summary_en": f"Death tolls differ for {rep.get('notes_en') or rep['event_type']} "
                                  f"({values[0]}–{values[-1]}; " + ", ".join(
                                      f"{c['source_label']}: {c['value']}" for c in claims) + ")",
                    "range": rng or {"low": values[0], "high": values[-1]}, "claims": claims})
    return out


def _territory_conflicts(events, src_of, docs, lexicon: FramingLexicon) -> list[dict]:
    """A report that a place was taken or entered against one, of the same days, that the attack was
    limited or repelled ("تقدموا مسافة 30 متر"): both claims side by side."""
    from rasid.events.taxonomy import Taxonomy

    taxonomy = Taxonomy.load()
    claim_types = (taxonomy.by_key("battles"), taxonomy.by_key("strategic"))  # the types that change who holds ground
    territory = taxonomy.tagged("territory")
    by_place: dict[str, list[tuple[dict, str, str]]] = defaultdict(list)
    for e in events:
        loc = e.get("location") or {}
        if not loc.get("id") or e["event_type"] not in claim_types:
            continue
        claim = lexicon.control_claim(e.get("sentence") or "")
        if e.get("sub_event_type") in territory and (claim is None or claim[0] != "limited"):
            claim = ("full", claim[1] if claim else e.get("trigger") or "")
        if claim:
            by_place[loc["id"]].append((e, *claim))
    out = []
    for claims in by_place.values():
        full = [c for c in claims if c[1] == "full"]
        limited = [c for c in claims if c[1] == "limited"]
        pairs = [(f, li) for f in full for li in limited
                 if src_of[f[0]["doc_id"]] != src_of[li[0]["doc_id"]] and _days_apart(f[0], li[0]) <= CLAIM_MAX_DAYS]
        if not pairs:
            continue
        fulls = _unique(p[0] for p in pairs)
        limits = _unique(p[1] for p in pairs)
        place = (fulls[0][0].get("location") or {})
        out.append({"kind": "territory", "event_id": fulls[0][0]["event_id"], "location": place.get("name_en"),
                    "location_ar": place.get("name_ar"),
                    "summary_en": f"Control of {place.get('name_en')} is disputed. Entry or control: "
                                  + "; ".join(_unique_text(source_label(docs[e["doc_id"]]) + _voice(e) for e, _, _ in fulls))
                                  + ". Only a limited advance or a repelled attack: "
                                  + "; ".join(_unique_text(source_label(docs[e["doc_id"]]) + _voice(e) for e, _, _ in limits))
                                  + ".",
                    "claims": [_claim(e, src_of, docs, claim=kind, cue=cue) for e, kind, cue in fulls + limits]})
    return out


def _responsibility_conflicts(clusters, events, src_of, docs) -> list[dict]:
    """Reports of one attack on the same target, at the same place and days, that name different attackers."""
    out = []
    seen = set()
    for i, x in enumerate(events):
        for y in events[i + 1:]:
            if src_of[x["doc_id"]] == src_of[y["doc_id"]] or x["event_type"] != y["event_type"]:
                continue
            a1, b1 = (x.get("actor1") or {}).get("id"), (y.get("actor1") or {}).get("id")
            a2, b2 = (x.get("actor2") or {}).get("id"), (y.get("actor2") or {}).get("id")
            lx, ly = (x.get("location") or {}).get("id"), (y.get("location") or {}).get("id")
            if not (a1 and b1 and a1 != b1 and a2 and a2 == b2 and lx and lx == ly) or a2 in (a1, b1):
                continue
            if _days_apart(x, y) > CLAIM_MAX_DAYS or (lx, a2) in seen:
                continue
            seen.add((lx, a2))
            out.append({"kind": "responsibility", "event_id": x["event_id"],
                        "summary_en": f"Who attacked {(x.get('actor2') or {}).get('label_en')} in "
                                      f"{(x.get('location') or {}).get('name_en')}: "
                                      f"{source_label(docs[x['doc_id']])} says {(x.get('actor1') or {}).get('label_en')}, "
                                      f"{source_label(docs[y['doc_id']])} says {(y.get('actor1') or {}).get('label_en')}",
                        "claims": [_claim(e, src_of, docs, value=(e.get("actor1") or {}).get("id")) for e in (x, y)]})
    return out


def _voice(e: dict) -> str:
    who = e.get("attributed_to")
    return f" (quoting {who})" if who else " (own reporting)"


def _days_apart(x: dict, y: dict) -> int:
    try:
        return abs((date.fromisoformat(x["event_date"]) - date.fromisoformat(y["event_date"])).days)
    except (KeyError, TypeError, ValueError):
        return 0  # an undated report is taken to be of the story's days


def _unique(items: Iterable[tuple]) -> list[tuple]:
    seen, out = set(), []
    for item in items:
        if item[0]["event_id"] not in seen:
            seen.add(item[0]["event_id"])
            out.append(item)
    return out


def _unique_text(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _surface(text: str) -> str:
    """The mention as written, without the proclitics on its first word ("لقوات حفتر" -> "قوات حفتر")."""
    tokens = tokenize(text)
    if not tokens:
        return text
    first = tokens[0]
    readings = strip_proclitics(first.key)
    with_article = [r for r in readings if r.startswith("ال")]
    bare = min(with_article or readings, key=len)
    cut = len(proclitic_of(first.key, bare))
    if cut and not first.key.endswith(bare):  # "للجيش الوطني": the article the preposition had absorbed
        return ("ال" + text[first.start + cut + 1:]).strip()
    return text[first.start + cut:].strip() if cut > 0 else text.strip()


def _actor_labels(member_lines, mentions, src_of) -> list[dict]:
    """For each canonical actor, the names each source uses for it, most used first."""
    by_actor: dict[str, dict] = {}
    for doc_id, lines in member_lines.items():
        for m in mentions.get(doc_id, []):
            if not m.get("id") or m.get("type") not in ("ORG", "PERS") or m.get("line") not in lines:
                continue
            row = by_actor.setdefault(m["id"], {"id": m["id"], "label_en": m.get("name_en"), "label_ar": m.get("name"),
                                                "side": m.get("side"), "by_source": defaultdict(Counter)})
            row["by_source"][src_of[doc_id]][_surface(m["text"])] += 1
    out = []
    for row in by_actor.values():
        names = {src: [{"surface": s, "count": n} for s, n in c.most_common()] for src, c in row["by_source"].items()}
        distinct = {s for c in row["by_source"].values() for s in c}
        out.append({**row, "by_source": names, "distinct_names": len(distinct),
                    "mentions": sum(sum(c.values()) for c in row["by_source"].values())})
    out.sort(key=lambda r: (-r["mentions"], r["id"]))
    return out


def _framing(member_lines, docs, src_of, lexicon: FramingLexicon, events) -> dict[str, dict]:
    per: dict[str, dict] = {}
    for doc_id, lines in member_lines.items():
        doc = docs[doc_id]
        src = src_of[doc_id]
        row = per.setdefault(src, {"terms": {}, "loaded": {}, "weights": Counter(), "quotes_sides": Counter()})
        for s in doc.sentences:
            if s.line not in lines:
                continue
            marked, loaded = lexicon.uses(doc.text[s.start:s.end], s.start)
            for u in marked:
                t = row["terms"].setdefault(u.term.term, {"term": u.term.term, "en": u.term.en, "favours": u.term.favours,
                                                          "about": u.term.about, "own": 0, "quoted": 0, "spans": []})
                t["quoted" if u.quoted else "own"] += 1
                t["spans"].append({"doc_id": doc_id, "span": list(u.span)})
                row["weights"][(u.term.favours, u.quoted)] += u.term.weight
            for u in loaded:
                t = row["loaded"].setdefault(u.term.term, {"term": u.term.term, "en": u.term.en, "own": 0, "quoted": 0})
                t["quoted" if u.quoted else "own"] += 1
    for e in events:
        if e.get("attributed_side") and e["doc_id"] in member_lines:
            per[src_of[e["doc_id"]]]["quotes_sides"][e["attributed_side"]] += 1
    out = {}
    for src, row in per.items():
        estimate = lean(row["weights"], lexicon.sides)
        evidence = sorted(row["terms"].values(), key=lambda t: (-(t["own"] + t["quoted"]), t["term"]))
        out[src] = {"lean": estimate, "terms": evidence,
                    "loaded": sorted(row["loaded"].values(), key=lambda t: (-(t["own"] + t["quoted"]), t["term"])),
                    "quotes_sides": dict(row["quotes_sides"])}
    return out

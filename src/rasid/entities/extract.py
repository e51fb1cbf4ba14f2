"""Entity mentions of a document: tagger spans and dictionary hits, resolved to actors and places.

Every mention keeps the document's character span and the span of its sentence. Known actors come
from the actor dictionary (exact, or typo-tolerant on the letter skeleton); the tagger finds the
names the dictionary does not know, which are still reported with their surface form. A later
surname-only mention ("المسماري") is linked to the full name given earlier in the document.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rasid.dates import DateResolver
from rasid.document import Document, LineStatus
from rasid.entities.actors import GENERIC_TYPES, Actor, ActorDictionary
from rasid.entities.conll import bio_spans
from rasid.errors import LexiconError
from rasid.geo.gazetteer import Place
from rasid.geo.geocoder import Geocoder, km
from rasid.text.normalize import match_key, match_words
from rasid.text.tokens import Token, strip_proclitics, tokenize

__all__ = ["EntityExtractor", "Mention", "DocumentEntities"]

log = logging.getLogger(__name__)

TYPE_OF_ACTOR = {"person": "PERS", "state": "LOC"}
QUOTES = frozenset('"«»“”\'')
# A date expression's words are found without a publication date too (to keep them from being read
# as names); any day serves as the anchor then, and those dates themselves are not reported.
_ANY_DAY = date(2000, 1, 1)


@dataclass
class Mention:
    """One mention: raw span in the document, entity type and what it resolved to."""

    start: int
    end: int
    text: str
    type: str  # PERS, ORG, LOC, MISC, DATE
    how: str  # tagger, dictionary, typo, surname, gazetteer
    sentence: tuple[int, int]
    line: int
    name: str  # canonical Arabic name (the actor's or place's), else the cleaned surface
    actor: Actor | None = None
    place: Place | None = None
    precision: int | None = None
    date: str | None = None  # DATE mentions: the resolved day (ISO), with `precision` ACLED's time precision

    @property
    def canonical_id(self) -> str | None:
        if self.date:
            return self.date
        if self.actor:
            return self.actor.id
        if self.place:
            return self.place.id
        return None

    def as_dict(self, doc_id: str) -> dict:
        row = {"doc_id": doc_id, "span": [self.start, self.end], "text": self.text, "type": self.type,
               "name": self.name, "id": self.canonical_id, "how": self.how, "line": self.line,
               "sentence_span": list(self.sentence)}
        if self.actor:
            row.update(name_en=self.actor.name_en, actor_type=self.actor.type, side=self.actor.side)
        if self.date:
            row.update(date=self.date, time_precision=self.precision)
        if self.place:
            row.update(name_en=self.place.name_en, lat=round(self.place.lat, 4), lon=round(self.place.lon, 4),
                       country=self.place.country, geo_precision=self.precision, place_kind=self.place.kind)
            if self.place.part_of:
                row["part_of"] = self.place.part_of
        return row


@dataclass
class DocumentEntities:
    doc_id: str
    mentions: list[Mention] = field(default_factory=list)

    def rows(self) -> list[dict]:
        return [m.as_dict(self.doc_id) for m in self.mentions]

    def summary(self) -> dict[str, list[dict]]:
        return summarize(self.rows())


def summarize(rows: Sequence[dict]) -> dict[str, list[dict]]:
    """Per-document lists from mention rows, most mentioned first: ``people``, ``organisations``
    (not "السكان", "المدنيين", "مسلحون": ACLED's generic actors are event actors, not organisations),
    ``places`` (geocoded localities: towns, areas, bases, wadis; DESIGN.md), ``regions`` and
    ``countries``. A base or quarter is listed under its town or district when the document
    names that too (its mentions keep their own coordinates in entities.jsonl)."""
    located = [r for r in rows if r.get("lat") is not None]
    return {
        "people": _group([r for r in rows if r["type"] == "PERS"], person=True),
        "organisations": _group([r for r in rows if r["type"] == "ORG" and r.get("actor_type") not in GENERIC_TYPES]),
        "places": _group_places([r for r in located if r.get("place_kind") not in ("country", "region")]),
        "regions": _group_places([r for r in located if r.get("place_kind") == "region"]),
        "countries": _group_places([r for r in located if r.get("place_kind") == "country"]),
        "dates": [{"text": r["text"], "span": r["span"], "date": r["date"], "time_precision": r["time_precision"]}
                  for r in rows if r["type"] == "DATE"],
    }


def _group(rows: Sequence[dict], *, person: bool = False) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r.get("id") or "~" + match_key(r["name"]), []).append(r)
    out = []
    for rs in groups.values():
        first = rs[0]
        row = {"name": first["name"] if first.get("id") else max((r["name"] for r in rs), key=len),
               "name_en": first.get("name_en"), "id": first.get("id"), "mentions": len(rs)}
        if first.get("id"):
            row["side"] = first.get("side")
            if not person:
                row["actor_type"] = first.get("actor_type")
        out.append((-len(rs), first["span"][0], row))
    return [row for *_, row in sorted(out, key=lambda x: (x[0], x[1]))]


def _group_places(rows: Sequence[dict]) -> list[dict]:
    ids = {r["id"] for r in rows}
    groups: dict[str, list[dict]] = {}
    for r in sorted(rows, key=lambda r: r.get("part_of") is not None):
        key = r["part_of"] if r.get("part_of") in ids else r["id"]
        groups.setdefault(key, []).append(r)
    out = []
    for rs in groups.values():
        f = rs[0]
        row = {"id": f["id"], "name": f["name_en"], "name_ar": f["name"], "name_en": f["name_en"], "lat": f["lat"],
               "lon": f["lon"], "country": f["country"], "kind": f.get("place_kind"), "mentions": len(rs),
               "geo_precision": min(r.get("geo_precision") or 3 for r in rs)}
        out.append((-len(rs), f["span"][0], row))
    return [row for *_, row in sorted(out, key=lambda x: (x[0], x[1]))]


class EntityExtractor:
    """Tagger + actor dictionary + geocoder over the kept sentences of a document."""

    def __init__(self, tagger=None, actors: ActorDictionary | None = None, geocoder: Geocoder | None = None):
        from rasid.entities.tagger import EntityTagger, build_feature_extractor

        self.tagger = tagger or EntityTagger.load()
        self.actors = actors or ActorDictionary.from_data()
        self.geocoder = geocoder or Geocoder.default()
        self.vocabulary = build_feature_extractor().clusters
        self.dates = DateResolver.from_data()
        self._areas = _areas(self.actors, self.geocoder)

    def extract(self, doc: Document) -> DocumentEntities:
        return self.extract_many([doc])[0]

    def extract_many(self, docs: Sequence[Document]) -> list[DocumentEntities]:
        """Entities of several documents; their sentences are tagged in one batch."""
        jobs = []  # (doc index, sentence, tokens)
        for d, doc in enumerate(docs):
            kept = {ln.n for ln in doc.lines if ln.status == LineStatus.KEPT}
            for s in doc.sentences:
                if s.line in kept:
                    toks = tokenize(doc.text[s.start:s.end], offset=s.start)
                    if toks:
                        jobs.append((d, s, toks))
        tags = self.tagger.tag_many([[t.text for t in toks] for _, _, toks in jobs],
                                    documents=[d for d, _, _ in jobs]) if jobs else []
        per_doc: list[list[tuple]] = [[] for _ in docs]
        for (d, s, toks), t in zip(jobs, tags, strict=True):
            per_doc[d].append((s, toks, t))
        return [self._document(doc, rows) for doc, rows in zip(docs, per_doc, strict=True)]

    def _document(self, doc: Document, rows) -> DocumentEntities:
        mentions: list[Mention] = []
        place_matches = []
        published = _published(doc.publication_date)
        date_rows = []  # (sentence, its dates resolved against the publication date)
        scanned = []  # (sentence, tokens, keys of the tokens outside quote marks, their positions)
        for s, toks, tags in rows:
            keys = [t.key for t in toks]
            sent = (s.start, s.end)
            taken = [False] * len(toks)
            # names are often quoted in part (قوات حكومة "الوفاق الوطني"): match across quote marks
            plain = [i for i, t in enumerate(toks) if t.text not in QUOTES]
            scanned.append((s, toks, [keys[i] for i in plain], plain))
            states = []  # states named by a place ("تركيا", "أنقرة"): the geocoder's, unless it declines them
            for m in self.actors.scan(scanned[-1][2], when=(doc.publication_date or "")[:10] or None):
                kind = TYPE_OF_ACTOR.get(m.actor.type, "ORG")
                a, b = plain[m.start], plain[m.end - 1] + 1
                if kind == "LOC" and self.geocoder.lookup(keys[a:b]):
                    states.append((a, b, m))
                    continue
                if kind == "LOC":
                    kind = "ORG"  # "القوات التركية": a state's forces, named by no place
                mentions.append(self._mention(doc, toks, a, b, kind, m.how if m.how != "exact" else "dictionary",
                                              sent, s.line, m.actor.name_ar, actor=m.actor))
                taken[a:b] = [True] * (b - a)
            # a name wholly inside a date expression is a month ("أبريل (نيسان) الماضي"), not a name;
            # one that only shares a word with it stands ("حزب الغد")
            found = self.dates.find(doc.text[s.start:s.end], published or _ANY_DAY)
            if found and not published:  # only dates that need no anchor are reported
                date_rows.append((s, self.dates.find(doc.text[s.start:s.end], None)))
            elif found:
                date_rows.append((s, found))
            dated = [any(s.start + dm.start <= t.start and t.end <= s.start + dm.end for dm in found)
                     for t in toks] if found else [False] * len(toks)
            for pm in self.geocoder.scan(keys, tags):
                if not any(taken[pm.start:pm.end]) and not all(dated[pm.start:pm.end]):
                    place_matches.append((pm, toks, sent, s.line))
                    taken[pm.start:pm.end] = [True] * (pm.end - pm.start)
            for a, b, m in states:  # "قالت واشنطن": the geocoder read the town as its government
                longer = any(x < a < y or x < b < y for _, x, y in bio_spans(tags))  # "واشنطن بوست"
                if not any(taken[a:b]) and not longer and not tags[a].endswith("PERS"):
                    mentions.append(self._mention(doc, toks, a, b, "ORG", "dictionary", sent, s.line,
                                                  m.actor.name_ar, actor=m.actor))
                    taken[a:b] = [True] * (b - a)
            for kind, a, b in bio_spans(tags):
                if kind == "PERS":
                    a, b = _person_span(keys, toks, taken, a, b)
                if any(taken[a:b]) or kind == "LOC" or a >= b or all(dated[a:b]):
                    continue
                mention = self._tagged(doc, toks, keys, a, b, kind, sent, s.line)
                if mention:
                    mentions.append(mention)
        self.geocoder.resolve([pm for pm, *_ in place_matches])
        for pm, toks, sent, line in place_matches:
            if pm.place is None:
                continue
            mentions.append(self._mention(doc, toks, pm.start, pm.end, "LOC", "tagger" if pm.tagged else "gazetteer",
                                          sent, line, pm.place.name_ar, place=pm.located, precision=pm.precision))
        if published and self._areas:
            mentions += self._described(doc, scanned, place_matches, mentions)
        names = [(m.start, m.end) for m in mentions]
        for s, found in date_rows:
            for dm in found:
                a, b = s.start + dm.start, s.start + dm.end
                if any(x <= a and b <= y and y - x > b - a for x, y in names):
                    continue  # a date word inside a name: "حزب الغد", "كتيبة شهداء 17 فبراير"
                mentions.append(Mention(a, b, doc.text[a:b], "DATE", dm.rule, (s.start, s.end), s.line,
                                        dm.text, precision=dm.precision, date=dm.date.isoformat()))
        mentions.sort(key=lambda m: m.start)
        _link_surnames(mentions)
        return DocumentEntities(doc.doc_id, mentions)

    def _described(self, doc, scanned, place_matches, mentions) -> list[Mention]:
        """Descriptions ("الجماعات الإرهابية") resolved to the actor they mean where and when the
        article is set (``described_actors``): by the places of their sentence (countries too: "في
        سوريا" sets it elsewhere), or by the document's most named town when the sentence names no
        place. Two candidate actors, or one of another nationality ("الجيش المصري"): unresolved."""
        when = doc.publication_date[:10]
        places: dict[tuple[int, int], list[Place]] = defaultdict(list)  # every place a sentence names
        for pm, _, sent, _ in place_matches:
            if pm.located is not None:
                places[sent].append(pm.located)
        counts = Counter(p.id for ps in places.values() for p in ps if p.kind != "country")
        most = max(counts.values(), default=0)
        focus = [p for ps in places.values() for p in ps if counts.get(p.id) == most][:1]
        taken = [(m.start, m.end) for m in mentions]
        out = []
        for s, toks, keys, plain in scanned:
            for a, b, rows in self.actors.descriptions(keys, when):
                a, b = plain[a], plain[b - 1] + 1
                start, end = toks[a].start, toks[b - 1].end
                if any(x < end and start < y for x, y in taken):
                    continue
                after = toks[b].key if b < len(toks) else ""
                if after.startswith("ال") and (b - a == 1 or after.endswith("ي")) and len(after) > 3:
                    continue  # "الجيش المصري", "للجيش الحر": someone else's
                here = places.get((s.start, s.end)) or focus
                meant = {r.actor_id for r in rows
                         if any(km(p, c) <= r.radius_km for p in here for c in self._areas[r])}
                if len(meant) == 1:
                    actor = self.actors.get(meant.pop())
                    out.append(self._mention(doc, toks, a, b, TYPE_OF_ACTOR.get(actor.type, "ORG"), "described",
                                             (s.start, s.end), s.line, actor.name_ar, actor=actor))
        return out

    @staticmethod
    def _mention(doc, toks: list[Token], a: int, b: int, kind: str, how: str, sent, line, name: str, **kw) -> Mention:
        start, end = toks[a].start, toks[b - 1].end
        return Mention(start, end, doc.text[start:end], kind, how, sent, line, name, **kw)

    def _tagged(self, doc, toks, keys, a, b, kind, sent, line) -> Mention | None:
        """A tagger span: titles stripped, then the dictionary, else the cleaned surface form."""
        if kind == "PERS":
            a += self.actors.strip_title(keys[a:b])
        if a >= b or all(t.kind == "punct" for t in toks[a:b]):
            return None
        found = self.actors.lookup(keys[a:b])
        if found:
            actor, how = found
            return self._mention(doc, toks, a, b, TYPE_OF_ACTOR.get(actor.type, "ORG"),
                                 "typo" if how == "typo" else "dictionary", sent, line, actor.name_ar, actor=actor)
        if kind == "PERS" and b - a == 1 and self.actors.is_misspelt_word(keys[a]):
            return None
        first = _drop_proclitic(toks[a].text, keys[a], self.vocabulary)
        name = " ".join([first, *(t.text for t in toks[a + 1:b])])
        if kind == "PERS" and len(match_key(name).replace(" ", "")) < 3:
            return None
        return self._mention(doc, toks, a, b, kind, "tagger", sent, line, name)


def _areas(actors: ActorDictionary, geocoder: Geocoder) -> dict:
    """The gazetteer places each description row of the actor dictionary applies around (rows of one
    table entry share their places, which are looked up once)."""
    found: dict[str, Place] = {}
    for name in {name for row in actors.described for name in row.places}:
        cands = geocoder.lookup(match_words(name))
        if not cands:
            raise LexiconError("actors", None, f"described_actors: place {name!r} is not in the gazetteer")
        found[name] = cands[0]
    return {row: [found[name] for name in row.places] for row in actors.described}


def _person_span(keys: list[str], toks: list[Token], taken: list[bool], a: int, b: int) -> tuple[int, int]:
    """A tagged person's span, mended where the tagger and the dictionaries disagree at its edges.

    - A place or actor the dictionaries found wins the words it covers, and the rest of the span
      stands if two words are left: "عميد بلدية بني وليد سالم نوير", tagged "وليد سالم نوير", is
      the town بني وليد and the person "سالم نوير".
    - A name never begins with "الله": the word before it is part of the name
      (theophoric names: "أمر الله إيشلر", "فتح الله", "جار الله"), unless it is taken or punctuation.
    """
    start, end = a, b
    while a < b and taken[a]:
        a += 1
    while b > a and taken[b - 1]:
        b -= 1
    if (a, b) != (start, end) and b - a < 2:
        return start, start  # too little is left to be a name
    if keys[a] == "الله" and a > 0 and not taken[a - 1] and toks[a - 1].kind == "word":
        a -= 1
    return a, b


def _published(value: str | None):
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _drop_proclitic(raw: str, key: str, vocabulary) -> str:
    """Remove a conjunction or preposition glued to a name ("وفايز" -> "فايز", "للسراج" -> "السراج")
    when the word is unknown as written but known without it."""
    if key in vocabulary or len(key) < 4 or key[0] not in "وفبلك":
        return raw
    if key.startswith("لل") and "ال" + key[2:] in vocabulary:
        return "ال" + raw[2:]
    if key[1:] in vocabulary:
        return raw[1:]
    if key[0] in "وف" and key[1] in "بلك" and key[2:] in vocabulary:
        return raw[2:]
    return raw


def _link_surnames(mentions: list[Mention]) -> None:
    """Resolve one-word person mentions to a fuller name of the same document."""
    full: dict[str, Mention] = {}
    for m in mentions:
        if m.type != "PERS":
            continue
        words = match_key(m.name).split()
        if len(words) >= 2:
            full.setdefault(words[-1], m)
            if m.actor and m.actor.surname:
                full.setdefault(match_key(m.actor.surname), m)
            if len(words) >= 3:
                full.setdefault(" ".join(words[-2:]), m)
    for m in mentions:
        if m.type != "PERS" or m.actor:
            continue
        key = match_key(m.name)
        if " " in key and key not in full:
            continue
        target = full.get(key) or full.get(strip_proclitics(key)[-1])
        if target and target is not m:
            m.actor, m.name, m.how = target.actor, target.name, "surname"



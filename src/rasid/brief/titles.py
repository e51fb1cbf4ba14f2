"""A story's English title, written from what Rasid knows of it and nothing else (no translation).

The title names the kind of development, its actors, its places and its dates:

* the kind is the main kind of the story's coded events (``brief/data/titles_en.yaml`` gives the
  English words for each ACLED type); a story without events gets the news topic its Arabic
  words point to (the gloss lexicon of the same file), when one stands out, and so does a story
  whose words point to a topic other than conflict while its events are weak (one report, a low
  coder confidence) or told by few of its reports;
* actors are the sides of its events, else the actors the leads of a good share of its reports
  mention (the entity layer's ``name_en``, from the actor dictionary), under the short names of
  the data file;
* places are its events' locations, else the places its reports mention most (the entity
  layer's ``name_en``, from the gazetteer; a bare gazetteer match the tagger did not confirm is
  not enough); a city is followed by its country when the story also names that country;
* dates are the first and last publication dates of its reports.

What the story does not hold is left out, never guessed; a story with none of it is titled by its
place, date and number of reports ("Riyadh, 21 July 2015: 1 report (alriyadh)"), so every story
of at least one document has a title.

Example:
    >>> story = {"story_id": "s", "start_date": "2015-07-21", "end_date": "2015-07-22",
    ...          "members": [{"doc_id": "a", "segment": 0}, {"doc_id": "b", "segment": 0}]}
    >>> story_title_en([], story)
    '21–22 July 2015: 2 reports'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache

from rasid.document import Document, LineStatus
from rasid.text.normalize import match_key
from rasid.text.tokens import strip_proclitics

__all__ = ["TitleLexicon", "story_title_en", "span_of_dates", "short_name"]

LEAD_LINES = 4  # the words of a report's first lines say what it is about
MAX_MEMBERS_READ = 30  # a long story's topic is read from its first reports
TITLE_WEIGHT = 3  # a title's words count this many times its body's
MIN_TOPIC_SCORE = 3  # below this no topic stands out: the title says none
TOPIC_MARGIN = 1.2  # ...nor when the runner-up comes this close
MAX_HITS_PER_WORD = 3  # one word repeated does not make a topic
MIN_TOPIC_WORDS = 2  # ...nor one word alone
SECOND_SHARE = 0.5  # a second actor or place is named when it is mentioned at least this share of the first
STRONG_EVENT_CONFIDENCE = 0.6  # an event seen by one report leads the title from this coder confidence on...
STRONG_EVENT_REPORTS = 2  # ...or when this many reports tell it
EVENT_SHARE = 1 / 3  # events lead a story whose words name another topic when this share of its reports tell them
ACTOR_SHARE = 1 / 3  # an actor is named in a topic title when this share of the reports' leads name it

_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_PLACEHOLDER_RE = re.compile(r"{(\w*)}")
_PERIOD_RE = re.compile(r"\s*\((?:\d{4})?\s*[-–]\s*(?:\d{4})?\)")


@lru_cache(maxsize=262_144)
def _stem(word: str) -> str:
    """A folded word without any of its proclitics (و ف ب ل ك ال): how ambiguous place names are compared."""
    return strip_proclitics(word)[-1]


def _bare(word: str) -> str:
    """A lexicon word without its article ("الميليشيات" -> "ميليشيات"; "الحج" keeps it: too short)."""
    return word[2:] if word.startswith("ال") and len(word) > 4 else word


@lru_cache(maxsize=262_144)
def _readings(word: str) -> frozenset[str]:
    """A folded word with and without each of its proclitics (و ف ب ل ك ال)."""
    return frozenset(strip_proclitics(word))


@dataclass(frozen=True)
class TitleLexicon:
    """The English words of titles: event kinds, short actor names, topics (``brief/data/titles_en.yaml``);
    `word_index` maps each topic word (a phrase's first word) to the topics and phrases it opens."""

    kinds: Mapping[str, tuple[tuple[str, ...], str]]
    actor_names: Mapping[str, str]
    skip_actors: frozenset[str]
    ambiguous_places: frozenset[str]
    the_places: frozenset[str]
    topics: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    conflict_topics: frozenset[str] = frozenset()
    word_index: Mapping[str, tuple[tuple[int, tuple[str, ...]], ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_data(cls, path: str | None = None) -> TitleLexicon:
        """The shipped lexicon, or a user's file at `path`."""
        return _from_data(path)

    @classmethod
    def from_dict(cls, data: dict, *, path: str = "titles_en.yaml") -> TitleLexicon:
        """Validate and build a lexicon from the data file's content."""
        from rasid.errors import LexiconError

        kinds = {}
        for name, item in (data.get("event_kinds") or {}).items():
            titles = item.get("titles") if isinstance(item, dict) else None
            if not titles or item.get("sides", "by") not in ("by", "between") or _PLACEHOLDER_RE.search(titles[-1]):
                raise LexiconError(path, None, f"event kind {name!r}: needs titles (the last without {{a}} or {{b}})"
                                               " and sides (by or between)")
            bad = {f for t in titles for f in _PLACEHOLDER_RE.findall(t)} - {"a", "b"}
            if bad:
                raise LexiconError(path, None, f"event kind {name!r}: unknown placeholders {sorted(bad)}")
            kinds[str(name)] = (tuple(str(t) for t in titles), str(item.get("sides", "by")))
        topics = []
        for i, item in enumerate(data.get("topics") or [], 1):
            if not item.get("en") or not item.get("words"):
                raise LexiconError(path, None, f"topic {i}: needs en and words")
            # a word is kept without its article, so that it matches with and without one
            phrases = list(dict.fromkeys(tuple(_bare(x) for x in match_key(str(w)).split())
                                         for w in item["words"] if match_key(str(w))))
            # "المعرض" says nothing "معرض" does not: a word read without its proclitics matches both
            phrases = [p for p in phrases if not any(
                q != p and len(q) == len(p) and all(a in _readings(b) for a, b in zip(q, p, strict=True))
                for q in phrases)]
            topics.append((str(item["en"]), tuple(phrases)))
        index: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for t, (_en, phrases) in enumerate(topics):
            for p in phrases:
                index.setdefault(p[0], []).append((t, p))
        return cls(kinds, {str(k): str(v) for k, v in (data.get("actor_names") or {}).items()},
                   frozenset(str(x) for x in data.get("skip_actors") or []),
                   frozenset(_stem(match_key(str(x))) for x in data.get("ambiguous_places") or []),
                   frozenset(str(x) for x in data.get("the_places") or []), tuple(topics),
                   frozenset(str(t["en"]) for t in data.get("topics") or [] if t.get("conflict")),
                   {w: tuple(sorted(v, key=lambda x: -len(x[1]))) for w, v in index.items()})  # longest first

    def topic(self, weighted_texts: Sequence[tuple[str, int]]) -> str | None:
        """The topic whose words the texts use most (each text with its weight), if one stands out.

        A word of the lexicon matches a word of the text read with or without its proclitics
        ("للمستشفيات" matches "المستشفيات" and "مستشفيات"); a topic needs two different words of its
        list (a phrase of two words counts as two), so one ambiguous word (رحلات "journeys" is no
        flight) does not make it.

        Example:
            >>> TitleLexicon.from_data().topic([("الهلال يتعاقد مع مدرب روماني", 3),
            ...                                 ("أعلن النادي التعاقد مع المدرب لقيادة الفريق في الموسم", 1)])
            'football'
        """
        hits: dict[int, Counter[tuple[str, ...]]] = {}
        for text, weight in weighted_texts:
            readings = [_readings(w) for w in match_key(text).split()]
            for i, here in enumerate(readings):
                found: dict[int, tuple[str, ...]] = {}
                for r in here:
                    for topic, phrase in self.word_index.get(r, ()):
                        if topic in found or i + len(phrase) > len(readings):
                            continue
                        if all(phrase[k] in readings[i + k] for k in range(1, len(phrase))):
                            found[topic] = phrase
                for topic, phrase in found.items():
                    hits.setdefault(topic, Counter())[phrase] += weight
        scores = sorted(((sum(min(n, MAX_HITS_PER_WORD * TITLE_WEIGHT) for n in c.values()), self.topics[t][0])
                         for t, c in hits.items() if sum(len(p) for p in c) >= MIN_TOPIC_WORDS), reverse=True)
        if not scores:
            return None
        best, en = scores[0]
        runner = scores[1][0] if len(scores) > 1 else 0
        if best < MIN_TOPIC_SCORE or best < TOPIC_MARGIN * runner:
            return None
        return en

@cache
def _from_data(path: str | None) -> TitleLexicon:
    from rasid.resources import load_yaml

    return TitleLexicon.from_dict(load_yaml(path or "brief/data/titles_en.yaml"), path=str(path or "titles_en.yaml"))


@cache
def _actor_dictionary():
    from rasid.entities import ActorDictionary

    return ActorDictionary.from_data()


def short_name(name_en: str | None) -> str:
    """An English actor or place name as a title shows it: no "(2012-)" periods, nothing after " / ", no
    transliteration marks.

    Example:
        >>> short_name("Al Nusra Front / Jabhat Fateh al Sham"), short_name("Government of Yemen (2012-)")
        ('Al Nusra Front', 'Government of Yemen')
        >>> short_name("Ḩamāh")
        'Hamah'
    """
    if not name_en or _ARABIC_RE.search(name_en):
        return ""
    name = _PERIOD_RE.sub("", name_en.split(" / ")[0])
    # transliteration marks off (Ḩamāh -> Hamah): a title is read, not looked up
    name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", " ".join(name.split()))


def _actor_label(actor_id: str | None, lex: TitleLexicon, fallback: str | None = None) -> str:
    """The short English name of an actor or side id."""
    if not actor_id or actor_id in lex.skip_actors:
        return ""
    if actor_id in lex.actor_names:
        return lex.actor_names[actor_id]
    if fallback is None:
        known = _actor_dictionary().get(actor_id)
        fallback = known.name_en if known else None
    return short_name(fallback) or ("" if _ARABIC_RE.search(actor_id) else actor_id.replace("-", " "))


def _when(d: str) -> str:
    x = date.fromisoformat(d[:10])
    return f"{x.day} {x.strftime('%B %Y')}"


def span_of_dates(dates: Sequence[str]) -> str:
    """"6 June 2020", "6–10 June 2020" or "30 June 2020 – 2 July 2020"; "" without dates."""
    dates = [d for d in dates if d]
    if not dates:
        return ""
    lo, hi = min(dates), max(dates)
    if lo[:10] == hi[:10]:
        return _when(lo)
    a, b = date.fromisoformat(lo[:10]), date.fromisoformat(hi[:10])
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b.strftime('%B %Y')}"
    return f"{_when(lo)} – {_when(hi)}"


def _and(names: Sequence[str]) -> str:
    return " and ".join(n for n in names if n)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# -- what the story holds ---------------------------------------------------------------------------


def _member_lines(story: Mapping, docs: Mapping[str, Document]) -> dict[str, list[int]]:
    """The kept lines of the story's reports by document, in order (copies of another document left
    out unless the story holds nothing else)."""
    out: dict[str, list[int]] = {}
    copies: dict[str, list[int]] = {}
    for m in story.get("members") or []:
        doc = docs.get(m["doc_id"])
        if doc is None:
            continue
        lines = [ln.n for ln in doc.lines if ln.status == LineStatus.KEPT and ln.segment == m["segment"]
                 and ln.role != "caption"]
        (copies if doc.duplicate_of else out).setdefault(doc.doc_id, []).extend(lines)
    return out or copies


def _event_title(clusters, lex: TitleLexicon) -> tuple[str, list[str]]:
    """The phrase of the story's main kind of events with its sides, and the places of those events.

    The main kind is that of the event most sources report (ties: the kind with most reports); its
    sub-event type names it when it makes two thirds of the kind's reports.
    """
    from rasid.compare.compare import representative

    reps = [representative(c) for c in clusters]
    weight = [len({e["doc_id"] for e in c}) for c in clusters]
    by_type: Counter[str] = Counter()
    for r, w in zip(reps, weight, strict=True):
        by_type[r["event_type"]] += w
    top = min(range(len(reps)), key=lambda i: (-weight[i], -by_type[reps[i]["event_type"]], reps[i]["event_type"],
                                               reps[i]["event_id"]))
    etype = reps[top]["event_type"]
    mine = [i for i, r in enumerate(reps) if r["event_type"] == etype]
    sub = reps[top].get("sub_event_type") or ""
    n_sub = sum(weight[i] for i in mine if (reps[i].get("sub_event_type") or "") == sub)
    if sub in lex.kinds and 3 * n_sub >= 2 * sum(weight[i] for i in mine):
        mine = [i for i in mine if (reps[i].get("sub_event_type") or "") == sub]
        use = sub
    else:
        use = etype
    templates, mode = lex.kinds.get(use, ((use,), "by"))
    doers: Counter[str] = Counter()
    targets: Counter[str] = Counter()
    places: Counter[str] = Counter()
    for i in mine:
        for role, counter in (("actor1", doers), ("actor2", targets)):
            label = _event_actor(reps[i].get(role) or {}, lex)
            if label:
                counter[label] += weight[i]
        place = short_name((reps[i].get("location") or {}).get("name_en"))
        surface = ((reps[i].get("spans") or {}).get("location") or {}).get("text") or ""
        if place and _stem(match_key(surface)) not in lex.ambiguous_places:
            places[place] += weight[i]
    if mode == "between":
        both = doers + targets
        a, b = ([*sorted(both, key=lambda n: (-both[n], n)), "", ""])[:2]
    else:
        a = min(doers, key=lambda n: (-doers[n], n)) if doers else ""
        others = {n: c for n, c in targets.items() if n != a}
        b = min(others, key=lambda n: (-others[n], n)) if others else ""
    have = {"a": a, "b": b}
    phrase = next(t for t in templates if all(have.get(f) for f in _PLACEHOLDER_RE.findall(t)))
    return phrase.format(**have), sorted(places, key=lambda p: (-places[p], p))[:2]


def _strong(clusters) -> bool:
    """Whether some coded event of the story is told by several reports or coded with confidence."""
    return any(len({e["doc_id"] for e in c}) >= STRONG_EVENT_REPORTS
               or max((e.get("confidence") or 0) for e in c) >= STRONG_EVENT_CONFIDENCE for c in clusters)


def _event_actor(actor: Mapping, lex: TitleLexicon) -> str:
    """An event's actor by its own short name when the data file gives one ("Saudi forces", "the Popular
    Resistance"), else by its side's, else by its dictionary name."""
    if not actor:
        return ""
    if actor.get("id") in lex.actor_names or actor.get("id") in lex.skip_actors:
        return _actor_label(actor["id"], lex)
    if actor.get("side"):
        label = _actor_label(actor["side"], lex)
        if label or actor["side"] in lex.skip_actors:
            return label
    return _actor_label(actor.get("id"), lex, actor.get("label_en"))


def _mentioned(mentions: Mapping[str, Sequence[dict]], lines: Mapping[str, list[int]], lex: TitleLexicon):
    """Count the places the story's reports mention (a report's first line counts twice; a gazetteer
    match the tagger did not take for a name, such as كبارا "elders" read as Bara, only for a place the
    tagger found too) and the actors their leads mention (the first lines, where a report says who),
    with the reports naming each."""
    places: Counter[str] = Counter()
    unconfirmed: Counter[str] = Counter()
    spelled: dict[tuple[str, str | None], str] = {}
    place_info: dict[str, tuple[str | None, str | None]] = {}
    actors: Counter[str] = Counter()
    actor_reports: dict[str, set[str]] = {}
    for doc_id, doc_lines in lines.items():
        keep, leads = set(doc_lines), set(doc_lines[:LEAD_LINES])
        lead = doc_lines[0] if doc_lines else None
        for m in mentions.get(doc_id) or ():
            if m.get("line") not in keep:
                continue
            weight = 2 if m.get("line") == lead else 1
            if m.get("type") in ("LOC", "GPE", "place"):
                name = short_name(m.get("name_en"))
                if not name or _stem(match_key(m.get("text") or "")) in lex.ambiguous_places:
                    continue
                # one place under two gazetteer entries (الرياض: "Riyadh" and "Ar Riyāḑ") is counted once,
                # under the English name the story uses first
                name = spelled.setdefault((m.get("name") or name, m.get("country")), name)
                if m.get("how") == "gazetteer":  # a gazetteer match the tagger did not see as a name
                    unconfirmed[name] += weight
                    continue
                places[name] += weight
                place_info.setdefault(name, (m.get("place_kind"), m.get("country")))
            elif (m.get("type") in ("ORG", "PERS") and m.get("id") and m.get("actor_type") != "civilians"
                  and m.get("line") in leads):
                label = _actor_label(m["id"], lex, m.get("name_en"))
                if label:
                    actors[label] += weight
                    actor_reports.setdefault(label, set()).add(doc_id)
    for name, n in unconfirmed.items():  # counted only for places the tagger also found in the story
        if name in places:
            places[name] += n
    return places, place_info, actors, actor_reports


def _top(counter: Counter, *, minimum: float) -> list[str]:
    ranked = sorted(counter, key=lambda n: (-counter[n], n))
    if not ranked or counter[ranked[0]] < minimum:
        return []
    out = [ranked[0]]
    for n in ranked[1:2]:
        if counter[n] >= max(minimum, SECOND_SHARE * counter[ranked[0]]):
            out.append(n)
    return out


def _place_phrase(places: Counter, info: Mapping[str, tuple], lex: TitleLexicon, *, minimum: float) -> str:
    """"Riyadh, Saudi Arabia", "Sirte and Misrata" or "Yemen": the places a story mentions most. A city
    is followed by its country only when the story names that country too."""
    top = _top(places, minimum=minimum)
    if not top:
        return ""
    first = top[0]
    kind, code = info.get(first, (None, None))
    country_named = {info[n][1]: n for n in places if info[n][0] == "country" and info[n][1]}
    if kind == "country":  # a country, and the city of it the story mentions nearly as much
        cities = [n for n in places if n != first and info[n][1] == code and info[n][0] != "country"
                  and places[n] >= SECOND_SHARE * places[first]]
        if cities:
            return f"{max(cities, key=lambda n: (places[n], n))}, {_the(first, lex, alone=False)}"
    elif code and country_named.get(code, first) != first:
        return f"{first}, {_the(country_named[code], lex, alone=False)}"
    return _and([_the(p, lex) for p in top])


def _the(place: str, lex: TitleLexicon, *, alone: bool = True) -> str:
    """A place name as said inside a sentence: "the Netherlands", "the United States" (alone)."""
    if place.startswith("The "):
        return "the " + place[4:]
    return f"the {place}" if alone and place in lex.the_places else place


# -- the title ---------------------------------------------------------------------------------------


def story_title_en(clusters: Sequence[Sequence[dict]], story: Mapping, *,
                   docs: Mapping[str, Document] | None = None, mentions: Mapping[str, Sequence[dict]] | None = None,
                   comparison: Mapping | None = None, lexicon: TitleLexicon | None = None) -> str:
    """The English title of a story: kind (events or topic), actors, places, dates. Never empty."""
    lex = lexicon or TitleLexicon.from_data()
    docs = docs or {}
    when = span_of_dates([d for d in (story.get("start_date"), story.get("end_date")) if d])
    lines = _member_lines(story, docs)
    places, place_info, actors, actor_reports = _mentioned(mentions or {}, lines, lex)
    if not actors and comparison:  # no mentions given: the comparison's actor labels hold the same counts
        for row in comparison.get("labels") or []:
            label = _actor_label(row.get("id"), lex, row.get("label_en"))
            if label and row.get("id") != "Civilians":
                actors[label] += row.get("mentions") or 0
                actor_reports[label] = set(row.get("by_source") or ()) or set(lines)
    n_reports = len(story.get("members") or [])
    min_mentions = 1 if n_reports <= 1 else 2
    topic = None
    if clusters:
        # events lead, unless the words name another topic and the events are weak (one report, a low
        # confidence) or told by few of the story's reports (a festival story with one "withdrawal")
        topic = lex.topic(_topic_texts(story, docs, lines))
        told = {e["doc_id"] for c in clusters for e in c} & set(lines)
        if topic and topic not in lex.conflict_topics and (
                not _strong(clusters) or len(told) < EVENT_SHARE * max(1, len(lines))):
            clusters = []
    if clusters:
        head, event_places = _event_title(clusters, lex)
        where = (_and([_the(p, lex) for p in event_places])
                 or _place_phrase(places, place_info, lex, minimum=min_mentions))
        title = head + (f" in {where}" if where else "")
    else:
        topic = topic or lex.topic(_topic_texts(story, docs, lines))
        # actors named by a good share of the reports' leads: King Salman named in passing by 5 of 39
        # reports of a hospital story is not what the story is about
        named = [a for a in _top(actors, minimum=min_mentions)
                 if len(actor_reports.get(a, ())) >= ACTOR_SHARE * len(lines)]
        where = _place_phrase(places, place_info, lex, minimum=min_mentions)
        if topic or named:
            title = _cap(topic or "news")
            title += f": {_and(named)}" if named else ""
            title += f" in {where}" if where else ""
        else:
            outlets = sorted({d.outlet for d in (docs.get(m["doc_id"]) for m in story.get("members") or [])
                              if d is not None and d.outlet and not _ARABIC_RE.search(d.outlet)})
            count = f"{n_reports} report{'s' if n_reports != 1 else ''}"
            tail = f" ({', '.join(outlets[:3])}{', …' if len(outlets) > 3 else ''})" if outlets else ""
            lead = ", ".join(x for x in (where, when) if x)
            return f"{_cap(lead)}: {count}{tail}" if lead else f"A story of {count}{tail}"
    return f"{_cap(title)}, {when}" if when else _cap(title)


def _topic_texts(story: Mapping, docs: Mapping[str, Document], lines: Mapping[str, list[int]]) -> list[tuple[str, int]]:
    """The texts a story's topic is read from: its titles (weighted) and its reports' first lines."""
    texts = [(story.get("title_ar") or "", TITLE_WEIGHT)]
    for doc_id in list(lines)[:MAX_MEMBERS_READ]:
        doc = docs[doc_id]
        if doc.title and len(doc.segments) <= 1 and doc.title != story.get("title_ar"):
            texts.append((doc.title, TITLE_WEIGHT))
        by_n = {ln.n: ln for ln in doc.lines}
        texts.extend((doc.text[by_n[n].start:by_n[n].end], 1) for n in lines[doc_id][:LEAD_LINES] if n in by_n)
    return texts

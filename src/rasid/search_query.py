"""What a full-text search query means: its terms, operators and English names, as an FTS5 expression
over the search keys of :func:`rasid.views.search_key`, and where its words are in an original text.

The syntax a reader types (anything else is text; no input is a syntax error):

* words: all must be in the document (``سرت الجفرة``), with Arabic normalisation and attached
  proclitics (``بالجفرة`` finds ``الجفرة``);
* ``OR`` (or ``أو``, see ``search_words.yaml``) between two terms: either (``سرت OR الجفرة``);
* a trailing ``*``: any word that starts so (``تفجير*`` finds ``التفجيرات``); at least
  :data:`MIN_PREFIX` letters, else the star is ignored;
* ``"quoted words"``: the words in that order;
* ``-word`` or ``-"quoted words"``: documents without it;
* an English name of a place, a country or an actor of the shipped data ("Sirte", "Islamic State",
  "Haftar", "Libya"): any of its Arabic names, or the English words themselves (an English article);
* a query of more than :data:`LONG_QUERY_WORDS` words (a pasted article) is a "find similar": the
  store keeps its :data:`SIMILAR_TERMS` rarest words and ranks documents by them; operators are
  then read as text.

Example:
    >>> q = parse_query('Sirte OR "قاعدة الجفرة" تفجير* -طرابلس')
    >>> q.match()
    '("sirte" OR "سرت" OR "قاعده جفره") AND "تفجير"* NOT ("طرابلس")'
    >>> [(typed, names) for typed, names in q.expansions]
    [('Sirte', ['سرت'])]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from html import escape

from markupsafe import Markup

from rasid.resources import load_yaml
from rasid.text import letters as L
from rasid.text.normalize import match_key, match_words
from rasid.views import search_key, word_search_key

__all__ = ["Term", "Clause", "SearchQuery", "parse_query", "english_names", "marked_passage", "mark_text",
           "find_marks", "written_forms",
           "LONG_QUERY_WORDS", "SIMILAR_TERMS", "MIN_PREFIX"]

LONG_QUERY_WORDS = 40  # more words than this: a pasted text, searched as "find similar"
SIMILAR_TERMS = 24  # the rarest words of a pasted text that are searched
MIN_PREFIX = 2  # letters before a prefix star (a shorter prefix matches most of the vocabulary)
MAX_TERMS = 64  # terms of a short query past this are dropped (each is one more index scan)
MAX_ENGLISH_WORDS = 8  # longest English name looked up

_QUERY_RE = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"(?P<pstar>\**)|(?P<word>[^\s"]+)|"')
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff'’.\-]*[A-Za-z\u00c0-\u024f\u1e00-\u1eff][A-Za-z\u00c0-\u024f\u1e00-\u1eff'’.\-]*")
# a word of an original text as search_key sees one: letters, digits and what match_key deletes inside
_WORD_RE = re.compile(r"[\w" + re.escape(L.DIACRITICS + L.TATWEEL + L.FORMAT_CHARS) + r"]+")


@cache
def _or_words() -> frozenset[str]:
    return frozenset(load_yaml("search_words.yaml")["or"])


@dataclass(frozen=True)
class Term:
    """One searched thing: a word or phrase of search keys; with `prefix`, its last word is a prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        return '"' + " ".join(w.replace('"', "") for w in self.words) + '"' + ("*" if self.prefix else "")

    def within(self, other: Term) -> bool:
        """Whether every text holding `other` holds this term too (its words run inside other's)."""
        n, m = len(self.words), len(other.words)
        if self.prefix or other.prefix or n > m:
            return False
        return any(other.words[i:i + n] == self.words for i in range(m - n + 1))


@dataclass
class Clause:
    """Terms of which a document must hold one (an OR group, or a single term); `typed` is what the
    reader wrote, `names` the Arabic names an English name stood for."""

    terms: list[Term]
    typed: str
    names: list[str] = field(default_factory=list)

    def fts(self) -> str:
        inner = " OR ".join(t.fts() for t in self.terms)
        return f"({inner})" if len(self.terms) > 1 else inner


@dataclass
class SearchQuery:
    """A parsed query (see the module's docstring for the syntax)."""

    text: str
    clauses: list[Clause] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    similar: list[str] = field(default_factory=list)  # the key words of a pasted text (find-similar mode)
    expansions: list[tuple[str, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was read other than typed (English, for the page)

    @property
    def empty(self) -> bool:
        return not self.clauses and not self.similar

    def match(self) -> str | None:
        """The FTS5 expression (None when nothing positive is searched: no query, or exclusions only)."""
        if not self.clauses:
            return None
        out = " AND ".join(c.fts() for c in self.clauses)
        if self.excluded:
            out += " NOT (" + " OR ".join(t.fts() for c in self.excluded for t in c.terms) + ")"
        return out

    def marked_terms(self) -> list[Term]:
        """The terms whose words a snippet marks (not the excluded ones)."""
        return [t for c in self.clauses for t in c.terms]


def parse_query(text: str) -> SearchQuery:
    """Read a query as typed (see the module's docstring); never fails."""
    query = SearchQuery(text)
    items = _items(text)
    n_words = sum(len(i["words"]) for i in items if i["kind"] == "term")
    if n_words > LONG_QUERY_WORDS:
        seen: dict[str, None] = {}
        for w in search_key(text).split():
            seen.setdefault(w)
        query.similar = list(seen)
        query.notes.append(f"a long query ({n_words} words): documents sharing its {SIMILAR_TERMS} rarest words, "
                           "best first; operators are read as words")
        return query
    units = _expand_english(items, query)
    # OR binds the terms on either side of it into one clause
    groups: list[list[dict]] = []
    joined = False
    for u in units:
        if u["kind"] == "or":
            joined = bool(groups) and not groups[-1][-1]["neg"]
            continue
        if joined and not u["neg"]:
            groups[-1].append(u)
        else:
            groups.append([u])
        joined = False
    for g in groups:
        terms: list[Term] = []
        for u in g:
            for t in u["terms"]:
                if t not in terms:
                    terms.append(t)
        terms = [t for t in terms if not any(o is not t and t != o and o.within(t) for o in terms)]
        clause = Clause(terms, " OR ".join(u["typed"] for u in g), [n for u in g for n in u.get("names", [])])
        (query.excluded if g[0]["neg"] else query.clauses).append(clause)
    if len(query.clauses) > MAX_TERMS:
        query.notes.append(f"only the first {MAX_TERMS} terms are searched")
        del query.clauses[MAX_TERMS:]
    if query.excluded and not query.clauses:
        query.notes.append("only exclusions: add a word to search for")
    return query


def _items(text: str) -> list[dict]:
    """The query's terms and OR words in order: {kind, typed, words (search keys), prefix, neg, quoted}."""
    items = []
    for m in _QUERY_RE.finditer(text):
        if m.group("phrase") is not None:
            typed, body, neg, star, quoted = m.group(0), m.group("phrase"), bool(m.group("neg")), bool(m.group("pstar")), True
        elif m.group("word") is not None:
            typed = body = m.group("word")
            if body in _or_words():
                items.append({"kind": "or", "typed": typed})
                continue
            neg = body.startswith("-") and len(body) > 1
            body = body[1:] if neg else body
            star = body.endswith("*")
            body = body.rstrip("*")
            quoted = False
        else:
            continue  # a quote left open: the rest reads as words
        words = tuple(search_key(body).split())
        if not words:
            continue
        prefix = star and len(words[-1]) >= MIN_PREFIX
        items.append({"kind": "term", "typed": typed, "body": body, "words": words, "prefix": prefix, "neg": neg,
                      "quoted": quoted})
    # an OR word that does not stand between two terms is dropped; a query of OR words alone is text
    if all(it["kind"] == "or" for it in items):
        return [{"kind": "term", "typed": it["typed"], "body": it["typed"], "words": words, "prefix": False,
                 "neg": False, "quoted": False} for it in items if (words := tuple(search_key(it["typed"]).split()))]
    return [it for i, it in enumerate(items) if it["kind"] == "term" or (
        0 < i < len(items) - 1 and items[i - 1]["kind"] == items[i + 1]["kind"] == "term")]


def _expand_english(items: list[dict], query: SearchQuery) -> list[dict]:
    """Units of the query: each term (or run of English words naming one place or actor) with its
    alternatives; the OR words between them kept."""
    names = english_names()
    units: list[dict] = []
    i = 0
    while i < len(items):
        it = items[i]
        if it["kind"] == "or":
            units.append(it)
            i += 1
            continue
        found = None
        if _latin(it) and not it["prefix"]:
            if it["quoted"] or it["neg"]:
                found = (i + 1, names.get(english_key(it["body"])))
            else:  # the longest run of plain English words that is a name
                j = i
                while j < len(items) and j - i < MAX_ENGLISH_WORDS and _latin(items[j]) and not (
                        items[j]["quoted"] or items[j]["neg"] or items[j]["prefix"]):
                    j += 1
                for end in range(j, i, -1):
                    hit = names.get(english_key(" ".join(x["body"] for x in items[i:end])))
                    if hit:
                        found = (end, hit)
                        break
        if found and found[1]:
            end, arabic = found
            typed = " ".join(x["typed"] for x in items[i:end])
            english = Term(tuple(w for x in items[i:end] for w in x["words"]))
            terms = [english] + [Term(k) for k in dict.fromkeys(tuple(search_key(a).split()) for a in arabic) if k]
            units.append({"kind": "term", "typed": typed, "terms": terms, "neg": it["neg"], "names": arabic})
            query.expansions.append((typed.lstrip("-").strip('"'), arabic))
            i = end
        else:
            units.append({"kind": "term", "typed": it["typed"], "terms": [Term(it["words"], it["prefix"])],
                          "neg": it["neg"]})
            i += 1
    return units


def _latin(item: dict) -> bool:
    return item["kind"] == "term" and all(_LATIN_RE.fullmatch(w) for w in item["body"].split())


def english_key(text: str) -> tuple[str, ...]:
    """How an English name is looked up: accents, case and punctuation dropped.

    Example:
        >>> english_key("Al-Ḩusaynīyah"), english_key("ISLAMIC  state")
        (('al', 'husayniyah'), ('islamic', 'state'))
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return tuple(re.sub(r"[^a-z0-9]+", " ", plain.casefold()).split())


@cache
def english_names() -> dict[tuple[str, ...], list[str]]:
    """The Arabic names of every English name of the gazetteer's places and countries and the actor
    dictionary's actors (by :func:`english_key`): a curated place's every name, another place's main
    name (its table's other names are less sure), an actor's name and aliases; a person's English
    surname gives their Arabic surname ("Haftar": "حفتر"); an actor's English id its names too ("LNA")."""
    from rasid.entities import ActorDictionary
    from rasid.geo import PlaceGazetteer
    from rasid.resources import load_places

    out: dict[tuple[str, ...], dict[str, None]] = {}

    def add(english: str, arabic) -> None:
        key = english_key(english)
        if key and len("".join(key)) >= 3:
            bucket = out.setdefault(key, {})
            for a in arabic:
                if a and a.strip() and search_key(a) not in {search_key(b) for b in bucket}:
                    bucket.setdefault(a.strip())

    gazetteer = PlaceGazetteer.from_data()
    curated = {e["id"]: list(e["ar"]) for e in load_places("geo/data/aliases.yaml")["places"]}
    by_name: dict[tuple[str, ...], list] = {}
    for p in gazetteer.places:
        by_name.setdefault(english_key(p.name_en), []).append(p)
    folded: dict[str, list[str]] = {}
    for key, bucket in gazetteer.names.items():
        for p in bucket:
            folded.setdefault(p.id, []).append(" ".join(key))
    def own(name: str, place) -> bool:  # not another place's name ("الرياض" stands for Saudi Arabia too)
        return all(q.id == place.id for q in gazetteer.names.get(match_words(name), []))

    for places in by_name.values():
        chosen = [p for p in places if p.curated] or places
        for p in chosen:
            names = [p.name_ar] + curated.get(p.id, []) if p.curated else [p.name_ar]
            if p.kind == "country":
                names += folded.get(p.id, [])
                names = [n for n in names if n == p.name_ar or own(n, p)]
            add(p.name_en, names)
    for a in ActorDictionary.from_data().actors.values():
        arabic = [a.name_ar, *a.aliases]
        add(re.sub(r"\([^)]*\)", " ", a.name_en), arabic)
        for inside in re.findall(r"\(([^)]*)\)", a.name_en):  # "(Haftar forces)", not "(Libya)"
            if len(re.findall(r"[A-Za-z]{2,}", inside)) > 1:
                add(inside, arabic)
        if a.id != a.name_en and re.fullmatch(r"[A-Za-z][A-Za-z0-9 .-]+", a.id):
            add(a.id, arabic)
        en, ar = english_key(a.name_en), a.name_ar.split()
        if a.is_person and len(en) > 1 and len(ar) > 1:
            add(en[-1], [ar[-1]])
    return {k: list(v) for k, v in out.items() if v}


# -- where the words are in an original text --------------------------------------------------------

@lru_cache(maxsize=262_144)
def _word_keys(word: str) -> tuple[str, ...]:
    """The search keys of one word of an original text (cached: news repeats its words)."""
    return tuple(word_search_key(w) for w in match_key(word).split())


def written_forms(text: str, keys: list[str]) -> dict[str, str]:
    """The first word of `text` written for each search key of `keys` (a key itself if none is).

    Example:
        >>> written_forms("وصلت القوات إلى بالجفرة", ["جفره", "قوات"])
        {'جفره': 'بالجفرة', 'قوات': 'القوات'}
    """
    wanted, out = set(keys), {}
    for m in _WORD_RE.finditer(text):
        for k in _word_keys(m.group()):
            if k in wanted and k not in out:
                out[k] = m.group()
        if len(out) == len(wanted):
            break
    return {k: out.get(k, k) for k in keys}


def find_marks(text: str, terms: list[Term], start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    """Spans of `text[start:end]` that match a term: ``(start, end, term index)`` in text order."""
    keys: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _WORD_RE.finditer(text, start, len(text) if end is None else end):
        for k in _word_keys(m.group()):
            keys.append(k)
            spans.append(m.span())
    single = {t.words[0]: n for n, t in enumerate(terms) if len(t.words) == 1 and not t.prefix}
    prefixes = [(t.words[0], n) for n, t in enumerate(terms) if len(t.words) == 1 and t.prefix]
    phrases = [(t, n) for n, t in enumerate(terms) if len(t.words) > 1]
    out = []
    for i, k in enumerate(keys):
        n = single.get(k)
        if n is None:
            n = next((n for p, n in prefixes if k.startswith(p)), None)
        if n is not None:
            out.append((spans[i][0], spans[i][1], n))
            continue
        for t, n in phrases:
            w = t.words
            if k == w[0] and i + len(w) <= len(keys) and all(
                    keys[i + j] == w[j] or (t.prefix and j == len(w) - 1 and keys[i + j].startswith(w[j]))
                    for j in range(1, len(w))):
                out.append((spans[i][0], spans[i + len(w) - 1][1], n))
                break
    out.sort()
    merged: list[tuple[int, int, int]] = []
    for a, b, n in out:  # a word inside a matched phrase is marked once, with the phrase
        if merged and a < merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b, merged[-1][2])
            continue
        merged.append((a, b, n))
    return merged


def mark_text(text: str, marks: list[tuple[int, int, int]], start: int = 0, end: int | None = None) -> Markup:
    """`text[start:end]` escaped, with the marked spans in ``<mark>``."""
    end = len(text) if end is None else end
    parts, pos = [], start
    for a, b, _ in marks:
        if a < start or b > end:
            continue
        parts.append(escape(text[pos:a]) + "<mark>" + escape(text[a:b]) + "</mark>")
        pos = b
    parts.append(escape(text[pos:end]))
    return Markup("".join(parts).replace("\n", " "))


def marked_passage(text: str, terms: list[Term], *, ranges: list[tuple[int, int]] | None = None,
                   width: int = 240) -> tuple[Markup, str, int | None, set[int]]:
    """The passage of `text` (within `ranges`, e.g. its kept lines; all of it by default) of about
    `width` characters that holds the most distinct matched terms, then the most matches.

    Returns the passage as HTML with the matches marked, as plain text, the offset of its first
    match (None if nothing matched: then the passage is the text's start) and the indexes of the
    terms found anywhere in the searched ranges.
    """
    ranges = ranges or [(0, len(text))]
    marks = [m for a, b in ranges for m in find_marks(text, terms, a, b)]
    found = {n for *_, n in marks}
    if not marks:
        a = ranges[0][0]
        b = _cut(text, min(len(text), a + width), forward=True)
        return _ends(text, a, b, mark_text(text, [], a, b)), _ends_plain(text, a, b), None, found
    best, best_score, j = 0, (-1, -1), 0
    counts: dict[int, int] = {}
    for i in range(len(marks)):  # two pointers: marks[i..j) lie within `width` of marks[i]'s start
        while j < len(marks) and marks[j][1] - marks[i][0] <= width:
            counts[marks[j][2]] = counts.get(marks[j][2], 0) + 1
            j += 1
        score = (len(counts), j - i)
        if score > best_score:
            best, best_score = i, score
        n = marks[i][2]
        counts[n] -= 1
        if not counts[n]:
            del counts[n]
    first = marks[best]
    inside = [m for m in marks[best:best + best_score[1]]]
    span = inside[-1][1] - first[0]
    lead = max(0, (width - span) // 3)
    a = _cut(text, max(0, first[0] - lead), forward=False)
    b = _cut(text, min(len(text), max(inside[-1][1], a + width)), forward=True)
    return _ends(text, a, b, mark_text(text, inside, a, b)), _ends_plain(text, a, b), first[0], found


def _cut(text: str, pos: int, *, forward: bool) -> int:
    """`pos` moved to the nearest space (within 20 characters) so no word is cut in two."""
    for d in range(20):
        p = pos + d if forward else pos - d
        if p <= 0 or p >= len(text):
            return max(0, min(len(text), p))
        if text[p].isspace():
            return p
    return pos


def _ends(text: str, a: int, b: int, body: Markup) -> Markup:
    return Markup(("… " if a > 0 else "") + body.strip() + (" …" if b < len(text) else ""))


def _ends_plain(text: str, a: int, b: int) -> str:
    return ("… " if a > 0 else "") + text[a:b].replace("\n", " ").strip() + (" …" if b < len(text) else "")

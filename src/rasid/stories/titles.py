"""The Arabic title of a report, and so of its story: a real headline, never a byline, a photo
caption, a date or page chrome.

A report's title is, in order of preference:

1. the document's own title (the ``title`` field of the input, or of the page) when the document
   holds one article and the title is not itself a byline, caption or chrome;
2. the first line of the segment that reads as a headline (short, unpunctuated, followed by
   longer body text), passing over the lines the cleaner marked as captions and the bylines,
   captions, dates and chrome that ``stories/data/titles.yaml`` describes;
3. else the first sentence of the first body line, with a leading dateline ("الرياض - واس:") cut
   off: a sentence that is not a headline (the report's ``headline`` flag says which).

Example:
    >>> from rasid.document import Document, Segment, split_lines
    >>> text = "محمود وهبي ـ جدة\\nالهلال يتعاقد مع مدرب روماني\\n" + "أعلن نادي الهلال التعاقد مع المدرب " * 3
    >>> doc = Document("d", text, "s", "h", lines=split_lines(text))
    >>> for ln in doc.lines:
    ...     ln.segment = 0
    >>> doc.segments = [Segment(0, 1, 3, 0, len(text), title="محمود وهبي ـ جدة")]
    >>> TitleRules.from_data().segment_title(doc, 0)
    ('الهلال يتعاقد مع مدرب روماني', True)
    >>> TitleRules.from_data().junk("جانب من التدريبات")
    'caption'
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from functools import cache

from rasid.document import Document, LineStatus
from rasid.errors import LexiconError
from rasid.text import letters as L
from rasid.text.normalize import fold

__all__ = ["TitleRule", "TitleRules", "TITLE_MAX_CHARS"]

HEADLINE_MAX_WORDS = 25  # as the cleaner's headline finder (rasid.clean.segments)
HEADLINE_MAX_CHARS = 200
HEADLINE_MIN_WORDS = 2  # a single word on a line is a tag or a section more often than a headline
SCAN_LINES = 5  # a headline comes among the first kept lines of its article
TITLE_MAX_CHARS = 200  # a first sentence standing in for a headline is cut at a word near this length
BARE_NAME_MAX_WORDS = 5
DATE_MAX_WORDS = 10

_INVISIBLE_RE = re.compile("[" + re.escape(L.FORMAT_CHARS) + "]")
_LONE_TATWEEL_RE = re.compile(rf"(?:(?<=\s)|^){L.TATWEEL}+(?=\s)")
_BULLETS_RE = re.compile(r"^[\s*•·▪►◄■□●○\-–—]+")
_SPACES_RE = re.compile(r"\s+")
_NUMBER_RE = re.compile(r"^[\d/.\-:،,]+(م|ه)?$")
_WORD_RE = re.compile(r"[^\W_]+|\d+")
_VERB_LIKE_RE = re.compile(r"^(و|ف)?[يت][^\W\d_]{2,}$")
# a word-final letter (ة ى) followed by more letters: two words glued together (a caption and the body)
_GLUED_RE = re.compile(r"[\u0629\u0649](?=[\u0621-\u064a])")
GLUED_CAPTION_CHARS = 80
_SITE_SUFFIX_RE = re.compile(r"\s+[|｜]\s+[^|｜]{1,40}$")


def _fold_pattern(pattern: str) -> str:
    """Fold a pattern's letters like the text it matches, keeping escaped characters (\\W, \\S) as written."""
    folded = list(fold(pattern))  # length-preserving, so positions line up
    for i in range(1, len(pattern)):
        if pattern[i - 1] == "\\":
            folded[i] = pattern[i]
    return "".join(folded)


def normalise_line(text: str) -> str:
    """The form rules are matched against: folded, invisible marks dropped, a lone tatweel read as a
    dash, leading bullets removed, spaces collapsed.

    Example:
        >>> normalise_line("  * محمود وهبي ـ جدة")
        'محمود وهبي - جده'
    """
    text = _INVISIBLE_RE.sub("", text)
    text = _LONE_TATWEEL_RE.sub("-", text).replace(L.TATWEEL, "")
    text = _BULLETS_RE.sub("", text)
    return _SPACES_RE.sub(" ", fold(text)).strip()


def tidy_title(text: str) -> str:
    """A title as shown: HTML entities decoded, invisible marks and leading bullets dropped, spaces
    collapsed, a trailing " | site name" cut.

    Example:
        >>> tidy_title("&quot;داعش ليبيا&quot; يخطف 3 مسيحيين | سبق")
        '"داعش ليبيا" يخطف 3 مسيحيين'
    """
    text = html.unescape(html.unescape(text)) if "&" in text else text
    text = _INVISIBLE_RE.sub("", text)
    text = _BULLETS_RE.sub("", text)
    text = _SPACES_RE.sub(" ", text).strip()
    return _SITE_SUFFIX_RE.sub("", text).strip()


@dataclass(frozen=True, slots=True)
class TitleRule:
    """One rule of ``stories/data/titles.yaml``: lines it matches are never a title."""

    id: str
    kind: str
    pattern: re.Pattern
    max_words: int = 12
    unless: re.Pattern | None = None
    in_sentences: bool = False

    def match(self, line: str, words: int) -> bool:
        """Tell whether this rule applies to a normalised line of `words` words."""
        if words > self.max_words or not self.pattern.search(line):
            return False
        return self.unless is None or not self.unless.search(line)


KINDS = ("byline", "caption", "date", "chrome", "fragment")
METADATA_JUNK = ("date", "chrome")  # a publisher's own title field is its headline unless it is chrome or a date


@dataclass(frozen=True)
class TitleRules:
    """The rules that tell a headline from a byline, a caption, a date or chrome.

    Args:
        rules: pattern rules, any match makes a line junk.
        date_words: the words a date line is made of (folded), besides numbers.
        honorifics: titles that open a bare name (folded).
        lead_prefixes: datelines cut off the head of a first sentence.
        version: a digest of the data, stored with the titles so that a changed list retitles.
    """

    rules: tuple[TitleRule, ...]
    date_words: frozenset[str]
    honorifics: frozenset[str]
    lead_prefixes: tuple[re.Pattern, ...]
    version: str = ""

    @classmethod
    def from_data(cls, path: str | None = None) -> TitleRules:
        """The shipped rules (``stories/data/titles.yaml``), or a user's file at `path`."""
        return _from_data(path)

    @classmethod
    def from_dict(cls, data: dict, *, path: str = "titles.yaml") -> TitleRules:
        """Validate and compile the rules of a titles data file."""
        agencies = sorted({fold(str(a)).strip() for a in data.get("agencies") or []}, key=len, reverse=True)
        agency_re = "|".join(re.escape(a) for a in agencies if a) or "(?!)"
        rules, seen = [], set()
        for i, item in enumerate(data.get("rules") or [], 1):
            rid = str(item.get("id") or f"rule-{i}")
            if rid in seen:
                raise LexiconError(path, None, f"duplicate rule id {rid!r}")
            seen.add(rid)
            kind = item.get("kind")
            if kind not in KINDS:
                raise LexiconError(path, None, f"rule {rid!r}: kind must be one of {KINDS}, got {kind!r}")
            try:
                pattern = re.compile(_fold_pattern(str(item["pattern"])).replace("{agency}", agency_re))
                unless = re.compile(_fold_pattern(str(item["unless"]))) if item.get("unless") else None
            except (KeyError, re.error) as exc:
                raise LexiconError(path, None, f"rule {rid!r}: bad or missing pattern ({exc})") from exc
            rules.append(TitleRule(rid, kind, pattern, int(item.get("max_words", 12)), unless,
                                   bool(item.get("in_sentences"))))
        try:
            prefixes = tuple(re.compile(_fold_pattern(str(p))) for p in data.get("lead_prefixes") or [])
        except re.error as exc:
            raise LexiconError(path, None, f"bad lead_prefixes pattern ({exc})") from exc
        version = hashlib.blake2b(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode(),
                                  digest_size=6).hexdigest()
        return cls(tuple(rules), frozenset(fold(str(w)) for w in data.get("date_words") or []),
                   frozenset(fold(str(w)) for w in data.get("honorifics") or []), prefixes, version)

    # -- what a line is ------------------------------------------------------------------------------

    def junk(self, text: str) -> str | None:
        """The kind of a line that is never a title (byline, caption, date, chrome, fragment), or None.

        Example:
            >>> rules = TitleRules.from_data()
            >>> [rules.junk(t) for t in ("عين اليوم – طرابلس", "(أرشيفية)", "الأمير محمد بن سلمان",
            ...                          "الثلاثاء 21 يوليو 2015م", "الهلال يتعاقد مع مدرب روماني")]
            ['byline', 'caption', 'caption', 'date', None]
        """
        line = normalise_line(text)
        if not line:
            return "chrome"
        words = len(line.split())
        for rule in self.rules:
            if rule.match(line, words):
                return rule.kind
        tokens = _WORD_RE.findall(line)
        if not tokens:
            return "chrome"
        if words <= DATE_MAX_WORDS and any(c.isdigit() for c in line) and all(
                t in self.date_words or _NUMBER_RE.match(t) for t in line.replace("/", " ").split()
                if t not in "-–—,،:|"):
            return "date"
        if self._bare_name(line, tokens):
            return "caption"
        return None

    def _bare_name(self, line: str, tokens: list[str]) -> bool:
        """A person's name alone on a line, opened by an honorific: the caption of a portrait."""
        if not 2 <= len(tokens) <= BARE_NAME_MAX_WORDS or any(c.isdigit() or c in ":：؟?!" for c in line):
            return False
        first = tokens[0][1:] if tokens[0].startswith("و") and tokens[0][1:] in self.honorifics else tokens[0]
        return first in self.honorifics and not any(_VERB_LIKE_RE.match(t) for t in tokens[1:])

    def reads_as_headline(self, text: str) -> bool:
        """Short, of a few words, not ending like a sentence, and none of the kinds that are never titles."""
        raw = normalise_line(text)
        words = len(_WORD_RE.findall(raw))
        return (HEADLINE_MIN_WORDS <= words <= HEADLINE_MAX_WORDS and len(raw) <= HEADLINE_MAX_CHARS
                and not raw.endswith(L.CLAUSE_FINAL_PUNCT) and self.junk(text) is None)

    def strip_lead(self, sentence: str) -> str:
        """A first sentence without the dateline at its head ("الرياض - واس: أعلنت ..." -> "أعلنت ...")."""
        folded = fold(sentence)
        for prefix in self.lead_prefixes:
            m = prefix.match(folded)
            if m and len(sentence[m.end():].split()) >= 4:
                return sentence[m.end():].lstrip()
        return sentence

    # -- the title of a report ----------------------------------------------------------------------------

    def segment_title(self, doc: Document, segment: int) -> tuple[str, bool]:
        """The title of one segment (article) of `doc` and whether it is a headline (not a first sentence)."""
        seg = next((s for s in doc.segments if s.index == segment), None)
        if doc.title and len(doc.segments) <= 1:
            title = tidy_title(doc.title)
            # a title the cleaner took from the first line is judged as a line; the input's own, leniently
            inferred = seg is not None and seg.title is not None and tidy_title(seg.title) == title
            junk = self.junk(title)
            if title and (junk is None or (not inferred and junk not in METADATA_JUNK)) \
                    and len(title) <= 2 * HEADLINE_MAX_CHARS:
                return title, True
        lines = [ln for ln in doc.lines if ln.status == LineStatus.KEPT and ln.segment == segment
                 and ln.role != "caption"]
        texts = [doc.text[ln.start:ln.end] for ln in lines]
        real = [i for i, t in enumerate(texts) if self.junk(t) is None]
        for pos, i in enumerate(real[:SCAN_LINES]):
            text = texts[i]
            if not self.reads_as_headline(text):
                break  # the body has begun
            following = texts[real[pos + 1]] if pos + 1 < len(real) else ""
            if len(following.split()) > len(text.split()):
                return tidy_title(text), True
        for i in real:
            sentence = self._first_sentence(doc, lines[i])
            if sentence:
                return sentence, False
        # nothing but junk: what the cleaner found, else the first line, so a story is never untitled
        fallback = (seg.title if seg and seg.title else "") or (texts[0] if texts else "") or (doc.title or "")
        return _cut(tidy_title(fallback)), False

    def unglue(self, sentence: str) -> str:
        """A sentence without the caption glued to its head, "" when there is one but no telling where
        it ends, the sentence itself when there is none.

        Example:
            >>> TitleRules.from_data().unglue("جانب من العرضة السعوديةحضر وكيل محافظة القويعية حفل الأهالي")
            'حضر وكيل محافظة القويعية حفل الأهالي'
        """
        line = normalise_line(sentence)
        if not any(r.in_sentences and r.pattern.search(line) for r in self.rules):
            return sentence
        m = _GLUED_RE.search(sentence[:GLUED_CAPTION_CHARS])
        return sentence[m.end():].strip() if m else ""

    def _first_sentence(self, doc: Document, line) -> str:
        spans = [(s.start, s.end) for s in doc.sentences if s.line == line.n] or [(line.start, line.end)]
        for a, b in spans:
            sentence = self.unglue(self.strip_lead(tidy_title(doc.text[a:b])))
            if len(sentence.split()) >= HEADLINE_MIN_WORDS and self.junk(sentence) is None:
                return _cut(sentence)
        return ""


def _cut(text: str) -> str:
    return text if len(text) <= TITLE_MAX_CHARS else text[:TITLE_MAX_CHARS].rsplit(" ", 1)[0] + " …"


@cache
def _from_data(path: str | None) -> TitleRules:
    from rasid.resources import load_yaml

    return TitleRules.from_dict(load_yaml(path or "stories/data/titles.yaml"), path=str(path or "titles.yaml"))

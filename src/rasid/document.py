"""The document model every stage shares: articles in, documents with lines, segments and sentences out.

The original text is never rewritten. Lines, segments, sentences and every later annotation
hold half-open character offsets into :attr:`Document.text`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

__all__ = ["Article", "Document", "Line", "Segment", "Sentence", "Skipped", "Span", "LineStatus", "content_hash"]

LINE_BREAK_RE = re.compile(r"\r\n|[\n\r\u2028\u2029\x0b\x0c\x85]")


class LineStatus:
    """The statuses a line can take (strings, so they go to JSON and SQL unchanged)."""

    KEPT = "kept"
    REPEATED = "repeated"
    BOILERPLATE = "boilerplate"
    CAPTION = "caption"
    HEADING = "heading"
    DATELINE = "dateline"
    ALL = (KEPT, REPEATED, BOILERPLATE, CAPTION, HEADING, DATELINE)
    CONTENT = (KEPT,)


def content_hash(text: str) -> str:
    """Return the sha256 hex digest of `text` (UTF-8), used to tell changed inputs from unchanged ones."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(slots=True)
class Article:
    """One article as read from a source, before cleaning.

    Attributes:
        doc_id: stable id (file stem, the record's ``id`` field, or file stem + record number).
        text: the decoded (and, for HTML, extracted) text; offsets later index into it.
        source: where it came from, e.g. ``feeds/libya.jsonl:12``.
        fmt: the reader that produced it: text, html, jsonl, json, csv, feed.
    """

    doc_id: str
    text: str
    source: str
    fmt: str = "text"
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """Hash of text and metadata: a change to either makes the article be processed again."""
        meta = "\x1f".join(str(x or "") for x in (self.title, self.url, self.outlet, self.published))
        return content_hash(self.text + "\x1e" + meta)


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that was not turned into a document, and why. A value, not a log line."""

    source: str
    stage: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open character span of a document with a label, the unit every annotation uses."""

    doc_id: str
    start: int
    end: int
    label: str = ""
    source: str = ""
    score: float | None = None


@dataclass(slots=True)
class Line:
    """A non-empty line of the original text (numbered from 1, as in the output contract)."""

    n: int
    start: int
    end: int
    status: str = LineStatus.KEPT
    segment: int | None = None
    rule: str | None = None  # the rule (or "repeat_of:N", "corpus") that set a non-kept status
    role: str | None = None  # "headline" or "caption" for kept lines that are not body text

    def to_json(self) -> dict:
        """Return the line as the output contract writes it."""
        out = {"n": self.n, "status": self.status, "segment": self.segment, "start": self.start, "end": self.end}
        if self.rule:
            out["rule"] = self.rule
        if self.role:
            out["role"] = self.role
        return out


@dataclass(slots=True)
class Segment:
    """A run of lines that forms one article inside a page (most pages have one segment)."""

    index: int
    first_line: int
    last_line: int
    start: int
    end: int
    title: str | None = None
    story_id: str | None = None

    def to_json(self) -> dict:
        """Return the segment as the output contract writes it."""
        return {"index": self.index, "lines": [self.first_line, self.last_line], "start": self.start,
                "end": self.end, "title": self.title, "story_id": self.story_id}


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a content line: offsets into the document text and the line it lies on."""

    start: int
    end: int
    line: int
    segment: int | None


@dataclass(slots=True)
class Document:
    """A cleaned article: the original text plus its lines, segments and sentences."""

    doc_id: str
    text: str
    source: str
    content_hash: str
    fmt: str = "text"
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    outlet_basis: str | None = None  # "metadata", "url", "dateline" or "credit"
    credits: list[str] = field(default_factory=list)
    publication_date: str | None = None
    language: str | None = None
    language_score: float | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    duplicate_of: str | None = None
    article: Article | None = None  # what was read, as read (metadata before inference); stored alongside

    def slice(self, start: int, end: int) -> str:
        """Return the original text of a span, checking its bounds."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) outside document {self.doc_id} of length {len(self.text)}")
        return self.text[start:end]

    def line_text(self, line: Line) -> str:
        """Return the original text of `line`."""
        return self.text[line.start:line.end]

    def content_lines(self, segment: int | None = None) -> list[Line]:
        """Return the kept lines (of one segment, if given)."""
        return [ln for ln in self.lines if ln.status == LineStatus.KEPT and (segment is None or ln.segment == segment)]

    def to_json(self) -> dict:
        """Return the document as one object of ``documents.jsonl`` (see DESIGN.md)."""
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "format": self.fmt,
            "outlet": self.outlet,
            "outlet_basis": self.outlet_basis,
            "credits": self.credits,
            "publication_date": self.publication_date,
            "title": self.title,
            "url": self.url,
            "text": self.text,
            "language": self.language,
            "language_score": self.language_score,
            "encoding": self.encoding,
            "warnings": self.warnings,
            "lines": [ln.to_json() for ln in self.lines],
            "segments": [s.to_json() for s in self.segments],
            "sentences": [[s.start, s.end, s.line] for s in self.sentences],
            "duplicate_of": self.duplicate_of,
        }


def split_lines(text: str) -> list[Line]:
    """Number the non-empty lines of `text` from 1, with offsets of their stripped content.

    Example:
        >>> [(ln.n, ln.start, ln.end) for ln in split_lines("أ\\n\\n  ب ج \\r\\nد")]
        [(1, 0, 1), (2, 5, 8), (3, 11, 12)]
    """
    lines = []
    pos = 0
    n = 0
    for m in [*LINE_BREAK_RE.finditer(text), None]:
        end = m.start() if m else len(text)
        a, b = pos, end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            n += 1
            lines.append(Line(n, a, b))
        if m:
            pos = m.end()
    return lines

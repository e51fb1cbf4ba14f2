"""Split a page that holds several articles into segments, and find each segment's headline."""

from __future__ import annotations

from rasid.document import Line, LineStatus, Segment
from rasid.text.letters import CLAUSE_FINAL_PUNCT

__all__ = ["split_segments"]

MIN_SEGMENT_LINES = 2  # kept lines an article needs after an end-of-article line to count as a new one
MIN_SEGMENT_WORDS = 40
HEADLINE_MAX_WORDS = 25
HEADLINE_MAX_CHARS = 200


def split_segments(text: str, lines: list[Line], end_rules: set[str]) -> list[Segment]:
    """Cut `lines` into segments after each end-of-article line followed by a new article.

    A new segment starts at the first line after an end-of-article line (a source credit such as
    "المصدر : وكالات") and the non-kept lines right after it, provided at least
    ``MIN_SEGMENT_LINES`` kept lines with ``MIN_SEGMENT_WORDS`` words follow. Sets
    ``line.segment`` on every line and ``line.role = "headline"`` on a segment's headline.
    """
    if not lines:
        return []
    starts = [0]
    i = 0
    while i < len(lines):
        if lines[i].rule in end_rules:
            j = i + 1
            while j < len(lines) and lines[j].status != LineStatus.KEPT:
                j += 1
            rest = [ln for ln in lines[j:] if ln.status == LineStatus.KEPT]
            if _is_article(text, rest):
                starts.append(j)
            i = j
        else:
            i += 1
    segments = []
    for index, a in enumerate(starts):
        b = (starts[index + 1] if index + 1 < len(starts) else len(lines)) - 1
        for ln in lines[a:b + 1]:
            ln.segment = index
        seg = Segment(index, lines[a].n, lines[b].n, lines[a].start, lines[b].end)
        headline = _find_headline(text, lines[a:b + 1])
        if headline is not None:
            headline.role = "headline"
            seg.title = text[headline.start:headline.end]
        segments.append(seg)
    return segments


def _is_article(text: str, kept: list[Line]) -> bool:
    if len(kept) < MIN_SEGMENT_LINES:
        return False
    words = sum(len(text[ln.start:ln.end].split()) for ln in kept)
    return words >= MIN_SEGMENT_WORDS


def _find_headline(text: str, lines: list[Line]) -> Line | None:
    """The headline is the first kept, non-caption line when it is short, unpunctuated and followed by body text."""
    kept = [ln for ln in lines if ln.status == LineStatus.KEPT and ln.role != "caption"]
    if len(kept) < 2:
        return None
    first, second = kept[0], kept[1]
    raw = text[first.start:first.end]
    words = len(raw.split())
    if words > HEADLINE_MAX_WORDS or len(raw) > HEADLINE_MAX_CHARS or raw.endswith(CLAUSE_FINAL_PUNCT):
        return None
    if len(text[second.start:second.end].split()) <= words:
        return None
    return first

"""Read and write token-per-line (CoNLL-style) NER files."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from rasid.errors import RasidError

__all__ = ["read_conll", "write_conll", "bio_spans", "repair_bio", "SENTENCE_END_TOKENS"]

log = logging.getLogger(__name__)

# ANERcorp has no blank lines between sentences; a sentence ends after one of these tokens.
SENTENCE_END_TOKENS = frozenset({".", "!", "؟", "?"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\ufeff\u200b"), None)
TAGS = frozenset({"O"} | {f"{p}-{t}" for p in "BI" for t in ("PERS", "LOC", "ORG", "MISC")})


def read_conll(path: str | Path, *, with_tags: bool = True) -> list[list[tuple[str, str]]]:
    """Sentences of ``(token, tag)`` pairs from a file with one ``TOKEN [TAG]`` per line.

    A blank line ends a sentence. Files without blank lines (ANERcorp) are split after ``.``,
    ``!`` and ``؟``. Only the first and last whitespace-separated fields are read, so extra
    columns are fine. Invisible bidi marks are removed. With ``with_tags=False`` a tag column
    is optional and ignored (tags come back as ``"O"``).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RasidError(f"cannot read {path}: {exc}") from exc
    return list(_sentences(text.splitlines(), with_tags=with_tags, source=str(path)))


def _sentences(lines: Iterable[str], *, with_tags: bool, source: str) -> Iterator[list[tuple[str, str]]]:
    sentence: list[tuple[str, str]] = []
    lines = list(lines)
    has_blank = any(not ln.translate(_INVISIBLE).strip() for ln in lines)
    bad = 0
    for n, line in enumerate(lines, 1):
        fields = line.translate(_INVISIBLE).split()
        if not fields:
            if sentence:
                yield sentence
                sentence = []
            continue
        if len(fields) == 1 and fields[0] in TAGS and line[:1].isspace():
            log.debug("%s:%d: a tag without a token, skipped", source, n)  # ANERcorp has a few " O" lines
            continue
        token = fields[0]
        tag = fields[-1] if len(fields) > 1 else "O"
        if with_tags:
            if len(fields) < 2 or tag not in TAGS:
                bad += 1
                if bad <= 5:
                    log.warning("%s:%d: no valid tag in %r, read as O", source, n, line)
                tag = "O"
        else:
            tag = "O"
        sentence.append((token, tag))
        if not has_blank and token in SENTENCE_END_TOKENS:
            yield sentence
            sentence = []
    if sentence:
        yield sentence


def write_conll(sentences: Iterable[Iterable[tuple[str, str]]], fh) -> None:
    """Write ``TOKEN TAG`` lines with a blank line after each sentence."""
    for sentence in sentences:
        for token, tag in sentence:
            fh.write(f"{token} {tag}\n")
        fh.write("\n")


def bio_spans(tags: list[str]) -> list[tuple[str, int, int]]:
    """Entity spans ``(type, first, last + 1)`` from BIO tags, by the conlleval rules.

    An ``I-`` tag that does not continue an entity of its type starts a new one.

    Example:
        >>> bio_spans(["B-PERS", "I-PERS", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG"])
        [('PERS', 0, 2), ('LOC', 3, 5), ('LOC', 5, 6), ('ORG', 6, 7)]
    """
    spans = []
    kind, start = None, 0
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, typ = tag.partition("-")
        continues = prefix == "I" and typ == kind
        if kind is not None and not continues:
            spans.append((kind, start, i))
            kind = None
        if prefix in ("B", "I") and not continues:
            kind, start = typ, i
    return spans


def repair_bio(tags: list[str]) -> list[str]:
    """Make a tag sequence valid BIO the way conlleval reads it: a stray ``I-X`` becomes ``B-X``.

    Example:
        >>> repair_bio(["O", "I-LOC", "I-LOC", "B-PERS", "I-ORG"])
        ['O', 'B-LOC', 'I-LOC', 'B-PERS', 'B-ORG']
    """
    out = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out

"""The matching key of a whole document in a few numpy steps, the same string as :func:`rasid.text.normalize.match_key`.

``match_key`` folds with ``str.translate`` and a dict table, which CPython runs one dictionary
look-up per character on Arabic text: about two thirds of the cost of fingerprinting a raw
article. Here the same steps (delete marks, fold, punctuation to space, collapse spaces) are
look-up tables over the code points of the Basic Multilingual Plane, built once from the very
tables and patterns ``match_key`` uses, so both always agree. Text the tables cannot answer for
(presentation forms, which ``match_key`` passes through NFKC, and characters outside the BMP)
goes to ``match_key`` itself.
"""

from __future__ import annotations

import numpy as np

from rasid.text.normalize import match_key

__all__ = ["document_key", "line_keys"]

_NON_WORD, _WORD, _DELETED, _ASIDE = 0, 1, 2, 4  # classes: to space; kept; dropped mark; needs match_key
_tables: tuple[np.ndarray, np.ndarray] | None = None


def _build_tables() -> tuple[np.ndarray, np.ndarray]:
    """Return (fold, class) look-up tables over the BMP, from the patterns of :mod:`rasid.text.normalize`."""
    from rasid.text import normalize as N

    codes = np.arange(0x10000, dtype=np.uint32)
    codes_text = codes.tobytes().decode("utf-32-le", errors="surrogatepass")
    folded_text = codes_text.translate(N._FOLD_TABLE)
    aside = np.zeros(0x10000, dtype=bool)
    if len(folded_text) == len(codes_text):
        fold = np.frombuffer(folded_text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32).copy()
    else:  # a fold to more or fewer than one character: those characters go to match_key
        fold = codes.copy()
        for c in range(0x10000):
            t = chr(c).translate(N._FOLD_TABLE)
            if len(t) == 1:
                fold[c] = ord(t)
            else:
                aside[c] = True
    aside |= fold >= 0x10000
    fold[fold >= 0x10000] = 0x20
    word = np.ones(0x10000, dtype=bool)  # after folding: not dropped as punctuation, not a space
    refolded = fold.tobytes().decode("utf-32-le", errors="surrogatepass")
    for pattern in (N._KEY_DROP_RE, N._SPACE_RE):
        for m in pattern.finditer(refolded):
            word[m.start():m.end()] = False
    cls = np.where(word, _WORD, _NON_WORD).astype(np.uint8)
    for m in N._DELETE_RE.finditer(codes_text):
        cls[m.start():m.end()] = _DELETED
    for m in N._PRESENTATION_RE.finditer(codes_text):
        aside[m.start():m.end()] = True
    aside[0xD800:0xE000] = True  # surrogates: characters beyond the BMP
    cls[aside] = _ASIDE
    return fold.astype(np.uint16), cls


def document_key(text: str) -> str:
    """Return ``rasid.text.normalize.match_key(text)``, computed with look-up tables.

    Example:
        >>> document_key("المصدر : الجزيرة + وكالات")
        'المصدر الجزيره وكالات'
        >>> document_key("ـقوات   حفتـر،")
        'قوات حفتر'
    """
    global _tables
    if _tables is None:
        _tables = _build_tables()
    fold, cls = _tables
    if text.isascii():
        return match_key(text)  # str.translate is quick on ASCII
    try:
        codes = np.frombuffer(text.encode("utf-16-le"), dtype=np.uint16)
    except UnicodeEncodeError:  # lone surrogates
        return match_key(text)
    c = cls.take(codes)
    top = c.max()
    if top >= _ASIDE:
        return match_key(text)
    if top == _DELETED:
        keep = c != _DELETED
        codes, c = codes[keep], c[keep]
    word = c.view(bool)
    out = fold.take(codes)
    out[c == _NON_WORD] = 0x20
    # a run of non-word characters becomes one space after a word; leading and trailing runs go
    keep = word.copy()
    keep[1:] |= word[:-1]
    out = out[keep]
    if out.size and out[-1] == 0x20:
        out = out[:-1]
    return out.tobytes().decode("utf-16-le")


def line_keys(texts: list[str]) -> list[str]:
    """Return ``[match_key(t) for t in texts]``, computed for all the texts at once with the look-up tables.

    The lines of a page are many short strings: one numpy pass over all of them costs less than a
    ``str.translate`` and three regular expressions per line. Texts the tables cannot answer for go
    to ``match_key`` one by one.

    Example:
        >>> line_keys(["المصدر : الجزيرة + وكالات", "", "  ـقوات   حفتـر، ", "Reuters."])
        ['المصدر الجزيره وكالات', '', 'قوات حفتر', 'reuters']
    """
    global _tables
    if _tables is None:
        _tables = _build_tables()
    fold, cls = _tables
    joined = "".join(texts)
    try:
        codes = np.frombuffer(joined.encode("utf-16-le"), dtype=np.uint16)
    except UnicodeEncodeError:  # lone surrogates
        return [match_key(t) for t in texts]
    if len(codes) != len(joined):  # characters beyond the BMP: offsets in code units differ
        return [match_key(t) for t in texts]
    n = len(texts)
    line = np.repeat(np.arange(n, dtype=np.int64), [len(t) for t in texts])
    c = cls.take(codes)
    aside = np.bincount(line[c >= _ASIDE], minlength=n) > 0
    keep = c != _DELETED
    codes, c, line = codes[keep], c[keep], line[keep]
    word = c == _WORD
    out = fold.take(codes)
    out[c == _NON_WORD] = 0x20
    # a run of non-word characters becomes one space after a word of the same line; leading runs go
    keep = word.copy()
    keep[1:] |= word[:-1] & (line[1:] == line[:-1])
    out, word, line = out[keep], word[keep], line[keep]
    last = np.ones(len(line), dtype=bool)  # the last character of each line: a trailing space goes
    last[:-1] = line[:-1] != line[1:]
    keep = ~(last & ~word)
    out, line = out[keep], line[keep]
    flat = out.tobytes().decode("utf-16-le")
    ends = np.cumsum(np.bincount(line, minlength=n)).tolist()
    starts = [0, *ends[:-1]]
    return [match_key(t) if aside[i] else flat[starts[i]:ends[i]] for i, t in enumerate(texts)]

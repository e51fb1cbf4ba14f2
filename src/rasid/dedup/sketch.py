"""Shingles, MinHash signatures and LSH band keys for many documents at once, in numpy.

Every step works on the concatenation of a batch of documents, so its cost is a few numpy calls
per batch, not a Python loop per word or shingle:

* words are hashed with CRC-32 of their UTF-8 bytes, all words of the batch in parallel, one byte
  position per step (:func:`word_hashes`; a small batch calls zlib once per word instead);
* a word ``width``-gram's hash is the polynomial ``sum(h[i+j] * 1000003**(width-1-j)) mod 2**32``
  of its word hashes, computed over the whole batch with ``width`` array operations; the sorted
  unique hashes of a document are its shingle set (:func:`shingle_sets`). These are the values
  Rasid has always stored, so fingerprints written by earlier versions stay comparable;
* the signature is a one-permutation MinHash (Li, Owen & Zhang 2012): each shingle is hashed once
  (murmur3's 64-bit finaliser), the high half picks one of ``num_perm`` bins and the low half is
  its value; a bin keeps its smallest value, and an empty bin borrows from the next non-empty one
  to its right (densification by rotation, Shrivastava & Li 2014), so two signatures agree in a
  position with probability equal to the Jaccard similarity of the shingle sets. One hash per
  shingle instead of ``num_perm``;
* LSH bands are hashed to one 32-bit key each (:func:`band_keys`), and candidate pairs are the
  pairs of documents that share a key, found by sorting the keys (:func:`shared_key_pairs`).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

__all__ = ["EMPTY", "band_keys", "choose_bands", "shared_key_pairs", "shingle_sets", "signatures", "word_hashes"]

PRIME = 1000003  # the shingle polynomial's base
EMPTY = np.uint32(0xFFFFFFFF)  # an empty bin (a document without shingles has only these)
_SEED = 0x9E3779B97F4A7C15
_ROTATE = np.uint32(0x9E3779B1)  # added per bin of distance to a borrowed value, so it differs from its source
_LONG_WORD = 64  # bytes; longer "words" (links, digit runs) are hashed one by one with zlib
_FEW_WORDS = 4096  # below this many words in a batch, words are hashed one by one with zlib
# whitespace other than the space (str.isspace(), as str.split() splits): the byte tokenizer splits on spaces only
OTHER_SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_OTHER_SPACE_RE = re.compile("[" + OTHER_SPACES + "]")
_SPACE_LEAD_BYTE = np.zeros(256, dtype=bool)  # the first UTF-8 byte of each of them
_SPACE_LEAD_BYTE[[c.encode("utf-8")[0] for c in OTHER_SPACES]] = True


def _crc_table() -> np.ndarray:
    c = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        c = np.where(c & 1, (c >> 1) ^ np.uint32(0xEDB88320), c >> 1)
    return c


_CRC_TABLE = _crc_table()


def _fmix64(h: np.ndarray) -> np.ndarray:
    """murmur3's 64-bit finaliser, in place on a uint64 array (a bijection with full avalanche)."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def encode_batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Return the UTF-8 bytes of `texts` joined by spaces, each text's first byte offset (plus the end)
    and the CRC-32 of each text's own UTF-8 bytes.

    Whitespace other than the space is turned into spaces first, so words split as ``str.split()`` does.
    """
    encoded = [t.encode("utf-8") for t in texts]
    crcs = [zlib.crc32(e) for e in encoded]
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) + 1 for e in encoded], out=starts[1:])
    buf = np.frombuffer(b" ".join(encoded), dtype=np.uint8)
    suspects = np.flatnonzero(_SPACE_LEAD_BYTE.take(buf))  # bytes that may begin a whitespace character
    if suspects.size:
        changed = False
        for d in np.unique(np.searchsorted(starts, suspects, side="right") - 1).tolist():
            if _OTHER_SPACE_RE.search(texts[d]):
                encoded[d] = " ".join(texts[d].split()).encode("utf-8")
                changed = True
        if changed:
            np.cumsum([len(e) + 1 for e in encoded], out=starts[1:])
            buf = np.frombuffer(b" ".join(encoded), dtype=np.uint8)
    return buf, starts, crcs


def word_hashes(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the first byte offset and the CRC-32 of every space-separated word of the byte array `buf`.

    Example:
        >>> import zlib
        >>> _, h = word_hashes(np.frombuffer("قوات  الوفاق x".encode(), dtype=np.uint8))
        >>> h.tolist() == [zlib.crc32(w.encode()) for w in ("قوات", "الوفاق", "x")]
        True
    """
    is_word = np.empty(buf.size + 2, dtype=bool)
    is_word[0] = is_word[-1] = False
    np.not_equal(buf, 0x20, out=is_word[1:-1])
    edges = np.flatnonzero(is_word[1:] != is_word[:-1])
    starts, ends = edges[0::2], edges[1::2]
    if starts.size < _FEW_WORDS:  # a zlib call per word beats a numpy step per byte position
        words = filter(None, buf.tobytes().split(b" "))
        return starts, np.fromiter(map(zlib.crc32, words), dtype=np.uint32, count=starts.size)
    lengths = ends - starts
    out = np.empty(starts.size, dtype=np.uint32)
    # longest first, so the words still going at each byte are a prefix (a radix sort on the clipped lengths)
    order = np.argsort(np.minimum(lengths, 255).astype(np.uint8), kind="stable")[::-1]
    length = lengths[order]
    n_long = int(np.searchsorted(-length, -_LONG_WORD, side="left"))
    for i in order[:n_long]:
        out[i] = zlib.crc32(buf[starts[i]:ends[i]])
    order, length = order[n_long:], length[n_long:]
    if order.size:
        pos = starts[order]
        crc = np.full(order.size, 0xFFFFFFFF, dtype=np.uint32)
        going = np.searchsorted(-length, -np.arange(int(length[0])), side="left")  # words longer than k bytes
        for m in going.tolist():
            c = crc[:m]
            p = pos[:m]
            crc[:m] = _CRC_TABLE[(c ^ buf[p]) & 0xFF] ^ (c >> 8)
            p += 1
        out[order] = ~crc
    return starts, out


def shingle_sets(texts: Sequence[str], width: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Return every text's sorted unique word-`width`-gram hashes, concatenated, and their offsets.

    A text with fewer words than `width` has one shingle of the words it has; an empty text none.

    Example:
        >>> flat, offsets = shingle_sets(["a b c d e", "a b", ""])
        >>> offsets.tolist()
        [0, 2, 3, 3]
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, got {width}")
    flat, offsets, _crcs = _shingle_sets(texts, width)
    return flat, offsets


def _shingle_sets(texts: Sequence[str], width: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """:func:`shingle_sets`, and the CRC-32 of each text's UTF-8 bytes."""
    n_docs = len(texts)
    buf, doc_starts, crcs = encode_batch(texts)
    word_starts, h = word_hashes(buf)
    word_doc = np.searchsorted(doc_starts, word_starts, side="right") - 1
    n_words = np.bincount(word_doc, minlength=n_docs)
    parts_doc, parts_val = [], []
    if h.size >= width:
        n = h.size - width + 1
        s = h[:n].copy()
        for j in range(1, width):
            s *= np.uint32(PRIME)
            s += h[j:j + n]
        whole = word_doc[:n] == word_doc[width - 1:]  # the gram lies inside one document
        parts_doc.append(word_doc[:n][whole])
        parts_val.append(s[whole])
    short = np.flatnonzero((n_words > 0) & (n_words < width))
    if short.size:
        first = np.concatenate(([0], np.cumsum(n_words)))
        vals = []
        for d in short.tolist():
            v = 0
            for x in h[first[d]:first[d + 1]].tolist():
                v = (v * PRIME + x) & 0xFFFFFFFF
            vals.append(v)
        parts_doc.append(short)
        parts_val.append(np.array(vals, dtype=np.uint32))
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    if not parts_doc:
        return np.zeros(0, dtype=np.uint32), offsets, crcs
    key = np.concatenate(parts_doc).astype(np.uint64) << np.uint64(32)
    key |= np.concatenate(parts_val)
    key.sort()
    keep = np.empty(key.size, dtype=bool)
    keep[0] = True
    np.not_equal(key[1:], key[:-1], out=keep[1:])
    key = key[keep]
    np.cumsum(np.bincount((key >> np.uint64(32)).astype(np.int64), minlength=n_docs), out=offsets[1:])
    return key.astype(np.uint32), offsets, crcs


def signatures(shingles: np.ndarray, offsets: np.ndarray, num_perm: int) -> np.ndarray:
    """Return the one-permutation MinHash signatures (``(documents, num_perm)`` uint32) of concatenated shingle sets.

    Example:
        >>> flat, offsets = shingle_sets(["a b c d e f g h", "a b c d e f g x", ""])
        >>> sig = signatures(flat, offsets, 64)
        >>> sig.shape, bool((sig[2] == EMPTY).all())
        ((3, 64), True)
    """
    n_docs = offsets.size - 1
    sig = np.full(n_docs * num_perm, EMPTY, dtype=np.uint32)
    if shingles.size:
        h = _fmix64(shingles.astype(np.uint64) ^ np.uint64(_SEED))
        slot = ((h >> np.uint64(32)) * np.uint64(num_perm)) >> np.uint64(32)  # bin, unbiased for any num_perm
        slot += np.repeat(np.arange(n_docs, dtype=np.uint64) * np.uint64(num_perm), np.diff(offsets))
        np.minimum.at(sig, slot, h.astype(np.uint32))  # the low half is the value
    sig = sig.reshape(n_docs, num_perm)
    empty = sig == EMPTY
    partial = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))
    if partial.size:
        s, e = sig[partial], empty[partial]
        cols = np.arange(num_perm)
        pos = np.where(e, 3 * num_perm, cols)
        nxt = np.minimum.accumulate(np.concatenate([pos, pos + num_perm], axis=1)[:, ::-1], axis=1)[:, ::-1]
        nxt = nxt[:, :num_perm]  # the next non-empty bin at or right of each bin, wrapping around
        borrowed = s[np.arange(partial.size)[:, None], nxt % num_perm]
        borrowed += (nxt - cols).astype(np.uint32) * _ROTATE
        sig[partial] = np.where(e, borrowed, s)
    return sig


def choose_bands(num_perm: int, recall_at: float, recall: float = 0.999) -> tuple[int, int]:
    """Return (bands, rows): the most rows per band with which a pair of Jaccard `recall_at` still
    shares a band with probability `recall` (fewest spurious candidates at that recall).

    Example:
        >>> choose_bands(64, 0.8)
        (16, 4)
    """
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - recall_at ** rows) ** bands >= recall:
            best = (bands, rows)
    return best


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Return one 32-bit key per (document, band): equal band values give equal keys.

    Two documents with different values in a band share its key by chance with probability
    2**-32 (about two spurious candidates among 31k documents); candidates are verified anyway.
    """
    n = sig.shape[0]
    v = sig[:, :bands * rows].reshape(n, bands, rows)
    k = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(_SEED), (n, bands)).copy()
    for r in range(rows):
        k ^= v[:, :, r]
        _fmix64(k)
    return (k >> np.uint64(32)).astype(np.uint32)


def shared_key_pairs(keys: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the unique pairs (a < b) of `rows` that share a value of `keys` (parallel 1-d arrays)."""
    order = np.argsort(keys)
    k, r = keys[order], rows[order]
    n = k.size
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    np.not_equal(k[1:], k[:-1], out=new_run[1:])
    run_start = np.flatnonzero(new_run)
    run_len = np.diff(np.append(run_start, n))
    multi = run_len > 1
    if not multi.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    run_start, run_len = run_start[multi], run_len[multi]
    # each member pairs with the members after it in its run
    member = _run_members(run_start, run_len)
    after = np.repeat(run_start + run_len, run_len) - member - 1
    first = np.repeat(member, after)
    second = first + np.arange(first.size) - np.repeat(np.cumsum(after) - after, after) + 1
    a, b = r[first].astype(np.int64), r[second].astype(np.int64)
    width = int(rows.max()) + 1
    distinct = a != b
    a, b = a[distinct], b[distinct]
    code = _sorted_unique(np.minimum(a, b) * width + np.maximum(a, b))
    return code // width, code % width


def _run_members(run_start: np.ndarray, run_len: np.ndarray) -> np.ndarray:
    """The positions covered by runs (start, length), concatenated."""
    total = int(run_len.sum())
    return np.arange(total) - np.repeat(np.cumsum(run_len) - run_len, run_len) + np.repeat(run_start, run_len)


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """Sorted unique values (``np.unique`` is much slower in numpy 2.4)."""
    if a.size < 2:
        return a.copy()
    s = np.sort(a)
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]

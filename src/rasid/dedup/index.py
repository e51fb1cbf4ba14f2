"""Near-duplicate detection at corpus scale.

A document's fingerprint is the set of hashed word shingles of its kept text (matching keys,
so spelling variants of one letter do not hide a copy), a MinHash signature of that set and a
digest of the whole text. Fingerprints are made for many documents at once in numpy
(:mod:`rasid.dedup.sketch`); the index keeps, per document, its shingle set and one 64-bit key
per LSH band, in arrays. Candidate pairs are documents sharing a band key, found by sorting the
keys, and every candidate is verified with the exact Jaccard similarity of the shingle sets
before it is reported. Hashes are CRC-32 and fixed mixers, so fingerprints are the same on every
machine and in every process.

Stored fingerprints: the shingle values have not changed since the first version, so stored
shingle sets are always used as they are. A stored signature is used when its length is this
index's ``num_perm``; any other length (the 128-value signatures of the earlier multiply-shift
MinHash, or another ``num_perm``) is recomputed from the stored shingles, which is cheap. A
signature scheme change must therefore come with a new length.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from rasid.dedup.sketch import (
    _shingle_sets,
    _sorted_unique,
    band_keys,
    choose_bands,
    shared_key_pairs,
    shingle_sets,
    signatures,
)

__all__ = ["DedupIndex", "Fingerprint", "NEAR_DUP_JACCARD", "SHINGLE_WORDS", "jaccard", "shingle_hashes"]

SHINGLE_WORDS = 4  # word 4-grams: a changed word touches four shingles
NEAR_DUP_JACCARD = 0.8  # verified shingle Jaccard at or above which two documents are the same article
NUM_PERM = 64  # one-permutation MinHash bins; with 16 bands of 4, a pair at Jaccard 0.8 is a candidate 99.98% of the time
LEGACY_NUM_PERM = 128  # length of the signatures stored before one-permutation hashing: always recomputed
_BATCH_CHARS = 200_000  # characters of text fingerprinted per numpy batch
_ADD_BATCH = 4096  # fingerprints indexed per numpy batch
_SORTED_TAIL = 2048  # documents added since the sorted band index was last merged, scanned directly by a query


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The shingle set (sorted unique uint32 hashes) and MinHash signature (uint32) of one document."""

    doc_id: str
    shingles: np.ndarray
    signature: np.ndarray
    exact_key: str  # digest of the whole matching-key text: equal keys are exact duplicates


def shingle_hashes(key_text: str, *, width: int = SHINGLE_WORDS) -> np.ndarray:
    """Return the sorted unique hashes (uint32) of the word `width`-grams of a matching-key text.

    Example:
        >>> len(shingle_hashes("قوات الوفاق تدخل مدينة سرت"))
        2
        >>> len(shingle_hashes("سرت"))  # shorter than a shingle: one shingle of what there is
        1
    """
    return shingle_sets([key_text], width)[0]


def exact_key(key_text: str) -> str:
    """The digest of a whole matching-key text (CRC-32 and length, in hex)."""
    return f"{zlib.crc32(key_text.encode('utf-8')):08x}{len(key_text):x}"


class _Grow:
    """An array that grows along its first axis, by half again when full."""

    def __init__(self, shape: tuple[int, ...], dtype):
        self._a = np.empty((0, *shape), dtype=dtype)
        self.n = 0

    def extend(self, rows: np.ndarray) -> None:
        need = self.n + len(rows)
        if need > len(self._a):
            grown = np.empty((max(need, len(self._a) * 3 // 2, 256), *self._a.shape[1:]), dtype=self._a.dtype)
            grown[:self.n] = self._a[:self.n]
            self._a = grown
        self._a[self.n:need] = rows
        self.n = need

    @property
    def view(self) -> np.ndarray:
        return self._a[:self.n]


class DedupIndex:
    """An incremental index of document fingerprints.

    Example:
        >>> index = DedupIndex()
        >>> a = "دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا نحو قاعدة الجفرة وسط البلاد بعد معارك عنيفة"
        >>> index.add(index.fingerprint("a", a))
        >>> fp = index.fingerprint("b", a.replace("عنيفة", "ضارية"))
        >>> [(d, round(j, 2)) for d, j in index.near_duplicates(fp)]
        [('a', 0.86)]
    """

    def __init__(self, *, threshold: float = NEAR_DUP_JACCARD, num_perm: int = NUM_PERM,
                 lsh_threshold: float | None = None):
        """`lsh_threshold` is the Jaccard at which LSH must still find a pair 99.9% of the time (the verified
        `threshold` by default); it sets the bands."""
        if not 0 < threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        if num_perm < 1:
            raise ValueError(f"num_perm must be positive, got {num_perm}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands, self.rows = choose_bands(num_perm, min(lsh_threshold or threshold, threshold))
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._shingles: list[np.ndarray] = []
        self._exact: dict[str, int] = {}  # exact key -> first row with it
        self._rep = _Grow((), np.int64)  # row of the first document with the same exact key (-1: no shingles)
        self._keys = _Grow((self.bands,), np.uint32)  # band keys per row
        self._sorted_keys = np.zeros(0, dtype=np.uint32)  # the band keys of rows [0, _sorted_n), sorted
        self._sorted_rows = np.zeros(0, dtype=np.int64)
        self._sorted_n = 0

    # fingerprints

    def fingerprint(self, doc_id: str, key_text: str) -> Fingerprint:
        """Fingerprint a document from its matching-key text (see :func:`rasid.text.normalize.match_key`)."""
        return self.fingerprints([(doc_id, key_text)])[0]

    def fingerprints(self, items: Iterable[tuple[str, str]]) -> list[Fingerprint]:
        """Fingerprint many ``(doc_id, key_text)`` documents, in numpy batches (much faster than one by one)."""
        out: list[Fingerprint] = []
        batch: list[tuple[str, str]] = []
        chars = 0
        for item in items:
            batch.append(item)
            chars += len(item[1])
            if chars >= _BATCH_CHARS:
                out.extend(self._fingerprint_batch(batch))
                batch, chars = [], 0
        if batch:
            out.extend(self._fingerprint_batch(batch))
        return out

    def _fingerprint_batch(self, batch: list[tuple[str, str]]) -> list[Fingerprint]:
        texts = [t for _, t in batch]
        flat, offsets, crcs = _shingle_sets(texts, SHINGLE_WORDS)
        sig = signatures(flat, offsets, self.num_perm)
        bounds = offsets.tolist()
        return [Fingerprint(doc_id, flat[bounds[i]:bounds[i + 1]], sig[i], f"{crcs[i]:08x}{len(text):x}")
                for i, (doc_id, text) in enumerate(batch)]

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        """The one-permutation MinHash signature (``num_perm`` uint32 values) of a shingle set."""
        shingles = np.asarray(shingles).astype(np.uint32, copy=False)
        return signatures(shingles, np.array([0, shingles.size]), self.num_perm)[0]

    def _usable(self, signature: np.ndarray) -> bool:
        """Tell whether a (perhaps stored) signature is of this index's scheme (see the module notes)."""
        return signature.size == self.num_perm and self.num_perm != LEGACY_NUM_PERM

    # indexing

    def add(self, fp: Fingerprint) -> None:
        """Index a fingerprint (a doc_id is indexed once)."""
        self.add_many([fp])

    def add_many(self, fps: Iterable[Fingerprint]) -> None:
        """Index fingerprints (stored ones too: old-format signatures are recomputed from their shingles)."""
        batch: list[Fingerprint] = []
        for fp in fps:
            batch.append(fp)
            if len(batch) >= _ADD_BATCH:
                self._add_batch(batch)
                batch = []
        if batch:
            self._add_batch(batch)

    def _add_batch(self, fps: list[Fingerprint]) -> None:
        sigs: list[np.ndarray | None] = []
        reps: list[int] = []
        redo: list[int] = []
        for fp in fps:
            if fp.doc_id in self._row:
                continue
            row = len(self._ids)
            self._row[fp.doc_id] = row
            self._ids.append(fp.doc_id)
            shingles = fp.shingles.astype(np.uint32, copy=False)  # stored sets are read as uint64
            self._shingles.append(shingles)
            reps.append(self._exact.setdefault(fp.exact_key, row) if shingles.size else -1)
            if self._usable(fp.signature):
                sigs.append(fp.signature)
            else:
                redo.append(len(sigs))
                sigs.append(None)
        if not reps:
            return
        if redo:
            sets = [self._shingles[len(self._ids) - len(sigs) + i] for i in redo]
            offsets = np.zeros(len(sets) + 1, dtype=np.int64)
            np.cumsum([s.size for s in sets], out=offsets[1:])
            for i, s in zip(redo, signatures(np.concatenate(sets), offsets, self.num_perm), strict=True):
                sigs[i] = s
        self._keys.extend(band_keys(np.stack(sigs).astype(np.uint32, copy=False), self.bands, self.rows))
        self._rep.extend(np.array(reps, dtype=np.int64))

    def __len__(self) -> int:
        return len(self._ids)

    def __bool__(self) -> bool:
        return True  # an empty index is still an index: `index or DedupIndex()` keeps it

    # queries

    def exact_duplicate(self, fp: Fingerprint) -> str | None:
        """Return the first indexed document with exactly the same matching-key text, if any."""
        row = self._exact.get(fp.exact_key) if fp.shingles.size else None
        other = None if row is None else self._ids[row]
        return other if other != fp.doc_id else None

    def near_duplicates(self, fp: Fingerprint) -> list[tuple[str, float]]:
        """Return indexed documents whose verified Jaccard with `fp` reaches the threshold, best first."""
        if fp.shingles.size == 0:
            return []
        sig = fp.signature if self._usable(fp.signature) else self.signature(fp.shingles)
        keys = band_keys(sig.reshape(1, -1).astype(np.uint32, copy=False), self.bands, self.rows)[0]
        shingles = fp.shingles.astype(np.uint32, copy=False)
        found = []
        for row in self._lookup(keys).tolist():
            other = self._ids[row]
            if other == fp.doc_id:
                continue
            j = jaccard(shingles, self._shingles[row])
            if j >= self.threshold:
                found.append((other, j))
        found.sort(key=lambda x: (-x[1], x[0]))
        return found

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        """Rows sharing at least one band key with `keys`."""
        all_keys = self._keys.view
        if all_keys.shape[0] - self._sorted_n > _SORTED_TAIL:
            fresh = all_keys[self._sorted_n:].ravel()
            order = np.argsort(fresh)
            merged_keys = np.concatenate([self._sorted_keys, fresh[order]])
            merged_rows = np.concatenate([self._sorted_rows, order // self.bands + self._sorted_n])
            order = np.argsort(merged_keys, kind="stable")  # two sorted runs: a linear merge
            self._sorted_keys, self._sorted_rows = merged_keys[order], merged_rows[order]
            self._sorted_n = all_keys.shape[0]
        lo = np.searchsorted(self._sorted_keys, keys, side="left")
        hi = np.searchsorted(self._sorted_keys, keys, side="right")
        hits = [self._sorted_rows[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        tail = all_keys[self._sorted_n:]
        if tail.shape[0]:
            hits.append(np.flatnonzero((tail == keys).any(axis=1)) + self._sorted_n)
        if not hits:
            return np.zeros(0, dtype=np.int64)
        rows = np.sort(np.concatenate(hits))
        return rows[np.append(True, rows[1:] != rows[:-1])] if rows.size > 1 else rows

    def duplicate_links(self, new: Iterable[Fingerprint]) -> list[tuple[str, str, float]]:
        """Index `new` and return every duplicate link that involves one of its documents, all at once.

        A link is ``(other, doc_id, jaccard)``, `other` indexed before `doc_id`: the first earlier
        document with the same exact key (jaccard 1.0), then every earlier or later document that
        LSH pairs with it and whose verified Jaccard reaches the threshold. It gives the pairs that
        querying each new fingerprint (:meth:`exact_duplicate`, :meth:`near_duplicates`) and then
        adding it would, in one sort of the band keys instead of one look-up per document.
        """
        new = list(new)
        self.add_many(new)
        n = len(self._ids)
        new_rows = np.array(sorted({self._row[fp.doc_id] for fp in new}), dtype=np.int64)
        if not new_rows.size:
            return []
        is_new = np.zeros(n, dtype=bool)
        is_new[new_rows] = True
        rep = self._rep.view
        ids = self._ids
        links = [(ids[r], ids[d], 1.0) for d, r in zip(new_rows.tolist(), rep[new_rows].tolist(), strict=True)
                 if 0 <= r != d]
        live = np.flatnonzero(rep >= 0)
        codes = []
        for band in range(self.bands):  # band by band: small temporaries
            a, b = shared_key_pairs(self._keys.view[live, band], live)
            keep = (is_new[a] | is_new[b]) & (rep[b] != a)  # a first copy is already linked as exact
            codes.append(a[keep] * n + b[keep])
        codes = _sorted_unique(np.concatenate(codes))
        a, b = codes // n, codes % n
        ra, rb = rep[a], rep[b]
        sizes = np.fromiter((s.size for s in self._shingles), dtype=np.int64, count=n)
        small, large = np.minimum(sizes[ra], sizes[rb]), np.maximum(sizes[ra], sizes[rb])
        same = ra == rb  # copies of one text
        possible = same | (small >= self.threshold * large)  # else Jaccard <= small / large is too low
        a, b, ra, rb, same = a[possible], b[possible], ra[possible], rb[possible], same[possible]
        score = np.ones(a.size)
        if (~same).any():  # verify each pair of distinct texts once, whatever copies it has
            lo, hi = np.minimum(ra, rb), np.maximum(ra, rb)
            code = lo * n + hi
            pairs, inverse = _unique_inverse(code[~same])
            j = np.array([jaccard(self._shingles[p // n], self._shingles[p % n]) for p in pairs.tolist()])
            score[~same] = j[inverse]
        ok = score >= self.threshold
        order = np.lexsort((a[ok], -score[ok], b[ok]))
        links.extend((ids[x], ids[y], float(s)) for x, y, s in
                     zip(a[ok][order].tolist(), b[ok][order].tolist(), score[ok][order].tolist(), strict=True))
        return links


def _unique_inverse(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique values of `a` and the index of each element in them."""
    order = np.argsort(a)
    s = a[order]
    first = np.empty(s.size, dtype=bool)
    first[:1] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    inverse = np.empty(a.size, dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return s[first], inverse


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique hash arrays."""
    if a.size == 0 and b.size == 0:
        return 1.0
    if a.size > b.size:
        a, b = b, a
    if a.size == 0:
        return 0.0
    if a.dtype != b.dtype:
        a, b = a.astype(np.uint64), b.astype(np.uint64)
    at = np.searchsorted(b, a)
    at[at == b.size] = 0
    inter = int(np.count_nonzero(b[at] == a))
    return inter / (a.size + b.size - inter)

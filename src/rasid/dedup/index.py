"""Near-duplicate detection at corpus scale.

A document's fingerprint is the set of hashed word shingles of its kept text (matching keys,
so spelling variants of one letter do not hide a copy). MinHash signatures are computed in one
vectorised numpy step per document (multiply-shift hash family), datasketch's MinHashLSH finds
candidates, and every candidate is verified with the exact Jaccard similarity of the shingle
sets before it is reported. Hashes are CRC-32 based, so fingerprints are the same on every
machine and in every process.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

__all__ = ["DedupIndex", "Fingerprint", "NEAR_DUP_JACCARD", "SHINGLE_WORDS"]

SHINGLE_WORDS = 4  # word 4-grams: a changed word touches four shingles
NEAR_DUP_JACCARD = 0.8  # verified shingle Jaccard at or above which two documents are the same article
LSH_THRESHOLD = 0.6  # candidate threshold, below the verified one so LSH misses few true pairs
NUM_PERM = 128
SEED = 1
SCHEME = "legacy"  # how datasketch's LSH reads our 32-bit signature values (it only bands them)
_MAX_HASH = np.uint64((1 << 32) - 1)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The shingle set (sorted unique uint32 hashes) and MinHash signature of one document."""

    doc_id: str
    shingles: np.ndarray
    signature: np.ndarray
    exact_key: str  # digest of the whole matching-key text: equal keys are exact duplicates


def shingle_hashes(key_text: str, *, width: int = SHINGLE_WORDS, token_hashes: dict[str, int] | None = None) -> np.ndarray:
    """Return the sorted unique hashes of the word `width`-grams of a matching-key text.

    Example:
        >>> len(shingle_hashes("قوات الوفاق تدخل مدينة سرت"))
        2
        >>> len(shingle_hashes("سرت"))  # shorter than a shingle: one shingle of what there is
        1
    """
    tokens = key_text.split()
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    if token_hashes is None:
        token_hashes = {}
    get = token_hashes.get
    values = []
    for t in tokens:
        h = get(t)
        if h is None:
            h = token_hashes[t] = zlib.crc32(t.encode("utf-8"))
        values.append(h)
    hashes = np.array(values, dtype=np.uint64)
    n = max(1, len(tokens) - width + 1)
    combined = np.zeros(n, dtype=np.uint64)
    for j in range(min(width, len(tokens))):
        combined = (combined * np.uint64(1000003) + hashes[j:j + n]) & _MAX_HASH
    return np.unique(combined)


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
                 lsh_threshold: float = LSH_THRESHOLD):
        if not 0 < threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.num_perm = num_perm
        # multiply-shift hashing ((a*h + b) mod 2^64) >> 32 with odd a: 2-universal, no slow modulo
        rng = np.random.RandomState(SEED)
        self._a = rng.randint(1, 2**63 - 1, size=num_perm, dtype=np.int64).astype(np.uint64) | np.uint64(1)
        self._b = rng.randint(0, 2**63 - 1, size=num_perm, dtype=np.int64).astype(np.uint64)
        self._lsh = MinHashLSH(threshold=min(lsh_threshold, threshold), num_perm=num_perm)
        self._shingles: dict[str, np.ndarray] = {}
        self._exact: dict[str, str] = {}
        self._token_hashes: dict[str, int] = {}  # word -> CRC-32; news vocabulary repeats, hashing once pays

    def fingerprint(self, doc_id: str, key_text: str) -> Fingerprint:
        """Fingerprint a document from its matching-key text (see :func:`rasid.text.normalize.match_key`)."""
        if len(self._token_hashes) > 2_000_000:
            self._token_hashes.clear()  # bound memory on endless streams
        shingles = shingle_hashes(key_text, token_hashes=self._token_hashes)
        return Fingerprint(doc_id, shingles, self.signature(shingles),
                           zlib.crc32(key_text.encode("utf-8")).to_bytes(4, "big").hex() + f"{len(key_text):x}")

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        """MinHash signature of a shingle set: one vectorised permutation and min-reduction."""
        if shingles.size == 0:
            return np.full(self.num_perm, _MAX_HASH, dtype=np.uint64)
        with np.errstate(over="ignore"):
            permuted = (shingles[:, None] * self._a + self._b) >> np.uint64(32)
        return permuted.min(axis=0)

    def add(self, fp: Fingerprint) -> None:
        """Index a fingerprint (a doc_id is indexed once)."""
        if fp.doc_id in self._shingles:
            return
        from datasketch import LeanMinHash

        self._shingles[fp.doc_id] = fp.shingles
        if fp.shingles.size:  # documents with no kept text are not copies of each other
            self._exact.setdefault(fp.exact_key, fp.doc_id)
        self._lsh.insert(fp.doc_id, LeanMinHash(seed=SEED, hashvalues=fp.signature, scheme=SCHEME))

    def __len__(self) -> int:
        return len(self._shingles)

    def exact_duplicate(self, fp: Fingerprint) -> str | None:
        """Return the first indexed document with exactly the same matching-key text, if any."""
        other = self._exact.get(fp.exact_key) if fp.shingles.size else None
        return other if other != fp.doc_id else None

    def near_duplicates(self, fp: Fingerprint) -> list[tuple[str, float]]:
        """Return indexed documents whose verified Jaccard with `fp` reaches the threshold, best first."""
        from datasketch import LeanMinHash

        if fp.shingles.size == 0:
            return []
        found = []
        for other in self._lsh.query(LeanMinHash(seed=SEED, hashvalues=fp.signature, scheme=SCHEME)):
            if other == fp.doc_id:
                continue
            j = jaccard(fp.shingles, self._shingles[other])
            if j >= self.threshold:
                found.append((other, j))
        found.sort(key=lambda x: (-x[1], x[0]))
        return found


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique hash arrays."""
    if a.size == 0 and b.size == 0:
        return 1.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)

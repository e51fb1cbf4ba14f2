"""Exact and near-duplicate documents: MinHash signatures over word shingles, LSH candidates, verified Jaccard."""

from rasid.dedup.index import NEAR_DUP_JACCARD, DedupIndex, Fingerprint
from rasid.dedup.keys import document_key

__all__ = ["DedupIndex", "Fingerprint", "NEAR_DUP_JACCARD", "document_key"]

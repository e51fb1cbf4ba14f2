"""The numpy fingerprints against reference code, their Jaccard estimates, exact copies, and stored old-format rows."""

import json
import random
import zlib

import numpy as np
import pytest

from rasid.dedup import DedupIndex, Fingerprint, document_key
from rasid.dedup.index import LEGACY_NUM_PERM, jaccard, shingle_hashes
from rasid.dedup.passes import mark_duplicates
from rasid.dedup.sketch import OTHER_SPACES, choose_bands, shingle_sets, word_hashes
from rasid.pipeline import analyze
from rasid.store import Store
from rasid.text.normalize import match_key


def reference_shingles(key_text: str, width: int = 4) -> np.ndarray:
    """The per-shingle Python code fingerprints were first made with (CRC-32 words, polynomial 4-grams)."""
    words = key_text.split()
    if not words:
        return np.zeros(0, dtype=np.uint32)
    h = [zlib.crc32(w.encode("utf-8")) for w in words]
    out = set()
    for i in range(max(1, len(h) - width + 1)):
        v = 0
        for x in h[i:i + width]:
            v = (v * 1000003 + x) & 0xFFFFFFFF
        out.add(v)
    return np.array(sorted(out), dtype=np.uint32)


def legacy_signature(shingles: np.ndarray) -> np.ndarray:
    """The 128-value multiply-shift MinHash signature stored before one-permutation hashing."""
    rng = np.random.RandomState(1)
    a = rng.randint(1, 2**63 - 1, size=128, dtype=np.int64).astype(np.uint64) | np.uint64(1)
    b = rng.randint(0, 2**63 - 1, size=128, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        return ((shingles.astype(np.uint64)[:, None] * a + b) >> np.uint64(32)).min(axis=0)


@pytest.fixture(scope="module")
def seed_texts(seeds_dir):
    return [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]


TRICKY = ["", "   ", "abc DEF_ghi", "ـقوات   حفتـر،", "خُطْوَةٌ", "ﻻ بأس ﷺ", "😀 قوات 😀 الوفاق", "قوات\u200fالوفاق\u200d",
          "٤٥٠ كيلومترا!! ۱۲", "  .قوات. ", "ق\xa0ت\u2003س\tع\nغ", "\ud800 قوات", "«المصدر»: واس — الرياض…", "ي ى ة ه ک ی"]


def test_document_key_is_match_key(seed_texts):
    lines = [ln for t in seed_texts for ln in t.splitlines()]
    for text in [*seed_texts, *lines, *TRICKY]:
        assert document_key(text) == match_key(text), text


def test_other_spaces_are_every_whitespace_but_the_space():
    assert OTHER_SPACES == "".join(chr(c) for c in range(0x110000) if chr(c).isspace() and c != 0x20)


def test_word_hashes_are_crc32_of_utf8_words():
    words = ["قوات", "x", "الوفاق", "https://example.com/" + "a" * 100, "٤٥٠", "ab"]
    text = "  ".join(words) + " "
    starts, h = word_hashes(np.frombuffer(text.encode("utf-8"), dtype=np.uint8))
    assert h.tolist() == [zlib.crc32(w.encode("utf-8")) for w in words]
    assert len(starts) == len(words)


def test_vectorised_shingles_are_the_reference_sets(seed_texts):
    keys = [match_key(t) for t in seed_texts]
    keys += [match_key(ln) for t in seed_texts for ln in t.splitlines()]  # short texts: fewer words than a shingle
    keys += ["", "قوات", "قوات الوفاق", "a b c", "a\tb  c\nd\xa0e\u3000f", " lead and trail "]
    flat, offsets = shingle_sets(keys)
    for i, key in enumerate(keys):
        ref = reference_shingles(key)
        assert np.array_equal(flat[offsets[i]:offsets[i + 1]], ref), key
        assert np.array_equal(shingle_hashes(key), ref)
    fps = DedupIndex().fingerprints((str(i), k) for i, k in enumerate(keys))
    for fp, key in zip(fps, keys, strict=True):
        assert np.array_equal(fp.shingles, reference_shingles(key))
        assert fp.exact_key == zlib.crc32(key.encode()).to_bytes(4, "big").hex() + f"{len(key):x}"


def edited(words: list[str], share: float, rng: random.Random) -> list[str]:
    """Replace a share of the words with new ones."""
    out = list(words)
    for i in rng.sample(range(len(out)), int(share * len(out))):
        out[i] = f"كلمة{rng.randrange(10**6)}"
    return out


def test_signatures_estimate_the_true_jaccard(seed_texts):
    rng = random.Random(3)
    index = DedupIndex()
    errors = []
    for text in seed_texts:
        words = match_key(text).split()
        for share in (0.0, 0.02, 0.05, 0.1, 0.2, 0.4):
            for size in (len(words), 40, 12):  # long, and short enough to leave bins empty (densified)
                a = words[:size]
                b = edited(a, share, rng)
                sa, sb = shingle_hashes(" ".join(a)), shingle_hashes(" ".join(b))
                est = (index.signature(sa) == index.signature(sb)).mean()
                errors.append(est - jaccard(sa, sb))
    errors = np.array(errors)
    assert np.abs(errors).max() < 0.3
    assert abs(errors.mean()) < 0.03  # unbiased
    assert np.sqrt((errors ** 2).mean()) < 0.1


def test_bands_find_pairs_at_the_threshold():
    bands, rows = choose_bands(64, 0.8)
    assert (bands, rows) == (16, 4)
    assert 1 - (1 - 0.8 ** rows) ** bands > 0.999


def corpus(seed_texts, rng):
    """Seed articles, their lines, light edits of them, and exact copies differing only in marks and punctuation."""
    docs = {}
    for i, text in enumerate(seed_texts):
        docs[f"s{i}"] = text
        docs[f"s{i}-edit"] = " ".join(edited(text.split(), 0.01, rng))
        docs[f"s{i}-copy"] = text.replace("،", ",").replace("ة", "ة\u064e")  # same matching key
        for j, line in enumerate(t for t in text.splitlines() if t.strip()):
            docs[f"s{i}-l{j}"] = line
    docs["dup-a"] = docs["dup-b"] = docs["dup-c"] = "أعلنت وزارة الداخلية القبض على خلية في الرياض"
    return docs


def test_batch_links_are_the_per_document_queries(seed_texts):
    docs = corpus(seed_texts, random.Random(5))
    ids = sorted(docs)
    batch = DedupIndex()
    links = batch.duplicate_links(batch.fingerprints((d, match_key(docs[d])) for d in ids))
    one = DedupIndex()
    expected = []
    for fp in [one.fingerprint(d, match_key(docs[d])) for d in ids]:
        exact = one.exact_duplicate(fp)
        if exact:
            expected.append((exact, fp.doc_id, 1.0))
        expected.extend((other, fp.doc_id, j) for other, j in one.near_duplicates(fp) if other != exact)
        one.add(fp)
    assert sorted(links) == sorted(expected)
    pairs = {frozenset(x[:2]) for x in links}
    for i in range(len(seed_texts)):  # every exact copy and light edit is found
        assert frozenset((f"s{i}", f"s{i}-copy")) in pairs
        assert frozenset((f"s{i}", f"s{i}-edit")) in pairs
    assert {frozenset(("dup-a", "dup-b")), frozenset(("dup-a", "dup-c"))} <= pairs


def test_all_exact_copies_are_found_among_many_documents(seed_texts):
    rng = random.Random(9)
    lines = [ln for t in seed_texts for ln in t.splitlines() if len(ln.split()) > 3]
    docs = {f"d{i}": " ".join(rng.sample(lines, 3)) for i in range(400)}
    groups = {}
    for i in range(60):  # 60 groups of 2 to 5 copies
        src = f"d{rng.randrange(400)}"
        for k in range(rng.randint(1, 4)):
            docs[f"c{i}-{k}"] = docs[src]
            groups.setdefault(src, {src}).add(f"c{i}-{k}")
    index = DedupIndex()
    links = index.duplicate_links(index.fingerprints((d, match_key(t)) for d, t in sorted(docs.items())))
    linked = {frozenset(x[:2]) for x in links}
    for members in groups.values():
        first = min(members)
        assert all(frozenset((first, m)) in linked or m == first for m in members)


def test_old_format_fingerprints_are_recomputed_and_match_new_ones(seed_texts):
    key = match_key(seed_texts[1])
    copy = key.replace("قوات", "القوات", 1)
    shingles = reference_shingles(key)
    # as Store.iter_fingerprints reads an old row: uint64 arrays, a 128-value multiply-shift signature
    old = Fingerprint("old", shingles.astype(np.uint64), legacy_signature(shingles), "00000000" + f"{len(key):x}")
    index = DedupIndex()
    assert index.num_perm != LEGACY_NUM_PERM
    index.add_many([old])
    found = index.near_duplicates(index.fingerprint("new", copy))
    assert [d for d, _ in found] == ["old"] and found[0][1] >= 0.9
    fresh = DedupIndex()
    fresh.add(fresh.fingerprint("old", key))
    assert np.array_equal(fresh._keys.view, index._keys.view)  # recomputed exactly as a new fingerprint


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")


def test_store_with_old_format_rows_still_finds_copies(tmp_path, seed_text, cleaner):
    base = seed_text("001")
    write_jsonl(tmp_path / "a.jsonl", [{"id": "early", "text": base, "published": "2020-06-06"}])
    write_jsonl(tmp_path / "b.jsonl", [{"id": "late", "text": base.replace("قنونو", "قنونو،") + "\nالمصدر : وكالات",
                                        "published": "2020-06-08"}])
    with Store(tmp_path / "s.sqlite") as store:
        analyze([tmp_path / "a.jsonl"], store, cleaner=cleaner, stories=False, entities=False)
        (stored,) = store.iter_fingerprints()
        assert stored.signature.size == DedupIndex().num_perm  # new rows: read as they are
        # turn the row into one written by the earlier version (128-value multiply-shift signature)
        shingles = stored.shingles.astype(np.uint32)
        store.db.execute("UPDATE fingerprints SET signature=? WHERE doc_id='early'",
                         (legacy_signature(shingles).astype("<u4").tobytes(),))
        report = analyze([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], store, cleaner=cleaner, stories=False,
                         entities=False)
        assert report.duplicates_marked == 1
        assert store.get_document("late").duplicate_of == "early"


def test_a_rerun_with_nothing_changed_fingerprints_nothing(tmp_path, seed_text, cleaner, monkeypatch):
    write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": seed_text("001")}, {"id": "b", "text": seed_text("001")}])
    with Store(tmp_path / "s.sqlite") as store:
        analyze([tmp_path / "a.jsonl"], store, cleaner=cleaner, stories=False, entities=False)

        def fail(*args, **kwargs):
            raise AssertionError("fingerprinted or indexed again")

        monkeypatch.setattr(DedupIndex, "fingerprints", fail)
        monkeypatch.setattr(DedupIndex, "add_many", fail)
        report = analyze([tmp_path / "a.jsonl"], store, cleaner=cleaner, stories=False, entities=False)
        assert report.duplicates_marked == 0 and report.processed == 0
        assert store.get_document("b").duplicate_of == "a"


def test_mark_duplicates_uses_stored_rows_without_requerying_them(tmp_path, seed_text, cleaner):
    write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": seed_text("002")}])
    with Store(tmp_path / "s.sqlite") as store:
        analyze([tmp_path / "a.jsonl"], store, cleaner=cleaner, stories=False, entities=False)
        index = DedupIndex()
        assert mark_duplicates(store, [], index=index) == 0
        assert len(index) == 1

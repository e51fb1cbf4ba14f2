"""Pick the SaudiNewsNet articles of the blind-coded events corpus and split them by story.

    python tools/select_events_corpus.py [--data ../shared/data/saudinewsnet] [--out bench/data/events_corpus]

Candidates: articles of 300-3,000 characters that name a place of one of the conflicts (Libya,
Yemen, Syria, Iraq, Egypt/Sinai) and a word of violence; distractors: articles that use a war word
in sport, economy, anniversaries or politics. A fixed seed picks a balanced sample. Articles of one
story (one development reported by several outlets) never span two splits: candidates that share
rare words and lie within three days of each other are linked, and each linked group goes to one
split. The two hand-coded Libya sets already in the repository are folded in: the 15 test articles
stay in the test split, the 6 development articles in dev. Writes ``articles.jsonl`` (the texts, to
code blind) and ``split.json``; coding is done by hand into ``gold.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_stories import load_records  # noqa: E402

SEED = 20261204
PER_CONFLICT = {"yemen": 34, "syria": 30, "iraq": 30, "egypt": 20, "libya": 14}
DISTRACTORS = 32
CONFLICT_WORDS = {
    "yemen": ["اليمن", "صنعاء", "عدن", "تعز", "الحوثي", "مأرب", "الضالع", "لحج", "أبين", "زنجبار", "صعدة", "شبوة", "الحديدة"],
    "syria": ["سوريا", "سورية", "حلب", "إدلب", "درعا", "حمص", "حماة", "دمشق", "الرقة", "الزبداني", "دير الزور", "الحسكة"],
    "iraq": ["العراق", "بغداد", "الموصل", "الرمادي", "الأنبار", "الفلوجة", "تكريت", "بيجي", "ديالى", "كركوك", "صلاح الدين"],
    "egypt": ["سيناء", "العريش", "الشيخ زويد", "رفح المصرية", "القاهرة", "الإسماعيلية", "الجيش المصري"],
    "libya": ["ليبيا", "بنغازي", "طرابلس", "سرت", "درنة", "سبها", "مصراتة"],
}
VIOLENCE = ["قتل", "مقتل", "قتلى", "اشتباك", "اشتباكات", "غارة", "غارات", "قصف", "تفجير", "انفجار", "هجوم", "معارك",
            "سيطر", "استعاد", "اعتقال", "اختطاف", "انتحاري", "عبوة", "مسلحين", "قذائف", "جرحى", "اغتيال"]
DISTRACTOR_CONTEXT = ["مباراة", "الدوري", "المنتخب", "الأسهم", "البورصة", "السوق", "الأسعار", "ذكرى", "الذكرى",
                      "مؤتمر", "ندوة", "مسلسل", "فيلم", "رواية", "الانتخابات", "البرلمان", "النفط"]
WORD = re.compile(r"[\u0621-\u064a]{4,}")
MIN_CHARS, MAX_CHARS = 300, 3000
STORY_DAYS = 3
STORY_SHARED_RARE = 6  # rare words two reports of one story share (picked by reading a sample of pairs)


def classify(text: str) -> str | None:
    head = text[:1500]
    if not any(w in head for w in VIOLENCE):
        return None
    hits = {c: sum(head.count(w) for w in words) for c, words in CONFLICT_WORDS.items()}
    best = max(hits, key=hits.get)
    return best if hits[best] >= 2 else None


def is_distractor(text: str) -> bool:
    head = text[:1500]
    war = sum(head.count(w) for w in ("معركة", "حرب", "هجوم", "قصف", "سلاح", "انفجار", "غزو", "اشتباك", "قتل"))
    context = sum(head.count(w) for w in DISTRACTOR_CONTEXT)
    return war >= 1 and context >= 2 and not any(sum(head.count(w) for w in ws) >= 2 for ws in CONFLICT_WORDS.values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "data" / "events_corpus")
    args = ap.parse_args()
    fixed_test = [json.loads(x) for x in (ROOT / "tests/data/snn_libya/articles.jsonl").read_text().splitlines()]
    fixed_dev = [json.loads(x) for x in (ROOT / "bench/data/snn_libya_dev/articles.jsonl").read_text().splitlines()]
    fixed = {r["id"] for r in fixed_test + fixed_dev}
    records = load_records(args.data, None)
    seen_text = set()
    pools: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        text = r["text"].strip()
        if not MIN_CHARS <= len(text) <= MAX_CHARS or r["id"] in fixed or text[:200] in seen_text:
            continue
        seen_text.add(text[:200])
        kind = classify(text)
        if kind:
            pools[kind].append(r)
        elif is_distractor(text):
            pools["distractor"].append(r)
    rng = random.Random(SEED)
    chosen = []
    for kind, n in [*PER_CONFLICT.items(), ("distractor", DISTRACTORS)]:
        pool = sorted(pools[kind], key=lambda r: r["id"])
        picked = rng.sample(pool, min(n, len(pool)))
        chosen += [dict(r, kind=kind) for r in picked]
        print(f"{kind}: {len(picked)} of {len(pool)} candidates", file=sys.stderr)
    # stories: link reports within STORY_DAYS that share enough rare words
    allrecs = chosen + [dict(r, kind="libya") for r in fixed_test + fixed_dev]
    df = Counter(w for r in allrecs for w in set(WORD.findall(r["text"])))
    rare = [{w for w in set(WORD.findall(r["text"])) if df[w] <= 3} for r in allrecs]
    parent = list(range(len(allrecs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(allrecs)):
        for j in range(i + 1, len(allrecs)):
            di, dj = date.fromisoformat(allrecs[i]["published"][:10]), date.fromisoformat(allrecs[j]["published"][:10])
            if abs((di - dj).days) <= STORY_DAYS and len(rare[i] & rare[j]) >= STORY_SHARED_RARE:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(allrecs)):
        groups[find(i)].append(i)
    split: dict[str, str] = {}
    story: dict[str, str] = {}
    order = sorted(groups.values(), key=lambda g: min(allrecs[i]["id"] for i in g))
    rng.shuffle(order)
    test_ids, dev_ids = {r["id"] for r in fixed_test}, {r["id"] for r in fixed_dev}
    counts = Counter()
    targets = {"test": 0.30, "dev": 0.15}
    for k, g in enumerate(order):
        ids = [allrecs[i]["id"] for i in g]
        if any(i in test_ids for i in ids):
            name = "test"
        elif any(i in dev_ids for i in ids):
            name = "dev"
        else:
            total = sum(counts.values()) or 1
            name = next((s for s, share in targets.items() if counts[s] / total < share), "train")
        counts[name] += len(ids)
        for i in ids:
            split[i] = name
            story[i] = f"ST{k:03d}"
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "articles.jsonl").open("w", encoding="utf-8") as f:
        for r in sorted(allrecs, key=lambda r: r["id"]):
            f.write(json.dumps({"id": r["id"], "text": r["text"], "title": r.get("title"), "outlet": r.get("outlet"),
                                "published": r.get("published"), "kind": r["kind"]}, ensure_ascii=False) + "\n")
    (args.out / "split.json").write_text(json.dumps(
        {"about": "split by story: the articles of one story are in one split; test is scored only to report",
         "seed": SEED, "splits": {s: sorted(i for i in split if split[i] == s) for s in ("train", "dev", "test")},
         "story": dict(sorted(story.items()))}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(allrecs)} articles: {dict(counts)}; {len(groups)} stories, "
          f"{sum(len(g) > 1 for g in groups.values())} with several reports", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

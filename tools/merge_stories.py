"""Merge the story labellers' parts (bench/data/story_parts/) into the story sets, each labelled
article with its split.

    python tools/merge_stories.py [--check]

- ``bench/data/story_set.jsonl``: developments reported by several outlets (and distractors). The
  first 81 rows, labelled on 2026-11-23 and used since to tune the clusterer, are ``dev``; stories
  added from ``stories_*.jsonl`` are split by thread (or story when it has none): about two fifths
  ``test``, the rest ``dev``.
- ``bench/data/story_hard.jsonl``: the hard set from ``hard_*.jsonl`` (same-kind routine items,
  same actor in different developments, steps of one campaign), split by pair (or story): about two
  fifths ``test``.

Splits are chosen by a hash of the thread / pair / story name, so they do not move when parts are
added; test items are scored to report and never read for errors. Parts named ``*_T<n>.jsonl``
(``stories_T1.jsonl``, ``hard_T1.jsonl``) are ``train``: labelled later, blind, for fitting only
(developments other than the dev and test ones), so that dev can choose settings and show errors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
TEST_SHARE = 0.4


def split_of(name: str) -> str:
    h = int(hashlib.blake2b(name.encode(), digest_size=8).hexdigest(), 16) / 2**64
    return "test" if h < TEST_SHARE else "dev"


def part_split(part: Path, name: str) -> str:
    """The split of a part's story: ``train`` for a training part (``*_T<n>.jsonl``), else by name."""
    return "train" if part.stem.split("_")[-1].startswith("T") else split_of(name)


def read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    story_path = DATA / "story_set.jsonl"
    rows = read(story_path)
    header, old = rows[0], [r for r in rows[1:] if r.get("source") != "story_parts"]
    for r in old:
        r.setdefault("split", "dev")
    seen = {r["id"] for r in old}
    added = []
    for part in sorted((DATA / "story_parts").glob("stories_*.jsonl")):
        for r in read(part):
            if r["id"] in seen:
                continue
            seen.add(r["id"])
            added.append({"id": r["id"], "story": r["story"], "thread": r.get("thread"),
                          "split": part_split(part, r.get("thread") or r["story"]), "source": "story_parts"})
    header["about"] = header["about"].split(" Added 2026-12-04")[0] + (
        " Added 2026-12-04: developments of 4+ articles from 3+ outlets labelled blind by a helper (story_parts/), "
        "with a split by thread (test: scored only, never read for errors); the first rows are dev. Added 2026-12-05: "
        "train rows (story_parts/stories_T1.jsonl: other developments, labelled blind by a helper), for fitting only.")
    hard = []
    for part in sorted((DATA / "story_parts").glob("hard_*.jsonl")):
        for r in read(part):
            hard.append({"id": r["id"], "story": r["story"], "kind": r.get("kind"), "pair": r.get("pair"),
                         "thread": r.get("thread"),
                         "split": part_split(part, r.get("pair") or r.get("thread") or r["story"])})
    hard_header = {"about": "Hard story set in SaudiNewsNet (../shared/data/saudinewsnet), ids as rasid gives them: "
                            "same-kind routine items in different places or days, one actor's different developments "
                            "(pair), steps of one campaign (thread); each story is one development. Labelled blind by "
                            "a helper on 2026-12-04 (story_parts/hard_*.jsonl); split by pair or story (test: scored "
                            "only). Added 2026-12-05: train rows (story_parts/hard_T1.jsonl, other developments, labelled blind by a "
                            "helper), for fitting only. Only ids and labels are stored; the texts stay in SaudiNewsNet "
                            "(CC BY-NC-SA 4.0).",
                   "labeller": "Rasid team (helper)", "date": "2026-12-04"}
    for name, items in (("story_set", old + added), ("story_hard", hard)):
        stories = {}
        for r in items:
            stories.setdefault((r["split"], r["story"]), 0)
            stories[(r["split"], r["story"])] += 1
        by = {s: sum(1 for (sp, _), n in stories.items() if sp == s) for s in ("train", "dev", "test")}
        print(f"{name}: {len(items)} articles, stories train {by['train']} / dev {by['dev']} / test {by['test']}")
    if not args.check:
        story_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [header, *old, *added]),
                              encoding="utf-8")
        (DATA / "story_hard.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [hard_header, *hard]), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

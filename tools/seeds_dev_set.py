"""Write the sample articles and their reference annotations as an extra dev set for ``rasid train-events``.

    python tools/seeds_dev_set.py [--out /tmp/seeds_dev] [--gold ../shared/eval/seeds_gold.json]
    rasid train-events bench/data/events_corpus --extra-dev /tmp/seeds_dev --model src/rasid/events/data/learned.json

Reads ``demo/seeds`` and ``demo/meta.jsonl`` (publication dates) and copies the gold file; the folder
holds ``articles.jsonl`` and ``gold.json`` and no split: all of it is dev.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/seeds_dev"))
    ap.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "eval" / "seeds_gold.json")
    args = ap.parse_args()
    if not args.gold.is_file():
        print(f"no {args.gold}", file=sys.stderr)
        return 1
    meta = {r["id"]: r for r in map(json.loads, (ROOT / "demo" / "meta.jsonl").read_text(encoding="utf-8").splitlines())}
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "articles.jsonl").open("w", encoding="utf-8") as f:
        for path in sorted((ROOT / "demo" / "seeds").glob("*.txt")):
            m = meta.get(path.stem, {})
            f.write(json.dumps({"id": path.stem, "text": path.read_text(encoding="utf-8"), "published": m.get("published"),
                                "outlet": m.get("outlet"), "title": m.get("title")}, ensure_ascii=False) + "\n")
    shutil.copyfile(args.gold, args.out / "gold.json")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

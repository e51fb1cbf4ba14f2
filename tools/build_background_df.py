"""Build the background document frequencies that weight story terms (src/rasid/stories/data/background_df.tsv).

    python tools/build_background_df.py ../shared/data/saudinewsnet [--top 40000]

Counts, for each term (matching key with proclitics stripped, as rasid.stories uses it), in how
many SaudiNewsNet articles it occurs. Only the counts are kept, never text.
"""

import argparse
import json
import sys
import zipfile
from collections import Counter
from pathlib import Path

from rasid.stories.terms import story_terms


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--top", type=int, default=40000)
    ap.add_argument("--out", type=Path, default=Path("src/rasid/stories/data/background_df.tsv"))
    args = ap.parse_args()
    df: Counter = Counter()
    n = 0
    for archive in sorted(args.data.glob("*.zip")):
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                for rec in json.loads(z.read(name)):
                    text = rec.get("content") or ""
                    if text.strip():
                        n += 1
                        df.update(set(story_terms(text)))
    with args.out.open("w", encoding="utf-8") as fh:
        fh.write("# Background document frequencies of story terms: in how many of N news articles each term occurs.\n")
        fh.write("# source: counts over SaudiNewsNet (M. Alhagri 2015, 31,030 Saudi newspaper articles, July-August 2015),\n")
        fh.write("#   CC BY-NC-SA 4.0; only per-term counts are kept, no text. licence of this table: CC BY-NC-SA 4.0\n")
        fh.write(f"# built by tools/build_background_df.py; editor: Rasid team; version: 1\n#N\t{n}\n")
        for term, count in df.most_common(args.top):
            if count < 2:
                break
            fh.write(f"{term}\t{count}\n")
    print(f"{n} articles, {min(args.top, len(df))} terms -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Machine-tag unlabelled news for self-training the entity tagger (``rasid train-ner --silver``).

    python tools/build_silver.py ../shared/data/saudinewsnet --model teacher.pt --sentences 6000 \
        --out silver.conll

Draws sentences of 8 to 60 tokens from SaudiNewsNet articles (a fixed random sample of articles,
every kept sentence of each, so document-level consistency has its context), tags them with the
teacher model (an ensemble, with label consistency within each article) and writes "TOKEN TAG"
lines with a blank line between sentences. The text is tokenised as the tagger tokenises it at
run time. Progress goes to standard error.
"""

import argparse
import json
import random
import sys
import zipfile
from pathlib import Path

from rasid.entities.tagger import EntityTagger
from rasid.text.sentences import split_sentences
from rasid.text.tokens import tokenize


def articles(data: Path):
    for archive in sorted(data.glob("*.zip")):
        with zipfile.ZipFile(archive) as z:
            for name in sorted(z.namelist()):
                for i, rec in enumerate(json.loads(z.read(name))):
                    text = (rec.get("content") or "").strip()
                    if text:
                        yield f"{Path(name).stem}-{i}", text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--model", help="teacher model (default: the shipped tagger)")
    ap.add_argument("--sentences", type=int, default=6000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    docs = list(articles(args.data))
    random.Random(args.seed).shuffle(docs)
    sents, owners = [], []
    for doc_id, text in docs:
        for line in text.splitlines():
            for a, b in split_sentences(line):
                toks = [t.text for t in tokenize(line[a:b])]
                if 8 <= len(toks) <= 60:
                    sents.append(toks)
                    owners.append(doc_id)
        if len(sents) >= args.sentences:
            break
    print(f"{len(sents)} sentences from {len(set(owners))} articles; tagging", file=sys.stderr, flush=True)
    tagger = EntityTagger.load(args.model)
    tags: list[list[str]] = []
    start = 0
    while start < len(sents):
        # whole articles per call, so label consistency sees each article entire
        end = min(len(sents), start + 1000)
        while end < len(sents) and owners[end] == owners[end - 1]:
            end += 1
        tags += tagger.tag_many(sents[start:end], documents=owners[start:end])
        start = end
        print(f"  {len(tags)}/{len(sents)}", file=sys.stderr, flush=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for toks, t in zip(sents, tags, strict=True):
            fh.write("".join(f"{w} {g}\n" for w, g in zip(toks, t, strict=True)) + "\n")
    n_ent = sum(1 for t in tags for g in t if g.startswith("B-"))
    print(f"{sum(map(len, sents))} tokens, {n_ent} entities -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

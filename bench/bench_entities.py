"""Entity tagger accuracy on the ANERcorp test split and tagging speed on news text.

    python bench/bench_entities.py [--anercorp ../shared/data/anercorp] [--articles 300] [--model FILE]

1. Entity-level (conlleval) micro and per-type P/R/F1 of the shipped tagger on the ANERcorp test
   split (CAMeL boundary; never used in training or tuning), sentence by sentence and with
   document-level label consistency (the shipped behaviour).
2. Tagging speed in tokens/s on the first N SaudiNewsNet articles: the tagger alone, then full
   extraction (tagger + actor dictionary + geocoder). Asserts nothing; prints figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from bench_stories import DEFAULT_DATA, load_records

from rasid.clean import Cleaner
from rasid.document import Article
from rasid.entities import EntityExtractor
from rasid.entities.conll import read_conll
from rasid.entities.evaluate import score_entities
from rasid.entities.tagger import EntityTagger
from rasid.text.sentences import split_sentences
from rasid.text.tokens import tokenize

HERE = Path(__file__).resolve().parent
DEFAULT_ANERCORP = HERE.parents[1] / "shared" / "data" / "anercorp"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--anercorp", type=Path, default=DEFAULT_ANERCORP)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--model")
    args = ap.parse_args()
    tagger = EntityTagger.load(args.model)
    test = args.anercorp / "ANERCorp_camelsplit_test.derived.txt"
    if test.exists():
        sentences = read_conll(test)
        tokens = [[t for t, _ in s] for s in sentences]
        gold = [[g for _, g in s] for s in sentences]
        n_tok = sum(map(len, sentences))
        # the test file marks no documents: label consistency reads 20 sentences either side
        for label, window in (("sentence by sentence", 0), ("with label consistency", None)):
            t0 = time.perf_counter()
            predicted = tagger.tag_many(tokens, consistency_window=window)
            dt = time.perf_counter() - t0
            scores = score_entities(gold, predicted)
            print(f"ANERcorp test, {label}: {len(sentences)} sentences, {n_tok} tokens, tagged in {dt:.1f} s "
                  f"({n_tok / dt:,.0f} tokens/s)")
            for kind, s in scores.items():
                print(f"  {kind:6} P {s['precision']:.4f}  R {s['recall']:.4f}  F1 {s['f1']:.4f}  (gold {s['gold']})")
        print(json.dumps({"anercorp_test": scores}))
    else:
        print(f"no ANERcorp test split at {test}; skipping accuracy", file=sys.stderr)
    records = load_records(args.data, None, args.articles) if args.data.exists() else []
    if not records:
        print(f"no SaudiNewsNet at {args.data}; skipping speed", file=sys.stderr)
        return 0
    sents = []
    for r in records:
        text = r["text"]
        for a, b in split_sentences(text):
            toks = [t.text for t in tokenize(text[a:b])]
            if toks:
                sents.append(toks)
    n_tok = sum(map(len, sents))
    t0 = time.perf_counter()
    tagger.tag_many(sents)
    dt = time.perf_counter() - t0
    print(f"tagger alone: {len(records)} articles, {n_tok:,} tokens in {dt:.1f} s = {n_tok / dt:,.0f} tokens/s")
    cleaner = Cleaner.from_data()
    docs = [cleaner.clean(Article(r["id"], r["text"], "bench"))[0] for r in records]
    extractor = EntityExtractor(tagger=tagger)
    t0 = time.perf_counter()
    results = extractor.extract_many(docs)
    dt = time.perf_counter() - t0
    mentions = sum(len(e.mentions) for e in results)
    print(f"full extraction: {len(docs)} documents, {mentions:,} mentions in {dt:.1f} s = {n_tok / dt:,.0f} tokens/s, "
          f"{len(docs) / dt:.1f} documents/s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``rasid train-ner`` (train the entity tagger) and ``rasid tag`` (tag CoNLL or plain text)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rasid.cli.common import add_common
from rasid.errors import RasidError


def add_parsers(sub) -> None:
    """Register both commands."""
    p = sub.add_parser("train-ner", help="train the entity tagger on a CoNLL file (ANERcorp train split)",
                       description="Train the BiLSTM-CRF entity tagger. The last tenth of TRAIN is held out to "
                                   "pick the epoch (--held-out 0: train on all of it for --epochs epochs). "
                                   "Never pass a test split.")
    p.add_argument("train", metavar="TRAIN", help="one 'TOKEN TAG' per line (PERS/LOC/ORG/MISC, BIO)")
    p.add_argument("--out", default="ner_model.pt", metavar="FILE", help="where to write the model")
    p.add_argument("--vectors", metavar="NPZ", help="word vectors from tools/build_word_clusters.py --vectors")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--patience", type=int, default=5, metavar="N",
                   help="stop after N epochs without a better held-out F1 (default 5; the best epoch is kept)")
    p.add_argument("--held-out", type=float, default=0.1, metavar="FRACTION",
                   help="share of TRAIN held out to pick the epoch (default 0.1; 0 = train on all of it "
                        "for exactly --epochs epochs and keep the last weights)")
    p.add_argument("--context-layers", type=int, default=6,
                   help="lower layers of multilingual-e5-small whose states feed the tagger (0 = none)")
    p.add_argument("--tuned-layers", type=int, default=0,
                   help="of those, how many upper ones are fine-tuned (0 = all frozen)")
    p.add_argument("--members", type=int, default=1,
                   help="train an ensemble: N taggers, each holding out a different tenth (default 1)")
    p.add_argument("--fold", type=int, default=0,
                   help="which tenth (from the end) to hold out for choosing the epoch (default 0: the last)")
    p.add_argument("--silver", metavar="CONLL",
                   help="machine-tagged sentences to train on as well (tools/build_silver.py; never held out)")
    p.add_argument("--cache", metavar="DIR", help="keep the encoder states of TRAIN here between runs")
    p.add_argument("--seed", type=int, default=7)
    add_common(p)
    p.set_defaults(run=run_train)

    j = sub.add_parser("join-ner", help="join separately trained tagger models into one ensemble",
                       description="Join models from rasid train-ner (say, members trained on different folds "
                                   "in parallel) into one ensemble model, which averages their scores.")
    j.add_argument("models", metavar="MODEL", nargs="+")
    j.add_argument("--out", required=True, metavar="FILE")
    add_common(j)
    j.set_defaults(run=run_join)

    t = sub.add_parser("tag", help="tag entities: CoNLL in, 'TOKEN TAG' lines out (or JSON mentions for text)",
                       description="With --conll, read one token per line (blank line between sentences; a tag "
                                   "column, if any, is ignored) and print 'TOKEN TAG' lines, ready for "
                                   "conlleval/seqeval. Without it, read Arabic text and print entity mentions as JSONL.")
    t.add_argument("input", metavar="IN", help="input file, or - for standard input")
    t.add_argument("--conll", action="store_true", help="IN is token-per-line")
    t.add_argument("--gold", action="store_true", help="with --conll: print 'TOKEN GOLD PREDICTED' and a score")
    t.add_argument("--model", metavar="FILE", help="a model from rasid train-ner (default: the shipped one)")
    t.add_argument("--consistency-window", type=int, default=None, metavar="N",
                   help="a name tagged in one sentence is labelled alike in the N sentences either side "
                        "(default 20; 0 = each sentence on its own)")
    add_common(t)
    t.set_defaults(run=run_tag)


def run_train(args: argparse.Namespace) -> int:
    from rasid.entities.train import train_ensemble, train_tagger

    if not Path(args.train).exists():
        raise RasidError(f"no such file: {args.train}")
    if "test" in Path(args.train).name.lower():
        raise RasidError(f"{args.train} looks like a test split; train on the training split only")
    if args.patience < 1:
        raise RasidError(f"--patience must be at least 1, not {args.patience}")
    if not 0 <= args.held_out < 0.5:
        raise RasidError(f"--held-out is a share of TRAIN from 0 to below 0.5, not {args.held_out}")
    if args.held_out == 0 and args.fold:
        raise RasidError("--fold picks the held-out tenth; with --held-out 0 nothing is held out")
    options = dict(vectors=args.vectors, epochs=args.epochs, patience=args.patience, seed=args.seed,
                   context_layers=args.context_layers, tuned_layers=args.tuned_layers, cache_dir=args.cache,
                   silver=args.silver, held_out=args.held_out,
                   progress=lambda s: print(s, file=sys.stderr, flush=True))  # noqa: T201
    if args.members > 1:
        scores = train_ensemble(args.train, args.out, members=args.members, **options)
    else:
        scores = train_tagger(args.train, args.out, fold=args.fold, **options)
    print(json.dumps({"held_out": scores, "model": args.out}, indent=1))  # noqa: T201
    return 0


def run_join(args: argparse.Namespace) -> int:
    from rasid.entities.train import join_models

    for m in args.models:
        if not Path(m).exists():
            raise RasidError(f"no such model: {m}")
    n = join_models(args.models, args.out)
    print(json.dumps({"model": args.out, "members": n}))  # noqa: T201
    return 0


def run_tag(args: argparse.Namespace) -> int:
    from rasid.entities.tagger import EntityTagger

    tagger = EntityTagger.load(args.model)
    if args.conll:
        from rasid.entities.conll import read_conll
        from rasid.entities.evaluate import score_entities

        path = _materialise(args.input)
        sentences = read_conll(path, with_tags=args.gold)
        predicted = tagger.tag_many([[t for t, _ in s] for s in sentences], consistency_window=args.consistency_window)
        out = sys.stdout
        for sent, tags in zip(sentences, predicted, strict=True):
            for (tok, gold), tag in zip(sent, tags, strict=True):
                out.write(f"{tok} {gold} {tag}\n" if args.gold else f"{tok} {tag}\n")
            out.write("\n")
        if args.gold:
            scores = score_entities([[g for _, g in s] for s in sentences], predicted)
            print(json.dumps(scores), file=sys.stderr)  # noqa: T201
        return 0
    from rasid.entities.conll import bio_spans
    from rasid.text.sentences import split_sentences
    from rasid.text.tokens import tokenize

    text = sys.stdin.read() if args.input == "-" else Path(args.input).read_text(encoding="utf-8")
    spans = split_sentences(text)
    toks = [[t for t in tokenize(text[a:b], offset=a) if t] for a, b in spans]
    toks = [t for t in toks if t]
    for sent, tags in zip(toks, tagger.tag_many([[t.text for t in s] for s in toks],
                                                              consistency_window=args.consistency_window), strict=True):
        for kind, a, b in bio_spans(tags):
            start, end = sent[a].start, sent[b - 1].end
            print(json.dumps({"span": [start, end], "type": kind, "text": text[start:end]}, ensure_ascii=False))  # noqa: T201
    return 0


def _materialise(path: str) -> str:
    if path != "-":
        return path
    import tempfile

    tmp = tempfile.NamedTemporaryFile("w", suffix=".conll", delete=False, encoding="utf-8")
    tmp.write(sys.stdin.read())
    tmp.close()
    return tmp.name

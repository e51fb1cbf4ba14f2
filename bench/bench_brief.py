"""The extractive summariser on EASC (Essex Arabic Summaries Corpus) against the Lead-3 baseline.

    python bench/bench_brief.py [--data ../shared/data/easc] [--sentences 3]

EASC has 153 articles, each with 5 human extractive summaries (MTurk). Both systems pick the same
number of sentences (Lead-3: the first three); ROUGE-1/2 F1 (rouge-score, with words compared on
Rasid's matching keys, so alef/hamza and ta marbuta spellings agree, no stemming) is averaged over
the five references of an article, then over articles. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from rouge_score import rouge_scorer

from rasid.brief import Candidate, summarize
from rasid.text.normalize import match_words
from rasid.text.sentences import split_sentences

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "easc"


class ArabicKeys:
    """rouge-score's tokenizer interface over Rasid's matching keys (its default drops Arabic)."""

    def tokenize(self, text: str) -> list[str]:
        return list(match_words(text))


def load_easc(root: Path) -> list[tuple[str, str, list[str]]]:
    """(topic, article text, reference summaries) for every EASC topic."""
    out = []
    base = root / "EASC-UTF-8"
    for topic in sorted((base / "Articles").iterdir(), key=lambda p: int(p.name.removeprefix("Topic"))):
        article = next(p for p in topic.iterdir() if p.suffix.lower() == ".txt")
        refs = sorted((base / "MTurk" / topic.name).glob("*"))
        out.append((topic.name, article.read_text(encoding="utf-8-sig"),
                    [r.read_text(encoding="utf-8-sig") for r in refs]))
    return out


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sentences", type=int, default=3, help="sentences per summary, both systems")
    args = ap.parse_args()
    if not (args.data / "EASC-UTF-8").is_dir():
        print(f"no EASC under {args.data}", file=sys.stderr)
        return 1
    corpus = load_easc(args.data)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], tokenizer=ArabicKeys())
    scores: dict[str, dict[str, list[float]]] = {"lead": {"rouge1": [], "rouge2": []},
                                                 "rasid": {"rouge1": [], "rouge2": []}}
    t0 = time.perf_counter()
    n_sent = 0
    for _topic, text, refs in corpus:
        sents = sentences(text)
        n_sent += len(sents)
        lead = " ".join(sents[:args.sentences])
        picked = summarize([Candidate(s, "doc", "doc", i) for i, s in enumerate(sents)], k=args.sentences)
        ours = " ".join(c.text for c in picked)
        for name, summary in (("lead", lead), ("rasid", ours)):
            for kind in ("rouge1", "rouge2"):
                scores[name][kind].append(statistics.mean(scorer.score(r, summary)[kind].fmeasure for r in refs))
    seconds = time.perf_counter() - t0
    print(f"EASC articles            {len(corpus)}  ({n_sent:,} sentences, 5 references each)")
    print(f"summary length           {args.sentences} sentences, both systems")
    # the summariser's weights were chosen on the even-numbered half (0, 2, 4 ... in topic order)
    for part, pick in (("all 153", slice(None)), ("tuning half", slice(0, None, 2)), ("held-out half", slice(1, None, 2))):
        for name, label in (("lead", "Lead-3 baseline"), ("rasid", "Rasid summariser")):
            r1 = statistics.mean(scores[name]["rouge1"][pick])
            r2 = statistics.mean(scores[name]["rouge2"][pick])
            print(f"{part:<14} {label:<17} ROUGE-1 F1 {r1:.4f}   ROUGE-2 F1 {r2:.4f}")
    wins = sum(a > b for a, b in zip(scores["rasid"]["rouge1"], scores["lead"]["rouge1"], strict=True))
    print(f"articles where Rasid beats Lead on ROUGE-1: {wins}/{len(corpus)}")
    print(f"time (both systems + scoring) {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Second labels for the ANERcorp training split from NewsFANE (``rasid train-ner --aux``).

    python tools/align_newsfane.py ../shared/data/anercorp/ANERCorp_camelsplit_train.derived.txt \
        ../shared/data/newsfane/NewsFANE_Gold_2014_170K.txt --out newsfane_aux.txt

NewsFANE (Alotaibi & Lee 2014, CC BY-SA 3.0) re-annotates the ANERcorp text with about fifty
fine-grained classes (Politician, Athlete, Non-Governmental, Sports, Media ...). Its tokens are
split and normalised differently (و apart, ا for أ) and its documents come in another order, so
each training sentence is found in it by shared character 14-grams and aligned character by
character (difflib). Only sentences of the given training file are written: whatever NewsFANE
holds of the test split is never read into the output.

Writes ``TOKEN AUX TAG`` per token of the training file, a blank line after each sentence. AUX is
the fine-grained BIO tag of the first name among the NewsFANE tokens the word overlaps, O, or ``?`` where the sentence
or the word could not be aligned (at least 80 % of a sentence's letters must match). Prints how
many sentences were aligned.
"""

import argparse
import difflib
import sys
from collections import Counter, defaultdict
from pathlib import Path

from rasid.entities.conll import read_conll
from rasid.text.normalize import match_key

GRAM = 14
MIN_MATCHED = 0.8


def letters(token: str) -> str:
    return match_key(token, keep_punctuation=True).replace(" ", "")


def read_newsfane(path: Path) -> list[tuple[str, str]]:
    """(token, tag) pairs; an empty tag (punctuation, mostly) is O; bidi marks are dropped."""
    out = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        token, _, tag = line.partition("\t")
        token = letters(token)
        if token:
            out.append((token, tag.strip() or "O"))
    return out


def align(sentences: list[list[tuple[str, str]]], fane: list[tuple[str, str]]) -> tuple[list[list[str]], int]:
    """Each training word's auxiliary tag, and how many sentences were aligned."""
    chars, owner = [], []
    for k, (token, _) in enumerate(fane):
        chars.append(token)
        owner += [k] * len(token)
    stream = "".join(chars)
    grams: dict[str, list[int]] = defaultdict(list)
    for p in range(len(stream) - GRAM):
        grams[stream[p:p + GRAM]].append(p)
    out, aligned = [], 0
    for sent in sentences:
        keys = [letters(t) for t, _ in sent]
        text = "".join(keys)
        word = [i for i, k in enumerate(keys) for _ in k]
        votes: Counter = Counter()
        for q in range(0, max(1, len(text) - GRAM), 3):
            hits = grams.get(text[q:q + GRAM], ())
            if len(hits) <= 3:  # a passage repeated more often says nothing about where this one is
                votes.update(p - q for p in hits)
        over: list[list[int]] = [[] for _ in sent]  # the NewsFANE tokens each word overlaps
        if votes:
            offset = votes.most_common(1)[0][0]
            lo = max(0, offset - 30)
            segment = stream[lo:offset + len(text) + 30]
            blocks = difflib.SequenceMatcher(None, text, segment, autojunk=False).get_matching_blocks()
            if sum(b.size for b in blocks) >= MIN_MATCHED * len(text):
                aligned += 1
                for a, b, size in blocks:
                    for x in range(size):
                        seen = over[word[a + x]]
                        if not seen or seen[-1] != owner[lo + b + x]:
                            seen.append(owner[lo + b + x])
        tags, prev = [], None
        for tokens in over:
            # the first name among the word's NewsFANE tokens ("وسورية": و O + سوريه B-Nation)
            tag = next((fane[k][1] for k in tokens if fane[k][1][:2] in ("B-", "I-")), "O" if tokens else "?")
            if tag in ("O", "?"):
                tags.append(tag)
                prev = None
                continue
            kind = tag[2:]
            tags.append(("B-" if tag.startswith("B-") or prev != kind else "I-") + kind)
            prev = kind
        out.append(tags)
    return out, aligned


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("train", type=Path, help="the ANERcorp training split (never the test split)")
    ap.add_argument("newsfane", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    if "test" in args.train.name.lower():
        print(f"{args.train} looks like a test split", file=sys.stderr)
        return 1
    sentences = read_conll(args.train)
    tags, aligned = align(sentences, read_newsfane(args.newsfane))
    with args.out.open("w", encoding="utf-8") as f:
        for sent, aux in zip(sentences, tags, strict=True):
            f.writelines(f"{t} {a} {g}\n" for (t, g), a in zip(sent, aux, strict=True))
            f.write("\n")
    print(f"{aligned} of {len(sentences)} sentences aligned", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

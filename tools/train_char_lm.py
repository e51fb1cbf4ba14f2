"""Train the forward and backward character language models the tagger reads (``--char-lm``).

    python tools/train_char_lm.py ../shared/data/saudinewsnet --out char_lm.pt

Sentences of SaudiNewsNet articles (a fixed random sample of articles, in reading order) are
tokenised as the tagger tokenises them and joined by single spaces, one sentence per line; the
two directions train side by side (one process each, one thread each) on that stream, with
truncated backpropagation through time (batches of 32 rows of 200 characters). The first 200,000 characters
are held out and their bits per character reported as training goes (progress on standard error).
The output holds both models (half precision) for ``rasid train-ner --char-lm``.
"""

import argparse
import json
import math
import multiprocessing as mp
import random
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

HELD = 200_000
STEPS = 3300


def sentences(data: Path, seed: int, budget: int) -> list[str]:
    from rasid.text.sentences import split_sentences
    from rasid.text.tokens import tokenize

    docs = []
    for archive in sorted(data.glob("*.zip")):
        with zipfile.ZipFile(archive) as z:
            for name in sorted(z.namelist()):
                for rec in json.loads(z.read(name)):
                    text = (rec.get("content") or "").strip()
                    if text:
                        docs.append(text)
    random.Random(seed).shuffle(docs)
    out, n = [], 0
    for text in docs:
        for line in text.splitlines():
            for a, b in split_sentences(line):
                toks = [t.text for t in tokenize(line[a:b])]
                if len(toks) >= 4:
                    out.append(" ".join(toks))
                    n += len(out[-1]) + 1
        if n >= budget:
            break
    return out


def train(direction: str, text: str, chars: list[str], hidden: int, total_steps: int, queue) -> None:
    import torch

    from rasid.entities.charlm import CharLM

    torch.set_num_threads(1)
    torch.manual_seed(1)
    lm = CharLM(chars, hidden)
    if direction == "backward":
        text = text[::-1]
    ids = lm.encode(text)
    held, data = ids[:HELD], ids[HELD:]
    if direction == "backward":  # the held-out text is the same characters in both directions
        held, data = ids[-HELD:], ids[:-HELD]
    batch, steps = 32, 200
    data = data[:len(data) // batch * batch].view(batch, -1)
    held = held[:len(held) // 8 * 8].view(8, -1)
    opt = torch.optim.Adam(lm.parameters(), lr=2e-3)

    def bits() -> float:
        lm.eval()
        total, n, state = 0.0, 0, None
        with torch.no_grad():
            for i in range(0, held.shape[1] - 1, steps):
                y = held[:, i + 1:i + 1 + steps]
                out, state = lm(held[:, i:i + y.shape[1]], state)
                total += torch.nn.functional.cross_entropy(out.reshape(-1, len(chars)), y.reshape(-1),
                                                           reduction="sum").item()
                n += y.numel()
        lm.train()
        return total / n / math.log(2)

    t0, state, pos, step = time.time(), None, 0, 0
    while step < total_steps:
        if pos + steps + 1 > data.shape[1]:
            pos, state = 0, None
        x, y = data[:, pos:pos + steps], data[:, pos + 1:pos + steps + 1]
        pos += steps
        if state is not None:
            state = tuple(s.detach() for s in state)
        out, state = lm(x, state)
        loss = torch.nn.functional.cross_entropy(out.reshape(-1, len(chars)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(lm.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 500 == 0:
            print(f"{direction}: {step * x.numel() / 1e6:.1f}M characters, held-out {bits():.3f} bits/char "
                  f"({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    print(f"{direction}: done, {step * batch * steps / 1e6:.1f}M characters, held-out {bits():.3f} bits/char",
          file=sys.stderr, flush=True)
    queue.put((direction, {k: v.half() for k, v in lm.state_dict().items()}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", type=Path, help="folder of SaudiNewsNet .zip files")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--chars", type=int, default=40_000_000, help="characters of text to read")
    ap.add_argument("--hidden", type=int, default=384)
    ap.add_argument("--steps", type=int, default=STEPS, help=f"updates of each direction (default {STEPS})")
    ap.add_argument("--min-count", type=int, default=50, help="rarer characters are read as unknown")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    text = "\n".join(sentences(args.data, args.seed, args.chars))
    if len(text) < 4 * HELD:
        print(f"only {len(text)} characters of text: too little to train on", file=sys.stderr)
        return 2
    counts = Counter(text[HELD:])
    chars = ["<unk>"] + sorted(c for c, n in counts.items() if n >= args.min_count)
    print(f"{len(text):,} characters, {len(chars)} in the alphabet; training both directions for "
          f"{args.steps} steps", file=sys.stderr, flush=True)
    queue = mp.get_context("fork").Queue()
    procs = [mp.get_context("fork").Process(target=train, args=(d, text, chars, args.hidden, args.steps, queue))
             for d in ("forward", "backward")]
    for p in procs:
        p.start()
    states = dict(queue.get() for _ in procs)
    for p in procs:
        p.join()
    import torch

    torch.save({d: {"chars": chars, "hidden": args.hidden, "state": states[d]} for d in ("forward", "backward")},
               str(args.out))
    print(f"-> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Training the shipped entity tagger: ``rasid train-ner`` (reproducible, CPU only).

    rasid train-ner ../shared/data/anercorp/ANERCorp_camelsplit_train.derived.txt \
        --vectors snn_w2v.npz --out src/rasid/entities/data/ner_model.pt

The last tenth of the training file is held out to choose the epoch; the test split is never
read. Word vectors (``tools/build_word_clusters.py --vectors``) are optional but worth several
points of F1 on names never seen in training.
"""

from __future__ import annotations

import copy
import logging
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from rasid.entities.conll import read_conll, repair_bio
from rasid.entities.evaluate import score_entities
from rasid.entities.neural import CRF, NerNet, Vocab, batches, count_features, encode_batch, init_embeddings

__all__ = ["train_tagger", "TAGS", "local_features"]

log = logging.getLogger(__name__)

TAGS = ("O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC")
_CONTEXT_PREFIXES = ("-", "1", "2", "w=", "w|")


def local_features(sentence_features: Sequence[Sequence[str]]) -> list[list[str]]:
    """The CRF features that describe a token itself (the BiLSTM supplies the context)."""
    return [[f for f in fs if not f.startswith(_CONTEXT_PREFIXES)] for fs in sentence_features]


def _allowed_transitions(crf: CRF) -> None:
    """Forbid I-X after anything but B-X / I-X (and at the start): decoded output is always valid BIO."""
    with torch.no_grad():
        for j, tag in enumerate(TAGS):
            if tag.startswith("I-"):
                typ = tag[2:]
                crf.start[j] = -1e4
                for i, prev in enumerate(TAGS):
                    if prev[2:] != typ:
                        crf.trans[i, j] = -1e4


def train_tagger(train_path: str | Path, out: str | Path, *, vectors: str | Path | None = None,
                 top_vectors: int = 20000, epochs: int = 30, patience: int = 5, batch_size: int = 16,
                 freeze_vectors: bool = True, word_dropout: float = 0.05, held_out: float = 0.1,
                 seed: int = 7, progress: Callable[[str], None] | None = None) -> dict:
    """Train the BiLSTM-CRF tagger on a CoNLL file and save it to `out`; return the held-out scores."""
    from rasid.entities.tagger import FEATURE_MIN_COUNT, EntityTagger, build_feature_extractor

    say = progress or log.info
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    sentences = read_conll(train_path)
    cut = int(len(sentences) * (1 - held_out))
    train, held = sentences[:cut], sentences[cut:]
    fx = build_feature_extractor()
    tok = [[t for t, _ in s] for s in sentences]
    feats = [local_features(fx.sentence_features(s)) for s in tok]
    keys = EntityTagger.word_key
    pre: dict[str, np.ndarray] = {}
    if vectors:
        data = np.load(vectors)
        pre = dict(zip(data["words"].tolist()[:top_vectors], data["vectors"][:top_vectors], strict=True))
    train_words = {keys(t) for s in tok[:cut] for t in s}
    words = Vocab(sorted(train_words | set(pre)))
    chars = Vocab(sorted({ch for w in train_words for ch in w}))
    feat_vocab = Vocab(count_features(feats[:cut], FEATURE_MIN_COUNT))
    tag_index = {t: i for i, t in enumerate(TAGS)}
    net = NerNet(len(words), len(chars), len(feat_vocab), len(TAGS), word_dim=pre_dim(pre))
    hits = init_embeddings(net.word, words, pre) if pre else 0
    if pre and freeze_vectors:
        # Pre-trained rows stay as learnt from news text, so words met only at tagging time keep
        # vectors comparable with the training words'; words without one are learnt.
        trainable = torch.tensor([[0.0] if w in pre else [1.0] for w in words.items])
        net.word.weight.register_hook(lambda grad: grad * trainable)
    _allowed_transitions(net.crf)
    say(f"{len(train)} training sentences, {len(held)} held out; {len(words)} words "
        f"({hits} pre-trained), {len(chars)} characters, {len(feat_vocab)} features")
    encoded = [encode_batch([tok[i]], [feats[i]], words, chars, feat_vocab, keys) for i in range(len(tok))]
    gold = [torch.tensor([tag_index[t] for t in repair_bio([t for _, t in s])]) for s in sentences]
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    rng = random.Random(seed)
    best, best_f1, stale = None, -1.0, 0
    lengths = [len(s) for s in train]
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        net.train()
        total = 0.0
        for group in batches(len(train), batch_size, lengths, rng):
            w, c, f, m = _stack([encoded[i] for i in group])
            if word_dropout:
                w = w.masked_fill((torch.rand(w.shape) < word_dropout) & m, 1)  # 1 = <unk>
            y = torch.nn.utils.rnn.pad_sequence([gold[i] for i in group], batch_first=True)
            loss = net.crf.neg_log_likelihood(net.emissions(w, c, f), y, m)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            total += loss.item() * len(group)
        scores = _evaluate(net, [encoded[i] for i in range(cut, len(sentences))], held)
        f1 = scores["micro"]["f1"]
        say(f"epoch {epoch}: loss {total / len(train):.3f}, held-out F1 {f1:.4f} ({time.perf_counter() - t0:.0f} s)")
        if f1 > best_f1:
            best, best_f1, stale = copy.deepcopy(net.state_dict()), f1, 0
        else:
            stale += 1
            if stale >= patience:
                break
    net.load_state_dict(best)
    EntityTagger.save(out, net, words, chars, feat_vocab, TAGS)
    return _evaluate(net, [encoded[i] for i in range(cut, len(sentences))], held)


def pre_dim(pre: dict) -> int:
    return len(next(iter(pre.values()))) if pre else 100


def _stack(items: Sequence[tuple[torch.Tensor, ...]]) -> tuple[torch.Tensor, ...]:
    t = max(x[0].shape[1] for x in items)
    nf = max(x[2].shape[2] for x in items)
    nc = items[0][1].shape[2]
    b = len(items)
    w = torch.zeros(b, t, dtype=torch.long)
    c = torch.zeros(b, t, nc, dtype=torch.long)
    f = torch.zeros(b, t, nf, dtype=torch.long)
    m = torch.zeros(b, t, dtype=torch.bool)
    for i, (wi, ci, fi, mi) in enumerate(items):
        n = wi.shape[1]
        w[i, :n], c[i, :n], f[i, :n, :fi.shape[2]], m[i, :n] = wi[0], ci[0], fi[0], mi[0]
    return w, c, f, m


def _evaluate(net: NerNet, encoded: Sequence[tuple[torch.Tensor, ...]], sentences) -> dict:
    net.eval()
    pred = []
    with torch.no_grad():
        for i in range(0, len(encoded), 64):
            w, c, f, m = _stack(encoded[i:i + 64])
            pred.extend(net.crf.decode(net.emissions(w, c, f), m))
    return score_entities([[t for _, t in s] for s in sentences], [[TAGS[j] for j in p] for p in pred])

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

__all__ = ["train_tagger", "train_ensemble", "join_models", "TAGS", "local_features"]

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
                 freeze_vectors: bool = True, word_dropout: float = 0.05, held_out: float = 0.1, fold: int = 0,
                 context_layers: int = 0, every_layer: bool = False, context_pieces: int = 0,
                 tuned_layers: int = 0,
                 tuned_lr: float = 5e-5, silver: str | Path | None = None,
                 cache_dir: str | Path | None = None,
                 seed: int = 7, progress: Callable[[str], None] | None = None) -> dict:
    """Train the BiLSTM-CRF tagger on a CoNLL file and save it to `out`; return the held-out scores.

    Fold k holds out the k-th tenth from the end (k = 0: the last tenth). With ``out=None`` nothing
    is written and ``(scores, model blob)`` is returned, for :func:`train_ensemble`.

    `silver` is a second CoNLL file of machine-tagged sentences (self-training: unlabelled news
    tagged by an earlier model, ``tools/build_silver.py``); they are only ever trained on, never
    held out, and the vocabularies come from the gold training sentences alone.

    With ``held_out=0`` every gold sentence is trained on for exactly `epochs` epochs (say, the
    epoch the held-out runs settled on) and the last weights are kept; the scores are then empty.
    """
    from rasid.entities.tagger import FEATURE_MIN_COUNT, EntityTagger, build_feature_extractor

    say = progress or log.info
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    sentences = read_conll(train_path)
    n = len(sentences)
    b_end = n - int(n * held_out) * fold
    b_start = b_end - int(n * held_out)
    if b_start < 0:
        raise ValueError(f"fold {fold} of size {held_out} does not fit in {n} sentences")
    train_idx = [i for i in range(n) if not b_start <= i < b_end]
    held_idx = list(range(b_start, b_end))
    train, held = [sentences[i] for i in train_idx], [sentences[i] for i in held_idx]
    gold_train_idx = list(train_idx)
    extra = read_conll(silver) if silver else []
    files = [(Path(train_path), 0, n)] + ([(Path(silver), n, n + len(extra))] if extra else [])
    sentences = sentences + extra
    train_idx += list(range(n, n + len(extra)))
    train += extra
    fx = build_feature_extractor()
    tok = [[t for t, _ in s] for s in sentences]
    feats = [local_features(fx.sentence_features(s)) for s in tok]
    keys = EntityTagger.word_key
    pre: dict[str, np.ndarray] = {}
    if vectors:
        data = np.load(vectors)
        pre = dict(zip(data["words"].tolist()[:top_vectors], data["vectors"][:top_vectors], strict=True))
    train_words = {keys(t) for i in gold_train_idx for t in tok[i]}
    words = Vocab(sorted(train_words | set(pre)))
    chars = Vocab(sorted({ch for w in train_words for ch in w}))
    feat_vocab = Vocab(count_features([feats[i] for i in gold_train_idx], FEATURE_MIN_COUNT))
    tag_index = {t: i for i, t in enumerate(TAGS)}
    ctx = None
    top = None
    if context_layers and tuned_layers:
        from rasid.entities.e5 import LowerStates, TunedTop, load_e5

        say(f"encoding {len(tok)} sentences with the lower {context_layers - tuned_layers} layers of "
            f"multilingual-e5-small; the next {tuned_layers} are fine-tuned")
        ctx = LowerStates(context_layers - tuned_layers)(tok)
        full, _ = load_e5(context_layers, vocab_rows=[0])
        top = TunedTop(list(full.layers[context_layers - tuned_layers:]))
    elif context_layers:
        import hashlib

        from rasid.entities.e5 import WordStates

        ctx = []
        reader = None
        for file, a, b in files:
            digest = hashlib.sha1(file.read_bytes()).hexdigest()[:12]
            name = f"e5-states-{digest}-{context_layers}{'-all' if every_layer else ''}-c{context_pieces}.pt"
            cache = Path(cache_dir) / name if cache_dir else None
            if cache and cache.exists():
                ctx += [x.float() for x in torch.load(cache)]
                continue
            # a file's sentences are in reading order: neighbours are real context
            reader = reader or WordStates(context_layers, every_layer=every_layer, context_pieces=context_pieces)
            part = reader(tok[a:b])
            if cache:
                torch.save([x.half() for x in part], cache)
            ctx += part
    ctx_dim = (ctx[0][0].shape[1] if top is not None else ctx[0].shape[-1]) if ctx else 0
    ctx_layers = ctx[0].shape[1] if ctx and top is None and every_layer else 1
    net = NerNet(len(words), len(chars), len(feat_vocab), len(TAGS), word_dim=pre_dim(pre), ctx_dim=ctx_dim,
                 ctx_layers=ctx_layers)
    net.config["context_layers"] = context_layers
    net.config["tuned_layers"] = tuned_layers if top is not None else 0
    net.config["context_pieces"] = context_pieces if top is None else 0
    hits = init_embeddings(net.word, words, pre) if pre else 0
    if pre and freeze_vectors:
        # Pre-trained rows stay as learnt from news text, so words met only at tagging time keep
        # vectors comparable with the training words'; words without one are learnt.
        trainable = torch.tensor([[0.0] if w in pre else [1.0] for w in words.items])
        net.word.weight.register_hook(lambda grad: grad * trainable)
    _allowed_transitions(net.crf)
    say(f"{len(train)} training sentences, {len(held)} held out; {len(words)} words "
        f"({hits} pre-trained), {len(chars)} characters, {len(feat_vocab)} features")
    encoded = [(*encode_batch([tok[i]], [feats[i]], words, chars, feat_vocab, keys),
                _context_item(ctx[i]) if ctx else None) for i in range(len(tok))]
    gold = [torch.tensor([tag_index[t] for t in repair_bio([t for _, t in s])]) for s in sentences]
    groups = [{"params": list(net.parameters()), "lr": 2e-3}]
    if top is not None:
        groups.append({"params": list(top.parameters()), "lr": tuned_lr})
    opt = torch.optim.Adam(groups)
    rng = random.Random(seed)
    best, best_f1, stale = None, -1.0, 0
    lengths = [len(s) for s in train]
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        net.train()
        if top is not None:
            top.train()
        total = 0.0
        for group in batches(len(train), batch_size, lengths, rng):
            group = [train_idx[i] for i in group]
            w, c, f, m, x = _stack([encoded[i] for i in group])
            if word_dropout:
                w = w.masked_fill((torch.rand(w.shape) < word_dropout) & m, 1)  # 1 = <unk>
            y = torch.nn.utils.rnn.pad_sequence([gold[i] for i in group], batch_first=True)
            loss = net.crf.neg_log_likelihood(net.emissions(w, c, f, _context(top, x)), y, m)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for g in groups for p in g["params"]], 5.0)
            opt.step()
            total += loss.item() * len(group)
        line = f"epoch {epoch}: loss {total / len(train):.3f}"
        if not held:
            say(f"{line} ({time.perf_counter() - t0:.0f} s)")
            continue
        f1 = _evaluate(net, [encoded[i] for i in held_idx], held, top)["micro"]["f1"]
        say(f"{line}, held-out F1 {f1:.4f} ({time.perf_counter() - t0:.0f} s)")
        if f1 >= best_f1:  # on a tie the later, longer-trained epoch
            best, best_f1, stale = copy.deepcopy(net.state_dict()), f1, 0
            best_top = copy.deepcopy(top.state_dict()) if top is not None else None
        else:
            stale += 1
            if stale >= patience:
                break
    scores = {}
    if held:  # else the last epoch's weights stand
        net.load_state_dict(best)
        if top is not None:
            top.load_state_dict(best_top)
        scores = _evaluate(net, [encoded[i] for i in held_idx], held, top)
    if out is None:
        return scores, EntityTagger.member_blob(net, words, chars, feat_vocab, TAGS, top)
    EntityTagger.save(out, net, words, chars, feat_vocab, TAGS, top=top)
    return scores


def train_ensemble(train_path: str | Path, out: str | Path, *, members: int = 3,
                   progress: Callable[[str], None] | None = None, **options) -> list[dict]:
    """Train `members` taggers, each holding out a different tenth of the file (so together they
    see all of it), and save them as one ensemble model; return each member's held-out scores."""
    say = progress or log.info
    base_seed = options.pop("seed", 7)
    blobs, scores = [], []
    for k in range(members):
        say(f"ensemble member {k + 1} of {members} (held-out fold {k})")
        s, blob = train_tagger(train_path, None, fold=k, seed=base_seed + k, progress=progress, **options)
        blobs.append(blob)
        scores.append(s)
    torch.save({"format": 2, "members": blobs}, str(out))
    return scores


def join_models(models: Sequence[str | Path], out: str | Path) -> int:
    """One ensemble from separately trained models (say, members trained on different folds in
    parallel processes); an ensemble among them brings all its members. Returns the member count."""
    from rasid.errors import RasidError

    blobs = []
    for path in models:
        blob = torch.load(str(path), map_location="cpu", weights_only=True)
        blobs += blob["members"] if blob.get("format") == 2 else [blob]
    if len({tuple(b["tags"]) for b in blobs}) > 1:
        raise RasidError("these models tag different label sets and cannot form one ensemble")
    torch.save({"format": 2, "members": blobs}, str(out))
    return len(blobs)


def _context_item(item):
    if isinstance(item, tuple):  # (lower piece states [P, dim], first-piece positions [n_words])
        return (item[0].unsqueeze(0), item[1].unsqueeze(0))
    return item.unsqueeze(0)


def _context(top, x):
    """Word context vectors for a stacked batch: precomputed, or finished by the tuned layers."""
    if top is None or x is None:
        return x
    lower, pmask, first = x
    return top(lower, pmask, first)


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
    ctx = items[0][4] if len(items[0]) > 4 else None
    x = None
    if isinstance(ctx, tuple):
        p = max(it[4][0].shape[1] for it in items)
        lower = torch.zeros(b, p, ctx[0].shape[2])
        pmask = torch.zeros(b, p, dtype=torch.bool)
        first = torch.zeros(b, t, dtype=torch.long)
        for i, it in enumerate(items):
            states, firsts = it[4]
            lower[i, :states.shape[1]] = states[0]
            pmask[i, :states.shape[1]] = True
            first[i, :firsts.shape[1]] = firsts[0]
        x = (lower, pmask, first)
    elif ctx is not None:
        x = torch.zeros(b, t, *ctx.shape[2:])
        for i, it in enumerate(items):
            x[i, :it[4].shape[1]] = it[4][0]
    for i, (wi, ci, fi, mi, *_) in enumerate(items):
        n = wi.shape[1]
        w[i, :n], c[i, :n], f[i, :n, :fi.shape[2]], m[i, :n] = wi[0], ci[0], fi[0], mi[0]
    return w, c, f, m, x


def _evaluate(net: NerNet, encoded: Sequence[tuple[torch.Tensor, ...]], sentences, top=None) -> dict:
    net.eval()
    if top is not None:
        top.eval()
    pred = []
    with torch.no_grad():
        for i in range(0, len(encoded), 64):
            w, c, f, m, x = _stack(encoded[i:i + 64])
            pred.extend(net.crf.decode(net.emissions(w, c, f, _context(top, x), m.sum(1)), m))
    return score_entities([[t for _, t in s] for s in sentences], [[TAGS[j] for j in p] for p in pred])

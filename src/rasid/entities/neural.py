"""A BiLSTM-CRF entity tagger (PyTorch, CPU) over words, characters and sparse token features.

Each token is represented by its word vector (initialised from skip-gram vectors trained on news
text), a character CNN (which sees clitics, affixes and the shape of unseen names) and the sum of
embeddings of its discrete features (gazetteer hits, word clusters, affixes: the CRF features of
:mod:`rasid.entities.features` for the token itself). A BiLSTM reads the sentence and a linear-chain
CRF layer decodes the tag sequence.
"""

from __future__ import annotations

import logging
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence

import torch
from torch import nn

__all__ = ["CRF", "NerNet", "Vocab", "encode_batch"]

log = logging.getLogger(__name__)

PAD, UNK = 0, 1


class Vocab:
    """A string-to-index table with padding (0) and unknown (1) entries."""

    def __init__(self, items: Sequence[str] = ()):
        self.items = ["<pad>", "<unk>", *items]
        self.index = {s: i for i, s in enumerate(self.items)}

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item: str) -> int:
        return self.index.get(item, UNK)


class CRF(nn.Module):
    """Linear-chain CRF: transition scores, log-likelihood and Viterbi decoding over padded batches."""

    def __init__(self, n_tags: int):
        super().__init__()
        self.n_tags = n_tags
        self.start = nn.Parameter(torch.zeros(n_tags))
        self.end = nn.Parameter(torch.zeros(n_tags))
        self.trans = nn.Parameter(torch.zeros(n_tags, n_tags))  # trans[i, j]: from tag i to tag j

    def neg_log_likelihood(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood of the gold `tags` (batch, time) given `emissions` (batch, time, tags)."""
        return (self._partition(emissions, mask) - self._score(emissions, tags, mask)).mean()

    def _score(self, em: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t = tags.shape
        maskf = mask.float()
        score = self.start[tags[:, 0]] + em[:, 0].gather(1, tags[:, :1]).squeeze(1)
        for i in range(1, t):
            step = self.trans[tags[:, i - 1], tags[:, i]] + em[:, i].gather(1, tags[:, i:i + 1]).squeeze(1)
            score = score + step * maskf[:, i]
        last = tags.gather(1, (mask.sum(1) - 1).unsqueeze(1)).squeeze(1)
        return score + self.end[last]

    def _partition(self, em: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        alpha = self.start + em[:, 0]
        for i in range(1, em.shape[1]):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + self.trans + em[:, i].unsqueeze(1), dim=1)
            alpha = torch.where(mask[:, i].unsqueeze(1), nxt, alpha)
        return torch.logsumexp(alpha + self.end, dim=1)

    def decode(self, em: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """Best tag sequence of each sentence in the batch."""
        score = self.start + em[:, 0]
        history = []
        for i in range(1, em.shape[1]):
            total = score.unsqueeze(2) + self.trans
            best, idx = total.max(dim=1)
            nxt = best + em[:, i]
            score = torch.where(mask[:, i].unsqueeze(1), nxt, score)
            history.append(idx)
        score = score + self.end
        lengths = mask.sum(1).tolist()
        out = []
        for b in range(em.shape[0]):
            tag = int(score[b].argmax())
            path = [tag]
            for i in range(lengths[b] - 1, 0, -1):
                tag = int(history[i - 1][b, tag])
                path.append(tag)
            out.append(path[::-1])
        return out


class NerNet(nn.Module):
    """Word + character-CNN + feature embeddings -> BiLSTM -> CRF."""

    def __init__(self, n_words: int, n_chars: int, n_feats: int, n_tags: int, *, word_dim: int = 100,
                 char_dim: int = 32, char_filters: int = 64, feat_dim: int = 48, hidden: int = 160,
                 dropout: float = 0.5, ctx_dim: int = 0, ctx_proj: int = 192, ctx_layers: int = 1):
        super().__init__()
        self.config = {"n_words": n_words, "n_chars": n_chars, "n_feats": n_feats, "n_tags": n_tags,
                       "word_dim": word_dim, "char_dim": char_dim, "char_filters": char_filters,
                       "feat_dim": feat_dim, "hidden": hidden, "dropout": dropout, "ctx_dim": ctx_dim,
                       "ctx_proj": ctx_proj, "ctx_layers": ctx_layers}
        self.word = nn.Embedding(n_words, word_dim, padding_idx=PAD)
        self.char = nn.Embedding(n_chars, char_dim, padding_idx=PAD)
        self.conv = nn.Conv1d(char_dim, char_filters, kernel_size=3, padding=1)
        self.feat = nn.EmbeddingBag(n_feats, feat_dim, mode="sum", padding_idx=PAD)
        self.drop = nn.Dropout(dropout)
        self.ctx = nn.Linear(ctx_dim, ctx_proj) if ctx_dim else None
        # ELMo-style scalar mix when the context holds several encoder layers per word
        self.mix = nn.Parameter(torch.zeros(ctx_layers)) if ctx_dim and ctx_layers > 1 else None
        self.lstm = nn.LSTM(word_dim + char_filters + feat_dim + (ctx_proj if ctx_dim else 0), hidden,
                            batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_tags)
        self.crf = CRF(n_tags)

    def emissions(self, words: torch.Tensor, chars: torch.Tensor | None, feats: torch.Tensor,
                  ctx: torch.Tensor | None = None, lengths: torch.Tensor | None = None,
                  char_rows: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        """Tag scores (batch, time, tags) of a padded batch.

        With `lengths` (each sentence's token count) the BiLSTM reads each sentence packed, so
        its backward pass starts at the sentence's last token rather than at the padding: the
        scores of a sentence then do not depend on the batch it is in, and no time is spent on pads.
        `char_rows` (distinct character rows, and each token's row among them) saves the search for
        distinct words when several nets read the same batch; `chars` is then not read.
        """
        b, t = words.shape
        if char_rows is not None:
            rows, back = char_rows
        else:
            rows, back = chars.view(b * t, -1), None
            if not self.training:  # each distinct word through the character CNN once
                rows, back = torch.unique(rows, dim=0, return_inverse=True)
        c = self.char(rows).transpose(1, 2)  # (words, char_dim, n_chars)
        c = torch.relu(self.conv(c)).max(dim=2).values
        c = (c if back is None else c[back]).view(b, t, -1)
        f = self.feat(feats.view(b * t, -1)).view(b, t, -1)
        parts = [self.word(words), c, f]
        if self.ctx is not None:
            if self.mix is not None:  # ctx: (b, t, layers, dim)
                ctx = (torch.softmax(self.mix, 0)[:, None] * ctx).sum(2)
            parts.append(torch.tanh(self.ctx(self.drop(ctx))))
        x = self.drop(torch.cat(parts, dim=2))
        if lengths is None:
            h, _ = self.lstm(x)
        else:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            h, _ = nn.utils.rnn.pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=t)
        return self.out(self.drop(h))


def encode_batch(sentences: Sequence[Sequence[str]], features: Sequence[Sequence[Sequence[str]]],
                 words: Vocab, chars: Vocab, feats: Vocab, word_key: Callable[[str], str],
                 max_chars: int = 20) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Index tensors (words, chars, feats, mask) for a batch of tokenised sentences."""
    b = len(sentences)
    t = max(len(s) for s in sentences)
    n_f = max((len(f) for fs in features for f in fs), default=1)
    # plain lists, turned into tensors once: item assignment into tensors is slow from Python
    w = [[PAD] * t for _ in range(b)]
    c = [[[PAD] * max_chars for _ in range(t)] for _ in range(b)]
    f = [[[PAD] * n_f for _ in range(t)] for _ in range(b)]
    mask = [[False] * t for _ in range(b)]
    get_char, feat_index = chars.get, feats.index
    for i, (sent, sent_feats) in enumerate(zip(sentences, features, strict=True)):
        for j, (tok, tok_feats) in enumerate(zip(sent, sent_feats, strict=True)):
            key = word_key(tok)
            w[i][j] = words.get(key)
            row = c[i][j]
            for k, ch in enumerate(key[:max_chars]):
                row[k] = get_char(ch)
            ids = [x for x in (feat_index.get(name) for name in tok_feats) if x is not None]
            f[i][j][:len(ids)] = ids
            mask[i][j] = True
    return (torch.tensor(w, dtype=torch.long), torch.tensor(c, dtype=torch.long),
            torch.tensor(f, dtype=torch.long), torch.tensor(mask, dtype=torch.bool))


def batches(n: int, size: int, lengths: Sequence[int], rng: random.Random) -> list[list[int]]:
    """Indices grouped into batches of similar sentence length, in shuffled order."""
    order = sorted(range(n), key=lambda i: (lengths[i], rng.random()))
    groups = [order[i:i + size] for i in range(0, n, size)]
    rng.shuffle(groups)
    return groups


def count_features(features: Sequence[Sequence[Sequence[str]]], min_count: int) -> list[str]:
    counts: Counter = Counter(name for fs in features for f in fs for name in f)
    return sorted(name for name, c in counts.items() if c >= min_count)


def init_embeddings(layer: nn.Embedding, vocab: Vocab, vectors: dict[str, Sequence[float]]) -> int:
    """Copy pre-trained vectors into `layer` (rows of unknown words stay random); return how many."""
    hits = 0
    with torch.no_grad():
        scale = math.sqrt(3.0 / layer.embedding_dim)
        layer.weight.uniform_(-scale, scale)
        layer.weight[PAD].zero_()
        for word, i in vocab.index.items():
            v = vectors.get(word)
            if v is not None:
                layer.weight[i] = torch.as_tensor(v)
                hits += 1
    return hits

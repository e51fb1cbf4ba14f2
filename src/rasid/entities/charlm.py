"""Contextual string embeddings: a forward and a backward character LSTM language model.

Akbik, Blythe & Vollgraf (2018, "Contextual String Embeddings for Sequence Labeling") read a
sentence one character at a time with a language model trained on raw text; a word is then
described by the forward model's state after its last character (it has read the word and
everything before it) and the backward model's state after its first character (the word and
everything after it). The models learn Arabic morphology and news phrasing from unlabelled text
(SaudiNewsNet here, ``tools/train_char_lm.py``), which the 4,000 training sentences of ANERcorp
cannot teach.

The sentence is read as its tokens joined by single spaces, as the models were trained.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["CharLM", "CharLMPair"]


class CharLM(nn.Module):
    """One direction: character embedding -> LSTM -> next-character logits."""

    def __init__(self, chars: Sequence[str], hidden: int, *, char_dim: int = 48, dropout: float = 0.1):
        super().__init__()
        self.chars = list(chars)
        self.index = {c: i for i, c in enumerate(self.chars)}  # 0: unknown
        self.hidden = hidden
        self.emb = nn.Embedding(len(self.chars), char_dim)
        self.lstm = nn.LSTM(char_dim, hidden, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, len(self.chars))

    def forward(self, x: torch.Tensor, state=None):
        h, state = self.lstm(self.emb(x), state)
        return self.out(self.drop(h)), state

    def encode(self, text: str) -> torch.Tensor:
        return torch.tensor([self.index.get(c, 0) for c in text], dtype=torch.long)


class CharLMPair:
    """The forward and backward models together; :meth:`__call__` gives each token's vector."""

    def __init__(self, forward: CharLM, backward: CharLM):
        self.forward, self.backward = forward.eval(), backward.eval()
        self.dim = forward.hidden + backward.hidden

    @classmethod
    def from_blob(cls, blob: dict) -> CharLMPair:
        models = []
        for part in ("forward", "backward"):
            b = blob[part]
            lm = CharLM(b["chars"], b["hidden"])
            lm.load_state_dict({k: v.float() for k, v in b["state"].items()})
            models.append(lm)
        return cls(*models)

    @classmethod
    def load(cls, path) -> CharLMPair:
        return cls.from_blob(torch.load(path, map_location="cpu", weights_only=True))

    def blob(self) -> dict:
        return {part: {"chars": lm.chars, "hidden": lm.hidden,
                       "state": {k: v.half() for k, v in lm.state_dict().items()}}
                for part, lm in (("forward", self.forward), ("backward", self.backward))}

    def __call__(self, sentences: Sequence[Sequence[str]], batch_size: int = 64) -> list[torch.Tensor]:
        """Per sentence a (tokens, forward hidden + backward hidden) tensor."""
        out: list[torch.Tensor | None] = [None] * len(sentences)
        order = sorted(range(len(sentences)), key=lambda i: sum(map(len, sentences[i])))
        with torch.inference_mode():
            for k in range(0, len(order), batch_size):
                group = order[k:k + batch_size]
                texts, spans = [], []
                for i in group:
                    pos, sp = 0, []
                    for tok in sentences[i]:
                        sp.append((pos, pos + len(tok)))
                        pos += len(tok) + 1
                    texts.append(" ".join(sentences[i]))
                    spans.append(sp)
                fw = self._states(self.forward, texts, reverse=False)
                bw = self._states(self.backward, texts, reverse=True)
                for j, i in enumerate(group):
                    n = len(texts[j])
                    last = torch.tensor([b - 1 for _, b in spans[j]], dtype=torch.long)
                    first = torch.tensor([n - 1 - a for a, _ in spans[j]], dtype=torch.long)  # in reversed text
                    out[i] = torch.cat([fw[j, last], bw[j, first]], dim=1)
        return out  # type: ignore[return-value]

    @staticmethod
    def _states(lm: CharLM, texts: Sequence[str], *, reverse: bool) -> torch.Tensor:
        ids = [lm.encode(t[::-1] if reverse else t) for t in texts]
        lengths = torch.tensor([len(x) for x in ids])
        x = nn.utils.rnn.pad_sequence(ids, batch_first=True)
        packed = nn.utils.rnn.pack_padded_sequence(lm.emb(x), lengths, batch_first=True, enforce_sorted=False)
        h, _ = nn.utils.rnn.pad_packed_sequence(lm.lstm(packed)[0], batch_first=True)
        return h

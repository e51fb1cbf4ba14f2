"""The shipped entity tagger: tokens in, BIO tags (PERS, LOC, ORG, MISC) out.

    >>> tagger = EntityTagger.load()                                   # doctest: +SKIP
    >>> tagger.tag(["وقال", "فايز", "السراج", "في", "طرابلس"])            # doctest: +SKIP
    ['O', 'B-PERS', 'I-PERS', 'O', 'B-LOC']
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from rasid.entities.features import FeatureExtractor, Gazetteer, token_key
from rasid.errors import RasidError
from rasid.resources import data_path

__all__ = ["EntityTagger", "build_feature_extractor", "MODEL_PATH"]

log = logging.getLogger(__name__)

MODEL_PATH = "entities/data/ner_model.pt"
FEATURE_MIN_COUNT = 2
# Long sentences are tagged in windows of this many tokens (the BiLSTM needs no more context).
MAX_TOKENS = 160
BATCH_SENTENCES = 256
EMISSION_TOKENS = 4096  # padded tokens the BiLSTM reads at once (memory: ~15 kB each)
CHUNK_PIECES = 2048


@cache
def build_feature_extractor() -> FeatureExtractor:
    """Features over the shipped word clusters and gazetteers (ANERGazet, actors, places)."""
    from rasid.entities.actors import ActorDictionary
    from rasid.geo.gazetteer import PlaceGazetteer

    clusters: dict[str, tuple[str, ...]] = {}
    for line in data_path("entities/data/word_clusters.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, *ids = line.split("\t")
            clusters[word] = tuple(ids)
    gaz = Gazetteer()
    for kind in ("loc", "org", "pers"):
        for line in data_path(f"entities/data/anergazet/{kind}.txt").read_text(encoding="utf-8").splitlines():
            if line.strip():
                gaz.add(line, kind.upper())
    kinds = {"person": "PERS", "state": "LOC"}
    for name, actor in ActorDictionary.from_data().names():
        gaz.add(name, kinds.get(actor.type, "ORG"))
    places = PlaceGazetteer.from_data()
    for words in places.names:
        gaz.add(" ".join(words), "LOC")
    return FeatureExtractor(clusters, gaz)


class _Member:
    """One trained network with its own vocabularies and encoder reading (an ensemble holds several)."""

    def __init__(self, net, words, chars, feats, top=None, reading: tuple = (0, 0, False, 0)):
        self.net = net.eval()
        self.words, self.chars, self.feats = words, chars, feats
        self.top = top.eval() if top is not None else None
        # (encoder layers, fine-tuned layers, every layer mixed, document context pieces)
        self.reading = tuple(reading)


def _reader(reading: tuple):
    """The encoder front end for one member setting (None: the member reads no encoder states)."""
    layers, tuned, every_layer, context_pieces = reading
    if layers and tuned:
        from rasid.entities.e5 import LowerStates

        return LowerStates(layers - tuned)
    if layers:
        from rasid.entities.e5 import WordStates

        return WordStates(layers, every_layer=every_layer, context_pieces=context_pieces)
    return None


class EntityTagger:
    """BiLSTM-CRF tagger (or an ensemble of them) loaded from a model file written by
    :func:`rasid.entities.train.train_tagger` / :func:`~rasid.entities.train.train_ensemble`.

    An ensemble averages its members' emission scores and CRF transition scores before decoding.
    Members may read the encoder differently (more layers, document context); each distinct
    reading is computed once per batch and shared by the members that use it.
    """

    def __init__(self, members: Sequence[_Member], tags: Sequence[str], *, consistency_window: int | None = None):
        import torch

        from rasid.entities.consistency import WINDOW
        from rasid.entities.neural import CRF, PAD, UNK, Vocab

        self.members = list(members)
        self.tags = tuple(tags)
        self.features = build_feature_extractor()
        self.readers = {r: _reader(r) for r in dict.fromkeys(m.reading for m in self.members)}
        self.crf = CRF(len(self.tags))
        # sentences either side whose tags vote on a name's label (rasid.entities.consistency); 0: off
        self.consistency_window = WINDOW if consistency_window is None else consistency_window
        with torch.no_grad():
            for name in ("start", "end", "trans"):
                getattr(self.crf, name).copy_(torch.stack([getattr(m.net.crf, name) for m in self.members]).mean(0))
        # One index over all members' vocabularies: a batch is indexed once, and each member reads
        # it through its own remapping (a gather) instead of looking every string up again.
        self.vocab = {}
        self.remaps: list[dict] = [{} for _ in self.members]  # per member: union index -> its own
        for part, missing in (("words", UNK), ("chars", UNK), ("feats", PAD)):  # unknown features are dropped
            union = Vocab(sorted(set().union(*(getattr(m, part).items[2:] for m in self.members))))
            self.vocab[part] = union
            for m, remap in zip(self.members, self.remaps, strict=True):
                own = getattr(m, part).index
                remap[part] = torch.tensor([PAD, UNK] + [own.get(x, missing) for x in union.items[2:]])

    word_key = staticmethod(token_key)

    @classmethod
    def load(cls, path: str | Path | None = None) -> EntityTagger:
        """Load the shipped model (or a user's); raises RasidError if it is missing or unreadable."""
        return _load(str(path) if path else str(data_path(MODEL_PATH)))

    @staticmethod
    def member_blob(net, words, chars, feats, tags: Sequence[str], top=None) -> dict:
        import torch

        state = {k: (v.half() if v.is_floating_point() else v) for k, v in net.state_dict().items()}
        # the word table is most of a member: rows in int8 with one scale each (a quarter the size)
        table = net.word.weight.detach().float()
        scale = table.abs().amax(1, keepdim=True).clamp_min(1e-8) / 127
        state.pop("word.weight")
        state["word.weight.q"] = (table / scale).round().to(torch.int8)
        state["word.weight.scale"] = scale.half()
        # config carries context_layers, tuned_layers and context_pieces: how the member reads e5
        blob = {"format": 1, "config": net.config, "state": state, "words": words.items[2:],
                "chars": chars.items[2:], "feats": feats.items[2:], "tags": list(tags)}
        if top is not None:
            blob["top"] = {k: v.half() for k, v in top.state_dict().items()}
        return blob

    @staticmethod
    def save(path: str | Path, net, words, chars, feats, tags: Sequence[str], top=None) -> None:
        import torch

        torch.save(EntityTagger.member_blob(net, words, chars, feats, tags, top), str(path))

    def tag(self, tokens: Sequence[str]) -> list[str]:
        """BIO tags for one sentence of tokens."""
        return self.tag_many([tokens])[0]

    def tag_many(self, sentences: Sequence[Sequence[str]], documents: Sequence | None = None, *,
                 consistency_window: int | None = None) -> list[list[str]]:
        """BIO tags for many sentences, batched by length (faster than one at a time).

        Sentences come in reading order; `documents` names each one's document (None: one
        document), for members that read the neighbouring sentences of a document as context,
        and for label consistency: a name tagged in one sentence is labelled alike in the
        document's others (:func:`rasid.entities.consistency.propagate`) within
        `consistency_window` sentences either side (default: the tagger's; 0 turns it off).
        """
        from rasid.entities.consistency import propagate

        pieces: list[tuple[int, int, list[str]]] = []  # (sentence, offset, tokens)
        for i, sent in enumerate(sentences):
            for a in range(0, max(len(sent), 1), MAX_TOKENS):
                if sent[a:a + MAX_TOKENS]:
                    pieces.append((i, a, list(sent[a:a + MAX_TOKENS])))
        out: list[list[str]] = [["O"] * len(s) for s in sentences]
        # chunks in reading order bound the memory of encoder states; documents rarely straddle one
        for c in range(0, len(pieces), CHUNK_PIECES):
            chunk = pieces[c:c + CHUNK_PIECES]
            docs = [documents[i] if documents is not None else 0 for i, _, _ in chunk]
            for (i, a, toks), path in zip(chunk, self._tag_chunk(chunk, docs), strict=True):
                out[i][a:a + len(toks)] = [self.tags[j] for j in path]
        window = self.consistency_window if consistency_window is None else consistency_window
        return propagate(sentences, out, documents, window=window)

    def _tag_chunk(self, chunk: list[tuple[int, int, list[str]]], docs: list) -> list[list[int]]:
        import torch

        from rasid.engine import release_memory

        order = sorted(range(len(chunk)), key=lambda k: len(chunk[k][2]))
        states = {}
        with torch.inference_mode():
            for reading, reader in self.readers.items():
                if reader is not None and reading[3]:  # document context: encode in reading order
                    states[reading] = reader([toks for _, _, toks in chunk], documents=docs)
            paths: list[list[int]] = [[] for _ in chunk]
            for b in range(0, len(order), BATCH_SENTENCES):
                idx = order[b:b + BATCH_SENTENCES]
                group = [chunk[k][2] for k in idx]
                ctx = {}
                for reading, reader in self.readers.items():
                    if reader is None:
                        ctx[reading] = None
                    elif reading in states:
                        ctx[reading] = [states[reading][k] for k in idx]
                    else:
                        ctx[reading] = reader(group)
                # the BiLSTM reads the group in slices of at most EMISSION_TOKENS padded tokens: its
                # states for a full group of long sentences held hundreds of MB at once
                start = 0
                while start < len(idx):
                    stop = start + 1
                    while stop < len(idx) and (stop + 1 - start) * len(group[stop]) <= EMISSION_TOKENS:
                        stop += 1
                    part = slice(start, stop)
                    self._emit(idx[part], group[part], {k: v if v is None else v[part] for k, v in ctx.items()},
                               paths)
                    start = stop
                # the tensors of a batch of documents (gigabytes allocated and freed) stay in glibc's
                # heap as free pages until trimmed: give them back between groups (every 2 s at most)
                release_memory()
        return paths

    def _emit(self, idx: list[int], group: list[list[str]], ctx: dict, paths: list[list[int]]) -> None:
        """Tag one slice of a length-sorted group (`ctx`: each reading's states of its sentences) into `paths`."""
        import torch

        from rasid.entities.neural import encode_batch
        from rasid.entities.train import _context, _context_item, _stack, local_features

        feats = [local_features(self.features.sentence_features(toks)) for toks in group]
        u_words, u_chars, u_feats, m = encode_batch(group, feats, self.vocab["words"], self.vocab["chars"],
                                                    self.vocab["feats"], self.word_key)
        padded = {}  # one padded context tensor per reading, shared by its members
        lengths = m.sum(1)
        # distinct words of the batch, found once: each member maps them into its own characters
        # (members with fine-tuned layers encode their batch themselves and need none)
        if any(member.top is None for member in self.members):
            u_rows, back = torch.unique(u_chars.view(-1, u_chars.shape[-1]), dim=0, return_inverse=True)
        total = None
        for member, r in zip(self.members, self.remaps, strict=True):
            mctx = ctx[member.reading]
            if member.top is not None:  # fine-tuned layers: lower piece states, stacked per sentence
                encoded = [(*encode_batch([toks], [feats[k]], member.words, member.chars, member.feats,
                                          self.word_key), _context_item(mctx[k]) if mctx else None)
                           for k, toks in enumerate(group)]
                w, c, f, m, x = _stack(encoded)
                rows = None
            else:
                w, c, f = r["words"][u_words], None, r["feats"][u_feats]
                rows = (r["chars"][u_rows], back)
                if mctx and member.reading not in padded:
                    padded[member.reading] = torch.nn.utils.rnn.pad_sequence(list(mctx), batch_first=True)
                x = padded.get(member.reading)
            em = member.net.emissions(w, c, f, _context(member.top, x), lengths, rows)
            total = em if total is None else total + em
        for k, path in zip(idx, self.crf.decode(total / len(self.members), m), strict=True):
            paths[k] = path


@cache
def _load(path: str) -> EntityTagger:
    try:
        import torch
    except ImportError as exc:
        raise RasidError("the entity tagger needs PyTorch: pip install torch==2.13.0") from exc
    from rasid.entities.neural import NerNet, Vocab

    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError) as exc:
        raise RasidError(f"cannot load the entity model {path}: {exc}; "
                         "retrain it with `rasid train-ner`") from exc
    members = blob["members"] if blob.get("format") == 2 else [blob]
    if len({tuple(b["tags"]) for b in members}) != 1:
        raise RasidError(f"{path}: ensemble members disagree on their tags")
    loaded = []
    for b in members:
        config = dict(b["config"])
        reading = (config.pop("context_layers", 0), config.pop("tuned_layers", 0),
                   config.get("ctx_layers", 1) > 1, config.pop("context_pieces", 0))
        net = NerNet(**config)
        state = dict(b["state"])
        if "word.weight.q" in state:
            state["word.weight"] = state.pop("word.weight.q").float() * state.pop("word.weight.scale").float()
        net.load_state_dict({k: v.float() for k, v in state.items()})
        top = None
        if reading[1]:
            from rasid.entities.e5 import TunedTop, _Layer, _parse, model_file

            cfg = _parse(str(model_file()))[1]
            top = TunedTop([_Layer(cfg["H"], cfg["FF"], cfg["NH"], cfg["eps"]) for _ in range(reading[1])])
            top.load_state_dict({k: v.float() for k, v in b["top"].items()})
        loaded.append(_Member(net, Vocab(b["words"]), Vocab(b["chars"]), Vocab(b["feats"]), top, reading))
    # torch's thread count is the caller's (a process pool sets one thread per worker)
    return EntityTagger(loaded, members[0]["tags"])

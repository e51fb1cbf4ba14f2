"""The shipped ensemble indexes a batch once and remaps it for each member: same input as its own."""

import pytest
import torch

from rasid.entities.neural import PAD, encode_batch
from rasid.entities.tagger import EntityTagger
from rasid.entities.train import local_features

SENTENCES = [
    ["وقال", "المتحدث", "باسم", "غرفة", "عمليات", "سرت", "والجفرة", "العميد", "الهادي", "دراه"],
    ["أعلن", "نادي", "الغرافة", "القطري", "تعاقده", "مع", "اللاعب", "xyzzy", "حتى", "2022", "."],
]


@pytest.fixture(scope="module")
def tagger():
    return EntityTagger.load()


def test_every_member_reads_the_union_index_as_its_own_vocabulary(tagger):
    feats = [local_features(tagger.features.sentence_features(s)) for s in SENTENCES]
    u_words, u_chars, u_feats, u_mask = encode_batch(SENTENCES, feats, tagger.vocab["words"], tagger.vocab["chars"],
                                                     tagger.vocab["feats"], tagger.word_key)
    assert len(tagger.members) > 1
    for member, remap in zip(tagger.members, tagger.remaps, strict=True):
        w, c, f, m = encode_batch(SENTENCES, feats, member.words, member.chars, member.feats, tagger.word_key)
        assert (remap["words"][u_words] == w).all()
        assert (remap["chars"][u_chars] == c).all()
        # the batch's distinct character rows, found once over the union index, rebuild the member's own rows
        u_rows, back = torch.unique(u_chars.view(-1, u_chars.shape[-1]), dim=0, return_inverse=True)
        assert (remap["chars"][u_rows][back].view_as(c) == c).all()
        assert (m == u_mask).all()
        remapped = remap["feats"][u_feats]
        for i, sent in enumerate(SENTENCES):
            for j in range(len(sent)):
                # the member's own encoding drops its unknown features; the remap points them at padding
                own = sorted(x for x in f[i, j].tolist() if x != PAD)
                assert sorted(x for x in remapped[i, j].tolist() if x != PAD) == own
    assert (u_words == 1).any()  # the made-up word is unknown to every member, and stays so


def test_a_sentence_is_tagged_the_same_alone_and_in_a_batch(tagger):
    alone = [tagger.tag(s) for s in SENTENCES]
    assert tagger.tag_many(SENTENCES, documents=["a", "b"]) == alone
    assert "B-PERS" in alone[0] and "B-LOC" in alone[0]


def test_packed_scores_of_a_sentence_do_not_depend_on_the_padding_of_its_batch(tagger):
    member, net = tagger.members[0], tagger.members[0].net
    short, long_ = SENTENCES[0][:4], SENTENCES[0] + SENTENCES[1]
    feats = [local_features(tagger.features.sentence_features(s)) for s in (short, long_)]
    w, c, f, m = encode_batch([short, long_], feats, member.words, member.chars, member.feats, tagger.word_key)
    w1, c1, f1, m1 = encode_batch([short], feats[:1], member.words, member.chars, member.feats, tagger.word_key)
    reader = tagger.readers[member.reading]
    ctx = reader([short, long_]) if reader is not None else None
    x = torch.nn.utils.rnn.pad_sequence(ctx, batch_first=True) if ctx else None
    with torch.inference_mode():
        alone = net.emissions(w1, c1, f1, x[:1, :len(short)] if x is not None else None, m1.sum(1))
        packed = net.emissions(w, c, f, x, m.sum(1))
        padded = net.emissions(w, c, f, x)
    assert torch.allclose(packed[0, :len(short)], alone[0], atol=1e-4)
    # without lengths the backward LSTM starts in the padding, and the short sentence's scores move
    assert not torch.allclose(padded[0, :len(short)], alone[0], atol=1e-4)

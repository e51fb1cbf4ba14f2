"""The character language models: what each word's vector may depend on, and the tagger reading them."""

import pytest
import torch

from rasid.entities.charlm import CharLM, CharLMPair

SENTENCE = ["وقال", "فايز", "السراج", "في", "طرابلس"]


def pair(hidden=16):
    torch.manual_seed(0)
    alphabet = ["<unk>", " ", *sorted(set("".join(SENTENCE) + "خليفةحفترسرتمصراتة"))]
    return CharLMPair(CharLM(alphabet, hidden), CharLM(alphabet, hidden))


def test_the_forward_half_reads_only_what_comes_before_and_the_backward_half_what_comes_after():
    lm = pair()
    base = lm([SENTENCE])[0]
    assert base.shape == (5, 32)
    later = lm([SENTENCE[:3] + ["في", "مصراتة"]])[0]  # the last word changed
    assert torch.allclose(base[2, :16], later[2, :16])  # forward state of "السراج": unchanged
    assert not torch.allclose(base[2, 16:], later[2, 16:])  # backward state: it read the new word
    earlier = lm([["وقال", "خليفة"] + SENTENCE[2:]])[0]  # the second word changed
    assert torch.allclose(base[3, 16:], earlier[3, 16:])
    assert not torch.allclose(base[3, :16], earlier[3, :16])


def test_a_sentence_gets_the_same_vectors_alone_and_in_a_batch_of_longer_ones():
    lm = pair()
    alone = lm([SENTENCE])[0]
    batch = lm([SENTENCE * 3, ["سرت"], SENTENCE])
    assert torch.allclose(alone, batch[2], atol=1e-6)
    assert batch[0].shape == (15, 32) and batch[1].shape == (1, 32)


def test_unknown_characters_are_read_as_unknown_and_the_blob_round_trips():
    lm = pair()
    latin = lm([["Sirte", "سرت"]])[0]
    assert latin.shape == (2, 32)
    again = CharLMPair.from_blob(lm.blob())  # half precision in the file
    assert torch.allclose(lm([SENTENCE])[0], again([SENTENCE])[0], atol=2e-2)


@pytest.mark.slow
def test_a_tagger_trained_with_character_models_saves_them_once_and_tags(tmp_path):
    from test_train import write_corpus

    from rasid.cli import main
    from rasid.entities.tagger import EntityTagger
    from rasid.entities.train import train_tagger

    train = tmp_path / "train.txt"
    write_corpus(train, n=60)
    lm_file = tmp_path / "lm.pt"
    torch.save(pair().blob(), str(lm_file))
    paths = []
    for fold in (0, 1):
        path = tmp_path / f"m{fold}.pt"
        scores = train_tagger(train, path, epochs=8, patience=8, context_layers=0, batch_size=8, fold=fold,
                              seed=7 + fold, char_lm=lm_file)
        assert scores["micro"]["f1"] > 0.5
        paths.append(str(path))
    out = tmp_path / "joined.pt"
    assert main(["join-ner", *paths, "--out", str(out)]) == 0
    tagger = EntityTagger.load(out)
    assert len(tagger.readers) == 1  # both members read the one pair of models
    (reading,) = tagger.readers
    assert reading[4] is not None and tagger.members[0].net.config["ctx_dim"] == 32
    assert tagger.tag(["وقال", "عقيلة", "صالح", "في", "بنغازي"])[1:3] == ["B-PERS", "I-PERS"]
    with pytest.raises(ValueError):
        train_tagger(train, None, epochs=1, context_layers=2, every_layer=True, char_lm=lm_file)

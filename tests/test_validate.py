from dataclasses import replace

import pytest

from rnnviz import limits
from rnnviz.presets import get_preset, preset_names
from rnnviz.spec import (
    BidirectionalSpec,
    DenseSpec,
    EmbeddingSpec,
    InputSpec,
    ModelSpec,
    RecurrentSpec,
    StackSpec,
)
from rnnviz.validate import SpecError, validate

TOKENS = InputSpec("tokens", "tokens")
VECTORS = InputSpec("x", "vectors", features=4)


def single(*layers, inp=TOKENS):
    return ModelSpec((inp,), (StackSpec("main", inp.name, layers),))


def problems(spec):
    with pytest.raises(SpecError) as info:
        validate(spec)
    assert isinstance(info.value, ValueError)
    return str(info.value)


@pytest.mark.parametrize("name", preset_names())
def test_presets_are_valid(name):
    validate(get_preset(name).spec)


def test_shapes_follow_each_layer():
    shapes = validate(get_preset("guide-gru-simplernn").spec)[0].shapes
    assert shapes == ((None, None), (None, None, 64), (None, None, 256), (None, 128), (None, 10))
    bi = validate(get_preset("guide-bidirectional").spec)[0].shapes
    assert bi == ((None, 5, 10), (None, 5, 128), (None, 64), (None, 10))


def test_recurrent_fed_by_a_layer_without_return_sequences():
    text = problems(single(EmbeddingSpec(), RecurrentSpec("LSTM", 8), RecurrentSpec("GRU", 8)))
    assert "layer 3 (GRU) receives a 2-D input because layer 2 (LSTM) has return_sequences off; turn it on" in text


def test_embedding_not_first():
    text = problems(single(RecurrentSpec("LSTM", 8, return_sequences=True), EmbeddingSpec(), inp=VECTORS))
    assert "layer 2 (Embedding) must be the first layer of its stack" in text and "move it to the top" in text


def test_embedding_on_vectors_and_tokens_without_embedding():
    assert "make the input tokens, or remove the Embedding" in problems(single(EmbeddingSpec(), inp=VECTORS))
    assert "add an Embedding before it" in problems(single(RecurrentSpec("LSTM", 8)))


def test_stateful_needs_a_fixed_batch():
    text = problems(single(RecurrentSpec("LSTM", 8, stateful=True), inp=VECTORS))
    assert "layer 1 (LSTM) is stateful, which needs a fixed batch size" in text
    assert "set a batch size on input 'x'" in text
    validate(single(RecurrentSpec("LSTM", 8, stateful=True), inp=replace(VECTORS, batch_size=4)))


def test_return_state_that_nothing_consumes():
    text = problems(single(RecurrentSpec("LSTM", 8, return_state=True), DenseSpec(2), inp=VECTORS))
    assert "layer 1 (LSTM) has return_state on" in text
    assert "the next layer would get just its output (the last hidden state)" in text
    assert "turn return_state off" in text


def test_dense_in_the_middle_of_a_sequence():
    text = problems(single(RecurrentSpec("LSTM", 8, return_sequences=True), DenseSpec(4), RecurrentSpec("LSTM", 8),
                           inp=VECTORS))
    assert "layer 2 (Dense) sits in the middle of the sequence" in text and "move Dense layers to the end" in text


def test_merge_mode_none_must_be_last():
    text = problems(single(BidirectionalSpec(RecurrentSpec("LSTM", 8), merge_mode=None), DenseSpec(2), inp=VECTORS))
    assert "merge_mode None" in text and "two tensors" in text


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (single(RecurrentSpec("LSTM", limits.MAX_UNITS + 1), inp=VECTORS), "units is 1025"),
        (single(EmbeddingSpec(limits.MAX_VOCAB + 1, 8), RecurrentSpec("LSTM", 8)), "input_dim (vocabulary size) is 100001"),
        (single(RecurrentSpec("LSTM", 8), inp=replace(VECTORS, timesteps=limits.MAX_TIMESTEPS + 1)), "timesteps is 2001"),
        (single(RecurrentSpec("LSTM", 8), inp=replace(VECTORS, batch_size=limits.MAX_BATCH + 1)), "batch size is 257"),
        (single(*[RecurrentSpec("LSTM", 8, return_sequences=True)] * (limits.MAX_LAYERS + 1), inp=VECTORS),
         "the stack has 9 layers; it needs 1 to 8"),
        (single(RecurrentSpec("LSTM", 0), inp=VECTORS), "units is 0"),
    ],
)
def test_limits_are_enforced_with_the_range(spec, expected):
    assert expected in problems(spec)


def test_unknown_activation_names_the_choices():
    assert "activation 'swish2' is unknown" in problems(single(RecurrentSpec("LSTM", 8, activation="swish2"), inp=VECTORS))


def test_initial_state_must_match_the_encoder():
    spec = get_preset("guide-encoder-decoder").spec
    decoder = spec.stacks[1]
    gru_decoder = replace(decoder, layers=(decoder.layers[0], RecurrentSpec("GRU", 64), decoder.layers[2]))
    assert "cannot start from the states of 'encoder'" in problems(replace(spec, stacks=(spec.stacks[0], gru_decoder)))
    no_state = replace(spec.stacks[0], layers=(spec.stacks[0].layers[0], RecurrentSpec("LSTM", 64)))
    assert "turn return_state on there" in problems(replace(spec, stacks=(no_state, decoder)))
    assert "not an earlier stack" in problems(replace(spec, stacks=(replace(decoder, initial_state_from="nope"),)))


def test_every_problem_is_reported_at_once():
    spec = single(RecurrentSpec("LSTM", 8, stateful=True), RecurrentSpec("GRU", 0), inp=VECTORS)
    err = pytest.raises(SpecError, validate, spec).value
    assert len(err.problems) >= 3

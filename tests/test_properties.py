"""Property tests: whatever a person or a script sends, the engine works or raises a ValueError
whose message names the problem; never another exception."""

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnviz.build import build_model
from rnnviz.feeding import model_arguments, needs_from_model, prepare
from rnnviz.inputs import InputChoice
from rnnviz.trace import trace
from rnnviz.spec import (
    ACTIVATIONS,
    BidirectionalSpec,
    DenseSpec,
    EmbeddingSpec,
    InputSpec,
    ModelSpec,
    RecurrentSpec,
    StackSpec,
)
from rnnviz.validate import validate

sizes = st.one_of(st.integers(-2, 6), st.sampled_from([0, 1025, 100_001]))
activations = st.one_of(st.sampled_from(ACTIVATIONS), st.text(max_size=5))
recurrent = st.builds(
    RecurrentSpec,
    cell_kind=st.sampled_from(["LSTM", "GRU", "SimpleRNN", "Conv"]),
    units=sizes,
    activation=activations,
    recurrent_activation=activations,
    return_sequences=st.booleans(),
    return_state=st.booleans(),
    stateful=st.booleans(),
    go_backwards=st.booleans(),
    reset_after=st.booleans(),
    wrap_cell=st.booleans(),
)
layers = st.one_of(
    recurrent,
    st.builds(BidirectionalSpec, layer=recurrent, merge_mode=st.sampled_from(["concat", "sum", "mul", "ave", None, "max"])),
    st.builds(EmbeddingSpec, input_dim=sizes, output_dim=sizes, mask_zero=st.booleans()),
    st.builds(DenseSpec, units=sizes, activation=st.one_of(st.none(), activations)),
)
inputs = st.builds(
    InputSpec,
    name=st.just("x"),
    kind=st.sampled_from(["tokens", "vectors", "images"]),
    features=st.one_of(st.none(), sizes),
    timesteps=st.one_of(st.none(), st.integers(-1, 4)),
    batch_size=st.one_of(st.none(), st.integers(-1, 3)),
)
specs = st.builds(
    lambda inp, stack_layers: ModelSpec((inp,), (StackSpec("main", "x", tuple(stack_layers)),)),
    inputs,
    st.lists(layers, min_size=0, max_size=4),
)


def fails_with_a_message(call):
    try:
        return call()
    except ValueError as err:
        assert str(err).strip(), "a ValueError must say what is wrong"
        return None


@settings(max_examples=300, deadline=None)
@given(specs)
def test_validate_accepts_or_explains(spec):
    fails_with_a_message(lambda: validate(spec))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(specs)
def test_every_valid_spec_builds_and_runs(spec):
    if fails_with_a_message(lambda: validate(spec)) is None:
        return
    model = build_model(spec)
    (need,) = needs_from_model(model)
    choice = InputChoice(source="random", batch=need.batch or 2, timesteps=need.timesteps or 3, features=3)
    (prepared,) = prepare((need,), (choice,))
    outputs = model(model_arguments(prepared))
    outputs = [np.asarray(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]
    traced = fails_with_a_message(lambda: trace(model, model_arguments(prepared)))
    if traced is not None:  # a model without recurrent layers is refused with a message
        for theirs, ours in zip(outputs, traced.model_outputs):
            np.testing.assert_allclose(ours, theirs, atol=1e-5)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(json_values, st.fixed_dictionaries({"inputs": json_values, "stacks": json_values})))
def test_from_dict_accepts_or_explains(data):
    fails_with_a_message(lambda: ModelSpec.from_dict(data))
    fails_with_a_message(lambda: ModelSpec.from_json(json.dumps(data)))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["char", "word"]), st.integers(2, 50))
def test_any_text_becomes_ids_in_range_or_a_message(text, mode, vocab):
    from rnnviz.feeding import InputNeeds

    need = InputNeeds("tokens", vocab, None, None, None)
    result = fails_with_a_message(lambda: prepare((need,), (InputChoice(source="text", text=text, mode=mode, batch=2),)))
    if result is not None:
        ids = result[0].array
        assert ids.shape[0] == 2 and ids.min() >= 0 and ids.max() < vocab

"""The Build page's Keras code: run with keras, it builds the app's model, layer for layer."""

from dataclasses import replace

import keras
import pytest

from rnnviz.build import build_model
from rnnviz.lessons.codegen import model_code
from rnnviz.presets import get_preset
from rnnviz.spec import BidirectionalSpec, DenseSpec, InputSpec, ModelSpec, RecurrentSpec, StackSpec

# Settings a layer's config holds that the code must reproduce (initializers differ by design).
COMPARED = ("units", "activation", "recurrent_activation", "return_sequences", "return_state", "stateful",
            "go_backwards", "reset_after", "input_dim", "output_dim", "mask_zero", "merge_mode", "unroll")

EDITED = ModelSpec(  # an edited stack: every kind of layer and option the editor offers, and a batch size
    inputs=(InputSpec("readings", "vectors", features=7, timesteps=12, batch_size=4),),
    stacks=(StackSpec("main", "readings", (
        RecurrentSpec("GRU", 9, activation="relu", reset_after=False, return_sequences=True, go_backwards=True),
        BidirectionalSpec(RecurrentSpec("SimpleRNN", 5, return_sequences=True), merge_mode="mul"),
        RecurrentSpec("LSTM", 6, recurrent_activation="hard_sigmoid", return_sequences=True, wrap_cell=True,
                      name="my cell"),
        RecurrentSpec("LSTM", 3, stateful=True, return_state=True),
    )),), name="edited", seed=3, weights="vivid")


def _layer_facts(layer) -> dict:
    config = layer.get_config()
    inner = config.get("layer", {}).get("config", {}) or config.get("cell", {}).get("config", {})
    facts = {k: v for source in (inner, config) for k, v in source.items() if k in COMPARED}
    return {"class": type(layer).__name__, "name": layer.name, "params": layer.count_params(),
            "output": str(layer.output.shape if not isinstance(layer.output, list) else [o.shape for o in layer.output]),
            **facts}


def _built_by_code(code: str) -> keras.Model:
    namespace: dict = {}
    exec(compile(code, "<model_code>", "exec"), namespace)  # the code as a person would run it
    return namespace["model"]


@pytest.mark.parametrize("spec", [get_preset(n).spec for n in (
    "guide-lstm", "guide-gru-simplernn", "guide-encoder-decoder", "guide-bidirectional", "guide-stateful",
    "guide-cell-vs-layer")] + [EDITED, replace(get_preset("guide-lstm").spec, stacks=(StackSpec(
        "main", "tokens", get_preset("guide-lstm").spec.stacks[0].layers[:1]
        + (RecurrentSpec("GRU", 20, return_sequences=True), RecurrentSpec("SimpleRNN", 4), DenseSpec(2))),))],
    ids=lambda s: s.name)
def test_the_code_builds_the_same_layers_shapes_and_parameter_counts(spec):
    code = model_code(spec)
    mine, theirs = build_model(spec), _built_by_code(code)
    assert [_layer_facts(layer) for layer in theirs.layers] == [_layer_facts(layer) for layer in mine.layers]
    assert theirs.count_params() == mine.count_params()
    assert [tuple(t.shape) for t in theirs.outputs] == [tuple(t.shape) for t in mine.outputs]
    assert theirs.name == mine.name


def test_the_edited_stack_code_names_its_options():
    code = model_code(EDITED)
    for text in ("batch_shape=(4, 12, 7)", "reset_after=False", "go_backwards=True", "merge_mode='mul'",
                 "keras.layers.RNN(keras.layers.LSTMCell(6, recurrent_activation='hard_sigmoid')",
                 "return_state=True, stateful=True"):
        assert text in code

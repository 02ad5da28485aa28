import keras
import numpy as np
import pytest

from rnnviz.build import build_model, layer_names
from rnnviz.presets import build_preset, get_preset, preset_names
from rnnviz.spec import InputSpec, ModelSpec, RecurrentSpec, StackSpec
from rnnviz.validate import SpecError

GUIDE_TOTALS = {
    "guide-lstm": 164_106,
    "guide-gru-simplernn": 361_866,
    "guide-encoder-decoder": 258_698,
    "guide-bidirectional": 80_266,
}


@pytest.mark.parametrize(("name", "total"), GUIDE_TOTALS.items())
def test_guide_parameter_totals(name, total):
    assert build_preset(name).count_params() == total


def test_stateful_and_cell_presets_count_like_the_formula():
    # LSTM params = 4 * (units * (features + units) + units)
    assert build_preset("guide-stateful").count_params() == 4 * (64 * (50 + 64) + 64)
    assert build_preset("guide-cell-vs-layer").count_params() == 2 * 4 * (10 * (8 + 10) + 10)


def test_preset_api_names():
    assert set(GUIDE_TOTALS) | {"guide-stateful", "guide-cell-vs-layer"} <= set(preset_names())
    with pytest.raises(ValueError, match="unknown preset 'nope'; choose one of guide-lstm"):
        build_preset("nope")


def _weights(model):
    return [w.numpy() for w in model.weights]


def test_same_seed_same_weights_other_seed_other_weights():
    spec = get_preset("guide-gru-simplernn").spec
    first, second = _weights(build_model(spec)), _weights(build_model(spec))
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    other = _weights(build_model(ModelSpec(spec.inputs, spec.stacks, seed=1, name=spec.name)))
    assert not np.array_equal(first[0], other[0])


def test_bidirectional_halves_start_from_different_weights():
    layer = build_preset("guide-bidirectional").get_layer("bidirectional")
    assert not np.array_equal(layer.forward_layer.cell.kernel.numpy(), layer.backward_layer.cell.kernel.numpy())
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards


def test_stateful_preset_has_a_fixed_batch():
    model = build_preset("guide-stateful")
    assert model.inputs[0].shape == (20, None, 50)
    assert model.get_layer("lstm").stateful


def test_encoder_states_start_the_decoder():
    model = build_preset("guide-encoder-decoder")
    assert [t.name for t in model.inputs] == ["encoder_input", "decoder_input"]
    rng = np.random.default_rng(0)
    enc, dec = rng.integers(1, 1000, (2, 7)), rng.integers(1, 2000, (2, 5))
    out = model([enc, dec])
    # Rebuild the decoder by hand from the encoder's states: the model must match it.
    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    _, h, c = encoder(model.get_layer("embedding")(enc))
    expected = model.get_layer("dense")(decoder(model.get_layer("embedding_1")(dec), initial_state=[h, c]))
    np.testing.assert_allclose(out, expected, atol=1e-6)
    zero_start = model.get_layer("dense")(decoder(model.get_layer("embedding_1")(dec)))
    assert not np.allclose(out, zero_start)


def test_cell_preset_uses_rnn_wrapper():
    model = build_preset("guide-cell-vs-layer")
    kinds = {layer.name: type(layer).__name__ for layer in model.layers}
    assert kinds == {"vectors": "InputLayer", "rnn": "RNN", "lstm": "LSTM"}
    assert isinstance(model.get_layer("rnn").cell, keras.layers.LSTMCell)


def test_layer_names_are_stable_and_unique():
    spec = ModelSpec((InputSpec("x", "vectors", features=3),),
                     (StackSpec("a", "x", (RecurrentSpec("LSTM", 2, return_sequences=True), RecurrentSpec("LSTM", 2))),))
    assert list(layer_names(spec).values()) == ["lstm", "lstm_1"]
    assert [layer.name for layer in build_model(spec).layers[1:]] == ["lstm", "lstm_1"]


def test_build_refuses_an_invalid_spec_with_the_reason():
    spec = ModelSpec((InputSpec("x", "vectors", features=3),), (StackSpec("a", "x", (RecurrentSpec("LSTM", 2, stateful=True),)),))
    with pytest.raises(SpecError, match="fixed batch size"):
        build_model(spec)


def test_vivid_weights_keep_the_shapes_and_spread_the_states():
    from dataclasses import replace

    from rnnviz.trace import trace

    spec = get_preset("guide-lstm").spec
    keras_model, vivid_model = build_model(spec), build_model(replace(spec, weights="vivid"))
    assert vivid_model.count_params() == keras_model.count_params() == 164_106
    ids = np.random.default_rng(0).integers(2, 1000, (4, 30))
    calm, vivid = trace(keras_model, ids)["lstm"], trace(vivid_model, ids)["lstm"]
    assert np.abs(calm.h).mean() < 0.05 < 0.2 < np.abs(vivid.h).mean()
    assert vivid.gates["forget"].std() > 0.15 > 0.02 > calm.gates["forget"].std()


def test_keras_weights_use_kerass_own_initial_biases():
    model = build_model(get_preset("guide-lstm").spec)
    bias = model.get_layer("lstm").cell.bias.numpy()
    expected = np.concatenate([np.zeros(128), np.ones(128), np.zeros(256)])  # unit_forget_bias
    np.testing.assert_array_equal(bias, expected)

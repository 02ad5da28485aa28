"""rnnviz.trace against an independent numpy recurrence (tests/reference.py) and Keras's own outputs."""

from __future__ import annotations

import threading

import keras
import numpy as np
import pytest

from rnnviz import trace_cells
from rnnviz import trace_cost
from rnnviz.trace import MAX_TRACE_BYTES, DirectionTrace, LayerTrace, Trace, estimate_trace_bytes, trace
from tests import reference

L = keras.layers
ATOL = 1e-5


# ---------------------------------------------------------------- helpers


def randomize(model: keras.Model, seed: int = 0) -> keras.Model:
    """Random weights everywhere, biases included, so bias bugs show."""
    rng = np.random.default_rng(seed)
    for w in model.trainable_weights:
        w.assign(rng.normal(0.0, 0.5, w.shape).astype("float32"))
    return model


def floats(*shape, seed=1):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def keras_outputs(model, inputs, name):
    """What the layer returns when Keras runs the model: a sub-model ending at that layer."""
    out = model.get_layer(name).output
    res = keras.Model(model.inputs, out)(as_list(inputs))
    res = res if isinstance(res, (list, tuple)) else [res]
    return [np.asarray(r) for r in res]


def layer_input(model, inputs, name):
    """The sequences a layer reads, computed by Keras."""
    ins = model.get_layer(name).input
    ins = ins[0] if isinstance(ins, (list, tuple)) else ins
    return np.asarray(keras.Model(model.inputs, ins)(as_list(inputs)))


def as_list(inputs):
    return list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]


def assert_close(actual, expected, what=""):
    np.testing.assert_allclose(actual, expected, atol=ATOL, rtol=0, err_msg=what)


def assert_direction(d: DirectionTrace, ref: dict):
    assert d.h.dtype == np.float32
    assert_close(d.h, ref["h"], "h")
    if ref["c"] is None:
        assert d.c is None
    else:
        assert_close(d.c, ref["c"], "c")
    assert set(d.gates) == set(ref["gates"])
    for name, gate in ref["gates"].items():
        assert_close(d.gates[name], gate, f"gate {name}")
    for got, want in zip(d.final_state, ref["final"], strict=True):
        assert_close(got, want, "final state")
    for got, want in zip(d.initial_state, ref["initial"], strict=True):
        assert_close(got, want, "initial state")


def assert_outputs(tr, model, inputs, name):
    want = keras_outputs(model, inputs, name)
    got = tr[name].outputs
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        assert_close(g, w, f"{name} outputs")


def check_layer(tr, model, inputs, name, initial=None, mask=None):
    """h, c and gates against the numpy recurrence; outputs against Keras."""
    layer = model.get_layer(name)
    x = layer_input(model, inputs, name)
    assert_direction(tr[name].forward, reference.run_layer(layer, x, initial, mask))
    assert_outputs(tr, model, inputs, name)


def seq_model(layer, features=3, steps=None, name="m"):
    inp = keras.Input((steps, features))
    return randomize(keras.Model(inp, layer(inp), name=name))


# ---------------------------------------------------------------- the three cells


@pytest.mark.parametrize(
    "make",
    [
        lambda: L.LSTM(4, name="rnn"),
        lambda: L.GRU(4, name="rnn"),  # reset_after=True: (2, 3u) bias
        lambda: L.GRU(4, reset_after=False, name="rnn"),
        lambda: L.SimpleRNN(4, name="rnn"),
        lambda: L.LSTM(4, activation="relu", recurrent_activation="hard_sigmoid", name="rnn"),
        lambda: L.GRU(4, activation="relu", recurrent_activation="hard_sigmoid", reset_after=False, name="rnn"),
        lambda: L.SimpleRNN(4, activation="relu", name="rnn"),
        lambda: L.LSTM(4, use_bias=False, unroll=True, name="rnn"),
    ],
    ids=["lstm", "gru", "gru-reset-before", "simple", "lstm-relu-hard", "gru-relu-hard", "simple-relu", "lstm-nobias-unroll"],
)
def test_each_cell_matches_reference_at_every_step_without_return_sequences(make):
    model = seq_model(make())
    x = floats(2, 6, 3)
    tr = trace(model, x)
    assert tr.names == ("rnn",)
    layer = tr["rnn"]
    assert layer.h.shape == (2, 6, 4) and layer.input_steps == 6
    assert layer.outputs[0].shape == (2, 4)
    check_layer(tr, model, x, "rnn")
    assert_close(tr.model_outputs[0], np.asarray(model(x)))


@pytest.mark.parametrize(
    "cell,kind,gates",
    [
        (L.LSTMCell, "LSTM", {"input", "forget", "candidate", "output"}),
        (L.GRUCell, "GRU", {"update", "reset", "candidate"}),
        (L.SimpleRNNCell, "SimpleRNN", set()),
    ],
)
def test_rnn_cell_wrappers_are_traced_and_run_generic(cell, kind, gates):
    model = seq_model(L.RNN(cell(3), return_sequences=True, name="rnn"))
    x = floats(2, 5, 3)
    tr = trace(model, x)
    layer = tr["rnn"]
    assert (layer.kind, layer.layer_class, layer.kernel) == (kind, "RNN", "generic")
    assert "keras.layers.RNN" in layer.kernel_reason
    assert set(layer.gates) == gates
    check_layer(tr, model, x, "rnn")


@pytest.mark.parametrize("make", [lambda: L.LSTM(3, return_sequences=True, go_backwards=True, name="rnn"),
                                  lambda: L.GRU(3, return_sequences=True, go_backwards=True, name="rnn")])
def test_go_backwards_is_indexed_by_input_step(make):
    model = seq_model(make())
    x = floats(2, 5, 3)
    tr = trace(model, x)
    layer = tr["rnn"]
    assert layer.go_backwards
    assert_close(layer.h[:, 0], layer.final_state[0])  # read T-1..0: step 0 is read last
    assert_close(layer.outputs[0][:, 0], layer.h[:, -1])  # Keras returns reading order
    check_layer(tr, model, x, "rnn")


# ---------------------------------------------------------------- models


def test_stack_of_three_kinds_on_embedding_in_model_order():
    inp = keras.Input((None,), dtype="int32")
    x = L.Embedding(20, 4)(inp)
    x = L.LSTM(5, return_sequences=True, name="lstm")(x)
    x = L.GRU(4, return_sequences=True, name="gru")(x)
    x = L.SimpleRNN(3, name="simple")(x)
    model = randomize(keras.Model(inp, L.Dense(2)(x)))
    ids = np.random.default_rng(0).integers(0, 20, (3, 6))
    tr = trace(model, ids)
    assert tr.names == ("lstm", "gru", "simple") and list(tr) == list(tr.names) and len(tr) == 3
    assert "gru" in tr and "dense" not in tr
    for name in tr.names:
        check_layer(tr, model, ids, name)
    assert_close(tr.model_outputs[0], np.asarray(model(ids)))


def test_sequential_model():
    model = randomize(keras.Sequential([keras.Input((4, 2)), L.GRU(3, return_sequences=True, name="gru"), L.LSTM(2, name="lstm")]))
    x = floats(3, 4, 2)
    tr = trace(model, x)
    assert tr.names == ("gru", "lstm")
    check_layer(tr, model, x, "gru")
    check_layer(tr, model, x, "lstm")


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_every_merge_mode(merge_mode):
    inp = keras.Input((5, 3))
    out = L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode=merge_mode, name="bi")(inp)
    model = randomize(keras.Model(inp, out))
    x = floats(2, 5, 3)
    tr = trace(model, x)
    bi = tr["bi"]
    assert (bi.kind, bi.inner_kind, bi.merge_mode) == ("Bidirectional", "LSTM", merge_mode)
    assert not bi.forward.go_backwards and bi.backward.go_backwards
    layer = model.get_layer("bi")
    assert_direction(bi.forward, reference.run_layer(layer.forward_layer, x))
    assert_direction(bi.backward, reference.run_layer(layer.backward_layer, x))
    assert_close(bi.backward.h[:, 0], bi.backward.final_state[0])
    assert_outputs(tr, model, x, "bi")
    with pytest.raises(AttributeError, match="forward"):
        _ = bi.h


def test_bidirectional_gru_return_state_without_sequences():
    inp = keras.Input((4, 2))
    outs = L.Bidirectional(L.GRU(3, return_state=True), name="bi")(inp)
    model = randomize(keras.Model(inp, outs))
    x = floats(2, 4, 2)
    tr = trace(model, x)
    assert [o.shape for o in tr["bi"].outputs] == [(2, 6), (2, 3), (2, 3)]
    assert_outputs(tr, model, x, "bi")
    layer = model.get_layer("bi")
    assert_direction(tr["bi"].backward, reference.run_layer(layer.backward_layer, x))


def test_functional_model_with_two_inputs():
    a, b = keras.Input((5, 2), name="a"), keras.Input((5, 3), name="b")
    ha = L.GRU(3, return_sequences=True, name="gru_a")(a)
    merged = L.Concatenate()([ha, b])
    out = L.LSTM(2, name="lstm")(merged)
    model = randomize(keras.Model([a, b], out))
    xa, xb = floats(2, 5, 2, seed=3), floats(2, 5, 3, seed=4)
    tr = trace(model, [xa, xb])
    check_layer(tr, model, [xa, xb], "gru_a")
    check_layer(tr, model, [xa, xb], "lstm")
    by_name = trace(model, {"a": xa, "b": xb})
    assert_close(by_name["lstm"].h, tr["lstm"].h)


def test_decoder_starts_from_the_encoder_state_wired_in():
    enc_in, dec_in = keras.Input((6, 3)), keras.Input((4, 2))
    _, h, c = L.LSTM(4, return_state=True, name="encoder")(enc_in)
    dec = L.LSTM(4, return_sequences=True, name="decoder")(dec_in, initial_state=[h, c])
    model = randomize(keras.Model([enc_in, dec_in], L.Dense(2)(dec)))
    xe, xd = floats(2, 6, 3, seed=5), floats(2, 4, 2, seed=6)
    tr = trace(model, [xe, xd])
    assert tr.names == ("encoder", "decoder")
    _, h_enc, c_enc = keras_outputs(model, [xe, xd], "encoder")
    assert_close(tr["decoder"].initial_state[0], h_enc)
    assert_close(tr["decoder"].initial_state[1], c_enc)
    check_layer(tr, model, [xe, xd], "encoder")
    check_layer(tr, model, [xe, xd], "decoder", initial=(h_enc, c_enc))
    assert_close(tr.model_outputs[0], np.asarray(model([xe, xd])))


def test_nested_model_and_a_layer_called_twice():
    shared = L.GRU(3, name="shared")
    inner_in = keras.Input((4, 2))
    inner = keras.Model(inner_in, L.LSTM(2, return_sequences=True, name="inner_lstm")(inner_in), name="inner")
    a, b = keras.Input((4, 2)), keras.Input((4, 2))
    out = L.Concatenate()([shared(a), shared(b), L.Flatten()(inner(a))])
    model = randomize(keras.Model([a, b], out))
    xa, xb = floats(2, 4, 2, seed=7), floats(2, 4, 2, seed=8)
    tr = trace(model, [xa, xb])
    assert set(tr.names) == {"shared", "shared@1", "inner_lstm"}
    layer = model.get_layer("shared")
    ref = {n: reference.run_layer(layer, x) for n, x in (("a", xa), ("b", xb))}
    firsts = {tr["shared"].final_state[0].tobytes(), tr["shared@1"].final_state[0].tobytes()}
    assert len(firsts) == 2
    for name in ("shared", "shared@1"):
        which = "a" if np.allclose(tr[name].h, ref["a"]["h"], atol=ATOL) else "b"
        assert_direction(tr[name].forward, ref[which])
    assert_direction(tr["inner_lstm"].forward, reference.run_layer(inner.get_layer("inner_lstm"), xa))
    assert_close(tr.model_outputs[0], np.asarray(model([xa, xb])))


# ---------------------------------------------------------------- masks


def masked_ids():
    ids = np.random.default_rng(2).integers(1, 30, (3, 7))
    ids[0, 5:] = 0  # right padding
    ids[1, :2] = 0  # left padding: the first outputs are zeros, the states stay initial
    ids[2, 3] = 0  # a hole
    return ids


def test_mask_zero_carries_states_and_marks_steps():
    inp = keras.Input((None,), dtype="int32")
    x = L.Embedding(30, 3, mask_zero=True)(inp)
    x = L.LSTM(4, return_sequences=True, name="lstm")(x)
    x = L.GRU(3, go_backwards=True, return_sequences=True, name="gru")(x)
    x = L.SimpleRNN(2, name="simple")(x)
    model = randomize(keras.Model(inp, x))
    ids = masked_ids()
    mask = ids != 0
    tr = trace(model, ids)
    for name in tr.names:
        assert tr[name].mask.dtype == np.bool_
        np.testing.assert_array_equal(tr[name].mask, mask)
        check_layer(tr, model, ids, name, mask=mask)
    lstm = tr["lstm"]
    assert_close(lstm.h[2, 3], lstm.h[2, 2])  # the hole carries h and c
    assert_close(lstm.c[2, 3], lstm.c[2, 2])
    assert np.all(lstm.gates["forget"][2, 3] == 0)
    assert np.all(lstm.h[1, :2] == 0)


def test_bidirectional_with_mask_and_decoder_with_mask_and_state():
    enc_in, dec_in = keras.Input((None,), dtype="int32"), keras.Input((None,), dtype="int32")
    e = L.Embedding(30, 3, mask_zero=True)(enc_in)
    e = L.Bidirectional(L.GRU(3, return_sequences=True), name="bi")(e)
    _, h, c = L.LSTM(3, return_state=True, name="encoder")(e)
    d = L.Embedding(30, 3, mask_zero=True)(dec_in)
    d = L.LSTM(3, return_sequences=True, name="decoder")(d, initial_state=[h, c])
    model = randomize(keras.Model([enc_in, dec_in], d))
    ids = masked_ids()
    tr = trace(model, [ids, ids[:, :5]])
    layer = model.get_layer("bi")
    x = layer_input(model, [ids, ids[:, :5]], "bi")
    assert_direction(tr["bi"].forward, reference.run_layer(layer.forward_layer, x, mask=ids != 0))
    assert_direction(tr["bi"].backward, reference.run_layer(layer.backward_layer, x, mask=ids != 0))
    for name in ("bi", "encoder", "decoder"):
        assert_outputs(tr, model, [ids, ids[:, :5]], name)


# ---------------------------------------------------------------- state


def stateful_model():
    inp = keras.Input(batch_shape=(2, 3, 2))
    x = L.LSTM(3, stateful=True, return_sequences=True, name="lstm")(inp)
    x = L.Bidirectional(L.GRU(2, stateful=True), name="bi")(x)
    return randomize(keras.Model(inp, x))


def state_variables(model):
    """Keras does not track RNN states as weights: collect them from the layers."""
    bi = model.get_layer("bi")
    return [v for layer in (model.get_layer("lstm"), bi.forward_layer, bi.backward_layer) for v in layer.states]


def states_of(model):
    return [v.numpy().copy() for v in state_variables(model)]


def test_stateful_trace_starts_from_carried_state_and_advances_only_when_asked():
    model = stateful_model()
    x1, x2 = floats(2, 3, 2, seed=9), floats(2, 3, 2, seed=10)
    model(x1)  # now the layers carry a state
    carried = states_of(model)
    lstm, bi = model.get_layer("lstm"), model.get_layer("bi")
    start = {layer.name: [v.numpy() for v in layer.states] for layer in (lstm, bi.forward_layer, bi.backward_layer)}
    tr = trace(model, x2)
    assert len(carried) == 4 and not np.allclose(carried[0], 0)
    assert all(np.array_equal(a, b) for a, b in zip(states_of(model), carried))  # not advanced
    ref = reference.run_layer(lstm, x2, start["lstm"])
    assert_direction(tr["lstm"].forward, ref)
    for half, d in ((bi.forward_layer, tr["bi"].forward), (bi.backward_layer, tr["bi"].backward)):
        assert_direction(d, reference.run_layer(half, ref["h"], start[half.name]))
    expected_output = np.asarray(model(x2))  # Keras advances from the same carried state
    after_keras = states_of(model)
    for v, s in zip(state_variables(model), carried, strict=True):
        v.assign(s)
    tr2 = trace(model, x2, advance_state=True)
    assert_close(tr2.model_outputs[0], expected_output)
    assert_close(tr.model_outputs[0], expected_output)
    for got, want in zip(states_of(model), after_keras, strict=True):
        assert_close(got, want)


def test_stateful_batch_must_match():
    with pytest.raises(ValueError, match="batch of 3; the model takes exactly 2"):
        trace(stateful_model(), floats(3, 3, 2))


# ---------------------------------------------------------------- what it cannot trace, limits, bad inputs


class DoublingCell(L.Layer):
    def __init__(self, units, **kw):
        super().__init__(**kw)
        self.units = units
        self.state_size = units

    def call(self, x, states):
        h = 2 * states[0] + keras.ops.sum(x, axis=-1, keepdims=True)
        return h, [h]


def test_custom_cell_is_skipped_with_its_name_and_the_rest_traced():
    inp = keras.Input((4, 2))
    x = L.RNN(DoublingCell(3), return_sequences=True, name="custom")(inp)
    x = L.GRU(2, name="gru")(x)
    model = randomize(keras.Model(inp, x))
    x_in = floats(2, 4, 2)
    tr = trace(model, x_in)
    assert tr.names == ("gru",)
    assert "custom" in tr.skipped and "DoublingCell" in tr.skipped["custom"]
    check_layer(tr, model, x_in, "gru")
    with pytest.raises(KeyError, match="not traced"):
        tr["custom"]


def test_oversized_trace_is_refused_before_any_work_with_the_estimate():
    inp = keras.Input((None,), dtype="int32")
    model = keras.Model(inp, L.LSTM(256)(L.Embedding(10, 4)(inp)))
    ids = np.zeros((256, 1200), dtype="int32")
    with pytest.raises(ValueError, match=r"about \d+\.\d+ GiB .*limit of 1\.00 GiB"):
        trace(model, ids)
    assert estimate_trace_bytes(model, ids) > MAX_TRACE_BYTES == 1024**3


def test_estimate_covers_the_arrays():
    inp = keras.Input((6, 3))
    x = L.Bidirectional(L.LSTM(4, return_sequences=True), name="bi")(inp)
    model = keras.Model(inp, L.GRU(2, name="gru")(x))
    x_in = floats(2, 6, 3)
    held = sum(a.nbytes for a in trace(model, x_in).arrays().values())
    estimate = estimate_trace_bytes(model, x_in)
    assert held <= estimate <= 2 * held + trace_cost.FIXED_BYTES + 64 * 1024  # the fixed cost, 6 steps of overhead


def tiny_lstm():
    inp = keras.Input((None,), dtype="int32", name="tokens")
    return keras.Model(inp, L.LSTM(2, name="lstm")(L.Embedding(10, 3)(inp)))


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.rnn = L.LSTM(2)

    def call(self, x):
        return self.rnn(x)


def subclassed():
    m = Subclassed()
    m(floats(1, 2, 2))
    return m


@pytest.mark.parametrize(
    "model,inputs,match",
    [
        (tiny_lstm, lambda: [np.zeros((2, 3)), np.zeros((2, 3))], "takes 1 input"),
        (tiny_lstm, lambda: np.zeros((2, 3, 1)), r"shape \(2, 3, 1\).*expects \(batch=any, timesteps=any\) of integer token ids"),
        (tiny_lstm, lambda: np.array([["a", "b"]]), "dtype <U1"),
        (tiny_lstm, lambda: np.full((2, 3), 0.5), "integer token ids"),
        (tiny_lstm, lambda: np.full((2, 3), 12), r"from 12 to 12.*accepts 0\.\.9"),
        (tiny_lstm, lambda: np.zeros((0, 3)), "nothing in it"),
        (tiny_lstm, lambda: {"other": np.zeros((2, 3))}, "named"),
        (lambda: seq_model(L.LSTM(2), features=3, steps=4), lambda: floats(2, 4, 5), r"expects \(batch=any, timesteps=4, features=3\)"),
        (lambda: keras.Sequential([keras.Input((3,)), L.Dense(2)]), lambda: floats(2, 3), "no recurrent layer"),
        (subclassed, lambda: floats(1, 2, 2), "subclassed"),
        (lambda: "model.keras", lambda: floats(1, 2, 2), "needs a keras.Model"),
    ],
    ids=["count", "rank", "strings", "fraction", "id-range", "empty", "dict-keys", "features", "no-rnn", "subclassed", "not-model"],
)
def test_bad_inputs_raise_value_error_naming_the_fix(model, inputs, match):
    with pytest.raises(ValueError, match=match):
        trace(model(), inputs())


# ---------------------------------------------------------------- the compiled twin


def test_trace_reads_the_live_weights_and_retraces_for_new_shapes():
    model = seq_model(L.LSTM(3, name="lstm"), features=2)
    x = floats(2, 5, 2)
    first = trace(model, x)
    randomize(model, seed=42)  # retrained in place
    second = trace(model, x)
    assert not np.allclose(first["lstm"].h, second["lstm"].h)
    check_layer(second, model, x, "lstm")
    for shape in [(3, 7, 2), (1, 2, 2), (4, 9, 2)]:
        check_layer(trace(model, floats(*shape)), model, floats(*shape), "lstm")


def test_concurrent_traces_of_one_model():
    model = seq_model(L.GRU(3, return_sequences=True, name="gru"), features=2)
    inputs = [floats(2, 4 + i, 2, seed=i) for i in range(4)]
    results: dict[int, Trace] = {}

    def work(i):
        results[i] = trace(model, inputs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, x in enumerate(inputs):
        check_layer(results[i], model, x, "gru")


def test_arrays_are_float32_keyed_by_path_and_read_only():
    inp = keras.Input((None,), dtype="int32")
    x = L.Embedding(10, 3, mask_zero=True)(inp)
    x = L.Bidirectional(L.LSTM(2, return_sequences=True), name="bi")(x)
    x = L.GRU(2, name="gru")(x)
    model = keras.Model(inp, x)
    tr = trace(model, np.array([[1, 2, 0], [3, 0, 0]]))
    arrays = tr.arrays()
    for key in ["bi/forward/h", "bi/backward/c", "bi/backward/gates/forget", "gru/gates/update", "gru/h",
                "gru/mask", "bi/outputs/0", "gru/final_state/0", "model_outputs/0"]:
        assert key in arrays, key
    assert all(a.dtype == (np.bool_ if k.endswith("mask") else np.float32) for k, a in arrays.items())
    assert isinstance(tr["gru"], LayerTrace) and tr.device == "CPU"
    assert "no GPU" in tr["gru"].kernel_reason or tr["gru"].kernel == "cudnn"
    with pytest.raises(ValueError):
        tr["gru"].h[0, 0, 0] = 1.0


def test_kernel_reasons_follow_keras_rules():
    inp = keras.Input((3, 2))
    a = L.LSTM(2, use_cudnn=False, name="off")(inp)
    b = L.GRU(2, reset_after=False, name="before")(inp)
    c = L.LSTM(2, activation="relu", name="relu")(inp)
    model = keras.Model(inp, [a, b, c])
    tr = trace(model, floats(1, 3, 2))
    assert all(tr[n].kernel == "generic" for n in tr)
    assert "use_cudnn=False" in tr["off"].kernel_reason
    assert "reset_after" in tr["before"].kernel_reason
    assert "tanh" in tr["relu"].kernel_reason


class SignFlip(L.Layer):
    def call(self, x):
        if keras.ops.sum(x) > 0:  # a Python branch on a tensor: needs autograph inside a graph
            return -x
        return x

    def compute_output_shape(self, shape):
        return shape


def test_a_layer_that_fails_in_a_graph_gives_a_value_error_naming_it():
    inp = keras.Input((4, 2))
    model = keras.Model(inp, L.GRU(3, name="gru")(SignFlip()(inp)))
    with pytest.raises(ValueError, match="SignFlip"):  # as model.predict fails on it too
        trace(model, floats(2, 4, 2))


def test_cudnn_branch_hands_on_the_layers_own_outputs_and_keeps_state(monkeypatch):
    """No GPU here: pretend one, so the layers report cuDNN and their own call feeds the graph."""
    monkeypatch.setattr(trace_cells, "gpu_available", lambda: True)
    model = stateful_model()
    x1, x2 = floats(2, 3, 2, seed=11), floats(2, 3, 2, seed=12)
    model(x1)
    carried = states_of(model)
    tr = trace(model, x2)
    assert tr["lstm"].kernel == "cudnn" and tr["bi"].kernel == "cudnn"
    assert all(np.array_equal(a, b) for a, b in zip(states_of(model), carried))
    assert_direction(tr["lstm"].forward, reference.run_layer(model.get_layer("lstm"), x2, carried[:2]))
    expected = np.asarray(model(x2))
    after_keras = states_of(model)
    for v, s in zip(state_variables(model), carried, strict=True):
        v.assign(s)
    tr2 = trace(model, x2, advance_state=True)
    assert_close(tr.model_outputs[0], expected)
    assert_close(tr2.model_outputs[0], expected)
    for got, want in zip(states_of(model), after_keras, strict=True):
        assert_close(got, want)


@pytest.mark.filterwarnings("ignore:When providing `inputs` as a dict")
def test_masking_layer_and_inputs_keyed_as_the_model_was_built():
    a, b = keras.Input((5, 2), name="tensor_a"), keras.Input((5, 1), name="tensor_b")
    x = L.Masking()(L.Concatenate()([a, b]))
    model = randomize(keras.Model({"x": a, "y": b}, L.LSTM(3, return_sequences=True, name="lstm")(x)))
    xa, xb = floats(2, 5, 2), floats(2, 5, 1)
    xa[0, 3:], xb[0, 3:] = 0, 0
    tr = trace(model, {"x": xa, "y": xb})
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    np.testing.assert_array_equal(tr["lstm"].mask, mask)
    ref = reference.run_layer(model.get_layer("lstm"), np.concatenate([xa, xb], -1), mask=mask)
    assert_direction(tr["lstm"].forward, ref)
    assert_close(tr["lstm"].outputs[0], np.asarray(model({"x": xa, "y": xb})))


def test_bidirectional_with_initial_state_splits_it_forward_first():
    inp, states = keras.Input((5, 2)), [keras.Input((3,)) for _ in range(4)]
    model = randomize(keras.Model([inp, *states], L.Bidirectional(L.LSTM(3), name="bi")(inp, initial_state=states)))
    x, s = floats(2, 5, 2), [floats(2, 3, seed=20 + i) for i in range(4)]
    tr = trace(model, [x, *s])
    layer = model.get_layer("bi")
    assert_direction(tr["bi"].forward, reference.run_layer(layer.forward_layer, x, s[:2]))
    assert_direction(tr["bi"].backward, reference.run_layer(layer.backward_layer, x, s[2:]))
    assert_outputs(tr, model, [x, *s], "bi")


def test_recurrent_layer_inside_time_distributed_is_named_in_skipped():
    inp = keras.Input((3, 4, 2))
    x = L.TimeDistributed(L.LSTM(2), name="td")(inp)
    model = keras.Model(inp, L.GRU(2, name="gru")(x))
    tr = trace(model, floats(1, 3, 4, 2))
    assert tr.names == ("gru",) and "td" in tr.skipped and "inside itself" in tr.skipped["td"]

"""rnnviz.gradients against finite differences of the numpy recurrence (tests/reference.py), float64."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rnnviz import gradients
from rnnviz.adding import ADDING_CELLS, adding_models, adding_problem
from rnnviz.gradients import gradient_over_time, half_life, output_saliency, relative_to_last
from tests import reference

L = keras.layers
RTOL = 2e-3  # float32 backward pass against float64 central differences
EPS = 1e-5


def randomize(model: keras.Model, seed: int = 0, scale: float = 0.5) -> keras.Model:
    rng = np.random.default_rng(seed)
    for w in model.trainable_weights:
        w.assign(rng.normal(0.0, scale, w.shape).astype("float32"))
    return model


def floats(*shape, seed=1):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def fd_norms(final, x: np.ndarray) -> np.ndarray:
    """(batch, timesteps) ||d final(x)[b] / d x[b, t]||_F by central differences in float64.

    `final` maps (batch, T, F) float64 to (batch, units); rows are independent, so one perturbation of
    (t, f) in every row at once gives every row's column of the Jacobian.
    """
    x = np.asarray(x, np.float64)
    batch, steps, features = x.shape
    squares = np.zeros((batch, steps))
    for t in range(steps):
        for f in range(features):
            up, down = x.copy(), x.copy()
            up[:, t, f] += EPS
            down[:, t, f] -= EPS
            column = (final(up) - final(down)) / (2 * EPS)  # (batch, units)
            squares[:, t] += (column**2).sum(axis=1)
    return np.sqrt(squares)


def final_h(layer, initial=None, mask=None):
    return lambda x: reference.run_layer(layer, x, initial=initial, mask=mask)["final"][0]


def close(got, want):
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-7 * np.abs(want).max())


# ---------------------------------------------------------------- every cell kind


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU", "GRU-reset-before", "LSTM"])
def test_exact_norm_matches_finite_differences_of_the_recurrence(kind):
    layer = L.GRU(5, reset_after=False, name="rnn") if kind == "GRU-reset-before" else getattr(L, kind)(5, name="rnn")
    model = randomize(keras.Sequential([keras.Input((7, 3)), layer, L.Dense(2)]))
    x = floats(3, 7, 3)
    got = gradient_over_time(model, x, layer="rnn")
    assert got.shape == (3, 7) and got.dtype == np.float32
    close(got, fd_norms(final_h(layer), x))


def test_layer_inside_a_stack_is_differentiated_against_its_own_input():
    first = L.GRU(4, return_sequences=True, name="first")
    second = L.LSTM(3, go_backwards=True, name="second")
    model = randomize(keras.Sequential([keras.Input((6, 2)), first, second, L.Dense(1)]), seed=3)
    x = floats(2, 6, 2, seed=4)
    own_input = reference.run_layer(first, x)["outputs"]  # what `second` reads
    close(gradient_over_time(model, x, layer="second"), fd_norms(final_h(second), own_input))


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_bidirectional_gives_each_direction_its_own_curve(direction):
    bidi = L.Bidirectional(L.LSTM(4), name="bi")
    model = randomize(keras.Sequential([keras.Input((6, 3)), bidi, L.Dense(1)]), seed=5)
    x = floats(2, 6, 3, seed=6)
    half = bidi.forward_layer if direction == "forward" else bidi.backward_layer
    got = gradient_over_time(model, x, layer="bi", direction=direction)
    close(got, fd_norms(final_h(half), x))
    # the backward half's final state is read last at step 0: its curve rises towards t = 0
    assert (got[:, 0] > got[:, -1]).all() if direction == "backward" else (got[:, -1] > got[:, 0]).all()


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU", "LSTM"])
def test_masked_steps_are_zero_and_the_rest_match_the_masked_recurrence(kind):
    embedding = L.Embedding(10, 3, mask_zero=True, name="emb")
    layer = getattr(L, kind)(4, name="rnn")
    model = randomize(keras.Sequential([keras.Input((6,), dtype="int32"), embedding, layer, L.Dense(1)]), seed=7)
    ids = np.array([[3, 1, 4, 1, 0, 0], [0, 0, 5, 9, 2, 6], [2, 0, 7, 0, 8, 1]], np.int32)
    mask = ids != 0
    vectors = embedding.embeddings.numpy()[ids]  # after an Embedding: the gradient is w.r.t. these
    got = gradient_over_time(model, ids, layer="rnn")
    assert (got[~mask] == 0).all() and (got[mask] > 0).all()
    close(got, fd_norms(final_h(layer, mask=mask), vectors))


def test_initial_state_from_an_encoder_is_held_fixed():
    enc_in, dec_in = keras.Input((5, 2)), keras.Input((4, 3))
    _, h, c = L.LSTM(3, return_state=True, name="encoder")(enc_in)
    decoder = L.LSTM(3, name="decoder")
    model = randomize(keras.Model([enc_in, dec_in], L.Dense(1)(decoder(dec_in, initial_state=[h, c]))), seed=8)
    xe, xd = floats(2, 5, 2, seed=9), floats(2, 4, 3, seed=10)
    encoder = model.get_layer("encoder")
    states = reference.run_layer(encoder, xe)["final"]
    close(gradient_over_time(model, [xe, xd], layer="decoder"), fd_norms(final_h(decoder, initial=states), xd))


# ---------------------------------------------------------------- the estimate


def test_estimate_is_unbiased_in_the_squared_norm():
    model = randomize(keras.Sequential([keras.Input((5, 3)), L.GRU(6, name="rnn")]), seed=11, scale=0.4)
    x = floats(2, 5, 3, seed=12)
    exact = gradient_over_time(model, x, layer="rnn").astype(np.float64)
    draws = np.stack([gradient_over_time(model, x, layer="rnn", method="estimate", samples=64, seed=s)
                      for s in range(8)]).astype(np.float64)
    ratio = (draws**2).mean(axis=0) / exact**2  # 512 directions: E = 1, spread about sqrt(2/512)
    assert np.abs(ratio - 1).max() < 0.25
    again = gradient_over_time(model, x, layer="rnn", method="estimate", samples=64, seed=0)
    assert np.array_equal(again, draws[0])  # same seed, same estimate


@pytest.fixture(scope="module")
def adding_batch():
    return adding_problem(8, seed=100)[0]


@pytest.mark.parametrize("trained", [False, True])
@pytest.mark.parametrize("cell", ADDING_CELLS)
def test_estimate_gives_the_exact_half_life_on_the_shipped_models(cell, trained, adding_batch):
    """Stated tolerance: the estimate's decay rate (halvings per step, 1 / half-life) within 20 % of the
    exact one, or within 0.004 halvings per step where the curve is nearly flat (trained gates)."""
    model = adding_models(trained=trained)[cell]
    name = cell.lower()
    exact = 1 / half_life(gradient_over_time(model, adding_batch, layer=name))
    for seed in range(3):
        rate = 1 / half_life(gradient_over_time(model, adding_batch, layer=name, method="estimate", seed=seed))
        assert abs(rate - exact) <= max(0.2 * abs(exact), 0.004), (cell, trained, seed, 1 / rate, 1 / exact)


# ---------------------------------------------------------------- output saliency


def test_output_saliency_matches_finite_differences_of_the_whole_model():
    rnn, dense = L.LSTM(4, name="rnn"), L.Dense(2, name="out")
    model = randomize(keras.Sequential([keras.Input((6, 3)), rnn, dense]), seed=13)
    x = floats(3, 6, 3, seed=14)
    kernel, bias = (w.numpy().astype(np.float64) for w in dense.weights)
    close(output_saliency(model, x), fd_norms(lambda v: final_h(rnn)(v) @ kernel + bias, x))
    estimate = output_saliency(model, x, method="estimate", samples=64)
    assert estimate.shape == (3, 6) and np.all(np.abs(np.log(estimate / output_saliency(model, x))) < 0.7)


def test_output_saliency_after_an_embedding_is_taken_on_its_vectors_and_masked():
    embedding, rnn = L.Embedding(9, 3, mask_zero=True), L.GRU(4, name="rnn")
    dense = L.Dense(1)
    model = randomize(keras.Sequential([keras.Input((5,), dtype="int32"), embedding, rnn, dense]), seed=15)
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]], np.int32)
    kernel, bias = (w.numpy().astype(np.float64) for w in dense.weights)
    want = fd_norms(lambda v: final_h(rnn, mask=ids != 0)(v) @ kernel + bias, embedding.embeddings.numpy()[ids])
    got = output_saliency(model, ids)
    assert (got[ids == 0] == 0).all()
    close(got, want)


# ---------------------------------------------------------------- half-life


def test_half_life_reads_the_decay_rate_off_a_log_linear_fit():
    steps = np.arange(50)
    curve = 3.0 * 2.0 ** (-(49 - steps) / 7.0)
    assert half_life(curve) == pytest.approx(7.0)
    assert half_life(np.stack([curve, 0.01 * curve])) == pytest.approx(7.0)  # each row its own scale
    assert half_life(curve[::-1], backward=True) == pytest.approx(7.0)
    assert half_life(np.ones(10)) == np.inf and half_life(curve[::-1]) == np.inf  # flat, rising
    masked = curve.copy()
    masked[10:20] = 0.0
    assert half_life(masked) == pytest.approx(7.0)  # zero (masked) steps are left out
    assert np.isnan(half_life(np.array([1.0, 0.0, 0.0])))
    np.testing.assert_allclose(relative_to_last(curve)[[0, -1]], [2.0 ** (-49 / 7), 1.0])


# ---------------------------------------------------------------- errors name the fix


@pytest.fixture(scope="module")
def small():
    return keras.Sequential([keras.Input((4, 2)), L.LSTM(3, name="rnn"), L.Dense(1, name="dense")])


@pytest.mark.parametrize(("kwargs", "words"), [
    (dict(layer="nope"), "no layer named 'nope'; its recurrent layers are rnn"),
    (dict(layer="dense"), "'dense' is a Dense, not a recurrent layer; pass layer= one of rnn"),
    (dict(layer="rnn", method="fast"), "use method='exact' or method='estimate'"),
    (dict(layer="rnn", direction="backward"), "not Bidirectional; it has one direction"),
    (dict(layer="rnn", method="estimate", samples=0), "whole number from 1 to 64"),
])
def test_bad_arguments_are_value_errors_that_name_the_fix(small, kwargs, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        gradient_over_time(small, floats(1, 4, 2), **kwargs)


def test_wrong_input_shape_says_what_the_model_expects(small):
    with pytest.raises(ValueError, match=r"has shape \(1, 4, 5\); the model expects \(batch=any, timesteps=4, "
                                         r"features=2\)"):
        gradient_over_time(small, floats(1, 4, 5), layer="rnn")


def test_cost_is_checked_before_any_work(small, monkeypatch):
    monkeypatch.setattr(gradients, "MAX_GRADIENT_CELLS", 2 * 3 * 4 * 3 - 1)  # 2 rows x 3 units x 4 steps x 3 units
    with pytest.raises(ValueError, match="over the limit of 71; use method='estimate', or pass fewer sequences"):
        gradient_over_time(small, floats(2, 4, 2), layer="rnn")
    assert gradient_over_time(small, floats(2, 4, 2), layer="rnn", method="estimate", samples=2).shape == (2, 4)
    with pytest.raises(ValueError, match="output of model"):
        output_saliency(small, floats(30, 4, 2))


def test_output_saliency_refuses_a_model_with_two_inputs():
    a, b = keras.Input((3, 2)), keras.Input((3, 2))
    model = keras.Model([a, b], L.SimpleRNN(2)(L.Concatenate()([a, b])))
    with pytest.raises(ValueError, match="one input; .* has 2. For one recurrent layer inside it, use gradient_over_time"):
        output_saliency(model, [floats(1, 3, 2), floats(1, 3, 2)])


def test_a_second_call_uses_the_layers_current_weights_and_input_size():
    """The compiled twin is kept per layer: new weights must reach it, and another model's layer gets its own."""
    layer = L.GRU(4, name="rnn")
    model = randomize(keras.Sequential([keras.Input((None, 2)), layer]), seed=20)
    x = floats(2, 5, 2, seed=21)
    before = gradient_over_time(model, x, layer="rnn")
    randomize(model, seed=22)  # as training would
    after = gradient_over_time(model, x, layer="rnn")
    assert not np.allclose(before, after)
    close(after, fd_norms(final_h(layer), x))
    longer = floats(3, 9, 2, seed=23)  # more rows and steps: the same twin, a new graph
    close(gradient_over_time(model, longer, layer="rnn", method="exact"), fd_norms(final_h(layer), longer))

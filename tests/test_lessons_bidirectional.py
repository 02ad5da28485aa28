"""Lesson "Bidirectional" against numpy: both halves, every merge mode, the reversal, the guide's counts."""

import numpy as np
import pytest

from rnnviz.lessons import codegen
from rnnviz.lessons.bidirectional import guide_param_counts, merge_shapes, param_count, run_bidirectional
from tests.lessons_reference import TOL, recurrence, uniform_input, vivid_weights

SMALL = dict(batch=2, timesteps=5, features=3)


def numpy_halves(kind, units, seed=0):
    x = uniform_input((2, 5, 3), seed)
    forward, _, _ = recurrence(kind, x, vivid_weights(kind, units, 3, seed))
    backward, _, _ = recurrence(kind, x, vivid_weights(kind, units, 3, seed + 2), backwards=True)
    return forward, backward


@pytest.mark.parametrize(("mode", "merge"), [
    ("concat", lambda f, b: [np.concatenate([f, b], axis=-1)]),
    ("sum", lambda f, b: [f + b]),
    ("mul", lambda f, b: [f * b]),
    ("ave", lambda f, b: [(f + b) / 2]),
    (None, lambda f, b: [f, b]),
])
def test_each_merge_mode_merges_the_two_halves(mode, merge):
    lesson = run_bidirectional("LSTM", 4, merge_mode=mode, **SMALL)
    forward, backward = numpy_halves("LSTM", 4)
    np.testing.assert_allclose(lesson.forward, forward, atol=TOL)
    np.testing.assert_allclose(lesson.backward, backward, atol=TOL)
    expected = merge(forward, backward)
    assert [m.shape for m in lesson.merged] == [e.shape for e in expected]
    for got, want in zip(lesson.merged, expected):
        np.testing.assert_allclose(got, want, atol=TOL)
    assert lesson.merged_shapes == tuple((None, *e.shape[1:]) for e in expected)


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU"])
def test_backward_half_is_a_forward_layer_on_the_reversed_input(kind):
    lesson = run_bidirectional(kind, 3, **SMALL)
    x = uniform_input((2, 5, 3), 0)
    reversed_run, _, _ = recurrence(kind, x[:, ::-1], vivid_weights(kind, 3, 3, 2))
    np.testing.assert_allclose(lesson.backward, reversed_run[:, ::-1], atol=TOL)
    np.testing.assert_allclose(lesson.reversed_run, reversed_run[:, ::-1], atol=TOL)
    assert lesson.backward_difference <= TOL
    assert np.abs(lesson.forward - lesson.backward).max() > 1e-3  # the halves have weights of their own


def test_the_halves_spread_over_their_range():
    """Vivid weights: with Keras's initial ones the halves stayed within about ±0.2 and looked alike."""
    lesson = run_bidirectional("LSTM", 64)  # the page's own input: the guide's 5 steps of 10 features
    assert np.abs(lesson.forward).max() > 0.6 and np.abs(lesson.backward).max() > 0.6
    assert np.abs(lesson.forward - lesson.backward).max() > 0.5


def test_the_guides_parameter_counts():
    assert guide_param_counts() == (38_400, 41_216)
    assert param_count("LSTM", 64, 10) == 2 * 4 * 64 * (10 + 64 + 1) == 38_400
    assert param_count("LSTM", 32, 128) == 41_216
    assert param_count("GRU", 8, 3) == 2 * 3 * 8 * (3 + 8 + 2)
    guide = run_bidirectional()  # LSTM(64) on (5, 10), as the guide's first layer
    assert guide.params == 38_400
    assert guide.merged_shapes == ((None, 5, 128),)


def test_merge_shapes_of_every_mode():
    shapes = merge_shapes(64, 5, 10)
    assert shapes == {"concat": ((None, 5, 128),), "sum": ((None, 5, 64),), "mul": ((None, 5, 64),),
                      "ave": ((None, 5, 64),), "None": ((None, 5, 64), (None, 5, 64))}


def test_bad_merge_mode_names_the_choices():
    with pytest.raises(ValueError, match="merge_mode must be one of 'concat', 'sum', 'mul', 'ave' or None"):
        run_bidirectional(merge_mode="max", **SMALL)


@pytest.mark.parametrize("mode", ["ave", None])
def test_the_code_shown_reproduces_the_lesson(mode):
    lesson = run_bidirectional("GRU", 3, merge_mode=mode, seed=4, **SMALL)
    scope: dict = {}
    exec(compile(codegen.bidirectional_code(lesson, seed=4, **SMALL), "<code>", "exec"), scope)
    got = [scope["merged"]] if mode else [scope["forward_out"], scope["backward_out"]]
    for g, want in zip(got, lesson.merged):
        np.testing.assert_array_equal(g, want)
    np.testing.assert_allclose(scope["reversed_run"], lesson.reversed_run, atol=1e-6)
    np.testing.assert_allclose(scope["backward_half"], lesson.backward, atol=1e-6)


def test_the_guides_code_prints_the_guides_counts():
    scope: dict = {}
    exec(compile(codegen.GUIDE_BIDIRECTIONAL_CODE.replace("model.summary()", "pass"), "<code>", "exec"), scope)
    assert [layer.count_params() for layer in scope["model"].layers] == [38_400, 41_216, 650]

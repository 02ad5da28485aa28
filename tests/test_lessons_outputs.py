"""Lesson "Outputs and states" against a numpy recurrence; its code snippet reproduces it."""

import numpy as np
import pytest

from rnnviz.lessons import codegen
from rnnviz.lessons.outputs import GUIDE_EXAMPLE, returned_names, run_outputs
from tests.lessons_reference import TOL, recurrence, seeded_weights, uniform_input

SMALL = dict(batch=3, timesteps=6, features=4)


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU", "LSTM"])
def test_every_switch_returns_what_numpy_computes(kind):
    units = 5
    x = uniform_input((3, 6, 4), 0)
    weights = seeded_weights(kind, units, 4, 0)
    h, c, final = recurrence(kind, x, weights)
    for seqs in (False, True):
        for state in (False, True):
            lesson = run_outputs(kind, units, return_sequences=seqs, return_state=state, **SMALL)
            np.testing.assert_allclose(lesson.inputs, x)
            expected = [h if seqs else h[:, -1]]
            if state:
                expected += [final[0]] + ([final[1]] if kind == "LSTM" else [])
            assert [t.shape for t in lesson.returned] == [e.shape for e in expected]
            for tensor, want in zip(lesson.returned, expected):
                np.testing.assert_allclose(tensor.values, want, atol=TOL)
            np.testing.assert_allclose(lesson.sequence, h, atol=TOL)
            np.testing.assert_allclose(lesson.final_states[0], final[0], atol=TOL)
            assert lesson.last_step_difference <= TOL
            assert abs(lesson.last_step_difference - np.abs(h[:, -1] - final[0]).max()) <= TOL


def test_lstm_returns_three_tensors_gru_and_simplernn_two():
    assert [n for n, _ in returned_names("LSTM", True, True)] == [
        "whole_sequence_output", "final_memory_state", "final_carry_state"]
    assert [n for n, _ in returned_names("GRU", False, True)] == ["output", "final_state"]
    assert len(returned_names("SimpleRNN", True, True)) == 2
    assert len(returned_names("LSTM", True, False)) == 1


def test_the_guides_example_shapes():
    """Random (64, 100, 64) into SimpleRNN(128): (64, 128) by default, (64, 100, 128) with return_sequences."""
    last = run_outputs(**GUIDE_EXAMPLE)
    assert [t.shape for t in last.returned] == [(64, 128)]
    assert [t.symbolic_shape for t in last.returned] == [(None, 128)]
    both = run_outputs(**GUIDE_EXAMPLE, return_sequences=True, return_state=True)
    assert [t.shape for t in both.returned] == [(64, 100, 128), (64, 128)]
    weights = seeded_weights("SimpleRNN", 128, 64, 0)
    np.testing.assert_allclose(both.kernel, weights[0], atol=1e-7)
    h, _, _ = recurrence("SimpleRNN", uniform_input((64, 100, 64), 0), weights)
    np.testing.assert_allclose(both.returned[0].values, h, atol=TOL)
    np.testing.assert_allclose(last.returned[0].values, h[:, -1], atol=TOL)


def test_results_are_read_only():
    lesson = run_outputs("GRU", 3, **SMALL)
    with pytest.raises(ValueError):
        lesson.sequence[0, 0, 0] = 1.0


@pytest.mark.parametrize(("args", "message"), [
    (dict(kind="RNN"), "kind must be one of"),
    (dict(units=0), "units must be from 1"),
    (dict(timesteps=5000), "timesteps must be from 1 to 2000"),
    (dict(batch=2.5), "batch must be a whole number"),
    (dict(batch=256, timesteps=2000, features=1024), "= 524,288,000 values, more than the limit"),
])
def test_bad_arguments_name_the_problem(args, message):
    with pytest.raises(ValueError, match=message):
        run_outputs(**{**dict(kind="LSTM", units=4, **SMALL), **args})


@pytest.mark.parametrize(("kind", "seqs", "state"), [("LSTM", True, False), ("GRU", False, True)])
def test_the_code_shown_reproduces_the_lesson(kind, seqs, state):
    lesson = run_outputs(kind, 4, return_sequences=seqs, return_state=state, seed=3, **SMALL)
    code = codegen.outputs_code(kind, 4, return_sequences=seqs, return_state=state, seed=3, **SMALL)
    scope: dict = {}
    exec(compile(code, "<lesson code>", "exec"), scope)
    for tensor in lesson.returned:
        np.testing.assert_array_equal(scope[tensor.name], tensor.values)
    np.testing.assert_array_equal(scope["sequence"], lesson.sequence)

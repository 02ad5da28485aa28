"""The gradients lesson: the adding problem, the shipped models and the shipped curves (not stale)."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.adding import ADDING_BASELINE_MSE, ADDING_CELLS, adding_models, adding_problem, adding_scores
from rnnviz.gradients import gradient_over_time, half_life
from rnnviz.lessons.gradients import (
    CURVE_ROWS, CURVE_SEED, compute_lesson, geometric_mean_relative, load_lesson, marked_ratio,
)


def test_adding_problem_marks_one_step_in_each_half_and_sums_their_numbers():
    x, y = adding_problem(500, timesteps=20, seed=4)
    assert x.shape == (500, 20, 2) and y.shape == (500, 1) and x.dtype == np.float32
    for row, target in zip(x, y[:, 0]):
        marked = np.flatnonzero(row[:, 1])
        assert len(marked) == 2 and marked[0] < 10 <= marked[1]
        assert target == pytest.approx(row[marked, 0].sum())
    assert np.array_equal(adding_problem(3, seed=4)[0], adding_problem(3, seed=4)[0])
    big = adding_problem(20000, seed=5)[1]
    assert np.mean((big - 1.0) ** 2) == pytest.approx(ADDING_BASELINE_MSE, rel=0.05)  # predicting the mean
    with pytest.raises(ValueError, match="timesteps >= 2"):
        adding_problem(3, timesteps=1)


def test_shipped_models_score_as_their_json_says_on_fresh_sequences():
    x, y = adding_problem(1000, seed=77)  # not the training (1), validation (2) or test (3) sequences
    scores = adding_scores()
    for cell, model in adding_models(trained=True).items():
        mse = float(np.mean((np.asarray(model(x)) - y) ** 2))
        assert mse == pytest.approx(scores[cell]["trained"], rel=0.35, abs=0.002)
    assert scores["LSTM"]["trained"] < 0.01 and scores["GRU"]["trained"] < 0.01  # solved
    assert scores["SimpleRNN"]["trained"] > 0.9 * ADDING_BASELINE_MSE  # not solved: no better than the mean


def test_shipped_lesson_is_what_the_shipped_models_give_now():
    shipped, fresh = load_lesson(), compute_lesson()
    for a, b in zip(shipped.curves, fresh.curves):
        assert (a.cell, a.trained, a.rows) == (b.cell, b.trained, b.rows)
        np.testing.assert_allclose(a.relative, b.relative, rtol=1e-3, atol=1e-30)  # float32 floor: ~1e-38
        assert a.half_life == pytest.approx(b.half_life, rel=1e-3)
    assert shipped.example.marked == fresh.example.marked
    for cell in ADDING_CELLS:
        np.testing.assert_allclose(shipped.example.saliency[cell], fresh.example.saliency[cell], rtol=1e-3, atol=1e-30)


def test_the_lesson_shows_what_the_issue_measured():
    """Untrained, all three vanish; trained, the LSTM and GRU keep a fifth or more of the last step's gradient."""
    curves = {(c.cell, c.trained): c for c in load_lesson().curves}
    for cell in ADDING_CELLS:
        assert curves[cell, False].relative[0] < 1e-6 and curves[cell, False].half_life < 10
    for cell in ("GRU", "LSTM"):
        assert curves[cell, True].relative[0] > 0.2 and curves[cell, True].half_life > 30
    example = load_lesson().example
    assert marked_ratio(example.saliency["LSTM"], example.marked) > 5
    assert abs(example.predictions["LSTM"] - example.target) < 0.1


def test_geometric_mean_of_relative_curves_by_hand():
    norms = np.array([[1.0, 2.0, 4.0], [1.0, 1.0, 1.0]])
    np.testing.assert_allclose(geometric_mean_relative(norms), [np.sqrt(0.25), np.sqrt(0.5), 1.0])
    masked = np.array([[1.0, 4.0, 0.0], [0.0, 2.0, 1.0]])  # row 0 last step masked: divided by step 1
    np.testing.assert_allclose(geometric_mean_relative(masked), [0.25, np.sqrt(2.0), 1.0])
    np.testing.assert_allclose(geometric_mean_relative(norms[:, ::-1], backward=True), [1.0, np.sqrt(0.5), 0.5])
    x, _ = adding_problem(CURVE_ROWS, seed=CURVE_SEED)
    lstm = adding_models(trained=False)["LSTM"]
    curve = [c for c in load_lesson().curves if (c.cell, c.trained) == ("LSTM", False)][0]
    assert curve.half_life == pytest.approx(half_life(gradient_over_time(lstm, x, layer="lstm")), rel=1e-3)

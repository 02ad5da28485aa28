"""Figures of training and of the unit that learned the task, checked on fig.data."""

import numpy as np
import pytest

from rnnviz.figures.training import MAX_TEXT_ROWS, coloured_tokens, pca_trajectory, training_curve, unit_and_latent


def test_training_curve_has_loss_and_accuracy_per_epoch_on_a_fixed_axis():
    fig = training_curve([1, 2, 3], [0.7, 0.4, 0.1], [0.5, 0.8, 0.99], total_epochs=10)
    loss, acc = fig.data
    np.testing.assert_array_equal(loss.x, [1, 2, 3])
    np.testing.assert_allclose(loss.y, [0.7, 0.4, 0.1], rtol=1e-6)
    np.testing.assert_allclose(acc.y, [50, 80, 99], rtol=1e-6)
    assert tuple(fig.layout.xaxis.range) == (0.5, 10.5)  # the curve grows into an axis that does not move
    assert acc.yaxis == "y2"


def test_coloured_tokens_one_box_per_token_coloured_by_value():
    tokens = [list("(()"), list("()(")]
    values = np.array([[0.1, 0.9, -0.5], [0.2, -0.3, 0.4]])
    heat = coloured_tokens(tokens, values, "unit 3").data[0]
    z = np.asarray(heat.z)
    assert z.shape == (3, 3) and np.isnan(z[1]).all()  # a blank line between the two samples
    np.testing.assert_allclose(z[[0, 2]], values, rtol=1e-6)
    assert [list(r) for r in heat.text] == [list("(()"), ["", "", ""], list("()(")]
    assert heat.zmin == pytest.approx(-0.9) and heat.zmax == pytest.approx(0.9)  # symmetric: 0 is white
    assert list(coloured_tokens([[" ", "a"]], np.ones((1, 2)), "t").data[0].text[0]) == ["␣", "a"]


def test_long_words_wrap_and_every_token_keeps_its_value():
    rng = np.random.default_rng(0)
    words = [[f"word{t}" for t in range(20)] for _ in range(5)]
    values = rng.normal(size=(5, 20))
    heat = coloured_tokens(words, values, "t").data[0]
    z, text = np.asarray(heat.z), [list(r) for r in heat.text]
    assert len(z) <= MAX_TEXT_ROWS and z.shape[1] < 20  # wrapped onto several lines
    shown = [(text[r][c], z[r, c]) for r in range(len(z)) for c in range(z.shape[1]) if text[r][c]]
    samples = len(shown) // 20
    assert samples >= 1 and len(shown) == 20 * samples
    expected = [(w, v) for i in range(samples) for w, v in zip(words[i], values[i])]
    assert [w for w, _ in shown] == [w for w, _ in expected]
    np.testing.assert_allclose([v for _, v in shown], [v for _, v in expected], rtol=1e-6)


def test_unit_and_latent_share_the_token_axis():
    fig = unit_and_latent(np.array([0.1, 0.5, 0.9]), np.array([1, 2, 3]), ["(", "(", "("], "unit 1 of c", "depth")
    unit, latent = fig.data
    np.testing.assert_allclose(unit.y, [0.1, 0.5, 0.9], rtol=1e-6)
    np.testing.assert_allclose(latent.y, [1, 2, 3])
    assert list(fig.layout.xaxis.ticktext) == ["(", "(", "("]


def test_pca_points_labelled_by_token_coloured_by_latent():
    coords = np.array([[0.0, 1.0], [2.0, 3.0]])
    fig = pca_trajectory(coords, ["good", "bad"], np.array([1.0, 0.0]), np.array([0.6, 0.3]), "pos - neg")
    trace = fig.data[0]
    np.testing.assert_allclose(trace.x, [0, 2])
    np.testing.assert_allclose(trace.y, [1, 3])
    assert list(trace.text) == ["good", "bad"]
    np.testing.assert_allclose(trace.marker.color, [1, 0])
    assert "60 %" in fig.layout.xaxis.title.text

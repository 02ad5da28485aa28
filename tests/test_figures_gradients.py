"""Figures of gradients through time: assertions on fig.data and fig.layout, no model."""

import math

import numpy as np

from rnnviz.figures.gradients import CELL_COLORS, MARKED, OWN_COLOR, UNMARKED, Line, adding_saliency, gradient_curves, half_life_text


def test_gradient_curves_are_lines_on_a_log_axis_with_zeros_as_gaps():
    curve = np.array([0.0, 1e-20, 1e-3, 1.0])
    fig = gradient_curves([Line("LSTM trained", curve, CELL_COLORS["LSTM"]),
                           Line("GRU untrained", np.ones(4), CELL_COLORS["GRU"], "dot")], title="t")
    assert fig.layout.yaxis.type == "log" and fig.layout.title.text == "t"
    first, second = fig.data
    assert first.name == "LSTM trained" and first.line.color == CELL_COLORS["LSTM"] and first.line.dash == "solid"
    assert second.line.dash == "dot"
    y = np.asarray(first.y)
    assert y.dtype == np.float32 and math.isnan(y[0])  # a log axis cannot show 0: a gap, not a fake value
    np.testing.assert_allclose(y[1:], curve[1:], rtol=1e-6)
    assert list(first.x) == [0, 1, 2, 3]


def test_adding_saliency_highlights_the_marked_numbers_and_marks_them_on_each_curve():
    values = np.linspace(0.1, 0.9, 6)
    saliency = {"LSTM (answer 0.9)": np.array([0.1, 2.0, 0.1, 0.1, 3.0, 0.0]), "yours": np.ones(6)}
    fig = adding_saliency(values, (1, 4), saliency, title="s")
    bars = fig.data[0]
    assert bars.type == "bar" and np.allclose(bars.y, values)
    assert list(bars.marker.color) == [UNMARKED, MARKED, UNMARKED, UNMARKED, MARKED, UNMARKED]
    lstm, lstm_marks, own, own_marks = fig.data[1:]
    assert lstm.line.color == CELL_COLORS["LSTM"] and own.line.color == OWN_COLOR
    assert list(lstm_marks.x) == [1, 4] and np.allclose(lstm_marks.y, [2.0, 3.0])
    assert np.asarray(lstm.y)[5] == 0.0  # a linear axis: zero is drawn as zero
    assert fig.layout.yaxis2.type is None and fig.layout.yaxis2.rangemode == "tozero"
    assert fig.layout.yaxis.range == (0, 1)
    assert [a.text for a in fig.layout.annotations] == ["the input: numbers, two of them marked",
                                                        "the output's saliency ‖∂y/∂x_t‖"]


def test_half_life_text():
    assert half_life_text(3.62) == "3.6 steps" and half_life_text(70.4) == "70 steps"
    assert half_life_text(1234.0) == "1,234 steps"
    assert half_life_text(math.inf) == "no decay" and half_life_text(math.nan) == "too few steps"

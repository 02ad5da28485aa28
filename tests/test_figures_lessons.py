"""Figures of the guide lessons: assertions on fig.data and fig.layout, no model."""

import numpy as np
import pytest

from rnnviz.figures.lessons import (
    BOUNDARY,
    HANDOFF,
    add_boundaries,
    boundary_steps,
    boundary_lines,
    continuation_diagram,
    handoff_heatmaps,
    timing_bars,
)
from rnnviz.figures.states import state_heatmap


def test_handoff_heatmaps_put_encoder_then_decoder_on_one_axis():
    enc = np.full((3, 4), 0.5)
    runs = {"unchanged": np.zeros((5, 4)), "zero c": np.ones((5, 4))}
    fig = handoff_heatmaps(enc, runs, title="h")
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    z = np.asarray(fig.data[1].z)
    assert z.shape == (4, 8) and z.dtype == np.float32  # units by encoder + decoder steps
    np.testing.assert_array_equal(z[:, :3], 0.5)
    np.testing.assert_array_equal(z[:, 3:], 1.0)
    handoffs = [s for s in fig.layout.shapes if s.name == HANDOFF]
    assert len(handoffs) == 2 and all(s.x0 == 2.5 for s in handoffs)
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (-1, 1)
    assert [a.text for a in fig.layout.annotations][:2] == ["unchanged", "zero c"]


def test_handoff_free_scale_spans_every_run():
    fig = handoff_heatmaps(np.zeros((2, 3)), {"a": np.full((2, 3), -3.0), "b": np.full((2, 3), 2.0)},
                           title="c", quantity="free")
    assert fig.layout.coloraxis.cmin == -3 and fig.layout.coloraxis.cmax == 3


def test_handoff_rejects_mismatched_units():
    with pytest.raises(ValueError, match="has 2 units but the encoder has 3"):
        handoff_heatmaps(np.zeros((2, 3)), {"a": np.zeros((2, 2))}, title="x")


def test_boundary_lines_draw_each_series_and_every_boundary():
    fig = boundary_lines({"whole": np.arange(10.0), "stateless": np.ones(10)}, title="t", y_title="h",
                         boundaries=[4, 8], dashed=["whole"], y_range=(-1, 1))
    assert [t.name for t in fig.data] == ["whole", "stateless"]
    assert fig.data[0].line.dash == "dot" and fig.data[1].line.dash == "solid"
    assert np.asarray(fig.data[0].y).dtype == np.float32
    assert boundary_steps(fig) == [[3.5, 7.5]]
    assert tuple(fig.layout.yaxis.range) == (-1, 1)
    with pytest.raises(ValueError, match="must be a \\(steps,\\) array"):
        boundary_lines({"x": np.zeros((2, 2))}, title="t", y_title="h")


def test_add_boundaries_on_a_heatmap():
    fig = add_boundaries(state_heatmap(np.zeros((10, 3)), title="h"), [5])
    assert boundary_steps(fig) == [[4.5]]


def test_boundaries_are_one_shape_per_subplot_whatever_their_number():
    # One add_vline per boundary made 300 boundaries take 30 s to build (issue 13): now one path per subplot.
    starts = list(range(1, 1548))
    fig = boundary_lines({"h": np.zeros(1548)}, title="t", y_title="h", boundaries=starts)
    shapes = [s for s in fig.layout.shapes if s.name == BOUNDARY]
    assert len(shapes) == 1 and shapes[0].xref == "x" and shapes[0].yref == "y domain"
    assert boundary_steps(fig) == [[s - 0.5 for s in starts]]
    assert shapes[0].line.width < 1 and shapes[0].line.dash is None and "0.22" in shapes[0].line.color  # dense: faint
    two = add_boundaries(handoff_heatmaps(np.zeros((3, 2)), {"a": np.zeros((4, 2)), "b": np.zeros((4, 2))},
                                          title="h"), starts[:5])
    assert [(s.xref, s.yref) for s in two.layout.shapes if s.name == BOUNDARY] == [("x", "y domain"),
                                                                                  ("x2", "y2 domain")]
    assert boundary_steps(two) == [[0.5, 1.5, 2.5, 3.5, 4.5]] * 2


def test_continuation_diagram_rows_are_samples_columns_are_batches():
    bounds = [(s, min(s + 100, 1548)) for s in range(0, 1548, 100)]
    fig = continuation_diagram(20, bounds)
    boxes = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(boxes) == 4 * 5  # samples 0, 1, 2 and 19; batches 1-4 and the last
    texts = [a.text for a in fig.layout.annotations]
    assert "sample 19<br>steps 1500–1547" in texts
    assert "<b>batch 16 (last)</b>" in texts
    arrows = [a for a in fig.layout.annotations if a.name == "carry"]
    assert len(arrows) == 4 * 4 and all(a.y == a.ay for a in arrows)  # along each row: sample i to sample i


def test_continuation_diagram_small():
    fig = continuation_diagram(2, [(0, 3), (3, 5)])
    assert len([s for s in fig.layout.shapes if s.type == "rect"]) == 4
    assert "⋮" not in [a.text for a in fig.layout.annotations]


def test_timing_bars_show_the_median_and_the_middle_half_of_every_pass():
    # Issue 13: a single number per variant hid the noise (7.0 vs 3.3 ms on a first run, 2.7 vs 2.8 later).
    layer, cell = [4.0, 3.0, 5.0, 9.0, 4.5], [6.5, 6.0, 7.0, 6.8, 20.0]
    fig = timing_bars({"LSTM(64)": layer, "RNN(LSTMCell(64))": cell}, title="time")
    bar = fig.data[0]
    assert list(bar.y) == ["LSTM(64)", "RNN(LSTMCell(64))"]
    assert list(bar.x) == [4.5, 6.8]  # medians, written out by hand
    # numpy's default percentile, by hand: layer sorted 3, 4, 4.5, 5, 9 -> q1 4, q3 5; cell 6, 6.5, 6.8, 7, 20 -> 6.5, 7
    np.testing.assert_allclose(bar.error_x.arrayminus, [0.5, 0.3])
    np.testing.assert_allclose(bar.error_x.array, [0.5, 0.2])
    assert list(bar.text) == ["4.5 ms (middle half 4.0–5.0)", "6.8 ms (middle half 6.5–7.0)"]
    np.testing.assert_allclose(np.asarray(bar.customdata)[:, 2:4], [[3.0, 9.0], [6.0, 20.0]])  # fastest, slowest
    assert "slowest" in bar.hovertemplate
    with pytest.raises(ValueError):
        timing_bars({}, title="x")

"""Tests for rnnviz.figures, on synthetic arrays: axes, ranges, labels, highlight, encoding."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from rnnviz import figures
from rnnviz.figures import (
    HIGHLIGHT,
    bidirectional_heatmaps,
    downsample,
    pool_factors,
    state_heatmap,
    step_bars,
    unit_lines,
)
from rnnviz.figures.scrub import HEAT_SHARE, Quantity, step_through
from rnnviz.figures.style import AXIS_PX, time_axis

RNG = np.random.default_rng(0)
T, U = 12, 5
LABELS = tuple("hello world!")
H = np.tanh(RNG.normal(size=(T, U)))
GATES_LSTM = {k: 1 / (1 + np.exp(-RNG.normal(size=(T, U)))) for k in ("input", "forget", "output")}
GATES_LSTM = {"input": GATES_LSTM["input"], "forget": GATES_LSTM["forget"], "candidate": H, "output": GATES_LSTM["output"]}


def _json(fig):
    return json.loads(fig.to_json())


def _highlights(fig):
    return [s for s in fig.layout.shapes if s.name == HIGHLIGHT]


# --- state_heatmap ------------------------------------------------------------------------------


def test_heatmap_axes_units_down_timesteps_across():
    fig = state_heatmap(H, title="Hidden state h", labels=LABELS)
    (trace,) = fig.data
    assert np.asarray(trace.z).shape == (U, T)  # units are rows
    np.testing.assert_allclose(np.asarray(trace.z), H.T, rtol=1e-6)
    assert fig.layout.xaxis.title.text == "timestep"
    assert fig.layout.yaxis.title.text == "unit"
    assert tuple(fig.layout.yaxis.range) == (U - 0.5, -0.5)  # unit 0 on top
    assert fig.layout.title.text == "Hidden state h"


def test_heatmap_tokens_label_the_time_axis():
    fig = state_heatmap(H, title="h", labels=LABELS)
    assert list(fig.layout.xaxis.tickvals) == list(range(T))
    assert list(fig.layout.xaxis.ticktext) == list(LABELS)  # duplicates ("l", "o") keep their place


@pytest.mark.parametrize(
    "quantity, cmin, cmax, title, colorscale_start",
    [
        ("tanh", -1.0, 1.0, "tanh, −1…1", "rgb(5,48,97)"),  # RdBu reversed: blue for −1, red for +1
        ("gate", 0.0, 1.0, "gate, 0…1", "#440154"),  # Viridis
    ],
)
def test_heatmap_fixed_colour_scales(quantity, cmin, cmax, title, colorscale_start):
    fig = state_heatmap(H * 0.1, title="x", quantity=quantity)
    axis = fig.layout.coloraxis
    assert (axis.cmin, axis.cmax) == (cmin, cmax)  # fixed, not the data's range
    assert axis.colorbar.title.text == title
    assert axis.colorscale[0][1] == colorscale_start
    assert fig.data[0].coloraxis == "coloraxis"


def test_free_scale_is_symmetric_around_zero_up_to_the_largest_value():
    cell = np.linspace(-0.5, 3.25, T * U).reshape(T, U)  # an LSTM cell state can pass 1
    axis = state_heatmap(cell, title="c", quantity="free").layout.coloraxis
    assert (axis.cmin, axis.cmax) == (-3.25, 3.25)
    assert axis.colorbar.title.text == "unbounded, −3.25…3.25"
    zeros = state_heatmap(np.zeros((3, 2)), title="c", quantity="free").layout.coloraxis
    assert (zeros.cmin, zeros.cmax) == (-1.0, 1.0)


def test_heatmap_highlight_is_a_shape_at_the_step():
    fig = state_heatmap(H, title="h", labels=LABELS, highlight_step=4)
    shapes = _highlights(fig)
    assert shapes and all((s.x0, s.x1) == (3.5, 4.5) for s in shapes)
    assert all(s.xref == "x" and s.yref == "y domain" and (s.y0, s.y1) == (0, 1) for s in shapes)
    assert not _highlights(state_heatmap(H, title="h"))


def test_heatmap_hover_and_float32_encoding():
    fig = state_heatmap(H.astype(np.float64), title="h")
    assert "%{z:.4f}" in fig.data[0].hovertemplate and "unit %{y:d}" in fig.data[0].hovertemplate
    assert "step %{x:d}" in fig.data[0].hovertemplate  # formatted: the number, not the tick's token
    z = _json(fig)["data"][0]["z"]
    assert z["dtype"] == "f4"  # a typed array of float32, not a float64 list


def test_heatmap_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(timesteps, units\) array .* got shape \(5,\)"):
        state_heatmap(np.zeros(5), title="h")
    with pytest.raises(ValueError, match="labels has 3 entries but the values have 12 timesteps"):
        state_heatmap(H, title="h", labels=["a", "b", "c"])
    with pytest.raises(ValueError, match="highlight_step must be a timestep from 0 to 11; got 12"):
        state_heatmap(H, title="h", highlight_step=12)
    with pytest.raises(ValueError, match="quantity must be one of"):
        state_heatmap(H, title="h", quantity="relu")


def test_long_label_lists_are_thinned():
    values = np.zeros((200, 3))
    tokens = [chr(ord("a") + i % 26) for i in range(200)]
    axis = state_heatmap(values, title="h", labels=tokens).layout.xaxis
    assert list(axis.tickvals) == list(range(0, 200, 10)) and list(axis.ticktext) == tokens[::10]
    assert "a token shown every 10 steps" in axis.title.text


@pytest.mark.parametrize("steps", [1, 9, 12, 50, 100, 101, 300, 999, 1000, 2000])
@pytest.mark.parametrize("tokens", [False, True])
def test_time_axis_labels_never_overlap_at_any_length(steps, tokens):
    # Issue 13: at 100 steps the step numbers ran together ("0 2 4 6 8 10121416...").
    labels = [f"w{t}" if tokens else str(t) for t in range(steps)]
    for width in (AXIS_PX, HEAT_SHARE * AXIS_PX, AXIS_PX / 2):
        axis = time_axis(tuple(labels), steps, width_px=width)
        vals = list(axis["tickvals"])
        gap = (vals[1] - vals[0]) * width / steps if len(vals) > 1 else width  # px between neighbouring labels
        widest = max(len(t) for t in axis["ticktext"]) * 0.64 * 16
        needs = 1.7 * 16 if axis["tickangle"] == -45 else widest + 8  # a tilted label needs a line's height
        assert gap >= needs, (width, vals[:3], axis["ticktext"][:3])
        assert vals[0] == 0 and list(axis["ticktext"]) == [labels[v] for v in vals]


def test_step_numbers_are_not_called_tokens():
    axis = state_heatmap(np.zeros((100, 3)), title="h", labels=[str(t) for t in range(100)]).layout.xaxis
    assert axis.title.text == "timestep" and "token" not in axis.title.text
    assert list(axis.tickvals) == list(range(0, 100, 10)) and axis.tickangle == 0
    fig = step_through([Quantity("h", np.zeros((100, 3)), "tanh")], title="t", labels=[str(t) for t in range(100)])
    assert fig.layout.xaxis.title.text == "timestep" and list(fig.layout.xaxis.tickvals) == list(range(0, 100, 10))


# --- downsampling -------------------------------------------------------------------------------


def test_big_heatmap_is_averaged_with_a_visible_note():
    big = RNG.normal(size=(1000, 512)).astype(np.float32)
    fig = state_heatmap(big, title="h", highlight_step=500)
    meta = fig.layout.meta["downsample"]
    assert (meta["step_factor"], meta["unit_factor"]) == (3, 1)
    z = np.asarray(fig.data[0].z)
    assert z.size <= figures.MAX_CELLS and z.shape == (512, 334)
    np.testing.assert_allclose(z[:, 0], big[:3].mean(axis=0), rtol=1e-5)  # columns are means of 3 steps
    notes = [a.text for a in fig.layout.annotations]
    assert meta["note"] in notes and "mean of 3 steps" in meta["note"] and "512,000 cells" in meta["note"]
    assert np.asarray(fig.data[0].x)[0] == 1.0  # centre of steps 0..2, in timestep units
    assert {(s.x0, s.x1) for s in _highlights(fig)} == {(497.5, 500.5)}  # the pooled column holding 500
    encoded = fig.to_json()
    assert len(encoded) < 2_000_000 and '"dtype":"f4"' in encoded


def test_small_heatmap_is_not_averaged():
    meta = state_heatmap(H, title="h").layout.meta["downsample"]
    assert meta == {"step_factor": 1, "unit_factor": 1, "note": ""}


def test_downsample_matches_block_means():
    values = np.arange(7 * 4, dtype=np.float64).reshape(7, 4)
    pooled, sf, uf = downsample(values, max_steps=3, max_units=2)
    assert (sf, uf) == (3, 2) and pooled.shape == (3, 2) and pooled.dtype == np.float32
    assert pooled[0, 0] == values[0:3, 0:2].mean()
    assert pooled[2, 1] == values[6:7, 2:4].mean()  # partial last block
    same, sf, uf = downsample(values, 10, 10)
    assert (sf, uf) == (1, 1) and np.array_equal(same, values.astype(np.float32))


def test_downsample_keeps_all_nan_blocks_nan():
    values = np.full((4, 2), np.nan)
    values[0, 0] = 1.0
    pooled, _, _ = downsample(values, 2, 1)
    assert pooled[0, 0] == 1.0 and np.isnan(pooled[1]).all()


@pytest.mark.parametrize(
    "shape, cap, expected",
    [
        ((100, 64), 200_000, (1, 1)),
        ((1000, 512), 200_000, (3, 1)),  # time first
        ((2000, 1024), 200_000, (10, 2)),  # units only once 200 columns are left
        ((50, 1024), 10_000, (1, 6)),
    ],
)
def test_pool_factors(shape, cap, expected):
    sf, uf = pool_factors(*shape, cap)
    assert (sf, uf) == expected
    assert -(-shape[0] // sf) * -(-shape[1] // uf) <= cap


# --- step bars ----------------------------------------------------------------------------------


def test_step_bars_values_ranges_and_hover():
    c = np.array([2.5, -0.5, 0.1, 0.0, -1.0])
    fig = step_bars({"hidden": H[3], "cell": c, "forget": GATES_LSTM["forget"][3]}, step_label="3 (l)")
    assert [t.name for t in fig.data] == ["hidden state h", "cell state c", "forget gate f"]
    for trace in fig.data:
        assert "unit %{x}" in trace.hovertemplate and "%{y:.4f}" in trace.hovertemplate
        assert list(trace.x) == list(range(U))
    np.testing.assert_allclose(np.asarray(fig.data[1].y), c)
    assert tuple(fig.layout.yaxis.range) == pytest.approx((-1.1, 1.1))
    assert tuple(fig.layout.yaxis2.range) == pytest.approx((-2.75, 2.75))  # cell: from the data
    assert tuple(fig.layout.yaxis3.range) == pytest.approx((-0.05, 1.05))
    assert fig.layout.xaxis3.title.text == "unit"
    assert "3 (l)" in fig.layout.title.text
    assert all(d["y"]["dtype"] == "f4" for d in _json(fig)["data"])


def test_step_bars_take_the_trace_field_names():
    fig = step_bars({"h": H[0], "c": np.array([3.0, 0, 0, 0, 0]), "candidate": H[1]}, step_label=0)
    assert [t.name for t in fig.data] == ["hidden state h", "cell state c", "candidate g"]
    assert tuple(fig.layout.yaxis2.range) == pytest.approx((-3.3, 3.3))


def test_step_bars_reject_matrices():
    with pytest.raises(ValueError, match=r"hidden must be a \(units,\) array"):
        step_bars({"hidden": H}, step_label=0)


# --- unit lines ---------------------------------------------------------------------------------


def test_unit_lines_follow_the_chosen_units():
    fig = unit_lines(H, [0, 3], labels=LABELS, highlight_step=5, title="Units over time", quantity="tanh")
    assert [t.name for t in fig.data] == ["unit 0", "unit 3"]
    np.testing.assert_allclose(np.asarray(fig.data[1].y), H[:, 3], rtol=1e-6)
    assert list(fig.data[0].customdata) == list(LABELS)
    assert "%{customdata}" in fig.data[0].hovertemplate and "%{y:.4f}" in fig.data[0].hovertemplate
    assert list(fig.layout.xaxis.ticktext) == list(LABELS)
    assert {(s.x0, s.x1) for s in _highlights(fig)} == {(4.5, 5.5)}
    assert tuple(fig.layout.yaxis.range) == pytest.approx((-1.1, 1.1))
    assert fig.layout.xaxis.title.text == "timestep" and fig.layout.title.text == "Units over time"


def test_unit_lines_show_other_quantities_of_the_same_units_in_their_colour():
    c = RNG.normal(size=(T, U)) * 3
    f = 1 / (1 + np.exp(-RNG.normal(size=(T, U))))
    fig = unit_lines(H, [1, 4], title="h, c, f", quantity="tanh", name="h", more={"c": c, "f": f})
    assert [t.name for t in fig.data] == ["h · unit 1", "h · unit 4", "c · unit 1", "c · unit 4",
                                          "f · unit 1", "f · unit 4"]
    for trace, want in zip(fig.data, [H[:, 1], H[:, 4], c[:, 1], c[:, 4], f[:, 1], f[:, 4]]):
        np.testing.assert_allclose(np.asarray(trace.y), want, rtol=1e-6)
    assert [t.line.color for t in fig.data[::2]] == [fig.data[0].line.color] * 3  # unit 1 keeps its colour
    assert len({t.line.dash for t in fig.data[::2]}) == 3  # and each quantity has its own dash
    assert fig.layout.yaxis.range is None  # c is unbounded: the axis follows the data
    with pytest.raises(ValueError, match="'c' has shape"):
        unit_lines(H, [0], title="x", name="h", more={"c": c[:, :2]})


def test_unit_lines_reject_missing_units():
    with pytest.raises(ValueError, match="unit 5 does not exist: this state has units 0 to 4"):
        unit_lines(H, [5], title="x")
    with pytest.raises(ValueError, match="units must name 1 to 8 different units"):
        unit_lines(H, [], title="x")


# --- bidirectional ------------------------------------------------------------------------------


def test_bidirectional_rows_share_time_and_scale():
    backward = H[::-1] * 0.5
    fig = bidirectional_heatmaps(H, backward, labels=LABELS, highlight_step=7)
    assert [a.text for a in fig.layout.annotations] == ["forward (reads 0→11)", "backward (reads 11→0)"]
    assert {t.coloraxis for t in fig.data} == {"coloraxis"}
    assert fig.layout.xaxis.matches == "x2" or fig.layout.xaxis2.matches == "x"
    assert {s.xref for s in _highlights(fig)} == {"x", "x2"}
    assert {(s.x0, s.x1) for s in _highlights(fig)} == {(6.5, 7.5)}
    np.testing.assert_allclose(np.asarray(fig.data[1].z), backward.T, rtol=1e-6)


def test_bidirectional_free_scale_spans_both_directions():
    fig = bidirectional_heatmaps(H, H * 4, quantity="free")
    assert fig.layout.coloraxis.cmax == pytest.approx(float(np.abs(H * 4).max()), rel=1e-6)
    with pytest.raises(ValueError, match="forward has 12 timesteps but backward has 3"):
        bidirectional_heatmaps(H, H[:3])


# --- shared style, layering ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fig",
    [
        state_heatmap(H, title="h"),
        step_bars({"hidden": H[0]}, step_label=0),
        unit_lines(H, [1], title="x"),
        bidirectional_heatmaps(H, H),
    ],
)
def test_every_figure_is_readable_from_the_back_of_a_classroom(fig):
    template = fig.layout.template.layout
    assert template.font.size >= 14 and template.title.font.size >= 18
    assert fig.layout.title.text
    assert all(a.font.size is None or a.font.size >= 14 for a in fig.layout.annotations)


def test_figures_import_only_plotly_numpy_and_themselves():
    allowed = {"__future__", "base64", "collections", "dataclasses", "functools", "math", "struct", "warnings", "zlib",
               "numpy", "plotly", "rnnviz"}
    for path in Path(figures.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
                if name.startswith("rnnviz"):  # and the language of its words (core, no model calls)
                    # rnnviz.diagram: the stack diagram's plain data (frozen dataclasses of a spec), drawn by diagram.py
                    assert name.startswith("rnnviz.figures") or name in ("rnnviz.i18n", "rnnviz.diagram"), \
                        f"{path.name} imports {name}"


def test_step_bars_are_coloured_by_their_scale_with_colour_strings():
    fig = step_bars({"hidden": np.array([-1.0, 0.0, 1.0]), "forget": np.array([0.0, 1.0, np.nan])}, step_label=0)
    assert list(fig.data[0].marker.color) == ["#053061", fig.data[0].marker.color[1], "#67001f"]  # RdBu_r's ends
    assert fig.data[1].marker.color[0] == "#440154" and fig.data[1].marker.color[2] == "#bbbbbb"  # Viridis; NaN grey
    assert all(isinstance(c, str) for t in fig.data for c in t.marker.color)  # never numbers: plotly.js warns per bar

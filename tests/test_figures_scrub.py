"""The step-through figure (rnnviz.figures.step_through) on synthetic arrays: rows, scales, the
outline and bars of every frame, the slider and Play, windows of long sequences, averaging."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest

from rnnviz.figures import HIGHLIGHT, Quantity, step_through, step_window
from rnnviz.figures.scrub import BOTTOM_PX, MAX_FRAME_VALUES, MAX_WINDOW_STEPS, TOP_PX

RNG = np.random.default_rng(7)
T, U = 9, 5
LABELS = tuple("hi 안녕 🙂!!")
H = np.tanh(RNG.normal(size=(T, U)))
C = 3 * RNG.normal(size=(T, U))
F = RNG.uniform(size=(T, U))
ROWS = [Quantity("hidden state h", H, "tanh"), Quantity("cell state c", C, "free"), Quantity("forget gate f", F, "gate")]


def _by_type(fig, kind):
    return [t for t in fig.data if t.type == kind]


def _frame_data(frame):
    """A frame's traces as step_through stored them (unvalidated: Plotly cannot give `frame.data`)."""
    return [SimpleNamespace(**d) for d in frame.to_plotly_json()["data"]]


def _outlines(data):
    return [t for t in data if t["name"] == HIGHLIGHT] if isinstance(data[0], dict) else [t for t in data if t.name == HIGHLIGHT]


def test_each_row_is_a_heatmap_of_its_values_with_its_own_fixed_scale():
    fig = step_through(ROWS, title="Layer lstm", labels=LABELS)
    heatmaps = _by_type(fig, "heatmap")
    assert len(heatmaps) == 3
    for heat, values in zip(heatmaps, (H, C, F)):
        np.testing.assert_allclose(np.asarray(heat.z), values.T.astype(np.float32))  # units down, steps across
        assert list(heat.x) == list(range(T)) and list(heat.y) == list(range(U))
    axes = [fig.layout[h.coloraxis] for h in heatmaps]
    assert (axes[0].cmin, axes[0].cmax, axes[0].colorscale[0][1]) == (-1, 1, "rgb(5,48,97)")  # RdBu_r, tanh
    largest = float(np.abs(C).max())
    assert (axes[1].cmin, axes[1].cmax) == pytest.approx((-largest, largest))  # free: symmetric, over every step
    assert (axes[2].cmin, axes[2].cmax) == (0, 1)
    # The row titles say the range; each colour bar's three ticks give its ends and middle.
    assert [list(a.colorbar.ticktext) for a in axes] == [["-1", "0", "1"], [f"{-largest:.3g}", "0", f"{largest:.3g}"],
                                                         ["0", "0.5", "1"]]
    assert len({a.colorbar.y for a in axes}) == 3  # each bar beside its own row
    titles = [a.text for a in fig.layout.annotations if a.text]
    assert titles == ["hidden state h (tanh, −1…1)", "cell state c (unbounded)", "forget gate f (0…1)"]


def test_tokens_label_every_time_axis_and_the_slider():
    fig = step_through(ROWS, title="t", labels=LABELS)
    for axis in ("xaxis", "xaxis3", "xaxis5"):  # the heatmaps' time axes
        assert list(fig.layout[axis].ticktext) == list(LABELS)
    assert fig.layout.xaxis5.title.text == "timestep"
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps][:4] == ["0 of 8 · input “h”", "1 of 8 · input “i”", "2 of 8 · input “ ”", "3 of 8 · input “안”"]
    assert fig.layout.sliders[0].currentvalue.prefix == "Step "


def test_every_frame_moves_the_outline_and_shows_that_steps_values_as_bars():
    fig = step_through(ROWS, title="t")
    assert [f.name for f in fig.frames] == [str(t) for t in range(T)]
    bars = _by_type(fig, "bar")
    for bar, values in zip(bars, (H, C, F)):  # step 0 before any frame plays
        np.testing.assert_allclose(np.asarray(bar.x), values[0].astype(np.float32))
        assert list(bar.y) == list(range(U)) and bar.orientation == "h"
    for frame in fig.frames:
        step = int(frame.name)
        moved = [fig.data[i] for i in frame.traces]
        assert {t.type for t in moved} == {"bar", "scatter"}
        frame_bars = [d for d, t in zip(_frame_data(frame), moved) if t.type == "bar"]
        for d, values in zip(frame_bars, (H, C, F)):
            np.testing.assert_allclose(np.asarray(d.x), values[step].astype(np.float32))
        outlines = [d for d, t in zip(_frame_data(frame), moved) if t.name == HIGHLIGHT]
        assert len(outlines) == 6  # a white halo and a black line on each heatmap
        for d in outlines:
            assert min(d.x) == step - 0.5 and max(d.x) == step + 0.5
            assert (min(d.y), max(d.y)) == (-0.5, U - 0.5)  # the whole column


def _frame_columns(fig, frame):
    """The column each row's outline marks in a frame (two outline traces a row: halo, line)."""
    moved = [fig.data[i] for i in frame.traces]
    outlines = [d for d, t in zip(_frame_data(frame), moved) if t.name == HIGHLIGHT]
    return [int(min(d.x) + 0.5) for d in outlines[::2]]


@pytest.mark.parametrize("first", [0, 3])
def test_a_row_read_backwards_walks_its_outline_right_to_left(first):
    # Issue 13: Play moved one outline left to right over both halves of a Bidirectional layer
    # while the backward row said it reads T-1 -> 0.
    long = np.tanh(RNG.normal(size=(T, U)))
    rows = [Quantity("forward", H, "tanh"), Quantity("backward", long, "tanh", reverse=True)]
    fig = step_through(rows, title="t", first=first)
    window = range(first, fig.layout.meta["window"]["stop"])
    walked = [_frame_columns(fig, frame) for frame in fig.frames]
    assert [f for f, _ in walked] == list(window)  # forward: left to right
    assert [b for _, b in walked] == list(window)[::-1]  # backward: right to left, in its reading order
    bars = _by_type(fig, "bar")
    np.testing.assert_allclose(np.asarray(bars[1].x), long[window[-1]].astype(np.float32))  # before any frame plays
    for frame, (_, b) in zip(fig.frames, walked):
        backward_bars = [d for d, i in zip(_frame_data(frame), frame.traces) if fig.data[i].type == "bar"][1]
        np.testing.assert_allclose(np.asarray(backward_bars.x), long[b].astype(np.float32))  # the bars under its outline
    assert fig.layout.sliders[0].steps[0].label == f"{first} of {T - 1} · backward at {window[-1]}"


def test_outline_traces_sit_on_the_heatmaps_and_bars_share_their_unit_axis():
    fig = step_through(ROWS, title="t")
    heatmap_axes = [(h.xaxis, h.yaxis) for h in _by_type(fig, "heatmap")]
    outline_axes = {(t.xaxis, t.yaxis) for t in _outlines(fig.data)}
    assert outline_axes == set(heatmap_axes)
    for bar, (_, heat_y) in zip(_by_type(fig, "bar"), heatmap_axes):
        assert fig.layout["yaxis" + bar.yaxis[1:]].matches == heat_y  # unit u of the bars is row u of the heatmap
    assert list(fig.layout.yaxis.range) == [U - 0.5, -0.5]  # unit 0 on top


def test_slider_and_play_are_plotly_animations_that_do_not_redraw():
    fig = step_through(ROWS, title="t")
    slider = fig.layout.sliders[0]
    for t, step in enumerate(slider.steps):
        assert step.method == "animate" and list(step.args[0]) == [str(t)]
        assert step.args[1]["frame"]["redraw"] is False and step.args[1]["mode"] == "immediate"
    play, pause = fig.layout.updatemenus[0].buttons
    assert "Play" in play.label and play.args[0] is None and play.args[1]["fromcurrent"] is True
    assert play.args[1]["frame"]["duration"] > 0 and play.args[1]["frame"]["redraw"] is False
    assert "Pause" in pause.label and list(pause.args[0]) == [None]


def test_bar_ranges_are_fixed_by_the_scale():
    fig = step_through(ROWS, title="t")
    bar_axes = [fig.layout["xaxis" + b.xaxis[1:]] for b in _by_type(fig, "bar")]
    largest = float(np.abs(C).max())
    assert list(bar_axes[0].range) == pytest.approx([-1.1, 1.1])
    assert list(bar_axes[1].range) == pytest.approx([-1.1 * largest, 1.1 * largest])
    assert list(bar_axes[2].range) == pytest.approx([-0.05, 1.05])


@pytest.mark.parametrize(("timesteps", "units", "rows", "expected"), [
    (44, 128, 6, 44),
    (1000, 8, 1, MAX_WINDOW_STEPS),
    (1000, 512, 6, MAX_FRAME_VALUES // (512 * 6)),
    (2000, 1024, 6, MAX_FRAME_VALUES // (1024 * 6)),
    (3, 1024, 8, 3),
])
def test_step_window(timesteps, units, rows, expected):
    assert step_window(timesteps, units, rows) == expected
    assert step_window(timesteps, units, rows) * units * rows <= max(MAX_FRAME_VALUES, units * rows)


def test_a_long_sequence_is_shown_a_window_at_a_time_with_a_note():
    long = RNG.uniform(-1, 1, (700, 4))
    fig = step_through([Quantity("h", long, "tanh")], title="t", labels=[f"w{t}" for t in range(700)], first=400)
    assert fig.layout.meta["window"] == {"first": 400, "stop": 600, "timesteps": 700}
    assert fig.layout.meta["note"].startswith("Steps 400–599 of 0–699 are shown")
    assert fig.layout.title.subtitle.text == fig.layout.meta["note"]
    assert [f.name for f in fig.frames] == [str(t) for t in range(400, 600)]
    assert list(fig.data[0].x) == list(range(400, 600))
    np.testing.assert_allclose(np.asarray(fig.data[0].z), long[400:600].T.astype(np.float32))
    assert list(fig.layout.xaxis.range) == [399.5, 599.5] and fig.layout.xaxis.ticktext[0] == "w400"
    assert fig.layout.sliders[0].steps[0].label == "400 of 699 · input “w400”"
    assert min(fig.data[2].x) == 399.5  # the outline starts on the window's first step
    last = step_through([Quantity("h", long, "tanh")], title="t", first=600)
    assert last.layout.meta["window"] == {"first": 600, "stop": 700, "timesteps": 700}


def test_many_units_are_averaged_in_the_heatmap_but_every_unit_has_a_bar():
    wide = RNG.uniform(0, 1, (10, 64))
    fig = step_through([Quantity("forget gate f", wide, "gate")], title="t", max_cells=160)
    heat, bars = fig.data[0], fig.data[1]
    assert np.asarray(heat.z).shape == (16, 10)  # 64 units in blocks of 4
    np.testing.assert_allclose(np.asarray(heat.z)[0], wide[:, :4].mean(axis=1), rtol=1e-6)
    assert list(heat.y)[:2] == [1.5, 5.5]  # block centres, in unit coordinates
    assert len(bars.x) == 64
    assert "4 units" in fig.layout.meta["note"] and "The bars show every unit." in fig.layout.meta["note"]


def test_what_travels_to_the_browser_stays_bounded():
    big = [Quantity(f"q{i}", RNG.uniform(-1, 1, (1000, 512)).astype(np.float32), "tanh") for i in range(6)]
    fig = step_through(big, title="t")
    assert len(fig.frames) == step_window(1000, 512, 6) < 1000
    assert len(fig.to_json()) < 4_000_000
    assert all(np.asarray(t.z).dtype == np.float32 for t in _by_type(fig, "heatmap"))


def test_bad_input_is_a_value_error_naming_the_problem():
    with pytest.raises(ValueError, match="rows is empty"):
        step_through([], title="t")
    with pytest.raises(ValueError, match="every row needs 9 timesteps; 'c' has 4"):
        step_through([Quantity("h", H, "tanh"), Quantity("c", C[:4], "free")], title="t")
    with pytest.raises(ValueError, match="quantity must be one of"):
        step_through([Quantity("h", H, "sigmoid")], title="t")
    with pytest.raises(ValueError, match="first must be a timestep from 0 to 8; got 9"):
        step_through(ROWS, title="t", first=9)
    with pytest.raises(ValueError, match="labels has 2 entries but the values have 9 timesteps"):
        step_through(ROWS, title="t", labels=["a", "b"])
    with pytest.raises(ValueError, match="must be a \\(timesteps, units\\) array"):
        step_through([Quantity("h", H[0], "tanh")], title="t")
    with pytest.raises(ValueError, match="units must be a whole number"):
        step_window(10, 0, 1)


def test_the_figure_survives_json_as_streamlit_sends_it():
    spec = json.loads(step_through(ROWS, title="t", labels=LABELS).to_json())
    assert len(spec["frames"]) == T and spec["layout"]["sliders"][0]["steps"][3]["args"][0] == ["3"]
    bar = spec["frames"][3]["data"][0]["x"]
    assert bar["dtype"] == "f4"  # float32, sent compactly
    # The frames are stored without Plotly's checks (speed): Plotly's own validation accepts them all.
    checked = go.Figure(step_through(ROWS, title="t", labels=LABELS).to_dict())
    assert [f.name for f in checked.frames] == [str(t) for t in range(T)]
    assert [len(f.data) for f in checked.frames] == [3 + 6] * T  # a bar and two outlines per row


def test_step_numbers_as_labels_are_not_repeated_on_the_slider():
    fig = step_through(ROWS, title="t", labels=[str(t) for t in range(T)])
    assert fig.layout.sliders[0].steps[2].label == "2 of 8"


# --- the heatmaps as pictures (what shows once Plotly has played a frame) -----------------------


def _decode(uri):
    import base64
    import io

    from PIL import Image

    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB"))


def test_each_heatmap_has_the_same_picture_underneath_in_the_same_place():
    fig = step_through(ROWS, title="t", first=2)
    assert len(fig.layout.images) == 3
    for image, heat in zip(fig.layout.images, _by_type(fig, "heatmap")):
        assert (image.xref, image.yref) == (heat.xaxis, heat.yaxis) and image.layer == "below"
        assert (image.x, image.y, image.sizex, image.sizey) == (1.5, -0.5, T - 2, U)  # steps 2..8, units 0..4
        assert (image.xanchor, image.yanchor, image.sizing) == ("left", "top", "stretch")


def test_the_picture_colours_each_cell_as_its_scale_does_and_keeps_cells_whole():
    z = np.array([[-1.0, 0.0, 1.0], [np.nan, 0.5, -0.5]])
    from rnnviz.figures import TANH
    from rnnviz.figures.picture import MIN_HEIGHT_PX, MIN_WIDTH_PX, NAN_RGB, heatmap_picture

    pixels = _decode(heatmap_picture(z, TANH))
    cell_h, cell_w = -(-MIN_HEIGHT_PX // 2), -(-MIN_WIDTH_PX // 3)
    assert pixels.shape == (2 * cell_h, 3 * cell_w, 3)
    blocks = pixels.reshape(2, cell_h, 3, cell_w, 3)
    assert (blocks == blocks[:, :1, :, :1]).all()  # every cell one flat colour
    cells = blocks[:, 0, :, 0]
    assert tuple(cells[0, 0]) == (5, 48, 97) and tuple(cells[0, 2]) == (103, 0, 31)  # RdBu_r's ends
    assert tuple(cells[1, 0]) == NAN_RGB
    assert cells[0, 1].min() > 200  # 0 is near white on RdBu
    assert tuple(cells[1, 1]) != tuple(cells[1, 2])


def test_fullscreen_at_720_px_keeps_titles_between_rows_and_colour_bars_apart():
    # Issue 13: Streamlit's fullscreen forces the figure to the window's height; at 1280x720 the six
    # rows of an LSTM got titles over the heatmaps above and overlapping colour-bar titles.
    six = [Quantity(name, RNG.uniform(size=(40, 128)), "gate") for name in "hcifgo"]
    fig = step_through(six, title="t")
    rows = [fig.layout[f"yaxis{'' if i == 0 else 2 * i + 1}"].domain for i in range(6)]
    plot_px = 720 - TOP_PX - BOTTOM_PX  # what is left of a 720-px-tall figure for the rows
    gaps_px = [(above[0] - below[1]) * plot_px for above, below in zip(rows, rows[1:])]
    assert min(gaps_px) >= 24  # a 15-px row title fits between two rows
    titles = [a for a in fig.layout.annotations if a.text]
    assert [round(a.y, 6) for a in titles] == [round(top, 6) for _, top in rows] and {a.yanchor for a in titles} == {"bottom"}
    assert all(a.font.size <= 15 for a in titles)
    bars = [fig.layout[f"coloraxis{'' if i == 0 else i + 1}"].colorbar for i in range(6)]
    assert all(b.title.text in (None, "") for b in bars)  # no titles to run into each other
    spans = sorted((b.y - b.len, b.y) for b in bars)
    assert all(low[1] <= high[0] + 1e-9 for low, high in zip(spans, spans[1:]))  # bars do not overlap
    heat_x = [fig.layout[f"xaxis{'' if i == 0 else 2 * i + 1}"] for i in range(6)]
    assert [x.showticklabels for x in heat_x] == [False] * 5 + [True]  # one time axis, under the last row


def test_at_step_opens_the_figure_at_a_links_step_and_leaves_the_shared_figure_as_it_was():
    from rnnviz.figures.scrub import at_step

    fig = step_through(ROWS, title="t")
    before = fig.to_dict()
    opened = at_step(fig, 3)
    assert opened["layout"]["sliders"][0]["active"] == 3
    bars = [t for t in opened["data"] if t["type"] == "bar"]
    for bar, values in zip(bars, (H, C, F)):  # each row's bars are that row's values at step 3
        x = bar["x"]
        if isinstance(x, dict):  # plotly's typed-array form
            import base64
            x = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"])
        np.testing.assert_allclose(np.asarray(x, dtype=np.float32), values[3], rtol=1e-6)
    outlines = [t for t in opened["data"] if t.get("name") == HIGHLIGHT]
    assert all(min(t["x"]) == 2.5 and max(t["x"]) == 3.5 for t in outlines)  # the outline frames step 3
    assert all(t["opacity"] == 0 for t in opened["data"] if t["type"] == "heatmap")  # shown by its picture
    assert json.dumps(fig.to_dict(), default=str) == json.dumps(before, default=str)  # the cached one unchanged
    assert at_step(fig, 0) is fig and at_step(fig, 99) is fig  # the first step, or one outside: as it is

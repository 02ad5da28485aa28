"""One layer's every quantity, stepped through in the browser: a timestep slider and Play.

Each row is one quantity (hidden state, cell state, each gate): its heatmap, units down and
timesteps across, and beside it the value of every unit at the chosen step as horizontal bars
on the same unit axis. The slider and Play are Plotly's own: every step is an animation frame
that moves the outline and swaps the bars, so stepping costs the browser a few milliseconds and
the server nothing (a Streamlit slider reran the page and redrew five charts per move).

The frames hold every step's bars, so one figure covers at most `step_window(...)` steps; a
longer sequence is shown a window at a time, and the figure says which.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.figures.pooling import MAX_CELLS, pool_factors, pool_note
from rnnviz.figures.picture import heatmap_picture
from rnnviz.figures.states import heatmap_trace
from rnnviz.figures.style import (
    AXIS_PX,
    FONT_SIZE,
    HIGHLIGHT,
    NORMAL,
    Style,
    apply_theme,
    as_matrix,
    check_labels,
    check_quantity,
    f32,
    scale_for,
    time_axis,
    unit_axis,
)
from rnnviz.i18n import _

MAX_WINDOW_STEPS = 200  # slider stops in one figure; more cannot be told apart on a slider
MAX_FRAME_VALUES = 150_000  # bar values all frames of one figure carry (about 0.8 MB of JSON)
FRAME_MS = 500  # Play's time per step
MIN_FRAME_MS, MAX_FRAME_MS = 20, 5000  # the fastest and slowest Play there is: a frame per step still drawn
# The bars have one colour: coloured from their values (as the heatmap), plotly.js 4 logs a warning
# with a stack trace for every bar on every step, and colour strings cost more to send and check.
BAR_COLOUR = "#3f5f8a"
HEAT_SHARE = 0.72  # of the figure's width: the heatmaps; the bars get the rest
TOP_PX = 180  # above the first row: the title, Play and the slider
BOTTOM_PX = 90  # below the last row: its time axis and title
# Streamlit's fullscreen forces the figure to the window's height (720 px on a projector): rows and
# gaps shrink in proportion, so the gap is a share that still holds a row title (15 px) there.
SMALL_SCREEN_PX = 720
MIN_GAP_PX = 26


def _range_words(quantity: str) -> str:
    """What a row's title says of its range."""
    return {"gate": "0…1", "tanh": "tanh, −1…1", "free": _("unbounded")}[quantity]



@dataclass(frozen=True)
class Quantity:
    """One row of a step-through figure.

    Attributes:
        name: as people read it, e.g. "forget gate f".
        values: one batch row's values at every step.  # (timesteps, units)
        quantity: "tanh" (−1..1), "gate" (0..1) or "free" (unbounded: symmetric around 0 up to
            the largest |value| over all steps, so every window shares one scale).
        reverse: the values are indexed by input step but were read from the last step to the
            first (the backward half of a Bidirectional layer): as the slider goes right, this
            row's outline goes left, in its own reading order.
    """

    name: str
    values: np.ndarray
    quantity: str
    reverse: bool = False


def step_window(timesteps: int, units: int, rows: int) -> int:
    """How many steps one step-through figure covers: all of them when they fit.

    Bounded by `MAX_WINDOW_STEPS` slider stops and by `MAX_FRAME_VALUES` bar values in all
    frames together (steps x units x rows); at least 1.
    """
    for name, value in (("timesteps", timesteps), ("units", units), ("rows", rows)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1; got {value!r}")
    return int(max(1, min(MAX_WINDOW_STEPS, timesteps, MAX_FRAME_VALUES // (units * rows))))


def _outline(step: int, units: int) -> dict:
    """The corners of the highlight around one column, in timestep and unit coordinates."""
    left, right, top, bottom = step - 0.5, step + 0.5, -0.5, units - 0.5
    return dict(x=[left, right, right, left, left], y=[top, top, bottom, bottom, top])


def _step_label(step: int, last: int, labels: tuple[str, ...] | None, backward: int | None = None) -> str:
    """"12 of 43 · input “q”"; the input is left out where the labels are only the step numbers. With
    rows read backwards, also the step their outline marks: "12 of 43 · backward at 31"."""
    parts = [_("{step} of {last}").format(step=step, last=last)]
    if labels is not None and labels[step] != str(step):
        parts.append(_("input “{token}”").format(token=labels[step]))
    if backward is not None:
        parts.append(_("backward at {step}").format(step=backward))
    return " · ".join(parts)


def _column(row: Quantity, step: int, first: int, stop: int) -> int:
    """The column a row's outline marks at slider step `step`: the same, or mirrored in the window if read backwards."""
    return first + stop - 1 - step if row.reverse else step


def _set_frames(fig: go.Figure, frames: list[go.Frame]) -> None:
    """Store frames built with `_validate=False` as they are.

    `fig.frames = frames` builds every frame again, validating each bar and line (a States figure's
    80 frames took 0.2 s, most of the figure's time); these frames hold only types Plotly checks
    when the figure is built (float32 arrays, lists of floats, ints), so they go in unchecked.
    Read them back with `frame.to_plotly_json()` (Plotly cannot give `frame.data` of an
    unvalidated frame). `_frame_objs` is where plotly==7.1.0 (pinned) keeps them; where a
    release does not, they are validated as before.
    """
    if isinstance(getattr(fig, "_frame_objs", None), (list, tuple)):
        fig._frame_objs = tuple(frames)
    else:  # pragma: no cover  (another plotly release)
        fig.frames = frames


def step_through(
    rows: Sequence[Quantity],
    *,
    title: str,
    labels: Sequence[str] | None = None,
    first: int = 0,
    max_cells: int = MAX_CELLS,
    style: Style = NORMAL,
    frame_ms: int = FRAME_MS,
) -> go.Figure:
    """Heatmaps with step bars beside them, a timestep slider and Play, all run by Plotly.

    Args:
        rows: the quantities, top to bottom; all with the same timesteps.
        title: the figure title.
        labels: one label per timestep (tokens), for the time axis and the slider.
        first: the first step shown; the figure covers `step_window(...)` steps from there.
        max_cells: heatmap cells of all rows together before units are averaged (a note says so).
        style: the type sizes (`PRESENTER` for a projector).
        frame_ms: Play's time per step, in ms (`MIN_FRAME_MS`..`MAX_FRAME_MS`).

    Returns:
        The figure. Row i's heatmap is a trace (for its hover and colour bar) over the same
        heatmap as a layout image (`layout.images[i]`), which is what shows once a step has been
        played; the frames (one per step, named by the step) move the outline traces (named
        `HIGHLIGHT`) and swap the bars; a `reverse` row's outline and bars go the other way.
        `layout.meta["window"]`
        holds the steps shown and `layout.meta["note"]` what was left out or averaged.
    """
    if not rows:
        raise ValueError("rows is empty: pass at least one Quantity")
    values = [as_matrix(r.values, r.name) for r in rows]
    timesteps = values[0].shape[0]
    for r, v in zip(rows, values):
        check_quantity(r.quantity)
        if v.shape[0] != timesteps:
            raise ValueError(f"every row needs {timesteps} timesteps; {r.name!r} has {v.shape[0]}")
    labels = check_labels(labels, timesteps)
    if isinstance(frame_ms, bool) or not isinstance(frame_ms, (int, np.integer)) \
            or not MIN_FRAME_MS <= frame_ms <= MAX_FRAME_MS:
        raise ValueError(f"frame_ms must be a whole number of ms from {MIN_FRAME_MS} to {MAX_FRAME_MS}; got {frame_ms!r}")
    units = max(v.shape[1] for v in values)
    window = step_window(timesteps, units, len(rows))
    if isinstance(first, bool) or not isinstance(first, (int, np.integer)) or not 0 <= first < timesteps:
        raise ValueError(f"first must be a timestep from 0 to {timesteps - 1}; got {first!r}")
    first, stop = int(first), min(int(first) + window, timesteps)
    shown = range(first, stop)
    _step_factor, unit_factor = pool_factors(len(shown), units, max(1, max_cells // len(rows)))

    n = len(rows)
    least, most = style.row_px
    heights = [int(min(most, max(least, 100 + 3 * math.ceil(v.shape[1] / unit_factor)))) for v in values]
    em = style.font / FONT_SIZE  # larger type needs more room around the rows
    gap = round(70 * em)  # px between rows: the bars' tick labels and the next row's title
    lift = round(16 * (em - 1))  # the slider and Play sit this much higher above the first row
    top_px, bottom_px = TOP_PX + round(40 * (em - 1)), round(BOTTOM_PX * em)
    total = sum(heights) + gap * (n - 1)
    spacing = max(gap / total, MIN_GAP_PX / (SMALL_SCREEN_PX - top_px - bottom_px)) if n > 1 else 0.0
    fig = make_subplots(
        rows=n, cols=2, column_widths=[HEAT_SHARE, 1 - HEAT_SHARE], horizontal_spacing=0.05,
        vertical_spacing=spacing, row_heights=heights,
        subplot_titles=[t for r in rows for t in (f"{r.name} ({_range_words(r.quantity)})", "")],
    )
    scales = [scale_for(r.quantity, v) for r, v in zip(rows, values)]
    window_labels = labels[first:stop] if labels else None
    bar_hover = _("unit %{y}<br>value %{x:.4f}")
    traces, cells, images, layout = [], [], [], {}  # added to the figure at once: one check, not one per call
    for i, (r, v, scale) in enumerate(zip(rows, values, scales)):
        heat_axes = "" if i == 0 else str(2 * i + 1)  # make_subplots numbers the axes row by row, 2 a row
        bar_axes = str(2 * i + 2)
        axis = "coloraxis" if i == 0 else f"coloraxis{i + 1}"
        heat = heatmap_trace(v[first:stop], 1, unit_factor, axis, r.name, first=first)
        # The same heatmap as a picture underneath: the first step Plotly plays drops the heatmap
        # trace (it re-plots only what the frames move) and the picture goes on showing it.
        images.append(dict(source=heatmap_picture(np.asarray(heat.z), scale), xref=f"x{heat_axes}",
                           yref=f"y{heat_axes}", x=first - 0.5, y=-0.5, sizex=len(shown), sizey=v.shape[1],
                           xanchor="left", yanchor="top", sizing="stretch", layer="below"))
        at = _column(r, first, first, stop)
        traces += [heat, go.Bar(
            x=f32(v[at]), y=np.arange(v.shape[1]), orientation="h", name=r.name, showlegend=False,
            marker=dict(color=BAR_COLOUR, line=dict(width=0)),
            hovertemplate=f"<b>{r.name}</b><br>{bar_hover}<extra></extra>",
        )] + [go.Scatter(**_outline(at, v.shape[1]), mode="lines", name=HIGHLIGHT, showlegend=False, hoverinfo="skip",
                         line=dict(color=color, width=width))  # a black line on a white halo: visible on any colour
              for color, width in (("white", 6), ("#111", 2.5))]
        cells += [(i + 1, 1), (i + 1, 2), (i + 1, 1), (i + 1, 1)]
        layout[f"yaxis{heat_axes}"] = unit_axis(v.shape[1])
        layout[f"yaxis{bar_axes}"] = dict(matches=f"y{heat_axes}", showticklabels=False)
        layout[f"xaxis{heat_axes}"] = dict(time_axis(window_labels, len(shown), with_title=i == n - 1,
                                                     width_px=HEAT_SHARE * AXIS_PX, first=first, font=style.font),
                                           showticklabels=i == n - 1)  # one time axis, below
        pad = 0.05 * (scale.zmax - scale.zmin)
        layout[f"xaxis{bar_axes}"] = dict(
            range=[scale.zmin - pad, scale.zmax + pad], title=dict(text=_("value at the step") if i == n - 1 else ""),
            showgrid=True, gridcolor="#e5e5e5", zeroline=True, zerolinecolor="#888", tickfont=dict(size=style.small), nticks=5)
        bottom, top = fig.layout[f"yaxis{heat_axes}"].domain
        ends = [scale.zmin, (scale.zmin + scale.zmax) / 2, scale.zmax]
        layout[axis] = dict(  # no title: the row's title says the range; one bar beside each row
            colorscale=scale.colorscale, cmin=scale.zmin, cmax=scale.zmax,
            colorbar=dict(len=top - bottom, y=top, yanchor="top", thickness=14, tickfont=dict(size=style.small), x=1.01,
                          tickvals=ends, ticktext=[f"{t:.3g}" for t in ends]),  # three ticks fit a short row
        )
    fig.add_traces(traces, rows=[c[0] for c in cells], cols=[c[1] for c in cells])
    fig.update_layout(layout, images=images)
    bar_traces = list(range(1, len(traces), 4))  # each row's traces: heatmap, bars, halo, line
    outline_traces = [t for b in bar_traces for t in (b + 1, b + 2)]

    frames = []
    for step in shown:
        data = []
        for r, v in zip(rows, values):
            data.append(dict(type="bar", x=f32(v[_column(r, step, first, stop)])))
        for r, v in zip(rows, values):
            data.extend(dict(type="scatter", **_outline(_column(r, step, first, stop), v.shape[1])) for __ in range(2))
        frames.append(go.Frame(name=str(step), data=data, traces=bar_traces + outline_traces, _validate=False))
    _set_frames(fig, frames)

    still = dict(mode="immediate", frame=dict(duration=0, redraw=False), transition=dict(duration=0))
    fig.update_layout(
        sliders=[dict(
            active=0, x=0.26, len=0.74, y=1, yanchor="bottom", pad=dict(t=0, b=42 + lift),
            currentvalue=dict(prefix=_("Step") + " ", font=dict(size=round(18 * em), color="#222"), xanchor="left", offset=12),
            font=dict(color="rgba(0,0,0,0)"),  # the time axes label the steps; labels on the slider would overlap
            steps=[dict(method="animate", args=[[str(s)], still], label=_step_label(
                s, timesteps - 1, labels, first + stop - 1 - s if any(r.reverse for r in rows) else None))
                   for s in shown],
        )],
        updatemenus=[dict(
            type="buttons", direction="left", x=0, y=1, xanchor="left", yanchor="bottom", pad=dict(t=0, b=52 + lift),
            showactive=False, font=dict(size=round(15 * em)),
            buttons=[
                dict(label="▶ " + _("Play"), method="animate",
                     args=[None, dict(mode="immediate", fromcurrent=True, transition=dict(duration=0),
                                      frame=dict(duration=int(frame_ms), redraw=False))]),
                dict(label="❚❚ " + _("Pause"), method="animate", args=[[None], still]),
            ],
        )],
    )
    notes = []
    if len(shown) < timesteps:
        notes.append(_("Steps {first}–{last} of 0–{end} are shown ({count} at a time).").format(
            first=first, last=stop - 1, end=timesteps - 1, count=len(shown)))
    if unit_factor > 1:
        notes.append(pool_note(len(shown), units, 1, unit_factor))
        notes.append(_("The bars show every unit."))
    note = " ".join(notes)
    fig.update_layout(meta=dict(window=dict(first=first, stop=stop, timesteps=timesteps), note=note),
                      margin=dict(t=top_px, b=bottom_px, r=round(90 * em)))
    fig.update_annotations(font_size=style.row_title, yshift=-2)  # the row titles, in the gap above each row
    apply_theme(fig, title, round(sum(heights) / (1 - spacing * (n - 1))) + top_px + bottom_px, style)  # rows keep their px
    fig.update_layout(title=dict(yref="container", y=1, yanchor="top", pad=dict(t=18)))
    if note:
        fig.update_layout(title_subtitle=dict(text=note, font=dict(size=style.small + 2, color="#7a3e00")))
    return fig


def at_step(fig: go.Figure, step: int) -> go.Figure | dict:
    """A `step_through` figure opened at `step` (a link's `step=`): its slider there, its bars and outline too.

    The figure is shared (cached), so it is left as it is: a step past the first comes back as plain
    data, the figure's own with that step's frame applied and drawn as a played step is (each heatmap
    by its picture underneath). A step outside the figure's window gives the figure unchanged.
    """
    window = (fig.layout.meta or {}).get("window") if isinstance(fig.layout.meta, dict) else None
    if not window or not window["first"] < step < window["stop"]:
        return fig
    data = fig.to_dict()
    at = step - window["first"]
    frame = data["frames"][at]
    for index, trace in zip(frame["traces"], frame["data"]):
        data["data"][index].update(trace)
    data["layout"]["sliders"][0]["active"] = at
    for trace in data["data"]:  # as after a step played in the browser: the heatmap shows as its picture
        if trace.get("type") == "heatmap":  # (layout.images); the trace stays, for its hover
            trace["opacity"] = 0
    return data

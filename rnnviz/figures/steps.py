"""One timestep as bars, and chosen units over time as lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.figures.picture import hex_colours
from rnnviz.figures.style import (
    NORMAL,
    PALETTE,
    Style,
    add_highlight,
    apply_theme,
    as_matrix,
    check_labels,
    check_quantity,
    check_step,
    default_quantity,
    display_names,
    f32,
    scale_for,
    time_axis,
)
from rnnviz.i18n import _

MAX_LINES = len(PALETTE)  # more lines than colours cannot be told apart


def _y_range(quantity: str, *arrays: np.ndarray) -> list[float]:
    """A fixed y range with a little air, so bars and lines of a kind always compare."""
    scale = scale_for(quantity, *arrays)
    pad = 0.05 * (scale.zmax - scale.zmin)
    return [scale.zmin - pad, scale.zmax + pad]


def step_bars(
    vectors: Mapping[str, np.ndarray],
    *,
    step_label: str | int,
    quantities: Mapping[str, str] | None = None,
) -> go.Figure:
    """Each quantity's value per unit at one timestep, one bar chart per quantity, stacked.

    Bars are coloured with the same scale as the quantity's heatmap (as colour strings: plotly.js 4
    logs a warning with a stack trace for every bar coloured from a number); hovering shows the
    unit and the value to 4 decimals.

    Args:
        vectors: quantity name -> its values at the step, e.g. hidden, cell, input, ...
            # each (units,)
        step_label: the step as people should read it, e.g. 12 or "12 · 'a'".
        quantities: override a quantity's range ("tanh", "gate", "free"); by default gates are
            0..1, the cell state unbounded, the rest tanh.

    Returns:
        The figure.
    """
    if not vectors:
        raise ValueError("vectors is empty: pass at least one name -> (units,) array")
    names = display_names(list(vectors))
    arrays = {}
    for key, v in vectors.items():
        a = np.asarray(v)
        if a.ndim != 1 or a.size == 0:
            raise ValueError(f"{key} must be a (units,) array for one step; got shape {a.shape}")
        arrays[key] = a
    fig = make_subplots(
        rows=len(arrays), cols=1, shared_xaxes=True, subplot_titles=[names[k] for k in arrays],
        vertical_spacing=min(0.1, 0.35 / len(arrays)),
    )
    hover = _("unit %{x}<br>value %{y:.4f}")
    for i, (key, a) in enumerate(arrays.items(), start=1):
        quantity = check_quantity((quantities or {}).get(key, default_quantity(key)))
        scale = scale_for(quantity, a)
        fig.add_trace(
            go.Bar(
                x=np.arange(a.size), y=f32(a), name=names[key], showlegend=False,
                marker=dict(color=hex_colours(a, scale), line=dict(width=0.5, color="#444")),
                hovertemplate=f"<b>{names[key]}</b><br>{hover}<extra></extra>",
            ),
            row=i, col=1,
        )
        fig.update_yaxes(range=_y_range(quantity, a), title_text=scale.title, title_font_size=14,
                         showgrid=True, gridcolor="#e5e5e5", zeroline=True, zerolinecolor="#888", row=i, col=1)
    fig.update_xaxes(tickformat="d")
    fig.update_xaxes(title_text=_("unit"), row=len(arrays), col=1)
    fig.update_layout(bargap=0.1)
    fig.update_annotations(font_size=17)
    title = _("At step {step}: the value of each unit").format(step=step_label)
    return apply_theme(fig, title, 130 + 190 * len(arrays))


def unit_lines(
    values: np.ndarray,
    units: Sequence[int],
    *,
    labels: Sequence[str] | None = None,
    highlight_step: int | None = None,
    title: str,
    quantity: str | None = None,
    name: str = "",
    more: Mapping[str, np.ndarray] | None = None,
    style: Style = NORMAL,
) -> go.Figure:
    """Chosen units of a state followed over time, one line each.

    With `more`, other quantities of the same units (c, a gate) share the chart: each unit keeps
    its colour and each quantity gets its own dash, so "unit 3's c holds while its f is near 1"
    reads off one chart.

    Args:
        values: the state at every step.  # (timesteps, units)
        units: indices of the units to draw, at most MAX_LINES.
        labels: one label per timestep; shown on the axis and in the hover.
        highlight_step: the timestep to shade, if any.
        title: the figure title.
        quantity: "tanh", "gate" or "free" fixes the y range like the heatmap's scale; None lets
            it follow the data.
        name: the name of `values` in line names (e.g. "h"); needed with `more`.
        more: other quantities by name, each  # (timesteps, units)
        style: the type sizes (`PRESENTER` for a projector).

    Returns:
        The figure.
    """
    values = as_matrix(values, "values")
    timesteps, n_units = values.shape
    labels = check_labels(labels, timesteps)
    step = check_step(highlight_step, timesteps)
    chosen = list(units)
    if not 1 <= len(chosen) <= MAX_LINES or len(set(chosen)) != len(chosen):
        raise ValueError(f"units must name 1 to {MAX_LINES} different units; got {chosen!r}")
    for u in chosen:
        if isinstance(u, bool) or not isinstance(u, (int, np.integer)) or not 0 <= u < n_units:
            raise ValueError(f"unit {u!r} does not exist: this state has units 0 to {n_units - 1}")
    series = {name: values, **{k: as_matrix(v, k) for k, v in (more or {}).items()}}
    for k, v in series.items():
        if v.shape != values.shape:
            raise ValueError(f"{k!r} has shape {v.shape}, but the lines need {values.shape} like {name or 'values'!r}")
    fig = go.Figure()
    x = np.arange(timesteps)
    where = _("step %{x:d} (%{customdata})") if labels else _("step %{x:d}")  # not the tick's token
    value = _("value %{y:.4f}")
    dashes = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
    for q, (k, v) in enumerate(series.items()):
        for i, u in enumerate(chosen):
            line_name = (_("{quantity} · unit {unit}").format(quantity=k, unit=u) if more
                         else _("unit {unit}").format(unit=u))
            fig.add_trace(
                go.Scatter(
                    x=x, y=f32(v[:, u]), mode="lines+markers" if timesteps <= 60 else "lines",
                    name=line_name, customdata=labels, marker=dict(size=6, color=PALETTE[i]),
                    line=dict(width=3, color=PALETTE[i], dash=dashes[q % len(dashes)]),
                    hovertemplate=f"<b>{line_name}</b><br>{where}<br>{value}<extra></extra>",
                )
            )
    fig.update_xaxes(time_axis(labels, timesteps, font=style.font))
    fig.update_yaxes(title_text=_("value"), showgrid=True, gridcolor="#e5e5e5", zeroline=True, zerolinecolor="#888")
    if quantity is not None and not more:
        fig.update_yaxes(range=_y_range(check_quantity(quantity), values[:, chosen]))
    fig.update_layout(legend=dict(title_text="", orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    if step is not None:
        add_highlight(fig, step, step, filled=True)
    return apply_theme(fig, title, 420, style)

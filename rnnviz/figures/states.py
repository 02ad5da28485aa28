"""Heatmaps of recurrent states and gates: units (rows) by timesteps (columns)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.figures.pooling import MAX_CELLS, pool, pool_factors, pool_note
from rnnviz.figures.style import (
    AXIS_PX,
    Scale,
    add_highlight,
    add_note,
    apply_theme,
    as_matrix,
    check_labels,
    check_quantity,
    check_step,
    scale_for,
    time_axis,
    unit_axis,
)
from rnnviz.i18n import _


@dataclass(frozen=True)
class _Panel:
    title: str | None
    values: np.ndarray  # (timesteps, units)
    quantity: str


def _scales(panels: Sequence[_Panel]) -> dict[str, Scale]:
    """One scale per quantity; a "free" scale spans every free panel, so they compare."""
    by_quantity: dict[str, list[np.ndarray]] = {}
    for p in panels:
        by_quantity.setdefault(p.quantity, []).append(p.values)
    return {q: scale_for(q, *arrays) for q, arrays in by_quantity.items()}


def _colorbar(scale: Scale, index: int, count: int, title: str) -> dict:
    """A colour axis whose bar says its range; bars stack top to bottom when there are several."""
    length = 1.0 / count
    return dict(
        colorscale=scale.colorscale, cmin=scale.zmin, cmax=scale.zmax,
        colorbar=dict(
            title=dict(text=title, side="right"), len=length * 0.9, y=1 - length * (index + 0.5),
            yanchor="middle", thickness=18, tickfont=dict(size=14), x=1.02,
        ),
    )


def heatmap_trace(values: np.ndarray, sf: int, uf: int, coloraxis: str, name: str, first: int = 0) -> go.Heatmap:
    """One pooled heatmap trace; cell centres stay in timestep (from `first`) and unit coordinates."""
    z = pool(values, sf, uf)  # (columns, rows)
    x = first + np.arange(z.shape[0]) * sf + (sf - 1) / 2
    y = np.arange(z.shape[1]) * uf + (uf - 1) / 2
    if sf == uf == 1:
        hover = _("step %{x:d}<br>unit %{y:d}<br>value %{z:.4f}")  # a format: the number, never a tick's token
    else:
        hover = _("steps around %{x:.1f}<br>units around %{y:.1f}<br>mean %{z:.4f}")
    return go.Heatmap(
        z=np.ascontiguousarray(z.T), x=x if sf > 1 else first + np.arange(z.shape[0]), y=y if uf > 1 else np.arange(z.shape[1]),
        coloraxis=coloraxis, name=name, hovertemplate=f"<b>{name}</b><br>{hover}<extra></extra>", xgap=0, ygap=0,
    )


def row_height(units_drawn: int) -> int:
    return int(min(560, max(260, 120 + 6 * units_drawn)))


def _heatmap_figure(
    panels: Sequence[_Panel],
    *,
    title: str,
    labels: Sequence[str] | None,
    highlight_step: int | None,
    max_cells: int,
    cols: int = 1,
    bar_titles: Mapping[str, str] | None = None,
) -> go.Figure:
    """Panels on one time axis: pooled to fit, one colourbar per scale, the step highlighted."""
    timesteps = panels[0].values.shape[0]
    for p in panels:
        if p.values.shape[0] != timesteps:
            raise ValueError(f"every panel needs {timesteps} timesteps; {p.title!r} has {p.values.shape[0]}")
    labels = check_labels(labels, timesteps)
    step = check_step(highlight_step, timesteps)
    units = max(p.values.shape[1] for p in panels)
    sf, uf = pool_factors(timesteps, units, max(1, max_cells // len(panels)))

    scales = _scales(panels)
    axis_of = {q: "coloraxis" if i == 0 else f"coloraxis{i + 1}" for i, q in enumerate(scales)}
    rows = math.ceil(len(panels) / cols)
    titles = [p.title or "" for p in panels] if len(panels) > 1 else None
    fig = make_subplots(
        rows=rows, cols=cols, shared_xaxes=True, subplot_titles=titles,
        vertical_spacing=min(0.12, 0.3 / rows), horizontal_spacing=0.08,
    )
    for i, p in enumerate(panels):
        row, col = divmod(i, cols)
        trace = heatmap_trace(p.values, sf, uf, axis_of[p.quantity], p.title or _("value"))
        fig.add_trace(trace, row=row + 1, col=col + 1)
        fig.update_yaxes(unit_axis(p.values.shape[1], with_title=col == 0), row=row + 1, col=col + 1)
        axis = time_axis(labels, timesteps, with_title=row == rows - 1, width_px=AXIS_PX / cols)
        fig.update_xaxes(axis, row=row + 1, col=col + 1)
    bars = {
        axis: _colorbar(scales[q], i, len(scales), (bar_titles or {}).get(q, scales[q].title))
        for i, (q, axis) in enumerate(axis_of.items())
    }
    fig.update_layout(bars)
    fig.update_annotations(font_size=17)  # subplot titles
    apply_theme(fig, title, rows * row_height(math.ceil(units / uf)) + 140)

    note = pool_note(timesteps, units, sf, uf)
    fig.update_layout(meta=dict(downsample=dict(step_factor=sf, unit_factor=uf, note=note)))
    if note:
        add_note(fig, note)
    if step is not None:
        block = step // sf * sf  # a pooled column covers steps block..block+sf-1
        add_highlight(fig, block, min(block + sf, timesteps) - 1)
    return fig


def state_heatmap(
    values: np.ndarray,
    *,
    title: str,
    labels: Sequence[str] | None = None,
    quantity: str = "tanh",
    highlight_step: int | None = None,
    max_cells: int = MAX_CELLS,
) -> go.Figure:
    """A state of one batch row as a heatmap: units down, timesteps across.

    Args:
        values: the state at every step.  # (timesteps, units)
        title: the figure title, in plain words.
        labels: one label per timestep (tokens) for the time axis.
        quantity: "tanh" (fixed −1..1), "gate" (fixed 0..1) or "free" (symmetric around 0 up
            to the largest |value|: the LSTM cell state, or relu states, are unbounded).
        highlight_step: the timestep to outline, if any.
        max_cells: above this many cells, neighbouring cells are averaged and a note says so;
            `fig.layout.meta["downsample"]` holds the factors and the note.

    Returns:
        The figure; its data are float32.
    """
    check_quantity(quantity)
    panel = _Panel(None, as_matrix(values, "values"), quantity)
    return _heatmap_figure([panel], title=title, labels=labels, highlight_step=highlight_step, max_cells=max_cells)


def bidirectional_heatmaps(
    forward: np.ndarray,
    backward: np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    highlight_step: int | None = None,
    quantity: str = "tanh",
    title: str | None = None,
    max_cells: int = MAX_CELLS,
) -> go.Figure:
    """The forward and backward layers of a Bidirectional wrapper on one time axis.

    Both arrays are indexed by input timestep: `backward[t]` is the backward layer's state
    after it has read steps T-1 down to t (as Bidirectional lines them up).

    Args:
        forward: forward layer's state.  # (timesteps, units)
        backward: backward layer's state.  # (timesteps, units)
        labels: one label per timestep.
        highlight_step: the timestep to outline in both rows.
        quantity: "tanh", "gate" or "free"; a free scale spans both directions.
        title: the figure title; "Both directions" (in the current language) by default.
        max_cells: cells of both rows together before averaging.

    Returns:
        The figure, forward on top.
    """
    check_quantity(quantity)
    forward, backward = as_matrix(forward, "forward"), as_matrix(backward, "backward")
    if forward.shape[0] != backward.shape[0]:
        raise ValueError(f"forward has {forward.shape[0]} timesteps but backward has {backward.shape[0]}")
    last = forward.shape[0] - 1
    panels = [
        _Panel(_("forward (reads 0→{last})").format(last=last), forward, quantity),
        _Panel(_("backward (reads {last}→0)").format(last=last), backward, quantity),
    ]
    title = _("Both directions") if title is None else title
    return _heatmap_figure(panels, title=title, labels=labels, highlight_step=highlight_step, max_cells=max_cells)

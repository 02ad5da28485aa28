"""Figures of gradients through time: arrays in, `go.Figure` out (plotly and numpy only).

- `gradient_curves`: ||d h_T / d x_t|| relative to the last step, one line per model, log scale.
- `adding_saliency`: an adding-problem sequence (the two marked numbers highlighted) over the output's
  saliency per step, one line per model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.figures.style import PALETTE, apply_theme, f32
from rnnviz.i18n import _

CELL_COLORS = {"SimpleRNN": PALETTE[3], "GRU": PALETTE[0], "LSTM": PALETTE[2]}
OWN_COLOR = PALETTE[7]
MARKED = PALETTE[1]
UNMARKED = "#9a9a9a"


@dataclass(frozen=True)
class Line:
    """One curve: its legend name, values per step, colour and dash ("solid", "dot", "dash")."""

    name: str
    values: np.ndarray  # (timesteps,)
    color: str
    dash: str = "solid"


def half_life_text(steps: float) -> str:
    """A half-life as the legend reads it: "3.6 steps", "71 steps", "no decay"."""
    if math.isnan(steps):
        return _("too few steps")
    if math.isinf(steps):
        return _("no decay")
    return _("{steps} steps").format(steps=f"{steps:.2g}" if steps < 10 else f"{steps:,.0f}")


def _positive(values: np.ndarray) -> np.ndarray:
    """Zeros (masked steps, underflow) as gaps: a log axis cannot show them."""
    values = np.asarray(values, np.float64)
    return f32(np.where(values > 0, values, np.nan))


def gradient_curves(lines: Sequence[Line], *, title: str, y_title: str | None = None,
                    height: int = 520) -> go.Figure:
    """Gradient norms over the steps, one line per model, on a log y axis.

    Args:
        lines: the curves, each (timesteps,); zeros are left as gaps.
        title: figure title.
        y_title: y axis title; by default "‖∂h_T/∂x_t‖ ÷ its value at the last step" (in the current language).
        height: pixels.

    Returns:
        The figure; x is the input step t, y is logarithmic.
    """
    fig = go.Figure()
    at_step = _("step %{x}: %{y:.2e}")
    for line in lines:
        steps = np.arange(len(line.values))
        fig.add_trace(go.Scatter(x=steps, y=_positive(line.values), name=line.name, mode="lines",
                                 line=dict(color=line.color, dash=line.dash, width=3),
                                 hovertemplate=at_step + "<extra>" + line.name + "</extra>"))
    apply_theme(fig, title, height)
    if y_title is None:
        y_title = _("‖∂h_T/∂x_t‖ ÷ its value at the last step")
    fig.update_yaxes(type="log", title_text=y_title, exponentformat="power", showgrid=True, gridcolor="#e5e5e5")
    fig.update_xaxes(title_text=_("input step t (the final state is read after the last step)"))
    fig.update_layout(legend=dict(orientation="v", x=1.02, y=1, xanchor="left"), margin=dict(r=20))
    return fig


def adding_saliency(values: np.ndarray, marked: Sequence[int], saliency: Mapping[str, np.ndarray], *,
                    title: str, height: int = 620) -> go.Figure:
    """An adding-problem sequence over its output's saliency per step.

    Args:
        values: (timesteps,) the numbers (channel 0).
        marked: the marked steps, drawn in the highlight colour.
        saliency: {model name: (timesteps,) ||d y / d x_t||}, coloured by `CELL_COLORS` when the name
            starts with a cell's name.
        title: figure title.
        height: pixels.

    Returns:
        A two-row figure: bars of the numbers on top, saliency lines (linear y) below, the marked steps
        marked on both.
    """
    values = np.asarray(values)
    steps = np.arange(len(values))
    is_marked = np.isin(steps, list(marked))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.35, 0.65],
                        subplot_titles=(_("the input: numbers, two of them marked"),
                                        _("the output's saliency ‖∂y/∂x_t‖")))
    fig.add_trace(go.Bar(x=steps, y=f32(values), marker_color=[MARKED if m else UNMARKED for m in is_marked],
                         name=_("numbers"), showlegend=False,
                         hovertemplate=_("step %{x}: %{y:.2f}") + "<extra></extra>"), row=1, col=1)
    at_step = _("step %{x}: %{y:.2e}")
    for name, curve in saliency.items():
        color = next((c for cell, c in CELL_COLORS.items() if name.startswith(cell)), OWN_COLOR)
        fig.add_trace(go.Scatter(x=steps, y=f32(curve), name=name, mode="lines", line=dict(color=color, width=3),
                                 hovertemplate=at_step + "<extra>" + name + "</extra>"), row=2, col=1)
        at = list(marked)
        fig.add_trace(go.Scatter(x=at, y=f32(np.asarray(curve)[at]), mode="markers", showlegend=False,
                                 marker=dict(color=MARKED, size=13, line=dict(color=color, width=2)),
                                 name=_("{name}: marked steps").format(name=name), hoverinfo="skip"), row=2, col=1)
    apply_theme(fig, title, height)
    fig.update_yaxes(title_text=_("number"), range=[0, 1], row=1, col=1)
    # linear: on a log axis the trained models' 10-25x peaks look flat next to an untrained-like 1e-36
    fig.update_yaxes(title_text=_("saliency"), rangemode="tozero", showgrid=True, gridcolor="#e5e5e5", row=2, col=1)
    fig.update_xaxes(title_text=_("input step t"), row=2, col=1)
    fig.update_layout(bargap=0.1, legend=dict(orientation="h", x=0, y=-0.16, yanchor="top"))
    return fig

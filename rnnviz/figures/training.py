"""Figures of a training run and of the unit that learned the task: numpy in, `go.Figure` out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.figures.style import PALETTE, TEMPLATE
from rnnviz.i18n import _

MAX_TEXT_ROWS = 12  # lines of boxes one coloured-text figure shows
LINE_CHARS = 64  # characters of 20 px text that fit across the main area at 1280 px
MAX_PCA_POINTS = 2000


def training_curve(epochs: Sequence[int], loss: Sequence[float], accuracy: Sequence[float],
                   total_epochs: int) -> go.Figure:
    """Loss (left) and accuracy (right) per epoch, the x axis spanning the whole run from the start."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = np.asarray(epochs, dtype=np.float32)
    fig.add_trace(go.Scatter(x=x, y=np.asarray(loss, dtype=np.float32), name=_("loss"), mode="lines+markers",
                             line=dict(color=PALETTE[3], width=3)), secondary_y=False)
    fig.add_trace(go.Scatter(x=x, y=np.asarray(accuracy, dtype=np.float32) * 100, name=_("accuracy %"),
                             mode="lines+markers", line=dict(color=PALETTE[0], width=3)), secondary_y=True)
    fig.update_layout(template=TEMPLATE, title=_("Training: loss and accuracy after each epoch"), height=340,
                      legend=dict(orientation="h", y=1.12, x=1, xanchor="right"), margin=dict(t=90))
    fig.update_xaxes(title_text=_("epoch"), range=[0.5, max(total_epochs, 1) + 0.5],
                     dtick=1 if total_epochs <= 20 else None)
    fig.update_yaxes(title_text=_("loss"), rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text=_("accuracy %"), range=[0, 101], secondary_y=True)
    return fig


def coloured_tokens(tokens: Sequence[Sequence[str]], values: np.ndarray, title: str) -> go.Figure:
    """Samples as lines of boxes, one box per token, coloured by a unit's value just after that token.

    A sample longer than a line wraps onto the next (a line holds about LINE_CHARS characters, so words
    stay readable at projector size); a blank line separates samples; at most MAX_TEXT_ROWS lines.

    Args:
        tokens: rows of step labels.
        values: (rows, timesteps) the unit's value after reading each token.
        title: what the colour is.
    """
    values = np.asarray(values, dtype=np.float32)
    steps = values.shape[1]
    longest = max((len(t) for row in tokens for t in row), default=1)
    lines = -(-steps // max(1, LINE_CHARS // (longest + 2)))  # lines per sample
    per_line = -(-steps // lines)
    samples = max(1, min(len(tokens), (MAX_TEXT_ROWS + 1) // (lines + 1)))
    z = np.full((samples * (lines + 1) - 1, per_line), np.nan, dtype=np.float32)
    text = [[""] * per_line for _row in range(len(z))]
    for i in range(samples):
        for t in range(steps):
            r, c = i * (lines + 1) + t // per_line, t % per_line
            z[r, c] = values[i, t]
            text[r][c] = _shown(tokens[i][t])
    limit = float(np.nanmax(np.abs(z))) or 1.0
    fig = go.Figure(go.Heatmap(
        z=z, text=text, texttemplate="%{text}", textfont=dict(size=20), hoverongaps=False,
        colorscale="RdBu_r", zmin=-limit, zmax=limit, xgap=3, ygap=3,
        colorbar=dict(title=dict(text=_("value"), side="right"), thickness=14),
        hovertemplate=_("%{text}: value %{z:.3f}") + "<extra></extra>",
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=100 + 44 * len(z), margin=dict(l=20, r=20, t=70, b=20))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    return fig


def _shown(token: str) -> str:
    return {" ": "␣"}.get(token, token)


def unit_and_latent(values: np.ndarray, latent: np.ndarray, labels: Sequence[str], unit_name: str,
                    latent_name: str) -> go.Figure:
    """One sample's unit (left axis) and latent (right axis) over the steps, tokens on the time axis."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = np.arange(len(labels))
    fig.add_trace(go.Scatter(x=x, y=np.asarray(values, dtype=np.float32), name=unit_name, mode="lines+markers",
                             line=dict(color=PALETTE[0], width=3)), secondary_y=False)
    fig.add_trace(go.Scatter(x=x, y=np.asarray(latent, dtype=np.float32), name=latent_name, mode="lines",
                             line=dict(color=PALETTE[1], width=3, dash="dash", shape="hv")), secondary_y=True)
    title = _("{unit} against {latent}, step by step").format(unit=unit_name, latent=latent_name)
    fig.update_layout(template=TEMPLATE, title=title, height=360,
                      legend=dict(orientation="h", y=1.12, x=1, xanchor="right"), margin=dict(t=90))
    fig.update_xaxes(tickmode="array", tickvals=x, ticktext=[_shown(t) for t in labels], title_text=_("input step"))
    fig.update_yaxes(title_text=unit_name, secondary_y=False)
    fig.update_yaxes(title_text=latent_name, secondary_y=True)
    return fig


def pca_trajectory(coords: np.ndarray, labels: Sequence[str], latent: np.ndarray, share: np.ndarray,
                   latent_name: str) -> go.Figure:
    """One sample's state path in the plane of its two main axes: points labelled by token, coloured by latent."""
    coords = np.asarray(coords, dtype=np.float32)[:MAX_PCA_POINTS]
    fig = go.Figure(go.Scatter(
        x=coords[:, 0], y=coords[:, 1], mode="lines+markers+text", text=[_shown(t) for t in labels[:len(coords)]],
        textposition="top center", textfont=dict(size=15), line=dict(color="#bbb", width=1),
        marker=dict(size=13, color=np.asarray(latent, dtype=np.float32)[:len(coords)], colorscale="Viridis",
                    showscale=True, colorbar=dict(title=dict(text=latent_name, side="right"), thickness=14)),
        hovertemplate=_("step %{pointNumber}: %{text}") + "<extra></extra>",
    ))
    fig.update_layout(template=TEMPLATE, height=440,
                      title=_("The hidden state's path, in its two main directions (PCA)"))
    fig.update_xaxes(title_text=_("PC 1 ({percent} of the variance)").format(percent=f"{100 * share[0]:.0f} %"))
    fig.update_yaxes(title_text=_("PC 2 ({percent} of the variance)").format(percent=f"{100 * share[1]:.0f} %"))
    return fig

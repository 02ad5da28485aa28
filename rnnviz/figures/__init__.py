"""Figures of rnnviz: numpy arrays in, `plotly.graph_objects.Figure` out; no model calls.

Arrays are one batch row, indexed (timesteps, units). Data go to Plotly as float32; heatmaps
larger than `MAX_CELLS` are averaged to fit, with a visible note.
"""

from rnnviz.figures.pooling import MAX_CELLS, downsample, pool, pool_factors, pool_note
from rnnviz.figures.scrub import Quantity, step_through, step_window
from rnnviz.figures.states import bidirectional_heatmaps, state_heatmap
from rnnviz.figures.steps import MAX_LINES, step_bars, unit_lines
from rnnviz.figures.style import GATE, HIGHLIGHT, TANH, TEMPLATE, Scale, apply_theme, scale_for

__all__ = [
    "GATE",
    "HIGHLIGHT",
    "MAX_CELLS",
    "MAX_LINES",
    "Quantity",
    "TANH",
    "TEMPLATE",
    "Scale",
    "apply_theme",
    "bidirectional_heatmaps",
    "downsample",
    "pool",
    "pool_factors",
    "pool_note",
    "scale_for",
    "state_heatmap",
    "step_bars",
    "step_through",
    "step_window",
    "unit_lines",
]

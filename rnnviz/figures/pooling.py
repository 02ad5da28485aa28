"""Shrinking heatmaps too large to send whole, by averaging neighbouring cells."""

from __future__ import annotations

import math
import warnings

import numpy as np

from rnnviz.figures.style import as_matrix, f32
from rnnviz.i18n import _

MAX_CELLS = 200_000  # cells of one heatmap figure (0.8 MB of float32)
MIN_STEPS = 200  # averaging neighbouring units mixes unrelated units, so time goes first, down to this


def _check_positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1; got {value!r}")
    return int(value)


def pool_factors(timesteps: int, units: int, max_cells: int = MAX_CELLS) -> tuple[int, int]:
    """How many steps and units each drawn cell must average so the heatmap fits `max_cells`.

    Time is pooled first, as long as at least `MIN_STEPS` columns remain: neighbouring steps
    are related, neighbouring units are not.

    Args:
        timesteps: steps of the full heatmap.
        units: units of the full heatmap.
        max_cells: the most cells to draw.

    Returns:
        (step_factor, unit_factor), both 1 when the heatmap fits whole.
    """
    timesteps, units = _check_positive("timesteps", timesteps), _check_positive("units", units)
    max_cells = _check_positive("max_cells", max_cells)
    if timesteps * units <= max_cells:
        return 1, 1
    step_factor = math.ceil(timesteps * units / max_cells)
    step_factor = max(1, min(step_factor, timesteps // MIN_STEPS))
    unit_factor = 1
    while math.ceil(timesteps / step_factor) * math.ceil(units / unit_factor) > max_cells:
        if unit_factor < units:
            unit_factor += 1
        else:
            step_factor += 1
    return step_factor, unit_factor


def pool(values: np.ndarray, step_factor: int, unit_factor: int) -> np.ndarray:
    """Average blocks of step_factor x unit_factor cells (the last blocks may be partial).

    Args:
        values: one row's trace.  # (timesteps, units)
        step_factor: steps per block.
        unit_factor: units per block.

    Returns:
        The block means, NaN where a block holds only NaN.  # (ceil(T/sf), ceil(U/uf)) float32
    """
    a = as_matrix(values, "values").astype(np.float32)
    sf, uf = _check_positive("step_factor", step_factor), _check_positive("unit_factor", unit_factor)
    if sf == uf == 1:
        return f32(a)
    t, u = a.shape
    nt, nu = math.ceil(t / sf), math.ceil(u / uf)
    padded = np.full((nt * sf, nu * uf), np.nan, dtype=np.float32)
    padded[:t, :u] = a
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks are meant to stay NaN
        return f32(np.nanmean(padded.reshape(nt, sf, nu, uf), axis=(1, 3)))


def downsample(values: np.ndarray, max_steps: int, max_units: int) -> tuple[np.ndarray, int, int]:
    """Average neighbouring steps and units until at most max_steps x max_units cells are left.

    Args:
        values: one row's trace.  # (timesteps, units)
        max_steps: the most columns wanted.
        max_units: the most rows wanted.

    Returns:
        (pooled values  # (ceil(T/sf), ceil(U/uf)) float32, step_factor sf, unit_factor uf).
    """
    a = as_matrix(values, "values")
    max_steps, max_units = _check_positive("max_steps", max_steps), _check_positive("max_units", max_units)
    sf, uf = math.ceil(a.shape[0] / max_steps), math.ceil(a.shape[1] / max_units)
    return pool(a, sf, uf), sf, uf


def pool_note(timesteps: int, units: int, step_factor: int, unit_factor: int) -> str:
    """The sentence a pooled heatmap shows, or "" when nothing was pooled."""
    if step_factor == unit_factor == 1:
        return ""
    parts = [text.format(n=f) for f, text in ((step_factor, _("{n} steps")), (unit_factor, _("{n} units"))) if f > 1]
    return _("Too large to draw whole ({timesteps} steps × {units} units = {cells} cells): "
             "each cell shows the mean of {block}.").format(
        timesteps=timesteps, units=units, cells=f"{timesteps * units:,}", block=" × ".join(parts))

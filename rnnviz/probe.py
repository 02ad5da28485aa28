"""Find the unit that learned the task: correlations of units with a latent, a linear probe, a PCA.

`unit_correlations` pools every row and step (masked steps left out) and gives each unit's Pearson r
with the latent. `linear_probe_r2` asks whether the units together carry the latent linearly (a
latent spread over many units shows there, not in any single r). `find_units` does both for the
h and c of a trained model and of its untrained twin, on fresh samples of the task.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from rnnviz.i18n import _
from rnnviz.tasks import TaskBatch, make_task
from rnnviz.trace import trace

FIND_SAMPLES = 200  # fresh samples the units are scored on
FIND_SEED = 2_000_003  # a seed no training batch and no test set uses


def _pooled(values: np.ndarray, latent: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(points, units) and (points,) from (batch, timesteps, units) and (batch, timesteps), mask applied."""
    values = np.asarray(values, dtype=np.float64)
    latent = np.asarray(latent, dtype=np.float64)
    if values.ndim != 3:
        raise ValueError(_("values have shape {shape}; give (batch, timesteps, units)").format(shape=values.shape))
    if latent.shape != values.shape[:2]:
        raise ValueError(_(
            "latent has shape {shape} but values have (batch, timesteps) = {shape2}; give one latent value "
            "per row and step"
        ).format(shape=latent.shape, shape2=values.shape[:2]))
    keep = np.ones(latent.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if keep.shape != latent.shape:
        raise ValueError(_(
            "mask has shape {shape}; give (batch, timesteps) = {shape2}, True where kept"
        ).format(shape=keep.shape, shape2=latent.shape))
    if keep.sum() < 2:
        raise ValueError(_("fewer than 2 steps are left after the mask: keep at least 2"))
    return values[keep], latent[keep]


def unit_correlations(values: np.ndarray, latent: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Pearson r of every unit with the latent, pooled over rows and steps.

    Args:
        values: (batch, timesteps, units) a state of every unit at every step.
        latent: (batch, timesteps) the hidden variable at every step.
        mask: (batch, timesteps) bool, False at a step to leave out; None keeps every step.

    Returns:
        (units,) float64 r in [-1, 1]; 0 for a unit (or a latent) that never changes.

    Raises:
        ValueError: when the shapes do not match or fewer than 2 steps are kept.
    """
    x, y = _pooled(values, latent, mask)
    x = x - x.mean(axis=0)
    y = y - y.mean()
    denominator = np.sqrt((x**2).sum(axis=0) * (y**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (x * y[:, None]).sum(axis=0) / denominator
    return np.where(denominator > 0, np.clip(r, -1.0, 1.0), 0.0)


def linear_probe_r2(values: np.ndarray, latent: np.ndarray, mask: np.ndarray | None = None) -> float:
    """R² of a least-squares linear read-out of the latent from all units together, on held-out rows.

    The read-out (with an intercept) is fitted on the even rows and scored on the odd rows, so a
    probe with many units cannot score by fitting noise. With one row it is fitted and scored on it.

    Args:
        values: (batch, timesteps, units).
        latent: (batch, timesteps).
        mask: (batch, timesteps) bool, False at a step to leave out.

    Returns:
        R² (1 is a perfect read-out; 0 or less is none); 0 when the held-out latent never changes.
    """
    values = np.asarray(values)
    keep = np.ones(np.shape(latent), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    fit_rows = slice(0, None, 2) if values.shape[0] > 1 else slice(None)
    score_rows = slice(1, None, 2) if values.shape[0] > 1 else slice(None)
    x_fit, y_fit = _pooled(values[fit_rows], np.asarray(latent)[fit_rows], keep[fit_rows])
    x_score, y_score = _pooled(values[score_rows], np.asarray(latent)[score_rows], keep[score_rows])
    design = np.column_stack([x_fit, np.ones(len(x_fit))])
    weights, *_rest = np.linalg.lstsq(design, y_fit, rcond=None)
    predicted = np.column_stack([x_score, np.ones(len(x_score))]) @ weights
    total = ((y_score - y_score.mean()) ** 2).sum()
    return float(1.0 - ((y_score - predicted) ** 2).sum() / total) if total > 0 else 0.0


def pca_2d(points: np.ndarray, fit_on: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Project `points` (n, units) on the first two principal axes of `fit_on` (default: the points).

    Returns:
        (n, 2) coordinates and (2,) the share of variance each axis explains.
    """
    points = np.asarray(points, dtype=np.float64)
    basis = points if fit_on is None else np.asarray(fit_on, dtype=np.float64)
    centre = basis.mean(axis=0)
    _u, s, vt = np.linalg.svd(basis - centre, full_matrices=False)
    axes = np.zeros((2, points.shape[1]))
    k = min(2, vt.shape[0])
    axes[:k] = vt[:k]
    variance = s**2
    share = np.zeros(2)
    share[:k] = variance[:k] / variance.sum() if variance.sum() > 0 else 0.0
    return (points - centre) @ axes.T, share


@dataclass(frozen=True)
class UnitScore:
    """One unit of one state with its r against the latent."""

    state: str  # "h" or "c"
    unit: int
    r: float


@dataclass(frozen=True, eq=False)
class ModelUnits:
    """How one model's units carry the latent, on the samples of a `UnitReport`."""

    ranking: tuple[UnitScore, ...]  # every unit of h (and c), largest |r| first
    probe_r2: float  # linear probe over all units of h (and c)
    states: dict[str, np.ndarray]  # "h", "c" -> (batch, timesteps, units)

    @property
    def best(self) -> UnitScore:
        """The unit with the largest |r|."""
        return self.ranking[0]


@dataclass(frozen=True, eq=False)
class UnitReport:
    """The trained model's units against its untrained twin's, on the same fresh samples."""

    task: str
    batch: TaskBatch
    trained: ModelUnits
    untrained: ModelUnits
    layer: str  # the recurrent layer's name


def model_units(model: keras.Model, batch: TaskBatch) -> tuple[str, ModelUnits]:
    """Trace `model` (a toy-task model with one recurrent layer) on `batch` and score its units."""
    tr = trace(model, batch.inputs)
    name = tr.names[0]
    layer = tr[name]
    states = {"h": np.asarray(layer.h)}
    if layer.c is not None:
        states["c"] = np.asarray(layer.c)
    scores = [UnitScore(state, int(u), float(r)) for state, values in states.items()
              for u, r in enumerate(unit_correlations(values, batch.latent))]
    ranking = tuple(sorted(scores, key=lambda s: -abs(s.r)))
    everything = np.concatenate(list(states.values()), axis=-1)
    return name, ModelUnits(ranking, linear_probe_r2(everything, batch.latent), states)


def find_units(model: keras.Model, untrained: keras.Model, task_name: str,
               n: int = FIND_SAMPLES, seed: int = FIND_SEED) -> UnitReport:
    """Rank the units of h and c of `model` and of its `untrained` twin by |r| with the task's latent.

    Both are run on the same `n` fresh samples (`seed` differs from every training and test seed).
    """
    batch = make_task(task_name).sample(n, seed)
    name, trained = model_units(model, batch)
    _names, before = model_units(untrained, batch)
    return UnitReport(task_name, batch, trained, before, name)

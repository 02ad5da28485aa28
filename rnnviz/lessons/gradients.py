"""The "Gradients through time" lesson: the shipped adding-problem models' gradient curves and saliency."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.adding import ADDING_CELLS, PRETRAINED_DIR, adding_path, adding_problem
from rnnviz.gradients import gradient_over_time, half_life, output_saliency, relative_to_last
from rnnviz.loading import load_model

CURVE_ROWS = 8  # adding-problem sequences each curve is averaged over
CURVE_SEED = 2026  # not a seed the models were trained, validated or tested on (1, 2, 3)


@dataclass(frozen=True)
class GradientCurve:
    """One model's ||d h_T / d x_t|| over the steps of the same adding-problem sequences."""

    cell: str
    trained: bool
    relative: np.ndarray  # (timesteps,) geometric mean over rows of norm[t] / norm[T-1]
    half_life: float  # steps over which the norm halves (rnnviz.gradients.half_life), inf if it does not fall
    rows: int


@dataclass(frozen=True)
class SaliencyExample:
    """One adding-problem sequence, the trained models' answers and their output's saliency over steps."""

    values: np.ndarray  # (timesteps,) channel 0: the numbers
    marked: tuple[int, int]  # the two marked steps
    target: float  # the sum of the two marked numbers
    predictions: dict  # {cell: the model's answer}
    saliency: dict  # {cell: (timesteps,) ||d y / d x_t||}


def adding_curve(cell: str, trained: bool, rows: int = CURVE_ROWS, seed: int = CURVE_SEED) -> GradientCurve:
    """The exact gradient curve of a shipped adding-problem model, averaged over `rows` sequences.

    Args:
        cell: "SimpleRNN", "GRU" or "LSTM".
        trained: the trained model, or the same model at Keras's default initialisation.
        rows: sequences to average over (the same ones for every model with the same seed).
        seed: seed of those sequences.

    Returns:
        A `GradientCurve`; the geometric mean is used because the norms span many orders of magnitude.
    """
    x, _ = adding_problem(rows, seed=seed)
    norms = gradient_over_time(load_model(adding_path(cell, trained)), x, layer=cell.lower())
    return GradientCurve(cell, trained, geometric_mean_relative(norms), half_life(norms), rows)


def geometric_mean_relative(norms: np.ndarray, *, backward: bool = False) -> np.ndarray:
    """(timesteps,) exp(mean over rows of log(norm[b, t] / norm[b, last])); zero norms are left out.

    Args:
        norms: (batch, timesteps). Each row is divided by its last nonzero step (the first for a
            backward direction), as `rnnviz.gradients.relative_to_last` does.
        backward: the norms are a backward direction's.

    Returns:
        The curve; a step that is zero in every row (masked, or below float32's range) is 0.
    """
    relative = np.atleast_2d(relative_to_last(norms, backward=backward))
    positive = relative > 0
    logs = np.log(np.where(positive, relative, 1.0))
    count = positive.sum(axis=0)
    mean = (logs * positive).sum(axis=0) / np.maximum(count, 1)
    return np.where(count > 0, np.exp(mean), 0.0)


def saliency_example(seed: int = 0, timesteps: int | None = None) -> SaliencyExample:
    """One adding-problem sequence and the trained models' output saliency over its steps.

    Args:
        seed: which sequence (adding_problem's seed).
        timesteps: length; None for the models' 100.

    Returns:
        A `SaliencyExample`.
    """
    x, y = adding_problem(1, seed=seed) if timesteps is None else adding_problem(1, timesteps, seed=seed)
    first, second = (int(t) for t in np.flatnonzero(x[0, :, 1]))
    predictions, saliency = {}, {}
    for cell in ADDING_CELLS:
        model = load_model(adding_path(cell, trained=True))
        predictions[cell] = float(model(x)[0, 0])
        saliency[cell] = output_saliency(model, x)[0]
    return SaliencyExample(x[0, :, 0].copy(), (first, second), float(y[0, 0]), predictions, saliency)


def marked_ratio(saliency: np.ndarray, marked: tuple[int, ...]) -> float:
    """Mean saliency of the marked steps over the mean of the unmarked ones."""
    mask = np.zeros(len(saliency), bool)
    mask[list(marked)] = True
    return float(saliency[mask].mean() / saliency[~mask].mean())


SHIPPED = PRETRAINED_DIR / "adding-gradients.npz"


@dataclass(frozen=True)
class GradientLesson:
    """Everything the lesson page draws from the shipped models, computed once by `compute_lesson`."""

    curves: tuple  # GradientCurve for each cell, untrained then trained
    example: SaliencyExample


def compute_lesson() -> GradientLesson:
    """Compute the lesson's curves and saliency example from the shipped models (several seconds)."""
    curves = tuple(adding_curve(cell, trained) for trained in (False, True) for cell in ADDING_CELLS)
    return GradientLesson(curves, saliency_example())


def save_lesson(lesson: GradientLesson, path=SHIPPED) -> None:
    """Write `lesson` as a numpy .npz (no pickles), so the page opens without running a model."""
    arrays = {"values": lesson.example.values, "marked": np.array(lesson.example.marked),
              "target": np.array(lesson.example.target)}
    for c in lesson.curves:
        key = f"{c.cell}-{'trained' if c.trained else 'untrained'}"
        arrays[f"relative/{key}"] = c.relative
        arrays[f"half_life/{key}"] = np.array(c.half_life)
        arrays[f"rows/{key}"] = np.array(c.rows)
    for cell in ADDING_CELLS:
        arrays[f"saliency/{cell}"] = lesson.example.saliency[cell]
        arrays[f"prediction/{cell}"] = np.array(lesson.example.predictions[cell])
    np.savez_compressed(path, **arrays)


def load_lesson(path=SHIPPED) -> GradientLesson:
    """The lesson as `save_lesson` wrote it (bench/make_adding_models.py ships it with the models)."""
    with np.load(path, allow_pickle=False) as data:
        curves = []
        for trained in (False, True):
            for cell in ADDING_CELLS:
                key = f"{cell}-{'trained' if trained else 'untrained'}"
                curves.append(GradientCurve(cell, trained, data[f"relative/{key}"], float(data[f"half_life/{key}"]),
                                            int(data[f"rows/{key}"])))
        example = SaliencyExample(
            data["values"], tuple(int(t) for t in data["marked"]), float(data["target"]),
            {cell: float(data[f"prediction/{cell}"]) for cell in ADDING_CELLS},
            {cell: data[f"saliency/{cell}"] for cell in ADDING_CELLS})
    return GradientLesson(tuple(curves), example)

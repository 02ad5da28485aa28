"""The adding problem (Hochreiter & Schmidhuber 1997) and rnnviz's shipped models trained on it.

Each sequence has two channels: channel 0 holds numbers drawn uniformly from [0, 1), channel 1 is 0
except at two steps marked with 1, one in each half of the sequence. The target is the sum of the two
marked numbers. Predicting the mean (1.0) scores an MSE of 1/6 ~ 0.167 (the variance of a sum of two
uniform numbers), so only a model that carries the first marked number across up to T steps does better.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rnnviz.i18n import _

ADDING_TIMESTEPS = 100
ADDING_CELLS = ("SimpleRNN", "GRU", "LSTM")
ADDING_BASELINE_MSE = 1.0 / 6.0  # Var(u1 + u2) for u ~ U(0, 1): the MSE of always predicting 1.0
PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
ADDING_SCORES = PRETRAINED_DIR / "adding-scores.json"


def adding_problem(n: int, timesteps: int = ADDING_TIMESTEPS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` adding-problem sequences.

    Args:
        n: number of sequences.
        timesteps: length of each, at least 2.
        seed: seed of numpy's generator; the same seed gives the same sequences.

    Returns:
        x: (n, timesteps, 2) float32, channel 0 the numbers, channel 1 the two markers;
        y: (n, 1) float32, the sum of the two marked numbers.
    """
    if n < 1 or timesteps < 2:
        raise ValueError(_(
            "adding_problem needs n >= 1 and timesteps >= 2; got n={n}, timesteps={timesteps}"
        ).format(n=n, timesteps=timesteps))
    rng = np.random.default_rng(seed)
    values = rng.random((n, timesteps), dtype=np.float32)
    half = timesteps // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, timesteps, n)
    markers = np.zeros((n, timesteps), np.float32)
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1)
    y = (values[rows, first] + values[rows, second])[:, None].astype(np.float32)
    return x, y


def adding_path(cell: str, trained: bool) -> Path:
    """Where the shipped adding-problem model of `cell` ("SimpleRNN", "GRU" or "LSTM") lives."""
    if cell not in ADDING_CELLS:
        raise ValueError(_(
            "no adding-problem model for cell {cell!r}; choose one of {join}"
        ).format(cell=cell, join=', '.join(ADDING_CELLS)))
    return PRETRAINED_DIR / f"adding-{cell.lower()}-{'trained' if trained else 'untrained'}.keras"


def adding_models(trained: bool = True) -> dict:
    """The shipped adding-problem models, {cell: keras.Model}, each Input(100, 2) -> cell(32) -> Dense(1).

    Args:
        trained: the trained models (bench/make_adding_models.py) or the same models at their
            Keras default initialisation, before any training.

    Returns:
        {"SimpleRNN": model, "GRU": model, "LSTM": model}, loaded fresh (safe mode) on every call.
    """
    from rnnviz.loading import load_model

    return {cell: load_model(adding_path(cell, trained)) for cell in ADDING_CELLS}


def adding_scores() -> dict:
    """The test MSE of each shipped model, {"LSTM": {"trained": mse, "untrained": mse, ...}, ...}."""
    return json.loads(ADDING_SCORES.read_text())

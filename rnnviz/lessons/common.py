"""What the lessons share: argument checks, seeded layers, seeded inputs, read-only arrays."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from rnnviz.i18n import _
from rnnviz.inputs import MAX_INPUT_VALUES
from rnnviz.limits import MAX_BATCH, MAX_FEATURES, MAX_TIMESTEPS, MAX_UNITS

KINDS = ("SimpleRNN", "GRU", "LSTM")
LAYER_CLASSES = {"SimpleRNN": keras.layers.SimpleRNN, "GRU": keras.layers.GRU, "LSTM": keras.layers.LSTM}
CELL_CLASSES = {"SimpleRNN": keras.layers.SimpleRNNCell, "GRU": keras.layers.GRUCell, "LSTM": keras.layers.LSTMCell}
STATE_COUNT = {"SimpleRNN": 1, "GRU": 1, "LSTM": 2}
MAX_SEED = 2**31 - 2  # the recurrent kernel takes seed + 1


def check_int(name: str, value: Any, low: int, high: int) -> int:
    """`value` as an int if it is a whole number in low..high; else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(_("{name} must be a whole number from {low} to {high}; got {value}").format(
            name=name, low=low, high=high, value=repr(value)))
    if not low <= value <= high:
        raise ValueError(_("{name} must be from {low} to {high}; got {value}").format(
            name=name, low=low, high=high, value=value))
    return int(value)


def check_kind(kind: Any) -> str:
    """`kind` if it is "SimpleRNN", "GRU" or "LSTM"; else a ValueError listing them."""
    if kind not in KINDS:
        raise ValueError(_("kind must be one of {kinds}; got {kind}").format(kinds=", ".join(KINDS), kind=repr(kind)))
    return kind


def check_shape(batch: int, timesteps: int, features: int, units: int) -> None:
    """Check the sizes of one lesson run against rnnviz's limits, each alone and together.

    The input (batch x timesteps x features) and every output sequence (batch x timesteps x units)
    must each hold at most MAX_INPUT_VALUES numbers (128 MiB of float32).
    """
    check_int("batch", batch, 1, MAX_BATCH)
    check_int("timesteps", timesteps, 1, MAX_TIMESTEPS)
    check_int("features", features, 1, MAX_FEATURES)
    check_int("units", units, 1, MAX_UNITS)
    widest = max(features, units)
    if batch * timesteps * widest > MAX_INPUT_VALUES:
        raise ValueError(_(
            "batch x timesteps x {widest_name} = {batch} x {timesteps} x {widest} "
            "= {values} values, more than the limit of {limit}: lower one of them"
        ).format(widest_name="features" if features >= units else "units", batch=batch, timesteps=timesteps,
                 widest=widest, values=f"{batch * timesteps * widest:,}", limit=f"{MAX_INPUT_VALUES:,}"))


def check_seed(seed: Any) -> int:
    """A seed from 0 to MAX_SEED."""
    return check_int("seed", seed, 0, MAX_SEED)


def initializers(seed: int) -> dict[str, keras.initializers.Initializer]:
    """Seeded kernel and recurrent initializers: the same seed always gives the same weights.

    The generated Keras code writes the same two lines, so it reproduces the numbers shown.
    """
    return {
        "kernel_initializer": keras.initializers.GlorotUniform(seed=seed),
        "recurrent_initializer": keras.initializers.Orthogonal(seed=seed + 1),
    }


def vivid_initializers(seed: int) -> dict[str, keras.initializers.Initializer]:
    """Seeded weights drawn larger than Keras's (as rnnviz's "vivid random" presets draw them), so an
    untrained layer's states spread over their range instead of staying near 0. The generated code
    writes the same three lines."""
    return {
        "kernel_initializer": keras.initializers.VarianceScaling(6.0, "fan_avg", "uniform", seed=seed),
        "recurrent_initializer": keras.initializers.Orthogonal(gain=1.5, seed=seed + 1),
        "bias_initializer": keras.initializers.RandomNormal(0.0, 0.5, seed=seed + 1000),
    }


def make_layer(kind: str, units: int, seed: int, *, vivid: bool = False, **kwargs: Any) -> keras.layers.Layer:
    """A built-in SimpleRNN, GRU or LSTM layer with seeded weights (vivid ones if asked); kwargs go to its
    constructor."""
    init = vivid_initializers(seed) if vivid else initializers(seed)
    return LAYER_CLASSES[check_kind(kind)](units, **init, **kwargs)


def make_cell(kind: str, units: int, seed: int, **kwargs: Any) -> keras.layers.Layer:
    """A SimpleRNNCell, GRUCell or LSTMCell with seeded weights."""
    return CELL_CLASSES[check_kind(kind)](units, **initializers(seed), **kwargs)


def random_input(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Uniform [0, 1) float32 values, like the guide's `np.random.random`, but seeded."""
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def frozen(values: Any) -> np.ndarray:
    """A read-only float32 copy, so a cached lesson can never be changed by the page that reads it."""
    a = np.array(values, dtype=np.float32)
    a.flags.writeable = False
    return a


def max_abs_diff(a: Any, b: Any) -> float:
    """The largest |a - b| over all elements, computed in float64."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(_("cannot compare arrays of shapes {first} and {second}").format(first=a.shape, second=b.shape))
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def run(model: keras.Model, inputs: Any) -> list[np.ndarray]:
    """The model's outputs as a list of numpy arrays, through Keras's compiled predict step."""
    out = model.predict_on_batch(inputs)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]

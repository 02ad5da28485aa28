"""Lesson "Bidirectional": a forward and a backward copy of a layer, merged.

`Bidirectional(layer)` runs the layer forward over the sequence and a copy with
`go_backwards=True` from the last step to the first, then merges their outputs: by
concatenation (Keras's default, 2 x units), sum, product or average (units), or not at all
(`merge_mode=None`, two tensors). With `return_sequences=True` the backward output is flipped
back onto the input's time axis, so both halves line up step by step. The backward half is just
a forward layer with its weights run on the reversed input; the lesson measures the difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from rnnviz.i18n import _
from rnnviz.lessons.common import (
    check_int,
    check_kind,
    check_seed,
    check_shape,
    frozen,
    make_layer,
    max_abs_diff,
    random_input,
    run,
)
from rnnviz.limits import MAX_FEATURES, MAX_TIMESTEPS, MAX_UNITS
from rnnviz.spec import MERGE_MODES

# The guide's model: Bidirectional(LSTM(64, return_sequences=True)) on (5, 10), then
# Bidirectional(LSTM(32)), then Dense(10).
GUIDE_INPUT = (5, 10)
GUIDE_LAYERS = ((64, True), (32, False))  # (units, return_sequences)
GATE_BLOCKS = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


@dataclass(frozen=True)
class BidirectionalLesson:
    """Both halves on one time axis, what the chosen merge returned, and the reversal proof."""

    kind: str
    units: int
    merge_mode: str | None
    inputs: np.ndarray  # (batch, timesteps, features)
    forward: np.ndarray  # (batch, timesteps, units) forward half, after reading steps 0..t
    backward: np.ndarray  # (batch, timesteps, units) backward half, after reading steps T-1..t
    merged: tuple[np.ndarray, ...]  # what Bidirectional returned: one array, or (forward, backward) for None
    merged_shapes: tuple[tuple[int | None, ...], ...]  # Keras's symbolic shapes, batch None
    reversed_run: np.ndarray  # (batch, timesteps, units) forward layer with the backward weights on x[:, ::-1], flipped back
    backward_difference: float  # max |backward - reversed_run|
    params: int  # both halves together


def merge_shapes(units: int, timesteps: int, features: int) -> dict[str, tuple[tuple[int | None, ...], ...]]:
    """Keras's output shapes of Bidirectional(LSTM(units, return_sequences=True)) under each merge mode.

    Args:
        units: units of each half.
        timesteps: steps of the input.
        features: values at each step.

    Returns:
        str(merge_mode) -> the shapes Keras computes, e.g. "concat" -> ((None, timesteps, 2 * units),).
    """
    units = check_int("units", units, 1, MAX_UNITS)
    timesteps = check_int("timesteps", timesteps, 1, MAX_TIMESTEPS)
    features = check_int("features", features, 1, MAX_FEATURES)
    out = {}
    for mode in MERGE_MODES:
        layer = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=True), merge_mode=mode)
        shapes = layer.compute_output_shape((None, timesteps, features))
        shapes = shapes if isinstance(shapes[0], (list, tuple)) else [shapes]  # None: one shape per half
        out[str(mode)] = tuple(tuple(s) for s in shapes)
    return out


def param_count(kind: str, units: int, features: int) -> int:
    """Parameters of Bidirectional(kind(units)) on `features` inputs: two halves, counted by formula.

    An LSTM half has 4 x units x (features + units + 1); a GRU half (reset_after) has
    3 x units x (features + units + 2); a SimpleRNN half units x (features + units + 1).
    """
    check_kind(kind)
    units = check_int("units", units, 1, MAX_UNITS)
    features = check_int("features", features, 1, MAX_FEATURES)
    biases = 2 if kind == "GRU" else 1
    return 2 * GATE_BLOCKS[kind] * units * (features + units + biases)


def guide_param_counts() -> tuple[int, int]:
    """The two Bidirectional layers of the guide's model, counted by Keras: (38,400, 41,216)."""
    inp = keras.Input(shape=GUIDE_INPUT)
    x, counts = inp, []
    for units, sequences in GUIDE_LAYERS:
        layer = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=sequences))
        x = layer(x)
        counts.append(layer.count_params())
    return counts[0], counts[1]


def _bidirectional(kind: str, units: int, seed: int, merge_mode: str | None) -> keras.layers.Bidirectional:
    """Seeded halves with different vivid weights (a plain copy would start equal to the forward half; Keras's
    own initial weights keep every value near 0, where the halves look alike)."""
    forward = make_layer(kind, units, seed, vivid=True, return_sequences=True)
    backward = make_layer(kind, units, seed + 2, vivid=True, return_sequences=True, go_backwards=True)
    return keras.layers.Bidirectional(forward, backward_layer=backward, merge_mode=merge_mode)


def run_bidirectional(
    kind: str = "LSTM",
    units: int = 64,
    *,
    merge_mode: str | None = "concat",
    batch: int = 2,
    timesteps: int = 5,
    features: int = 10,
    seed: int = 0,
) -> BidirectionalLesson:
    """Run Bidirectional(kind(units, return_sequences=True)) with the chosen merge mode.

    Args:
        kind: "SimpleRNN", "GRU" or "LSTM".
        units: units of each half.
        merge_mode: "concat", "sum", "mul", "ave" or None.
        batch: samples.
        timesteps: steps of each sample (the guide: 5).
        features: values at each step (the guide: 10).
        seed: fixes the weights (forward: seed, backward: seed + 2) and the input.

    Returns:
        The halves, the merged output, and the backward half recomputed on the reversed input.

    Raises:
        ValueError: for an unknown kind or merge mode, or a size outside rnnviz's limits.
    """
    check_kind(kind)
    if merge_mode not in MERGE_MODES:
        raise ValueError(_("merge_mode must be one of 'concat', 'sum', 'mul', 'ave' or None; got {merge_mode}").format(
            merge_mode=repr(merge_mode)))
    check_shape(batch, timesteps, features, units)
    check_seed(seed)
    x = random_input((batch, timesteps, features), seed)
    inp = keras.Input(shape=(timesteps, features))

    split = _bidirectional(kind, units, seed, None)
    forward, backward = run(keras.Model(inp, split(inp)), x)
    chosen = _bidirectional(kind, units, seed, merge_mode)
    chosen_model = keras.Model(inp, chosen(inp))
    merged = run(chosen_model, x)

    one_way = make_layer(kind, units, seed + 2, vivid=True, return_sequences=True)
    one_way_model = keras.Model(inp, one_way(inp))
    one_way.set_weights(split.backward_layer.get_weights())
    reversed_run = run(one_way_model, x[:, ::-1])[0][:, ::-1]
    outputs = chosen_model.outputs
    return BidirectionalLesson(
        kind=kind,
        units=units,
        merge_mode=merge_mode,
        inputs=frozen(x),
        forward=frozen(forward),
        backward=frozen(backward),
        merged=tuple(frozen(m) for m in merged),
        merged_shapes=tuple(tuple(t.shape) for t in outputs),
        reversed_run=frozen(reversed_run),
        backward_difference=max_abs_diff(backward, reversed_run),
        params=chosen.count_params(),
    )


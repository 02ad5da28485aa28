"""Lesson "Outputs and states": what `return_sequences` and `return_state` make a layer return.

By default a recurrent layer returns one vector per sample, its output after the last step:
(batch, units). With `return_sequences=True` it returns every step's output: (batch, timesteps,
units). With `return_state=True` it also returns its final states: h for SimpleRNN and GRU
(two tensors in all), h and c for LSTM (three). The last step of the sequence output is the
final hidden state h; the lesson measures the difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from rnnviz.lessons.common import (
    STATE_COUNT,
    check_kind,
    check_seed,
    check_shape,
    frozen,
    make_layer,
    max_abs_diff,
    random_input,
    run,
)

# The guide's example: random input of batch 64, 100 steps, 64 features into SimpleRNN(128).
GUIDE_EXAMPLE = {"kind": "SimpleRNN", "units": 128, "batch": 64, "timesteps": 100, "features": 64}


@dataclass(frozen=True)
class ReturnedTensor:
    """One tensor a layer returned, named as the Keras docs name it."""

    name: str  # "output", "whole_sequence_output", "final_state", "final_memory_state", "final_carry_state"
    role: str  # "output", "h" (hidden state) or "c" (LSTM cell state)
    symbolic_shape: tuple[int | None, ...]  # Keras's shape, batch None: (None, units) or (None, timesteps, units)
    values: np.ndarray  # (batch, units) or (batch, timesteps, units)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the values, e.g. (64, 100, 128)."""
        return tuple(self.values.shape)


@dataclass(frozen=True)
class OutputsLesson:
    """What one layer returned, and the proof that the last output step is the final h."""

    kind: str
    units: int
    return_sequences: bool
    return_state: bool
    inputs: np.ndarray  # (batch, timesteps, features)
    returned: tuple[ReturnedTensor, ...]  # in Keras's order: the output, then the states
    sequence: np.ndarray  # (batch, timesteps, units) every step's output, same weights
    final_states: tuple[np.ndarray, ...]  # each (batch, units): (h,) or (h, c) for LSTM
    last_step_difference: float  # max |sequence[:, -1] - h|
    kernel: np.ndarray  # (features, k * units), k = 1, 3, 4 for SimpleRNN, GRU, LSTM
    recurrent_kernel: np.ndarray  # (units, k * units)
    bias: np.ndarray  # (k * units,), or (2, 3 * units) for GRU (reset_after)


def returned_names(kind: str, return_sequences: bool, return_state: bool) -> tuple[tuple[str, str], ...]:
    """(name, role) of each tensor the layer returns, in Keras's order.

    Args:
        kind: "SimpleRNN", "GRU" or "LSTM".
        return_sequences: whether the output covers every step.
        return_state: whether the final states follow the output.

    Returns:
        One pair per returned tensor, e.g. (("output", "output"), ("final_state", "h")).
    """
    check_kind(kind)
    out = [("whole_sequence_output" if return_sequences else "output", "output")]
    if return_state:
        if kind == "LSTM":
            out += [("final_memory_state", "h"), ("final_carry_state", "c")]
        else:
            out.append(("final_state", "h"))
    return tuple(out)


def run_outputs(
    kind: str = "SimpleRNN",
    units: int = 128,
    *,
    return_sequences: bool = False,
    return_state: bool = False,
    batch: int = 64,
    timesteps: int = 100,
    features: int = 64,
    seed: int = 0,
) -> OutputsLesson:
    """Run one layer with the chosen switches on seeded random input, and a twin with both on.

    Args:
        kind: "SimpleRNN", "GRU" or "LSTM".
        units: the layer's units.
        return_sequences: the switch of the layer shown.
        return_state: the switch of the layer shown.
        batch: samples in the input.
        timesteps: steps of each sample.
        features: values at each step.
        seed: fixes the weights and the input.

    Returns:
        The tensors the layer returned, the whole output sequence and final states of a twin
        layer with the same weights, and their difference at the last step.

    Raises:
        ValueError: for an unknown kind or a size outside rnnviz's limits.
    """
    check_kind(kind)
    check_shape(batch, timesteps, features, units)
    check_seed(seed)
    x = random_input((batch, timesteps, features), seed)
    inp = keras.Input(shape=(timesteps, features))
    shown = make_layer(kind, units, seed, return_sequences=return_sequences, return_state=return_state)
    model = keras.Model(inp, shown(inp))
    values = run(model, x)
    names = returned_names(kind, return_sequences, return_state)
    returned = tuple(
        ReturnedTensor(name, role, tuple(t.shape), frozen(v))
        for (name, role), t, v in zip(names, model.outputs, values)
    )
    twin = make_layer(kind, units, seed, return_sequences=True, return_state=True)
    full = keras.Model(inp, twin(inp))
    twin.set_weights(shown.get_weights())
    sequence, *states = run(full, x)
    weights = [w.numpy() for w in (shown.cell.kernel, shown.cell.recurrent_kernel, shown.cell.bias)]
    return OutputsLesson(
        kind=kind,
        units=units,
        return_sequences=return_sequences,
        return_state=return_state,
        inputs=frozen(x),
        returned=returned,
        sequence=frozen(sequence),
        final_states=tuple(frozen(s) for s in states[: STATE_COUNT[kind]]),
        last_step_difference=max_abs_diff(sequence[:, -1], states[0]),
        kernel=frozen(weights[0]),
        recurrent_kernel=frozen(weights[1]),
        bias=frozen(weights[2]),
    )

"""Numpy recurrences for the lesson tests, from weights the tests make themselves.

The weights come from Keras's seeded initializers, as the lessons (and the code they print)
promise: GlorotUniform(seed) for the kernel, Orthogonal(seed + 1) for the recurrent kernel,
zeros for the bias except the LSTM forget gate's ones (unit_forget_bias). The steps are
tests/reference.py's, written independently of rnnviz.
"""

from __future__ import annotations

import keras
import numpy as np

from tests.reference import ACTIVATIONS, gru_step, lstm_step, simple_step

BLOCKS = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


def seeded_weights(kind: str, units: int, features: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kernel, recurrent_kernel, bias) as a freshly built seeded layer starts."""
    k = BLOCKS[kind]
    kernel = np.asarray(keras.initializers.GlorotUniform(seed=seed)((features, k * units)), np.float64)
    recurrent = np.asarray(keras.initializers.Orthogonal(seed=seed + 1)((units, k * units)), np.float64)
    if kind == "GRU":
        bias = np.zeros((2, 3 * units))
    else:
        bias = np.zeros(k * units)
        if kind == "LSTM":
            bias[units : 2 * units] = 1.0  # unit_forget_bias
    return kernel, recurrent, bias


def vivid_weights(kind: str, units: int, features: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kernel, recurrent_kernel, bias) of a layer built with the lessons' vivid initializers, drawn here
    as Keras's cells draw them (an LSTM's bias: i from the initializer, f ones, then c and o)."""
    k = BLOCKS[kind]
    kernel = np.asarray(keras.initializers.VarianceScaling(6.0, "fan_avg", "uniform", seed=seed)(
        (features, k * units)), np.float64)
    recurrent = np.asarray(keras.initializers.Orthogonal(gain=1.5, seed=seed + 1)((units, k * units)), np.float64)
    normal = keras.initializers.RandomNormal(0.0, 0.5, seed=seed + 1000)
    if kind == "LSTM":
        bias = np.concatenate([np.asarray(normal((units,))), np.ones(units), np.asarray(normal((2 * units,)))])
    else:
        bias = np.asarray(normal((2, 3 * units) if kind == "GRU" else (units,)))
    return kernel, recurrent, np.asarray(bias, np.float64)


def recurrence(kind, x, weights, initial=None, *, activation="tanh", recurrent_activation="sigmoid",
               reset_after=True, backwards=False, use_bias=True):
    """Step a layer's recurrence over x (batch, T, F) in float64.

    Returns:
        (h, c, final): h and c (None unless LSTM) indexed by input step, each (batch, T, units);
        final, the states after the last step read.
    """
    kernel, recurrent, bias = weights
    bias = bias if use_bias else None
    act, rec = ACTIVATIONS[activation], ACTIVATIONS[recurrent_activation]
    x = np.asarray(x, np.float64)
    batch, steps, _ = x.shape
    units = recurrent.shape[0]
    n = 2 if kind == "LSTM" else 1
    states = tuple(np.zeros((batch, units)) for _ in range(n)) if initial is None else tuple(
        np.asarray(s, np.float64) for s in initial)
    h_all, c_all = np.zeros((batch, steps, units)), np.zeros((batch, steps, units))
    for t in (range(steps - 1, -1, -1) if backwards else range(steps)):
        if kind == "LSTM":
            states, _ = lstm_step(x[:, t], *states, kernel, recurrent, bias, act, rec)
            c_all[:, t] = states[1]
        elif kind == "GRU":
            states, _ = gru_step(x[:, t], states[0], kernel, recurrent, bias, act, rec, reset_after)
        else:
            states, _ = simple_step(x[:, t], states[0], kernel, recurrent, bias, act)
        h_all[:, t] = states[0]
    return h_all, (c_all if kind == "LSTM" else None), states


def uniform_input(shape, seed):
    """The lessons' input: numpy's default_rng(seed).random, float32."""
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


TOL = 2e-5  # float32 Keras against float64 numpy

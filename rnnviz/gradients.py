"""Gradients through time: how much a recurrent layer's final state still depends on each input step.

For one batch row b and input step t, `gradient_over_time` gives ||d h_T[b] / d x[b, t]||_F, the
Frobenius norm of the Jacobian of the layer's final hidden state with respect to the layer's own input
at step t (after an Embedding: the embedding vector). A norm that falls off exponentially towards the
early steps is the vanishing gradient: what happened there barely moves the final state, so training
cannot learn to use it. `output_saliency` gives the same norm for the model's output.

Two ways to compute it, both from one replicated batch and one backward pass:

- "exact": the batch is repeated once per unit of h_T (per output value for the saliency); copy k
  differentiates unit k, so the squared gradients summed over copies are the squared Frobenius norm.
- "estimate": the batch is repeated `samples` times; copy k differentiates v_k . h_T for a standard
  Gaussian vector v_k. Since E ||v^T J||^2 = ||J||_F^2, the root of the mean of the squared gradients
  estimates the norm. It is an estimate: each point is off by a random factor (with 4 samples of a
  32-unit layer, typically within a factor of 1.5), but the decay over steps, and so the half-life,
  comes out nearly the same, at a fraction of the exact cost when the layer has many units.

Rows never mix inside a recurrent layer, so the copies of one row do not interfere with one another.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras.src.backend.common.masking import set_keras_mask

from rnnviz.adding import adding_models  # noqa: F401  (rnnviz.gradients.adding_models: the shipped models)
from rnnviz.i18n import _
from rnnviz.limits import MAX_GRADIENT_CELLS
from rnnviz.trace import _prepare
from rnnviz.trace_graph import _resolve_call, _split_state, functional_of, replay, walk_operations

METHODS = ("exact", "estimate")
DIRECTIONS = ("forward", "backward")
DEFAULT_SAMPLES = 4
_RECURRENT = (keras.layers.RNN, keras.layers.Bidirectional)
_TWINS: "weakref.WeakKeyDictionary[keras.layers.Layer, tuple]" = weakref.WeakKeyDictionary()
_TWINS_GUARD = threading.Lock()


def gradient_over_time(model: keras.Model, inputs: Any, layer: str, method: str = "exact", *,
                       direction: str = "forward", samples: int = DEFAULT_SAMPLES, seed: int = 0) -> np.ndarray:
    """Norm of the gradient of a recurrent layer's final hidden state with respect to each input step.

    Args:
        model: a built Functional or Sequential `keras.Model`.
        inputs: what `model(inputs)` takes (one array, a list, or a dict keyed by input name).
        layer: the name of a SimpleRNN, GRU, LSTM, RNN(cell) or Bidirectional layer of the model.
        method: "exact" (the Frobenius norm of each step's Jacobian) or "estimate" (a random-projection
            estimate of it from `samples` Gaussian directions; see the module docstring).
        direction: for a Bidirectional layer, whose final state: "forward" (read steps 0..T-1, final
            state after step T-1) or "backward" (read T-1..0, final state after step 0). A plain layer
            has only "forward", whatever its go_backwards.
        samples: random directions of the estimate (ignored by "exact").
        seed: seed of the estimate's directions; the same seed gives the same estimate.

    Returns:
        (batch, timesteps) float32, indexed by input step t (not by reading order): ||d h_T[b] / d x[b, t]||_F.
        Masked steps are 0 (they do not reach the state).

    Raises:
        ValueError: unknown or non-recurrent layer, bad method, direction or samples, inputs that do not
            fit the model, or a computation over `MAX_GRADIENT_CELLS`; the message says what to change.
    """
    _check_method(method, samples)
    target = _find_layer(model, layer)
    half = _direction_layer(target, direction)
    _tracer, arrays = _prepare(model, inputs)
    call = _layer_call(model, target, arrays)
    x = tf.cast(call.sequences, half.cell.compute_dtype)
    if x.shape.rank != 3:
        raise ValueError(_(
            "layer '{layer}' receives a {rank}-D input {tuple}; gradients over time need (batch, timesteps, "
            "features)"
        ).format(layer=layer, rank=x.shape.rank, tuple=tuple(x.shape)))
    batch, steps = int(x.shape[0]), int(x.shape[1])
    copies = half.cell.units if method == "exact" else samples
    _check_cost(batch * copies, steps, half.cell.units, _("layer '{name}'").format(name=layer), method)
    initial = _initial_states(target, half, call.initial_state)
    mask = None if call.mask is None else tf.tile(call.mask, [copies, 1])
    init = None if initial is None else [tf.tile(s, [copies, 1]) for s in initial]
    with _twin_of(half, x.shape) as backward:
        norms = _jacobian_norms(backward, x, half.cell.units, method, samples, seed, mask, init)
    if call.mask is not None:
        norms = norms * call.mask.numpy()
    return norms.astype(np.float32)


def output_saliency(model: keras.Model, inputs: Any, method: str = "exact", *,
                    samples: int = DEFAULT_SAMPLES, seed: int = 0) -> np.ndarray:
    """Norm of the gradient of the model's output with respect to each input step.

    Args:
        model: a built Functional or Sequential `keras.Model` with one input: float features
            (batch, timesteps, features), or integer ids read by an Embedding (then the gradient is with
            respect to the embedding vectors).
        inputs: the input array (or a one-element list / dict).
        method: "exact" or "estimate", as for `gradient_over_time`.
        samples: random directions of the estimate.
        seed: seed of the estimate's directions.

    Returns:
        (batch, timesteps) float32: ||d y[b] / d x[b, t]||_F, with y[b] every output value of row b
        (all outputs together, flattened). Steps masked by an Embedding's mask_zero are 0.

    Raises:
        ValueError: a model with several inputs, inputs that do not fit, or a computation over
            `MAX_GRADIENT_CELLS`.
    """
    _check_method(method, samples)
    _tracer, arrays = _prepare(model, inputs)
    functional = functional_of(model)
    if len(arrays) != 1:
        raise ValueError(_(
            "output_saliency takes a model with one input; model '{name}' has {count}. For one recurrent "
            "layer inside it, use gradient_over_time(model, inputs, layer=NAME)"
        ).format(name=model.name, count=len(arrays)))
    ids = tf.convert_to_tensor(arrays[0])
    embedding = _first_embedding(functional)
    if embedding is not None:
        x, mask = embedding(ids), embedding.compute_mask(ids)
    else:
        x, mask = tf.cast(ids, "float32"), None
    if x.shape.rank != 3:
        raise ValueError(_(
            "model '{name}' takes a {rank}-D input {tuple}; output saliency needs steps: (batch, timesteps, "
            "features) or (batch, timesteps) token ids"
        ).format(name=model.name, rank=x.shape.rank, tuple=tuple(x.shape)))
    batch, steps = int(x.shape[0]), int(x.shape[1])
    width = int(np.prod([np.prod(o.shape[1:]) for o in functional.outputs]))
    copies = width if method == "exact" else samples
    units = max([op.cell.units for op, _node in walk_operations(functional) if isinstance(op, keras.layers.RNN)]
                + [op.forward_layer.cell.units for op, _node in walk_operations(functional)
                   if isinstance(op, keras.layers.Bidirectional)] + [1])
    _check_cost(batch * copies, steps, units, _("the output of model '{name}'").format(name=model.name), method)

    def output(x_rep: tf.Tensor, reps: int) -> tf.Tensor:
        if embedding is None:
            outs = replay(functional, [x_rep], lambda op, a, k: op(*a, **k))
        else:
            if mask is not None:
                set_keras_mask(x_rep, tf.tile(mask, [reps, 1]))
            outs = replay(functional, [tf.tile(ids, [reps, 1])], _swap_embedding(embedding, x_rep))
        return tf.concat([tf.reshape(o, [tf.shape(o)[0], -1]) for o in outs], axis=1)

    norms = _jacobian_norms(_backward_of(lambda x_rep: output(x_rep, copies)), x, width, method, samples, seed)
    if mask is not None:
        norms = norms * mask.numpy()
    return norms.astype(np.float32)


def half_life(norms: np.ndarray, *, backward: bool = False) -> float:
    """Steps over which the gradient norm halves, going back from the last step read.

    Defined from a least-squares fit of log2(norm) against the distance from the last step read
    (T-1-t; for a backward direction, t), with its own intercept per row, pooled over the rows:
    log2 norm[b, t] ~ a_b - distance / half_life. Zero norms (masked steps) are left out. The fit does
    not depend on which step the curve is divided by, so it is the half-life of the curve relative to
    its last step too.

    Args:
        norms: (timesteps,) or (batch, timesteps), e.g. from `gradient_over_time`.
        backward: the curve is a backward direction's (its last step read is t = 0).

    Returns:
        The half-life in steps; `inf` when the norm does not fall off (a flat or rising fit), `nan`
        with fewer than two usable steps.
    """
    curve = np.atleast_2d(np.asarray(norms, np.float64))
    steps = curve.shape[1]
    distance = np.arange(steps, dtype=np.float64) if backward else np.arange(steps - 1, -1, -1, dtype=np.float64)
    dx, dy = [], []
    for row in curve:
        keep = np.isfinite(row) & (row > 0)
        if keep.sum() < 2:
            continue
        d, y = distance[keep], np.log2(row[keep])
        dx.append(d - d.mean())
        dy.append(y - y.mean())
    if not dx:
        return float("nan")
    dx, dy = np.concatenate(dx), np.concatenate(dy)
    slope = float(dx @ dy / (dx @ dx))
    return float("inf") if slope >= 0 else -1.0 / slope


def relative_to_last(norms: np.ndarray, *, backward: bool = False) -> np.ndarray:
    """A curve divided by its value at the last step read (t = T-1; t = 0 for a backward direction).

    Args:
        norms: (timesteps,) or (batch, timesteps).
        backward: the curve is a backward direction's.

    Returns:
        The same shape; a row whose last step is 0 (masked) is divided by its last nonzero step.
    """
    curve = np.atleast_2d(np.asarray(norms, np.float64))
    out = np.zeros_like(curve)
    for i, row in enumerate(curve):
        nonzero = np.flatnonzero(row > 0)
        if nonzero.size:
            out[i] = row / row[nonzero[0] if backward else nonzero[-1]]
    return out.reshape(np.shape(norms))


def _jacobian_norms(backward: Callable, x: tf.Tensor, width: int, method: str, samples: int, seed: int,
                    *extra: Any) -> np.ndarray:
    """(batch, timesteps) norms of d f(x)[b] / d x[b, t] from `backward(x_rep, v, *extra)` (see `_backward_of`)."""
    batch = int(x.shape[0])
    reps = width if method == "exact" else samples
    if method == "exact":
        v = np.broadcast_to(np.eye(width)[:, None, :], (reps, batch, width))  # copy k keeps unit k
    else:
        v = np.random.default_rng(seed).standard_normal((reps, batch, width))
    grad = backward(tf.tile(x, [reps, 1, 1]), tf.constant(v, tf.float32), *extra)
    # In float64: squares of float32 gradients below ~1e-19 would flush to zero.
    grad = grad.numpy().astype(np.float64).reshape(reps, batch, *x.shape[1:])
    squares = np.square(grad).sum(axis=-1)
    return np.sqrt(squares.sum(0) if method == "exact" else squares.mean(0))


def _backward_of(f: Callable[..., tf.Tensor]) -> Callable:
    """backward(x_rep, v, *extra): d sum(v * f(x_rep, *extra)) / d x_rep, f giving (rows, width), rows independent.

    One graph: the recurrence's loop run eagerly costs several times more.
    """
    @tf.function(autograph=False)
    def backward(x_rep: tf.Tensor, v: tf.Tensor, *extra: Any) -> tf.Tensor:
        with tf.GradientTape() as tape:
            tape.watch(x_rep)
            y = tf.reshape(f(x_rep, *extra), tf.shape(v))
            picked = tf.reduce_sum(y * tf.cast(v, y.dtype))
        return tape.gradient(picked, x_rep)

    return backward


def _check_method(method: str, samples: int) -> None:
    if method not in METHODS:
        raise ValueError(_(
            "method={method!r} is not known; use method='exact' or method='estimate'"
        ).format(method=method))
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 1 <= samples <= 64:
        raise ValueError(_(
            "samples={samples!r}: give a whole number from 1 to 64 of random directions"
        ).format(samples=samples))


class GradientCostError(ValueError):
    """Gradients over the cell limit (`MAX_GRADIENT_CELLS`); with method="exact", method="estimate" may fit."""


def _check_cost(rows: int, steps: int, units: int, what: str, method: str) -> None:
    cells = rows * steps * units
    if cells > MAX_GRADIENT_CELLS:
        if method == "exact":
            message = _("the gradients of {what} would run {rows:,} rows x {steps:,} steps x {units:,} units = "
                        "{cells:,} cells, over the limit of {limit:,}; use method='estimate', or pass fewer "
                        "sequences or shorter ones")
        else:
            message = _("the gradients of {what} would run {rows:,} rows x {steps:,} steps x {units:,} units = "
                        "{cells:,} cells, over the limit of {limit:,}; pass fewer sequences or shorter ones")
        raise GradientCostError(message.format(what=what, rows=rows, steps=steps, units=units, cells=cells,
                                               limit=MAX_GRADIENT_CELLS))


def _find_layer(model: keras.Model, name: str) -> keras.layers.Layer:
    if not isinstance(model, keras.Model) or functional_of(model) is None:
        raise ValueError(_(
            "gradient_over_time needs a Functional or Sequential keras.Model; load one with "
            "rnnviz.load_model(path)"
        ))
    ops = [op for op, _node in walk_operations(functional_of(model))]
    recurrent = [op.name for op in ops if isinstance(op, _RECURRENT)]
    found = next((op for op in ops if op.name == name), None)
    if found is None:
        raise ValueError(_(
            "model '{name}' has no layer named {name2!r}; its recurrent layers are {value}. Pass layer= one "
            "of those"
        ).format(name=model.name, name2=name, value=', '.join(recurrent) or _('none')))
    if not isinstance(found, _RECURRENT):
        raise ValueError(_(
            "layer {name!r} is a {type_name}, not a recurrent layer; pass layer= one of {value}"
        ).format(
            name=name,
            type_name=type(found).__name__,
            value=', '.join(recurrent) or _('(none: this model has no recurrent layer)'),
        ))
    return found


def _direction_layer(layer: keras.layers.Layer, direction: str) -> keras.layers.RNN:
    if direction not in DIRECTIONS:
        raise ValueError(_(
            "direction={direction!r} is not known; use 'forward' or 'backward'"
        ).format(direction=direction))
    if isinstance(layer, keras.layers.Bidirectional):
        return layer.forward_layer if direction == "forward" else layer.backward_layer
    if direction == "backward":
        raise ValueError(_(
            "layer '{name}' is a {type_name}, not Bidirectional; it has one direction: leave "
            "direction='forward'"
        ).format(name=layer.name, type_name=type(layer).__name__))
    return layer


class _Found(Exception):
    def __init__(self, call):
        self.call = call


def _layer_call(model: keras.Model, target: keras.layers.Layer, arrays: list[np.ndarray]):
    """The arguments `target` receives when the model runs on `arrays` (its input, mask, initial state)."""
    def call(op, args, kwargs):
        if op is target:
            raise _Found(_resolve_call(op, args, kwargs))
        return op(*args, **kwargs)  # eager, outside fit: inference (no dropout)

    try:
        replay(functional_of(model), [tf.convert_to_tensor(a) for a in arrays], call)
    except _Found as found:
        return found.call
    raise ValueError(_(
        "layer '{name}' is not reached from the model's inputs; pick a layer the inputs feed"
    ).format(name=target.name))


def _initial_states(layer: keras.layers.Layer, half: keras.layers.RNN, given: list | None) -> list | None:
    if given is not None:
        if isinstance(layer, keras.layers.Bidirectional):
            given = _split_state(given, 2)[0 if half is layer.forward_layer else 1]
        return [tf.cast(s, half.cell.compute_dtype) for s in given]
    if half.stateful and half.states is not None:
        return [tf.convert_to_tensor(v.value) for v in keras.tree.flatten(half.states)]
    return None


@contextlib.contextmanager
def _twin_of(layer: keras.layers.RNN, input_shape: tf.TensorShape) -> Iterator[Callable]:
    """The backward pass of a copy of `layer` that returns only its final hidden state, stateless.

    The copy and its compiled graph are kept per layer (while the layer lives), so a second call costs
    no tracing; the layer's current weights are copied in on every call, under a lock per layer.
    """
    with _TWINS_GUARD:
        entry = _TWINS.get(layer)
        if entry is None or entry[0] != tuple(input_shape[1:]):
            config = {**layer.get_config(), "return_sequences": False, "return_state": False, "stateful": False}
            twin = type(layer).from_config(config)
            twin.build((None, *input_shape[1:]))
            backward = _backward_of(lambda x, mask, init: twin(x, mask=mask, initial_state=init, training=False))
            entry = (tuple(input_shape[1:]), twin, backward, threading.Lock())
            _TWINS[layer] = entry
    _key, twin, backward, lock = entry
    with lock:
        twin.cell.set_weights(layer.cell.get_weights())
        yield backward


def _first_embedding(functional: Any) -> keras.layers.Embedding | None:
    """The Embedding that reads the model's input directly, if any."""
    for op, node in walk_operations(functional):
        if isinstance(op, keras.layers.Embedding) and any(t is functional.inputs[0] for t in node.input_tensors):
            return op
    return None


def _swap_embedding(embedding: keras.layers.Embedding, vectors: tf.Tensor) -> Callable:
    """A replay call that hands on `vectors` where the Embedding would look the ids up."""
    def call(op, args, kwargs):
        if op is embedding:
            return vectors
        return op(*args, **kwargs)

    return call


__all__ = ["gradient_over_time", "output_saliency", "half_life", "relative_to_last", "adding_models", "GradientCostError"]

"""Capture what Keras's recurrent layers never hand back: every step's states and gates.

`trace(model, inputs)` runs a built Functional or Sequential model on `inputs` and returns, for each
LSTM, GRU, SimpleRNN, `RNN(cell)` and Bidirectional layer, the hidden state (and the LSTM cell
state) after every input step, every gate, the initial and final states, the mask and what the layer
returned. The numbers are Keras's own: the model's graph is replayed with each recurrent layer run
by a loop that repeats its cell's operations on its own weights (see `trace_cells`), compiled once
per model with `tf.function`, so a warm trace costs about one forward pass.

Index convention: arrays are indexed by input step t. For a layer with go_backwards, or the backward
half of a Bidirectional layer, `h[:, t]` is the state after reading input step t (having read
T-1..t). `outputs` are exactly what Keras returned, in Keras's own order.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras.src import tree

from rnnviz import limits, trace_cells, trace_cost, trace_graph
from rnnviz.i18n import _

MAX_TRACE_BYTES = limits.MAX_TRACE_BYTES  # the arrays of one trace, all together


@dataclass(frozen=True, eq=False)
class DirectionTrace:
    """One pass of a cell over the sequence. Arrays are float32 and read-only."""

    h: np.ndarray  # (batch, timesteps, units) hidden state after reading input step t
    c: np.ndarray | None  # (batch, timesteps, units) LSTM cell state after step t; None for GRU, SimpleRNN
    gates: dict[str, np.ndarray]  # name -> (batch, timesteps, units); zeros at masked steps
    initial_state: tuple[np.ndarray, ...]  # each (batch, units): (h, c) for an LSTM, (h,) otherwise
    final_state: tuple[np.ndarray, ...]  # each (batch, units), the states after the last step read
    go_backwards: bool  # read T-1..0; arrays are still indexed by input step


@dataclass(frozen=True, eq=False)
class LayerTrace:
    """A recurrent layer's trace. `h`, `c`, `gates`, `initial_state`, `final_state` read the forward
    direction of a unidirectional layer; a Bidirectional layer has `forward` and `backward`."""

    name: str
    kind: str  # "LSTM", "GRU", "SimpleRNN" or "Bidirectional"
    inner_kind: str  # the cell's kind: "LSTM", "GRU" or "SimpleRNN"
    layer_class: str  # the Keras class: "LSTM", "GRU", "SimpleRNN", "RNN" or "Bidirectional"
    units: int
    forward: DirectionTrace
    backward: DirectionTrace | None
    outputs: tuple[np.ndarray, ...]  # what Keras returned: the output(s), then the states if return_state
    mask: np.ndarray | None  # (batch, timesteps) bool, False at a masked step
    go_backwards: bool
    kernel: str  # "cudnn" or "generic": the kernel the layer itself runs here
    kernel_reason: str
    input_steps: int  # timesteps
    return_sequences: bool
    return_state: bool
    stateful: bool
    merge_mode: str | None  # Bidirectional only

    def _one(self) -> DirectionTrace:
        if self.backward is not None:
            raise AttributeError(
                f"layer '{self.name}' is Bidirectional: read .forward or .backward (e.g. tr['{self.name}'].forward.h)"
            )
        return self.forward

    @property
    def h(self) -> np.ndarray:
        """(batch, timesteps, units) hidden state after each input step."""
        return self._one().h

    @property
    def c(self) -> np.ndarray | None:
        """(batch, timesteps, units) LSTM cell state after each input step; None otherwise."""
        return self._one().c

    @property
    def gates(self) -> dict[str, np.ndarray]:
        """Gate name -> (batch, timesteps, units)."""
        return self._one().gates

    @property
    def initial_state(self) -> tuple[np.ndarray, ...]:
        """The states the layer started from, each (batch, units)."""
        return self._one().initial_state

    @property
    def final_state(self) -> tuple[np.ndarray, ...]:
        """The states after the last step, each (batch, units)."""
        return self._one().final_state


@dataclass(frozen=True, eq=False)
class Trace(Mapping):
    """Traced layers by name, in model order; `skipped` says why any recurrent layer was not traced."""

    layers: dict[str, LayerTrace]
    skipped: dict[str, str]  # layer name -> why it is not traced
    device: str  # where the trace ran: "CPU" or "GPU:0"
    model_outputs: tuple[np.ndarray, ...]  # the model's outputs for these inputs, float32

    def __getitem__(self, name: str) -> LayerTrace:
        if name in self.layers:
            return self.layers[name]
        if name in self.skipped:
            raise KeyError(f"layer '{name}' was not traced: {self.skipped[name]}")
        raise KeyError(f"no traced layer '{name}'; traced layers: {', '.join(self.layers) or 'none'}")

    def __iter__(self) -> Iterator[str]:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    @property
    def names(self) -> tuple[str, ...]:
        """Traced layer names in model order."""
        return tuple(self.layers)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array under a path-like key: "lstm/h", "bi/backward/c", "gru/gates/update", "lstm/mask"."""
        out: dict[str, np.ndarray] = {}
        for name, layer in self.layers.items():
            halves = [("forward", layer.forward), ("backward", layer.backward)] if layer.backward else [("", layer.forward)]
            for label, d in halves:
                prefix = f"{name}/{label}/" if label else f"{name}/"
                out[prefix + "h"] = d.h
                if d.c is not None:
                    out[prefix + "c"] = d.c
                out.update({f"{prefix}gates/{g}": v for g, v in d.gates.items()})
                out.update({f"{prefix}initial_state/{i}": v for i, v in enumerate(d.initial_state)})
                out.update({f"{prefix}final_state/{i}": v for i, v in enumerate(d.final_state)})
            out.update({f"{name}/outputs/{i}": v for i, v in enumerate(layer.outputs)})
            if layer.mask is not None:
                out[f"{name}/mask"] = layer.mask
        out.update({f"model_outputs/{i}": v for i, v in enumerate(self.model_outputs)})
        return out

    def npz_bytes(self) -> bytes:
        """`arrays()` as the bytes of an .npz file: what `rnnviz trace --out` writes."""
        buf = io.BytesIO()
        np.savez(buf, **self.arrays())
        return buf.getvalue()


def trace(model: keras.Model, inputs: Any, *, advance_state: bool = False) -> Trace:
    """Run a model on `inputs` and capture every step of its recurrent layers.

    Args:
        model: a built Functional or Sequential `keras.Model`, e.g. from `rnnviz.load_model`.
        inputs: what `model(inputs)` takes: one array, a list of arrays (one per model input) or a
            dict keyed by input name. Integer ids for an Embedding, floats otherwise.
        advance_state: for stateful layers only. The trace always starts from the state each
            stateful layer carries now, as calling the model would. With False (the default)
            tracing leaves that state as it was; with True it stores the final states in the
            layers, exactly as `model(inputs)` does.

    Returns:
        A `Trace`: `tr["lstm"].h` is (batch, timesteps, units); layers rnnviz cannot trace (a custom
        cell, say) are named in `tr.skipped` with the reason.

    Raises:
        ValueError: the model or inputs do not fit (wrong number, shape or dtype of inputs, no
            recurrent layer, a subclassed model), more than `limits.MAX_BATCH` sequences or
            `limits.MAX_TIMESTEPS` steps, or a trace whose estimated memory (`estimate_trace_bytes`)
            would pass `MAX_TRACE_BYTES`; all checked from shapes before anything runs.
    """
    tracer, arrays = _prepare(model, inputs)
    trace_cost.check_bytes(_estimate(model, tracer, arrays), MAX_TRACE_BYTES)
    if not tracer.plan.layers:
        return Trace({}, tracer.reasons()[1], _device(None), ())
    tensors = [tf.convert_to_tensor(a) for a in arrays]
    try:
        result = tracer.function(bool(advance_state))(tensors)
    except (tf.errors.OpError, TypeError, ValueError) as err:
        message = (getattr(err, "message", None) or str(err)).strip()
        if len(message) > 1200:
            message = message[:1200] + " ..."
        raise ValueError(_(
            "running model '{name}' on these inputs failed: {message}"
        ).format(name=model.name, message=message)) from None
    return _assemble(tracer, result)


def estimate_trace_bytes(model: keras.Model, inputs: Any) -> int:
    """Bytes `trace(model, inputs)` would allocate at its peak, computed from shapes alone.

    Args:
        model: as for `trace`.
        inputs: as for `trace`.

    Returns:
        The estimate in bytes: states, gates, outputs, masks and model outputs, the tracing loop's
        per-step tensors and copies, the inputs' copies and a fixed cost (see `rnnviz.trace_cost`).

    Raises:
        ValueError: as `trace` does for a model or inputs that do not fit.
    """
    tracer, arrays = _prepare(model, inputs)
    return _estimate(model, tracer, arrays)


def _prepare(model: Any, inputs: Any) -> tuple[trace_graph.Tracer, list[np.ndarray]]:
    if not isinstance(model, keras.Model):
        raise ValueError(_(
            "trace needs a keras.Model; got {type_name}. Load one with rnnviz.load_model(path)."
        ).format(type_name=type(model).__name__))
    if not model.built:
        raise ValueError(_(
            "model '{name}' is not built; give it a keras.Input or call it once on data first"
        ).format(name=model.name))
    tracer = trace_graph.tracer_for(model)
    functional = trace_graph.functional_of(model)
    arrays = _standardize(functional, inputs)
    batch = arrays[0].shape[0]
    for plan in tracer.plan.layers.values():
        for half in plan.directions:
            if half.stateful and half.states is not None:
                fixed = tuple(half.states[0].shape)[0]
                if fixed != batch:
                    raise ValueError(
                        _(
                            "layer '{name}' is stateful with a batch of {fixed}; the inputs hold {batch} sequences. Pass "
                            "exactly {fixed} sequences (stateful layers keep one state per row)."
                        ).format(name=plan.layer.name, fixed=fixed, batch=batch)
                    )
    for index, input_dim, name in tracer.plan.embeddings:
        ids = arrays[index]
        if ids.size and (ids.min() < 0 or ids.max() >= input_dim):
            raise ValueError(
                _(
                    "input {input_name} holds token ids from {min} to {max}, but Embedding layer '{name}' accepts "
                    "0..{last}; map the tokens into that range"
                ).format(
                    input_name=_input_name(functional, index),
                    min=ids.min(),
                    max=ids.max(),
                    name=name,
                    last=input_dim - 1,
                )
            )
    return tracer, arrays


def _input_name(functional: Any, index: int) -> str:
    return f"'{functional.inputs[index].name}'"


def _standardize(functional: Any, inputs: Any) -> list[np.ndarray]:
    """The inputs as one numpy array per model input, in the model's order, checked against its Inputs."""
    refs = list(functional.inputs)
    names = [r.name for r in refs]
    struct = getattr(functional, "_inputs_struct", None)
    if isinstance(struct, dict):  # keras.Model({"x": ..., "y": ...}, ...): keyed as built, in flatten order
        keys = [path[0] for path, _value in tree.flatten_with_path(struct)]
        if isinstance(inputs, Mapping) and all(k in inputs for k in keys):
            names = keys
    if isinstance(inputs, Mapping):
        missing = [n for n in names if n not in inputs]
        if missing:
            raise ValueError(
                _(
                    "the inputs dict has keys {names}; the model's inputs are named {names2}. Key each array by its "
                    "input's name."
                ).format(names=sorted(map(str, inputs)), names2=names)
            )
        given = [inputs[n] for n in names]
    elif isinstance(inputs, (list, tuple)):
        given = list(inputs)
    else:
        given = [inputs]
    if len(given) != len(refs):
        raise ValueError(
            _(
                "the model takes {count} input(s) ({names}); got {given}. Pass one array per input, as a list in "
                "that order or a dict keyed by name."
            ).format(count=len(refs), names=', '.join(names), given=len(given))
        )
    arrays = [_check_one(ref, value, i) for i, (ref, value) in enumerate(zip(refs, given))]
    batches = {a.shape[0] for a in arrays}
    if len(batches) > 1:
        raise ValueError(_(
            "the inputs have different batch sizes {names}; give every input the same number of rows"
        ).format(names=sorted(batches)))
    return arrays


def _check_one(ref: Any, value: Any, index: int) -> np.ndarray:
    label = _("input '{name}'").format(name=ref.name)
    try:
        array = np.asarray(value)
    except Exception as err:  # ragged lists and the like
        raise ValueError(_(
            "{label} cannot be read as one array ({err}); pass a numpy array"
        ).format(label=label, err=err)) from None
    if array.dtype.kind not in "biuf":
        raise ValueError(_(
            "{label} has dtype {dtype}; pass numbers (int token ids or float32 features)"
        ).format(label=label, dtype=array.dtype))
    expected = tuple(ref.shape)
    target = np.dtype(keras.backend.standardize_dtype(ref.dtype))
    roles = (["batch", "timesteps"] + ["features"] * max(len(expected) - 2, 0))[: len(expected)]
    wanted = "(" + ", ".join(f"{r}={'any' if d is None else d}" for r, d in zip(roles, expected)) + ")"
    if target.kind in "iu":
        wanted = _("{shape} of integer token ids").format(shape=wanted)
    if array.ndim == len(expected) and expected[0] not in (None, array.shape[0]) and all(
        e in (None, g) for e, g in zip(expected[1:], array.shape[1:])
    ):
        raise ValueError(
            _(
                "{label} has a batch of {value}; the model takes exactly {value2} sequences per batch (its Input "
                "has a fixed batch_shape, as stateful layers need). Pass that many sequences."
            ).format(label=label, value=array.shape[0], value2=expected[0])
        )
    if array.ndim != len(expected) or any(e is not None and e != g for e, g in zip(expected, array.shape)):
        raise ValueError(
            _(
                "{label} has shape {shape}; the model expects {wanted}. Reshape the array to that shape."
            ).format(label=label, shape=array.shape, wanted=wanted)
        )
    trace_cost.check_input(label, array.shape)
    if any(d == 0 for d in array.shape):
        raise ValueError(_(
            "{label} has shape {shape}, with nothing in it; give at least one sequence of one step"
        ).format(label=label, shape=array.shape))
    if target.kind in "iu" and array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise ValueError(_(
                "{label} feeds integer token ids but holds fractional or non-finite floats; pass integer ids"
            ).format(label=label))
    if target.kind in "iu" and array.size:
        info = np.iinfo(target)
        if array.min() < info.min or array.max() > info.max:  # a cast would wrap them silently
            raise ValueError(_(
                "{label} holds token ids from {min} to {max}, which do not fit the model's {target} input; token "
                "ids must be below the Embedding's input_dim"
            ).format(label=label, min=array.min(), max=array.max(), target=target))
    return array.astype(target, copy=False)


def _estimate(model: keras.Model, tracer: trace_graph.Tracer, arrays: list[np.ndarray]) -> int:
    shapes = tuple(a.shape for a in arrays)
    known = tracer.estimates.get(shapes)
    if known is None:
        known = tracer.estimates[shapes] = trace_cost.estimate_bytes(model, tracer.plan, arrays)
    return known


def _device(tensor: Any) -> str:
    name = getattr(tensor, "device", "") or "CPU:0"
    kind, _sep, index = name.rsplit("device:", 1)[-1].partition(":")
    return "CPU" if kind.upper() == "CPU" else f"{kind.upper()}:{index or 0}"


def _assemble(tracer: trace_graph.Tracer, result: dict) -> Trace:
    layers = {}
    device = None
    kernel_reasons, skipped = tracer.reasons()
    for key, plan in tracer.keys.items():
        raw = result["layers"][key]
        device = raw["steps"][0][0] if device is None else device
        halves = [
            _direction(half, raw["steps"][i], raw["initial_state"][i], raw["final_state"][i])
            for i, half in enumerate(plan.directions)
        ]
        layer = plan.layer
        main = plan.directions[0]
        layers[key] = LayerTrace(
            name=key,
            kind=plan.kind,
            inner_kind=plan.inner_kind,
            layer_class=type(layer).__name__,
            units=main.cell.units,
            forward=halves[0],
            backward=halves[1] if len(halves) > 1 else None,
            outputs=tuple(np.asarray(o) for o in raw["outputs"]),
            mask=np.asarray(raw["mask"]) if "mask" in raw else None,
            go_backwards=bool(main.go_backwards),
            kernel=plan.kernel,
            kernel_reason=kernel_reasons.get(id(plan.layer), plan.kernel_reason),
            input_steps=int(raw["steps"][0][0].shape[0]),
            return_sequences=bool(layer.return_sequences),
            return_state=bool(layer.return_state),
            stateful=bool(layer.stateful),
            merge_mode=getattr(layer, "merge_mode", None),
        )
    model_outputs = tuple(np.asarray(o) for o in result["model_outputs"])
    return Trace(layers, skipped, _device(device), model_outputs)


def _direction(layer: keras.layers.Layer, steps: list, initial: list, final: list) -> DirectionTrace:
    kind = trace_cells.cell_kind(layer)

    def series(j: int) -> np.ndarray:
        # (timesteps, batch, units) in reading order, shared with TensorFlow, not copied
        view = np.asarray(steps[j]).swapaxes(0, 1)
        return view[:, ::-1] if layer.go_backwards else view

    n_states = trace_cells.STATE_COUNT[kind]
    gates = {name: series(n_states + j) for j, name in enumerate(trace_cells.GATE_NAMES[kind])}
    return DirectionTrace(
        h=series(0),
        c=series(1) if kind == "LSTM" else None,
        gates=gates,
        initial_state=tuple(np.asarray(s) for s in initial),
        final_state=tuple(np.asarray(s) for s in final),
        go_backwards=bool(layer.go_backwards),
    )

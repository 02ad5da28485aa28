"""The traced twin of a model: its functional graph replayed, each recurrent layer run by its tracing loop.

`Tracer` plans a model once (which layers it can trace, which kernel each would use) and compiles
one `tf.function` per `advance_state` value. The function replays the graph node by node, as
Keras's `Functional` does; at each recurrent layer it resolves the input, initial state and mask
exactly as the layer's own `__call__` would, runs `trace_cells.run_direction`, and hands the
downstream layers what the layer itself would have returned.
"""

from __future__ import annotations

import inspect
import math
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf
from keras.src import tree
from keras.src.backend.common.masking import get_keras_mask, set_keras_mask

from rnnviz import trace_cells
from rnnviz.i18n import _, current_language

_RECURRENT = (keras.layers.RNN, keras.layers.Bidirectional)


def functional_of(model: Any) -> Any | None:
    """The functional graph a model runs (a Sequential's inner one), or None for a subclassed model."""
    if isinstance(model, keras.Sequential):
        return getattr(model, "_functional", None)
    if hasattr(model, "_nodes_by_depth") and hasattr(model, "inputs") and hasattr(model, "_outputs_struct"):
        return model
    return None


def walk_operations(functional: Any) -> list[tuple[Any, Any]]:
    """(operation, node) in the order a replay calls them, nested models opened."""
    found = []
    for depth in sorted(functional._nodes_by_depth, reverse=True):
        for node in functional._nodes_by_depth[depth]:
            if not node.operation or node.is_input:
                continue
            inner = functional_of(node.operation) if isinstance(node.operation, keras.Model) else None
            if inner is not None:
                found.extend(walk_operations(inner))
            else:
                found.append((node.operation, node))
    return found


def replay(functional: Any, flat_inputs: list, call: Callable) -> list:
    """Run the graph on `flat_inputs`, computing each node with `call(operation, args, kwargs)`.

    Returns the flat outputs of the graph.
    """
    computed = {id(x): y for x, y in zip(functional.inputs, flat_inputs)}
    for depth in sorted(functional._nodes_by_depth, reverse=True):
        for node in functional._nodes_by_depth[depth]:
            if not node.operation or node.is_input:
                continue
            if any(id(x) not in computed for x in node.input_tensors):
                continue  # not reachable from these inputs, as in Keras
            args, kwargs = node.arguments.fill_in(computed)
            op = node.operation
            inner = functional_of(op) if isinstance(op, keras.Model) else None
            if inner is not None:
                outputs = replay(inner, tree.flatten(args[0]), call)
            else:
                outputs = call(op, args, kwargs)
            for x, y in zip(node.outputs, tree.flatten(outputs)):
                computed[id(x)] = y
    return [computed[id(x)] for x in functional.outputs]


@dataclass(frozen=True)
class LayerPlan:
    """How one recurrent layer is traced; fixed per model."""

    layer: keras.layers.Layer
    kind: str  # "LSTM", "GRU", "SimpleRNN" or "Bidirectional"
    inner_kind: str  # the cell kind; equal to kind for a unidirectional layer
    directions: tuple[keras.layers.Layer, ...]  # (layer,) or (forward_layer, backward_layer)
    kernel: str
    kernel_reason: str


@dataclass(frozen=True)
class Plan:
    """What a model holds: the recurrent layers rnnviz traces and those it cannot, with why."""

    layers: dict[int, LayerPlan]  # by id(layer)
    skipped: dict[str, str]
    embeddings: tuple[tuple[int, int, str], ...]  # (model input index, input_dim, layer name)


def make_plan(model: keras.Model, has_gpu: bool) -> Plan:
    """Plan the trace of a model; raise ValueError for a model rnnviz cannot replay."""
    functional = functional_of(model)
    if functional is None:
        raise ValueError(
            _(
                "model '{name}' is a subclassed keras.Model ({type_name}); rnnviz replays Functional and "
                "Sequential models only. Build the same layers with the functional API (keras.Input(...) -> "
                "layers -> keras.Model(inputs, outputs)) and trace that."
            ).format(name=model.name, type_name=type(model).__name__)
        )
    layers: dict[int, LayerPlan] = {}
    skipped: dict[str, str] = {}
    for op, _node in walk_operations(functional):
        if isinstance(op, _RECURRENT):
            if id(op) in layers or op.name in skipped:
                continue
            reason = _untraceable(op)
            if reason:
                skipped[op.name] = reason
            else:
                layers[id(op)] = _layer_plan(op, has_gpu)
        elif isinstance(op, keras.layers.Layer):
            hidden = [sub.name for sub in op._flatten_layers(include_self=False) if isinstance(sub, _RECURRENT)]
            if hidden:
                skipped[op.name] = _(
                    "layer '{name}' ({type_name}) runs the recurrent layer(s) {hidden} inside itself, out of the "
                    "model's graph, where rnnviz cannot reach them"
                ).format(name=op.name, type_name=type(op).__name__, hidden=", ".join(hidden))
    if not layers and not skipped:
        raise ValueError(
            _(
                "model '{name}' has no recurrent layer (LSTM, GRU, SimpleRNN, RNN or Bidirectional); there is "
                "nothing to trace. Add one, or open a model that has one."
            ).format(name=model.name)
        )
    embeddings = []
    inputs = [id(x) for x in functional.inputs]
    for op, node in walk_operations(functional):
        if isinstance(op, keras.layers.Embedding) and len(node.input_tensors) == 1:
            ref = id(node.input_tensors[0])
            if ref in inputs:
                embeddings.append((inputs.index(ref), op.input_dim, op.name))
    return Plan(layers, skipped, tuple(embeddings))


def _untraceable(layer: keras.layers.Layer) -> str | None:
    if isinstance(layer, keras.layers.Bidirectional):
        for half in (layer.forward_layer, layer.backward_layer):
            reason = trace_cells.untraceable_reason(half)
            if reason:
                return _("Bidirectional layer '{name}': {reason}").format(name=layer.name, reason=reason)
        return None
    return trace_cells.untraceable_reason(layer)


def _layer_plan(layer: keras.layers.Layer, has_gpu: bool) -> LayerPlan:
    if isinstance(layer, keras.layers.Bidirectional):
        directions = (layer.forward_layer, layer.backward_layer)
        kind = "Bidirectional"
    else:
        directions = (layer,)
        kind = trace_cells.cell_kind(layer)
    kernels = [trace_cells.kernel_choice(d, has_gpu) for d in directions]
    kernel = "cudnn" if all(k == "cudnn" for k, _reason in kernels) else "generic"
    reason = next((r for k, r in kernels if k == kernel), kernels[0][1])
    return LayerPlan(layer, kind, trace_cells.cell_kind(directions[0]), directions, kernel, reason)


@dataclass
class _Call:
    """The arguments a recurrent layer's `__call__` ends up with."""

    sequences: tf.Tensor
    initial_state: list | None
    mask: tf.Tensor | None  # what the layer's call receives
    previous_mask: Any  # what Keras uses to set the output masks


def _resolve_call(layer: keras.layers.Layer, args: tuple, kwargs: dict) -> _Call:
    """Bind the arguments and the mask as `Layer.__call__` does (its step 6: the mask is filled in
    from the input only when the input is the call's single tensor argument)."""
    bound = inspect.signature(layer.call).bind(*args, **kwargs).arguments
    sequences = bound.get("sequences", args[0] if args else None)
    initial_state = bound.get("initial_state")
    if initial_state is not None:
        initial_state = list(initial_state) if tree.is_nested(initial_state) else [initial_state]
        if not initial_state:
            initial_state = None
    explicit = bound.get("mask")
    if explicit is not None:
        mask = explicit
    elif initial_state is None:
        mask = tree.map_structure(get_keras_mask, sequences)
    else:
        mask = None
    previous = explicit if explicit is not None else tree.map_structure(get_keras_mask, sequences)
    return _Call(sequences, initial_state, _single_mask(mask), previous)


def _single_mask(mask: Any) -> tf.Tensor | None:
    if mask is None:
        return None
    if tree.is_nested(mask):
        mask = tree.flatten(mask)[0]
    if mask is None:
        return None
    mask = tf.cast(mask, tf.bool)
    if mask.shape.rank == 3:
        mask = tf.squeeze(mask, -1)
    return mask


@dataclass
class _Run:
    """One replay's context: the plan, the switches and the results collected per trace name."""

    plan: Plan
    advance_state: bool
    keys: dict  # trace name -> LayerPlan, shared with the Tracer
    results: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)  # id(layer) -> calls so far
    taken: set = field(default_factory=set)

    def key(self, layer: keras.layers.Layer) -> str:
        count = self.names.get(id(layer), 0)
        self.names[id(layer)] = count + 1
        key = layer.name if count == 0 else f"{layer.name}@{count}"
        while key in self.taken:
            count += 1
            key = f"{layer.name}@{count}"
        self.taken.add(key)
        return key

    def __call__(self, op: Any, args: tuple, kwargs: dict) -> Any:
        plan = self.plan.layers.get(id(op))
        if plan is None:
            return op(*args, **kwargs)
        return self._traced(plan, args, kwargs)

    def _traced(self, plan: LayerPlan, args: tuple, kwargs: dict) -> Any:
        layer = plan.layer
        call = _resolve_call(layer, args, kwargs)
        sequences = tf.cast(call.sequences, layer.compute_dtype)  # as the layer's __call__ casts its input
        halves = _split_state(call.initial_state, len(plan.directions))
        runs, inits, outs = [], [], []
        if plan.kernel == "cudnn":
            saved = _stateful_values(plan.directions)
        for direction, given in zip(plan.directions, halves):
            init = _initial_state(direction, sequences, given)
            run = trace_cells.run_direction(direction, sequences, init, call.mask)
            runs.append(run)
            inits.append(init)
            outs.append(trace_cells.keras_outputs(direction, run, call.mask))
        if plan.kernel == "cudnn":
            # Downstream layers get what the layer's own cuDNN kernel returns, as in model(x).
            outputs = list(tree.flatten(layer(*args, **kwargs)))
            if not self.advance_state:
                _restore(plan.directions, saved)
        else:
            outputs = list(outs[0]) if len(outs) == 1 else _merge(layer, outs[0], outs[1])
            _set_output_masks(layer, call, outputs)
            if self.advance_state:
                _advance(plan.directions, runs)
        result = {
            "steps": [list(r.steps) for r in runs],
            "initial_state": [list(i) for i in inits],
            "final_state": [list(r.final_state) for r in runs],
            "outputs": [tf.cast(o, tf.float32) for o in outputs],
        }
        if call.mask is not None:
            result["mask"] = call.mask
        key = self.key(layer)
        self.keys[key] = plan
        self.results[key] = result
        return outputs if len(outputs) > 1 else outputs[0]


def _split_state(initial_state: list | None, n_directions: int) -> list:
    if initial_state is None:
        return [None] * n_directions
    if n_directions == 1:
        return [initial_state]
    half = len(initial_state) // 2  # Keras gives the forward half first
    return [initial_state[:half], initial_state[half:]]


def _initial_state(layer: keras.layers.Layer, sequences: tf.Tensor, given: list | None) -> tuple:
    if given is not None:
        return tuple(tf.cast(s, layer.cell.compute_dtype) for s in given)
    if layer.stateful and layer.states is not None:
        return tuple(tf.convert_to_tensor(v.value) for v in tree.flatten(layer.states))
    batch = tf.shape(sequences)[0]
    count = trace_cells.STATE_COUNT[trace_cells.cell_kind(layer)]
    return tuple(tf.zeros((batch, layer.cell.units), layer.cell.compute_dtype) for _unused in range(count))


def _merge(layer: keras.layers.Bidirectional, forward: tuple, backward: tuple) -> list:
    """Merge the two halves exactly as `Bidirectional.call` does."""
    y, y_rev = forward[0], backward[0]
    states = list(forward[1:]) + list(backward[1:]) if layer.return_state else []
    if layer.return_sequences:
        y_rev = tf.reverse(y_rev, [1])
    mode = layer.merge_mode
    if mode == "concat":
        merged = [tf.concat([y, y_rev], axis=-1)]
    elif mode == "sum":
        merged = [y + y_rev]
    elif mode == "ave":
        merged = [(y + y_rev) / 2]
    elif mode == "mul":
        merged = [y * y_rev]
    else:
        merged = [y, y_rev]
    return merged + states


def _set_output_masks(layer: keras.layers.Layer, call: _Call, outputs: list) -> None:
    masks = layer.compute_mask(call.sequences, call.previous_mask)
    if masks is None:
        return
    for tensor, mask in zip(outputs, tree.flatten(masks)):
        if mask is not None:
            set_keras_mask(tensor, mask)


def _advance(directions: tuple, runs: list) -> None:
    for layer, run in zip(directions, runs):
        if layer.stateful and layer.states is not None:
            for var, value in zip(tree.flatten(layer.states), run.final_state):
                var.assign(value)


def _stateful_values(directions: tuple) -> list:
    return [
        [tf.identity(v.value) for v in tree.flatten(d.states)] if d.stateful and d.states is not None else []
        for d in directions
    ]


def _restore(directions: tuple, saved: list) -> None:
    for layer, values in zip(directions, saved):
        for var, value in zip(tree.flatten(layer.states) if values else [], values):
            var.assign(value)


class Tracer:
    """A model's plan and its compiled traced twins, built once and shared by threads."""

    def __init__(self, model: keras.Model):
        self._model = weakref.ref(model)  # the cache is keyed by the model: no strong reference back
        self.has_gpu = trace_cells.gpu_available()
        self.plan = make_plan(model, self.has_gpu)
        self.language = current_language()  # the language of the plan's reasons
        self._functions: dict[bool, Any] = {}
        self.estimates: dict[tuple, int] = {}  # input shapes -> estimated trace bytes
        self.keys: dict[str, LayerPlan] = {}  # trace name -> plan, in model order, filled when first compiled
        self._lock = threading.Lock()

    def reasons(self) -> tuple[dict[int, str], dict[str, str]]:
        """The kernel reason of each planned layer (by id of the layer) and why each skipped layer is skipped,
        in the language in force (the cached plan holds them in the language it was made in)."""
        plan = self.plan
        model = self._model()
        if current_language() != self.language and model is not None:
            plan = make_plan(model, self.has_gpu)
        return {id(p.layer): p.kernel_reason for p in plan.layers.values()}, dict(plan.skipped)

    def function(self, advance_state: bool) -> Any:
        """The compiled twin: flat inputs -> {"layers": per-name results, "model_outputs": [...]}.

        Compiled without autograph: Keras 3 layers need none (Keras's own predict fails on a layer
        that branches on tensors in Python), and it takes a fraction of a second instead of seconds.
        """
        with self._lock:
            fn = self._functions.get(advance_state)
            if fn is None:
                fn = tf.function(self._twin(advance_state), reduce_retracing=True, autograph=False)
                self._functions[advance_state] = fn
            return fn

    def _twin(self, advance_state: bool) -> Callable:
        model_ref, plan, keys = self._model, self.plan, self.keys

        def twin(flat_inputs):
            functional = functional_of(model_ref())
            run = _Run(plan, advance_state, keys)
            outputs = replay(functional, list(flat_inputs), run)
            return {"layers": run.results, "model_outputs": [tf.cast(o, tf.float32) for o in outputs]}

        return twin


_CACHE: "weakref.WeakKeyDictionary[keras.Model, Tracer]" = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def tracer_for(model: keras.Model) -> Tracer:
    """The cached Tracer of a model, made on first use."""
    with _CACHE_LOCK:
        tracer = _CACHE.get(model)
        if tracer is None:
            tracer = Tracer(model)
            _CACHE[model] = tracer
        return tracer


def symbolic_shapes(model: keras.Model, shapes: list[tuple[int, ...]], dtypes: list[str]) -> tuple[dict[int, list], int]:
    """Shapes each traced layer sees for inputs of the given shapes, without computing anything.

    Returns:
        By id(layer), the list of (sequences shape, output shapes) of each recurrent layer's call; and
        the bytes of every other operation's outputs, all together.
    """
    functional = functional_of(model)
    plan_ids = {id(op) for op, _node in walk_operations(functional) if isinstance(op, _RECURRENT)}
    seen: dict[int, list] = {}
    others = [0]

    def call(op, args, kwargs):
        spec = op.compute_output_spec(*args, **kwargs)
        if id(op) in plan_ids:
            seen.setdefault(id(op), []).append((tuple(args[0].shape), [tuple(s.shape) for s in tree.flatten(spec)]))
        else:
            others[0] += sum(_nbytes(s) for s in tree.flatten(spec))
        return spec

    inputs = [keras.KerasTensor(shape, dtype=dtype) for shape, dtype in zip(shapes, dtypes)]
    replay(functional, inputs, call)
    return seen, others[0]


def _nbytes(spec: Any) -> int:
    try:
        itemsize = np.dtype(keras.backend.standardize_dtype(spec.dtype)).itemsize
    except TypeError:  # a dtype numpy has no size for
        itemsize = 8
    return math.prod(d or 1 for d in spec.shape) * itemsize

"""Turn a checked `ModelSpec` into a functional `keras.Model` whose weights depend only on the seed."""

from __future__ import annotations

import itertools

import keras

from rnnviz.spec import (
    BidirectionalSpec,
    DenseSpec,
    EmbeddingSpec,
    InputSpec,
    LayerSpec,
    ModelSpec,
    RecurrentSpec,
)
from rnnviz.validate import consumed_stacks, validate

_BASE_NAMES = {"SimpleRNN": "simple_rnn", "GRU": "gru", "LSTM": "lstm"}
_LAYER_CLASSES = {"SimpleRNN": keras.layers.SimpleRNN, "GRU": keras.layers.GRU, "LSTM": keras.layers.LSTM}
_CELL_CLASSES = {"SimpleRNN": keras.layers.SimpleRNNCell, "GRU": keras.layers.GRUCell, "LSTM": keras.layers.LSTMCell}


def layer_names(spec: ModelSpec) -> dict[tuple[str, int], str]:
    """The Keras name of every layer, keyed by (stack name, index in the stack).

    A layer keeps the name it was given; others get Keras-style names ("lstm", "lstm_1", ...)
    in model order, so the same spec always yields the same names.
    """
    taken = {layer.name for stack in spec.stacks for layer in stack.layers if layer.name}
    taken |= {i.name for i in spec.inputs}
    names = {}
    for stack in spec.stacks:
        for index, layer in enumerate(stack.layers):
            if layer.name:
                names[(stack.name, index)] = layer.name
                continue
            base = _base_name(layer)
            candidate = base
            for n in itertools.count(1):
                if candidate not in taken:
                    break
                candidate = f"{base}_{n}"
            taken.add(candidate)
            names[(stack.name, index)] = candidate
    return names


def _base_name(layer: LayerSpec) -> str:
    if isinstance(layer, RecurrentSpec):
        return "rnn" if layer.wrap_cell else _BASE_NAMES.get(layer.cell_kind, "rnn")
    return layer.kind.lower()


class _Initializers:
    """Seeded initializers, one seed each, in Keras's style or the vivid one (see ModelSpec.weights)."""

    def __init__(self, spec: ModelSpec):
        self._seeds = itertools.count(spec.seed * 10_007)
        self.vivid = spec.weights == "vivid"

    def embeddings(self):
        if self.vivid:
            return keras.initializers.RandomNormal(0.0, 1.0, seed=next(self._seeds))
        return keras.initializers.RandomUniform(-0.05, 0.05, seed=next(self._seeds))

    def kernel(self):
        scale = 6.0 if self.vivid else 1.0  # 1.0 is Glorot uniform, Keras's default
        return keras.initializers.VarianceScaling(scale, "fan_avg", "uniform", seed=next(self._seeds))

    def recurrent(self):
        return keras.initializers.Orthogonal(gain=1.5 if self.vivid else 1.0, seed=next(self._seeds))

    def bias(self):
        if self.vivid:
            return keras.initializers.RandomNormal(0.0, 0.5, seed=next(self._seeds))
        return keras.initializers.Zeros()


def build_model(spec: ModelSpec) -> keras.Model:
    """Build the model a spec describes.

    Args:
        spec: the model description; checked first.

    Returns:
        A functional `keras.Model`. The same spec (and seed) gives the same weights.

    Raises:
        SpecError: (a ValueError) if the spec is not valid, naming each problem and its fix.
    """
    validate(spec)
    init = _Initializers(spec)
    names = layer_names(spec)
    inputs = {i.name: _make_input(i) for i in spec.inputs}
    consumed = consumed_stacks(spec)
    final_states: dict[str, list] = {}
    outputs = []
    for stack in spec.stacks:
        tensor = inputs[stack.input]
        handed = final_states.get(stack.initial_state_from)
        for index, layer_spec in enumerate(stack.layers):
            layer = _make_layer(layer_spec, names[(stack.name, index)], init)
            if handed is not None and isinstance(layer_spec, RecurrentSpec):
                tensor = layer(tensor, initial_state=handed)
                handed = None
            else:
                tensor = layer(tensor)
        if stack.name in consumed:
            final_states[stack.name] = list(tensor[1:])
        else:
            outputs.extend(tensor if isinstance(tensor, (list, tuple)) else [tensor])
    model_inputs = [inputs[i.name] for i in spec.inputs]
    return keras.Model(
        model_inputs[0] if len(model_inputs) == 1 else model_inputs,
        outputs[0] if len(outputs) == 1 else outputs,
        name=spec.name,
    )


def _make_input(spec: InputSpec) -> keras.KerasTensor:
    shape = (spec.timesteps,) if spec.kind == "tokens" else (spec.timesteps, spec.features)
    dtype = "int32" if spec.kind == "tokens" else "float32"
    if spec.batch_size is not None:
        return keras.Input(batch_shape=(spec.batch_size, *shape), dtype=dtype, name=spec.name)
    return keras.Input(shape=shape, dtype=dtype, name=spec.name)


def _make_layer(spec: LayerSpec, name: str, init: _Initializers) -> keras.layers.Layer:
    if isinstance(spec, EmbeddingSpec):
        return keras.layers.Embedding(spec.input_dim, spec.output_dim, mask_zero=spec.mask_zero, name=name,
                                      embeddings_initializer=init.embeddings())
    if isinstance(spec, DenseSpec):
        return keras.layers.Dense(spec.units, activation=spec.activation, name=name,
                                  kernel_initializer=init.kernel())
    if isinstance(spec, BidirectionalSpec):
        forward = _make_recurrent(spec.layer, f"forward_{name}", init)
        backward = _make_recurrent(spec.layer, f"backward_{name}", init, go_backwards=True)
        return keras.layers.Bidirectional(forward, backward_layer=backward, merge_mode=spec.merge_mode, name=name)
    return _make_recurrent(spec, name, init)


def _make_recurrent(spec: RecurrentSpec, name: str, init: _Initializers,
                    go_backwards: bool | None = None) -> keras.layers.Layer:
    cell_args = {
        "units": spec.units,
        "activation": spec.activation,
        "kernel_initializer": init.kernel(),
        "recurrent_initializer": init.recurrent(),
        "bias_initializer": init.bias(),
    }
    if spec.cell_kind != "SimpleRNN":
        cell_args["recurrent_activation"] = spec.recurrent_activation
    if spec.cell_kind == "GRU":
        cell_args["reset_after"] = spec.reset_after
    layer_args = {
        "return_sequences": spec.return_sequences,
        "return_state": spec.return_state,
        "stateful": spec.stateful,
        "go_backwards": spec.go_backwards if go_backwards is None else go_backwards,
        "name": name,
    }
    if spec.wrap_cell:
        return keras.layers.RNN(_CELL_CLASSES[spec.cell_kind](**cell_args), **layer_args)
    return _LAYER_CLASSES[spec.cell_kind](**cell_args, **layer_args)

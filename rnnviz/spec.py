"""Frozen, hashable descriptions of a model: its inputs, stacks of layers, and how they connect.

A `ModelSpec` holds named inputs and stacks. Each stack reads one input and applies its layers
in order. A stack may start its first recurrent layer from the final states of an earlier
stack (`initial_state_from`), which is how the Keras guide's encoder-decoder is written.
Specs are plain data: `to_dict` / `from_dict` round-trip through JSON.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Union

from rnnviz.i18n import _

RECURRENT_KINDS = ("SimpleRNN", "GRU", "LSTM")
MERGE_MODES = ("concat", "sum", "mul", "ave", None)
ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear", "hard_sigmoid", "softsign", "elu", "softmax")
INPUT_KINDS = ("tokens", "vectors")
# How an untrained model's weights are drawn: Keras's own initializers, or larger random ones
# whose states use their whole range, which makes a far clearer first picture.
WEIGHT_STYLES = ("keras", "vivid")


@dataclass(frozen=True)
class InputSpec:
    """One model input: token ids (for an Embedding) or real vectors.

    Attributes:
        name: input name, unique in the model.
        kind: "tokens" (integer ids) or "vectors" (float features).
        features: feature count of each step; only for "vectors".
        timesteps: fixed sequence length, or None for any length.
        batch_size: fixed batch size, or None; stateful layers need one.
    """

    name: str = "input"
    kind: str = "tokens"
    features: int | None = None
    timesteps: int | None = None
    batch_size: int | None = None


@dataclass(frozen=True)
class EmbeddingSpec:
    """An Embedding layer: token ids to vectors (must be first in its stack)."""

    input_dim: int = 1000
    output_dim: int = 64
    mask_zero: bool = False
    name: str | None = None
    kind: str = field(default="Embedding", init=False)


@dataclass(frozen=True)
class RecurrentSpec:
    """A SimpleRNN, GRU or LSTM layer.

    Attributes:
        cell_kind: "SimpleRNN", "GRU" or "LSTM".
        units: size of the hidden state.
        recurrent_activation: used by GRU and LSTM gates; ignored by SimpleRNN.
        reset_after: GRU only; Keras's default (True) is the cuDNN-compatible form.
        wrap_cell: build `RNN(LSTMCell(units))` instead of `LSTM(units)` (never uses cuDNN).
    """

    cell_kind: str = "LSTM"
    units: int = 64
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"
    return_sequences: bool = False
    return_state: bool = False
    stateful: bool = False
    go_backwards: bool = False
    reset_after: bool = True
    wrap_cell: bool = False
    name: str | None = None
    kind: str = field(default="Recurrent", init=False)


@dataclass(frozen=True)
class BidirectionalSpec:
    """A Bidirectional wrapper around a recurrent layer."""

    layer: RecurrentSpec = field(default_factory=RecurrentSpec)
    merge_mode: str | None = "concat"
    name: str | None = None
    kind: str = field(default="Bidirectional", init=False)


@dataclass(frozen=True)
class DenseSpec:
    """A Dense layer (only at the end of a stack)."""

    units: int = 10
    activation: str | None = None
    name: str | None = None
    kind: str = field(default="Dense", init=False)


LayerSpec = Union[EmbeddingSpec, RecurrentSpec, BidirectionalSpec, DenseSpec]


@dataclass(frozen=True)
class StackSpec:
    """Layers applied in order to one input.

    Attributes:
        name: stack name, unique in the model.
        input: name of the `InputSpec` this stack reads.
        layers: the layers, first to last.
        initial_state_from: name of an earlier stack whose last layer (recurrent, with
            return_state) hands its final states to this stack's first recurrent layer.
    """

    name: str = "main"
    input: str = "input"
    layers: tuple[LayerSpec, ...] = ()
    initial_state_from: str | None = None


@dataclass(frozen=True)
class ModelSpec:
    """A whole model: inputs, stacks, and how its initial weights are drawn.

    Attributes:
        seed: fixes the initial weights.
        weights: "keras" (Keras's default initializers, as the guide builds them) or "vivid"
            (larger random weights and biases, so an untrained model's states and gates spread
            over their range instead of sitting near 0 and 0.5).
    """

    inputs: tuple[InputSpec, ...] = (InputSpec(),)
    stacks: tuple[StackSpec, ...] = (StackSpec(),)
    seed: int = 0
    name: str = "model"
    weights: str = "keras"

    def input_named(self, name: str) -> InputSpec | None:
        """The input called `name`, or None."""
        return next((i for i in self.inputs if i.name == name), None)

    def stack_named(self, name: str) -> StackSpec | None:
        """The stack called `name`, or None."""
        return next((s for s in self.stacks if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "name": self.name,
            "seed": self.seed,
            "weights": self.weights,
            "inputs": [dataclasses.asdict(i) for i in self.inputs],
            "stacks": [_stack_to_dict(s) for s in self.stacks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        """Inverse of `to_dict`.

        Raises:
            ValueError: if the data is not a model description, naming the bad part.
        """
        if not isinstance(data, dict):
            raise ValueError(_(
                "a model description must be a JSON object, not {type_name}"
            ).format(type_name=type(data).__name__))
        try:
            return cls(
                inputs=tuple(_make(InputSpec, d) for d in data.get("inputs", [])),
                stacks=tuple(_stack_from_dict(d) for d in data.get("stacks", [])),
                seed=int(data.get("seed", 0)),
                weights=str(data.get("weights", "keras")),
                name=str(data.get("name", "model")),
            )
        except (TypeError, KeyError, AttributeError) as err:
            raise ValueError(_("not a valid model description: {err}").format(err=err)) from None

    def to_json(self) -> str:
        """JSON text of `to_dict`."""
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        """Inverse of `to_json`.

        Raises:
            ValueError: if the text is not JSON or not a model description.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(_("not valid JSON: {err}").format(err=err)) from None
        return cls.from_dict(data)


def layer_to_dict(layer: LayerSpec) -> dict[str, Any]:
    """Plain data for one layer, with its `kind`."""
    return dataclasses.asdict(layer)


def layer_from_dict(data: dict[str, Any]) -> LayerSpec:
    """Inverse of `layer_to_dict`.

    Raises:
        ValueError: for an unknown layer kind.
    """
    if not isinstance(data, dict):
        raise ValueError(_("a layer must be a JSON object, not {type_name}").format(type_name=type(data).__name__))
    kind = data.get("kind")
    if kind == "Bidirectional":
        inner = layer_from_dict(data.get("layer", {"kind": "Recurrent"}))
        rest = {k: v for k, v in data.items() if k not in ("kind", "layer")}
        return _make(BidirectionalSpec, {**rest, "layer": inner})
    classes = {"Embedding": EmbeddingSpec, "Recurrent": RecurrentSpec, "Dense": DenseSpec}
    if kind not in classes:
        raise ValueError(_(
            "unknown layer kind {kind!r}; use one of Embedding, Recurrent, Bidirectional, Dense"
        ).format(kind=kind))
    return _make(classes[kind], data)


def _make(cls: type, data: dict[str, Any]) -> Any:
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = set(data) - names - {"kind"}
    if unknown:
        raise ValueError(_(
            "{type_name} has no field(s) {names}; known: {names2}"
        ).format(type_name=cls.__name__, names=sorted(unknown), names2=sorted(names)))
    return cls(**{k: v for k, v in data.items() if k in names})


def _stack_to_dict(stack: StackSpec) -> dict[str, Any]:
    return {
        "name": stack.name,
        "input": stack.input,
        "layers": [layer_to_dict(layer) for layer in stack.layers],
        "initial_state_from": stack.initial_state_from,
    }


def _stack_from_dict(data: dict[str, Any]) -> StackSpec:
    layers = tuple(layer_from_dict(d) for d in data.get("layers", []))
    return _make(StackSpec, {**data, "layers": layers})


def layer_label(layer: LayerSpec) -> str:
    """Short type name as Keras prints it: "LSTM", "RNN(LSTMCell)", "Bidirectional(GRU)"."""
    if isinstance(layer, RecurrentSpec):
        return f"RNN({layer.cell_kind}Cell)" if layer.wrap_cell else layer.cell_kind
    if isinstance(layer, BidirectionalSpec):
        return f"Bidirectional({layer_label(layer.layer)})"
    return layer.kind

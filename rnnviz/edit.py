"""Structural edits of a `ModelSpec` (add, remove, move a layer) as pure functions."""

from __future__ import annotations

from dataclasses import replace

from rnnviz.i18n import _
from rnnviz.spec import (
    BidirectionalSpec,
    DenseSpec,
    EmbeddingSpec,
    LayerSpec,
    ModelSpec,
    RecurrentSpec,
)

NEW_LAYER_KINDS = ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "Dense", "Embedding")


def new_layer(kind: str) -> LayerSpec:
    """A layer of `kind` with small, sensible defaults.

    Raises:
        ValueError: for an unknown kind.
    """
    if kind in ("LSTM", "GRU", "SimpleRNN"):
        return RecurrentSpec(kind, 32)
    if kind == "Bidirectional":
        return BidirectionalSpec(RecurrentSpec("LSTM", 32))
    if kind == "Dense":
        return DenseSpec(10)
    if kind == "Embedding":
        return EmbeddingSpec(1000, 64)
    raise ValueError(_(
        "unknown layer kind {kind!r}; use one of {join}"
    ).format(kind=kind, join=', '.join(NEW_LAYER_KINDS)))


def _with_layers(spec: ModelSpec, stack_index: int, layers: list[LayerSpec]) -> ModelSpec:
    stacks = list(spec.stacks)
    stacks[stack_index] = replace(stacks[stack_index], layers=tuple(layers))
    return replace(spec, stacks=tuple(stacks))


def add_layer(spec: ModelSpec, stack_index: int, kind: str) -> ModelSpec:
    """Add a layer where it usually goes: an Embedding first, a Dense last, others before the Dense head."""
    layers = list(spec.stacks[stack_index].layers)
    layer = new_layer(kind)
    if kind == "Embedding":
        position = 0
    elif kind == "Dense":
        position = len(layers)
    else:
        position = len(layers)
        while position > 0 and isinstance(layers[position - 1], DenseSpec):
            position -= 1
    layers.insert(position, layer)
    return _with_layers(spec, stack_index, layers)


def remove_layer(spec: ModelSpec, stack_index: int, layer_index: int) -> ModelSpec:
    """Remove one layer."""
    layers = list(spec.stacks[stack_index].layers)
    del layers[layer_index]
    return _with_layers(spec, stack_index, layers)


def move_layer(spec: ModelSpec, stack_index: int, layer_index: int, delta: int) -> ModelSpec:
    """Move one layer up (delta -1) or down (+1); a move past either end changes nothing."""
    layers = list(spec.stacks[stack_index].layers)
    target = layer_index + delta
    if not 0 <= target < len(layers):
        return spec
    layers[layer_index], layers[target] = layers[target], layers[layer_index]
    return _with_layers(spec, stack_index, layers)

"""What each model input needs (token ids or vectors, fixed sizes), and the arrays that feed it."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from rnnviz.i18n import _
from rnnviz.inputs import InputChoice, PreparedInput, make_inputs
from rnnviz.spec import EmbeddingSpec, ModelSpec


@dataclass(frozen=True)
class InputNeeds:
    """One model input: token ids below `vocab_size`, or vectors of `features`; fixed sizes or None."""

    name: str
    vocab_size: int | None
    features: int | None
    batch: int | None
    timesteps: int | None

    @property
    def kind(self) -> str:
        """"tokens" or "vectors"."""
        return "tokens" if self.vocab_size is not None else "vectors"


def needs_from_spec(spec: ModelSpec) -> tuple[InputNeeds, ...]:
    """The needs of every input of a (valid) spec, in model input order."""
    needs = []
    for inp in spec.inputs:
        vocab = None
        if inp.kind == "tokens":
            dims = [s.layers[0].input_dim for s in spec.stacks
                    if s.input == inp.name and s.layers and isinstance(s.layers[0], EmbeddingSpec)]
            vocab = min(dims) if dims else 2
        needs.append(InputNeeds(inp.name, vocab, inp.features if inp.kind == "vectors" else None,
                                inp.batch_size, inp.timesteps))
    return tuple(needs)


def needs_from_model(model: keras.Model) -> tuple[InputNeeds, ...]:
    """The needs of a built model's inputs; token inputs take the vocabulary of the Embedding they feed."""
    needs = []
    for tensor in model.inputs:
        shape = tuple(tensor.shape)
        is_tokens = len(shape) == 2 and "int" in str(tensor.dtype)
        vocab = _embedding_vocab(model, tensor) if is_tokens else None
        needs.append(InputNeeds(
            tensor.name, vocab if is_tokens else None,
            None if is_tokens else shape[-1], shape[0], shape[1] if len(shape) > 1 else None,
        ))
    return tuple(needs)


def _embedding_vocab(model: keras.Model, tensor) -> int:
    dims = [layer.input_dim for layer in model.layers
            if isinstance(layer, keras.layers.Embedding) and _reads(layer, tensor)]
    return min(dims) if dims else 2


def _reads(layer: keras.layers.Layer, tensor) -> bool:
    try:
        return layer.input is tensor
    except (AttributeError, ValueError):
        return False


def prepare(needs: tuple[InputNeeds, ...], choices: tuple[InputChoice, ...]) -> tuple[PreparedInput, ...]:
    """Make every input's array from the person's choices (one choice per input).

    Raises:
        ValueError: when a choice does not suit its input, naming the input and the fix.
    """
    if len(needs) != len(choices):
        raise ValueError(_(
            "the model has {count} inputs but {count2} input choices were given"
        ).format(count=len(needs), count2=len(choices)))
    prepared = []
    batch = next((n.batch for n in needs if n.batch), None)
    for need, choice in zip(needs, choices):
        try:
            prepared.append(make_inputs(choice, vocab_size=need.vocab_size, features=need.features,
                                        batch=need.batch or batch or (choices[0].batch if len(needs) > 1 else None),
                                        timesteps=need.timesteps))
        except ValueError as err:
            raise ValueError(_("input '{name}': {err}").format(name=need.name, err=err)) from None
    return tuple(prepared)


def model_arguments(prepared: tuple[PreparedInput, ...]) -> np.ndarray | list[np.ndarray]:
    """What `model(...)` takes: one array, or a list for several inputs."""
    arrays = [p.array for p in prepared]
    return arrays[0] if len(arrays) == 1 else arrays

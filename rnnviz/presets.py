"""Ready-made models: the examples of the Keras guide "Working with RNNs", as specs."""

from __future__ import annotations

from dataclasses import dataclass

import keras

from rnnviz.build import build_model
from rnnviz.i18n import N_
from rnnviz.spec import (
    BidirectionalSpec,
    DenseSpec,
    EmbeddingSpec,
    InputSpec,
    ModelSpec,
    RecurrentSpec,
    StackSpec,
)


@dataclass(frozen=True)
class Preset:
    """A named model with a one-line description for people (English; `_()` them where shown)."""

    name: str
    title: str
    description: str
    spec: ModelSpec


def _single(name: str, inp: InputSpec, *layers) -> ModelSpec:
    return ModelSpec(inputs=(inp,), stacks=(StackSpec("main", inp.name, tuple(layers)),), name=name)


_TOKENS = InputSpec(name="tokens", kind="tokens")

_PRESETS = (
    Preset(
        "guide-lstm", N_("LSTM classifier"),
        N_("Embedding(1000, 64) -> LSTM(128) -> Dense(10, softmax): the guide's first built-in layer example."),
        _single("guide_lstm", _TOKENS, EmbeddingSpec(1000, 64), RecurrentSpec("LSTM", 128),
                DenseSpec(10, "softmax")),
    ),
    Preset(
        "guide-gru-simplernn", N_("GRU then SimpleRNN"),
        N_("Embedding(1000, 64) -> GRU(256, return_sequences) -> SimpleRNN(128) -> Dense(10, softmax): "
           "a stack, where the GRU hands its whole output sequence to the SimpleRNN."),
        _single("guide_gru_simplernn", _TOKENS, EmbeddingSpec(1000, 64),
                RecurrentSpec("GRU", 256, return_sequences=True), RecurrentSpec("SimpleRNN", 128),
                DenseSpec(10, "softmax")),
    ),
    Preset(
        "guide-encoder-decoder", N_("Encoder to decoder"),
        N_("An LSTM encoder reads one sequence; its final h and c start an LSTM decoder that reads "
           "another (initial_state). Dense(10, softmax) on the decoder's output."),
        ModelSpec(
            inputs=(InputSpec("encoder_input", "tokens"), InputSpec("decoder_input", "tokens")),
            stacks=(
                StackSpec("encoder", "encoder_input",
                          (EmbeddingSpec(1000, 64), RecurrentSpec("LSTM", 64, return_state=True, name="encoder"))),
                StackSpec("decoder", "decoder_input",
                          (EmbeddingSpec(2000, 64), RecurrentSpec("LSTM", 64, name="decoder"),
                           DenseSpec(10, "softmax")),
                          initial_state_from="encoder"),
            ),
            name="guide_encoder_decoder",
        ),
    ),
    Preset(
        "guide-bidirectional", N_("Bidirectional LSTMs"),
        N_("Input (5, 10) -> Bidirectional(LSTM(64, return_sequences)) -> Bidirectional(LSTM(32)) -> "
           "Dense(10, softmax): each layer reads the sequence forward and backward."),
        _single("guide_bidirectional", InputSpec("vectors", "vectors", features=10, timesteps=5),
                BidirectionalSpec(RecurrentSpec("LSTM", 64, return_sequences=True)),
                BidirectionalSpec(RecurrentSpec("LSTM", 32)), DenseSpec(10, "softmax")),
    ),
    Preset(
        "guide-stateful", N_("Stateful LSTM"),
        N_("LSTM(64, stateful) over batches of shape (20, 10, 50): sample i of each batch continues "
           "sample i of the batch before, until reset_state()."),
        _single("guide_stateful", InputSpec("vectors", "vectors", features=50, batch_size=20),
                RecurrentSpec("LSTM", 64, stateful=True)),
    ),
    Preset(
        "guide-cell-vs-layer", N_("Cell vs layer"),
        N_("RNN(LSTMCell(10)) beside LSTM(10) on the same input: the same maths; only the built-in "
           "layer can use the fast cuDNN kernel on a GPU."),
        ModelSpec(
            inputs=(InputSpec("vectors", "vectors", features=8, timesteps=20),),
            stacks=(StackSpec("cell", "vectors", (RecurrentSpec("LSTM", 10, wrap_cell=True),)),
                    StackSpec("layer", "vectors", (RecurrentSpec("LSTM", 10),))),
            name="guide_cell_vs_layer",
        ),
    ),
)

DEFAULT_PRESET = "guide-lstm"


def preset_names() -> list[str]:
    """Names of every preset, in the order the guide introduces them."""
    return [p.name for p in _PRESETS]


def get_preset(name: str) -> Preset:
    """The preset called `name`.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    for preset in _PRESETS:
        if preset.name == name:
            return preset
    raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(preset_names())}")


def build_preset(name: str) -> keras.Model:
    """Build the preset called `name` as a functional `keras.Model`.

    Raises:
        ValueError: for an unknown name.
    """
    return build_model(get_preset(name).spec)

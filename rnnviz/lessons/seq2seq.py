"""Lesson "Encoder to decoder": the encoder's final h and c become the decoder's initial state.

The model is the guide's sequence-to-sequence example (preset `guide-encoder-decoder`, with its
vivid random weights, so that the states spread over their range): an
LSTM encoder reads one token sequence and returns its final states (`return_state=True`); an
LSTM decoder reads another sequence starting from them (`initial_state=[state_h, state_c]`).
The lesson steps both LSTMs with their own cells to record h and c at every step, lets the
handed state be changed (zeroed, or noise added), and runs the decoder from the changed state
beside the unchanged run. The full Keras model's own output is compared with the unchanged run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import keras
import numpy as np

from rnnviz.build import build_model, layer_names
from rnnviz.i18n import N_, _
from rnnviz.lessons.common import check_int, check_seed, frozen, max_abs_diff, run
from rnnviz.presets import get_preset
from rnnviz.spec import ModelSpec

PRESET = "guide-encoder-decoder"
CHANGES = (N_("keep"), N_("zero h"), N_("zero c"), N_("zero h and c"), N_("add noise"))  # _() them where shown
MAX_STEPS = 200  # the lesson steps each cell in Python, one call per step
MAX_BATCH = 16
MAX_NOISE = 10.0


@dataclass(frozen=True)
class DecoderRun:
    """The decoder's states at every step, from one initial state."""

    initial: tuple[np.ndarray, np.ndarray]  # (h0, c0), each (batch, units)
    h: np.ndarray  # (batch, decoder_steps, units)
    c: np.ndarray  # (batch, decoder_steps, units)
    probabilities: np.ndarray  # (batch, 10) Dense(10, softmax) on the last h


@dataclass(frozen=True)
class Seq2SeqLesson:
    """Both runs of the decoder, the encoder's states, and the checks that tie them to Keras."""

    change: str
    noise: float
    encoder_tokens: np.ndarray  # (batch, encoder_steps) token ids, 1..999
    decoder_tokens: np.ndarray  # (batch, decoder_steps) token ids, 1..1999
    encoder_h: np.ndarray  # (batch, encoder_steps, units)
    encoder_c: np.ndarray  # (batch, encoder_steps, units)
    encoder_returned: tuple[np.ndarray, np.ndarray, np.ndarray]  # Keras's (output, state_h, state_c), each (batch, units)
    encoder_returned_shapes: tuple[tuple[int | None, ...], ...]  # symbolic: ((None, 64), (None, 64), (None, 64))
    unchanged: DecoderRun
    changed: DecoderRun
    handoff_difference: float  # max |unchanged.initial - (state_h, state_c)|: what is handed is the encoder's final state
    encoder_difference: float  # max |stepped encoder's last (h, c) - Keras's (state_h, state_c)|
    model_difference: float  # max |Keras model output - unchanged.probabilities|
    params: dict[str, int]  # layer name -> parameter count, in model order
    total_params: int


def lesson_spec() -> ModelSpec:
    """The guide's model with vivid random weights: with Keras's initial weights its states stay near 0,
    and zeroing or perturbing them changes almost nothing one could see."""
    return replace(get_preset(PRESET).spec, weights="vivid")


def _check(change: str, noise: float, batch: int, encoder_steps: int, decoder_steps: int, seed: int) -> None:
    if change not in CHANGES:
        raise ValueError(_("change must be one of {changes}; got {change}").format(
            changes=", ".join(map(repr, CHANGES)), change=repr(change)))
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise <= MAX_NOISE:
        raise ValueError(_("noise must be a number from 0 to {limit}; got {noise}").format(limit=MAX_NOISE, noise=repr(noise)))
    check_int("batch", batch, 1, MAX_BATCH)
    check_int("encoder_steps", encoder_steps, 1, MAX_STEPS)
    check_int("decoder_steps", decoder_steps, 1, MAX_STEPS)
    check_seed(seed)


def _step_lstm(cell: keras.layers.Layer, x: np.ndarray, h: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run an LSTM cell over x (batch, steps, features) from (h, c); h and c at every step."""
    hs, cs = [], []
    for t in range(x.shape[1]):
        __, (h, c) = cell(x[:, t], [h, c], training=False)
        hs.append(np.asarray(h))
        cs.append(np.asarray(c))
    return np.stack(hs, axis=1), np.stack(cs, axis=1)


def handed_state(h: np.ndarray, c: np.ndarray, change: str, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The state handed to the decoder after `change`: keep, zero h, c or both, or add noise.

    Noise is Gaussian with standard deviation `noise`, seeded, added to both h and c.
    """
    if change == "add noise":
        rng = np.random.default_rng(seed + 7)
        return (h + noise * rng.standard_normal(h.shape)).astype(np.float32), (
            c + noise * rng.standard_normal(c.shape)
        ).astype(np.float32)
    zero_h = change in ("zero h", "zero h and c")
    zero_c = change in ("zero c", "zero h and c")
    return (np.zeros_like(h) if zero_h else h), (np.zeros_like(c) if zero_c else c)


def run_seq2seq(
    *,
    change: str = "zero c",
    noise: float = 0.5,
    batch: int = 2,
    encoder_steps: int = 8,
    decoder_steps: int = 12,
    seed: int = 0,
) -> Seq2SeqLesson:
    """Run the guide's encoder-decoder, then its decoder again from a changed handed state.

    Args:
        change: what to do to the handed state: "keep", "zero h", "zero c", "zero h and c" or
            "add noise".
        noise: standard deviation of the noise for "add noise".
        batch: samples.
        encoder_steps: tokens the encoder reads.
        decoder_steps: tokens the decoder reads.
        seed: fixes the tokens and the noise (the weights are the preset's, vivid: `lesson_spec()`).

    Returns:
        The encoder's states, the decoder's states from the encoder's state and from the
        changed one, and the differences that tie them to Keras's own model.

    Raises:
        ValueError: for an unknown change or a size outside the lesson's limits.
    """
    _check(change, noise, batch, encoder_steps, decoder_steps, seed)
    spec = lesson_spec()
    model = build_model(spec)
    names = layer_names(spec)
    layer = {role: model.get_layer(names[key]) for role, key in (
        ("enc_embed", ("encoder", 0)), ("encoder", ("encoder", 1)),
        ("dec_embed", ("decoder", 0)), ("decoder", ("decoder", 1)), ("dense", ("decoder", 2)),
    )}
    rng = np.random.default_rng(seed)
    enc_tokens = rng.integers(1, spec.stacks[0].layers[0].input_dim, (batch, encoder_steps)).astype(np.int32)
    dec_tokens = rng.integers(1, spec.stacks[1].layers[0].input_dim, (batch, decoder_steps)).astype(np.int32)

    enc_in = model.inputs[0]
    encoder_model = keras.Model(enc_in, layer["encoder"].output)
    returned = run(encoder_model, enc_tokens)
    units = layer["encoder"].cell.units
    zeros = np.zeros((batch, units), np.float32)
    enc_h, enc_c = _step_lstm(layer["encoder"].cell, np.asarray(layer["enc_embed"](enc_tokens)), zeros, zeros)
    dec_x = np.asarray(layer["dec_embed"](dec_tokens))

    def decode(h0: np.ndarray, c0: np.ndarray) -> DecoderRun:
        h, c = _step_lstm(layer["decoder"].cell, dec_x, h0, c0)
        probabilities = np.asarray(layer["dense"](h[:, -1]))
        return DecoderRun((frozen(h0), frozen(c0)), frozen(h), frozen(c), frozen(probabilities))

    state_h, state_c = returned[1], returned[2]
    unchanged = decode(state_h, state_c)
    changed = decode(*handed_state(state_h, state_c, change, noise, seed))
    keras_output = run(model, [enc_tokens, dec_tokens])[0]
    return Seq2SeqLesson(
        change=change,
        noise=float(noise),
        encoder_tokens=enc_tokens,
        decoder_tokens=dec_tokens,
        encoder_h=frozen(enc_h),
        encoder_c=frozen(enc_c),
        encoder_returned=tuple(frozen(r) for r in returned),
        encoder_returned_shapes=tuple(tuple(t.shape) for t in layer["encoder"].output),
        unchanged=unchanged,
        changed=changed,
        handoff_difference=max(max_abs_diff(unchanged.initial[0], state_h), max_abs_diff(unchanged.initial[1], state_c)),
        encoder_difference=max(max_abs_diff(enc_h[:, -1], state_h), max_abs_diff(enc_c[:, -1], state_c)),
        model_difference=max_abs_diff(keras_output, unchanged.probabilities),
        params={lay.name: lay.count_params() for lay in model.layers if lay.count_params()},
        total_params=model.count_params(),
    )

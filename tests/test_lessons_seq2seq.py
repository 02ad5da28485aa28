"""Lesson "Encoder to decoder" against numpy: the encoder's final h, c start the decoder."""

from dataclasses import replace

import numpy as np
import pytest

from rnnviz.build import build_model
from rnnviz.lessons import codegen
from rnnviz.lessons.seq2seq import CHANGES, handed_state, run_seq2seq
from rnnviz.presets import get_preset
from tests.lessons_reference import TOL, recurrence

SMALL = dict(batch=2, encoder_steps=4, decoder_steps=5)


@pytest.fixture(scope="module")
def weights():
    """The preset's vivid weights, read from a model built here (not by the lesson)."""
    model = build_model(replace(get_preset("guide-encoder-decoder").spec, weights="vivid"))
    w = {layer.name: [np.asarray(v, np.float64) for v in layer.get_weights()] for layer in model.layers}
    return w


def numpy_seq2seq(weights, enc_tokens, dec_tokens, change="keep", noise=0.0, seed=0):
    enc_x = weights["embedding"][0][enc_tokens]
    dec_x = weights["embedding_1"][0][dec_tokens]
    enc_h, enc_c, (h, c) = recurrence("LSTM", enc_x, weights["encoder"])
    if change == "keep":
        h0, c0 = h, c
    elif change == "add noise":
        rng = np.random.default_rng(seed + 7)
        h0 = h + noise * rng.standard_normal(h.shape)
        c0 = c + noise * rng.standard_normal(c.shape)
    else:
        h0 = np.zeros_like(h) if "h" in change.split()[1:] else h
        c0 = np.zeros_like(c) if change.endswith("c") else c
    dec_h, dec_c, _ = recurrence("LSTM", dec_x, weights["decoder"], initial=(h0, c0))
    kernel, bias = weights["dense"]
    logits = dec_h[:, -1] @ kernel + bias
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    return enc_h, enc_c, (h, c), (h0, c0), dec_h, dec_c, probs / probs.sum(-1, keepdims=True)


@pytest.mark.parametrize("change", CHANGES)
def test_decoder_runs_from_the_handed_state(weights, change):
    lesson = run_seq2seq(change=change, noise=0.3, seed=1, **SMALL)
    enc_h, enc_c, final, _, dec_h, dec_c, probs = numpy_seq2seq(weights, lesson.encoder_tokens, lesson.decoder_tokens)
    np.testing.assert_allclose(lesson.encoder_h, enc_h, atol=TOL)
    np.testing.assert_allclose(lesson.encoder_c, enc_c, atol=TOL)
    np.testing.assert_allclose(lesson.encoder_returned[1], final[0], atol=TOL)
    np.testing.assert_allclose(lesson.encoder_returned[2], final[1], atol=TOL)
    np.testing.assert_allclose(lesson.encoder_returned[0], final[0], atol=TOL)  # LSTM output = state_h
    np.testing.assert_allclose(lesson.unchanged.h, dec_h, atol=TOL)
    np.testing.assert_allclose(lesson.unchanged.c, dec_c, atol=TOL)
    np.testing.assert_allclose(lesson.unchanged.probabilities, probs, atol=TOL)
    assert lesson.handoff_difference == 0.0
    assert lesson.encoder_difference <= TOL and lesson.model_difference <= TOL

    _, _, _, start, ch_h, ch_c, ch_probs = numpy_seq2seq(
        weights, lesson.encoder_tokens, lesson.decoder_tokens, change, 0.3, seed=1)
    np.testing.assert_allclose(lesson.changed.initial[0], start[0], atol=TOL)
    np.testing.assert_allclose(lesson.changed.initial[1], start[1], atol=TOL)
    np.testing.assert_allclose(lesson.changed.h, ch_h, atol=TOL)
    np.testing.assert_allclose(lesson.changed.c, ch_c, atol=TOL)
    np.testing.assert_allclose(lesson.changed.probabilities, ch_probs, atol=TOL)
    if change != "keep":
        assert np.abs(lesson.changed.h - lesson.unchanged.h).max() > 1e-3


def test_the_guides_numbers():
    lesson = run_seq2seq(**SMALL)
    assert lesson.params == {"embedding": 64_000, "embedding_1": 128_000, "encoder": 33_024, "decoder": 33_024,
                             "dense": 650}
    assert lesson.total_params == 258_698
    assert lesson.encoder_returned_shapes == ((None, 64), (None, 64), (None, 64))
    assert lesson.unchanged.h.shape == (2, 5, 64)


def test_zeroing_c_changes_what_the_decoder_says():
    """Vivid weights: with Keras's initial ones, zeroing c moved a probability from 0.0996 to 0.0997."""
    lesson = run_seq2seq(change="zero c", **SMALL)
    assert np.abs(lesson.encoder_c).max() > 1.0
    assert np.abs(lesson.changed.h - lesson.unchanged.h).max() > 0.3
    assert np.abs(lesson.changed.probabilities - lesson.unchanged.probabilities).max() > 0.02


def test_zeroing_only_touches_what_it_names():
    h, c = np.ones((1, 3), np.float32), np.full((1, 3), 2, np.float32)
    assert np.array_equal(handed_state(h, c, "zero h", 0, 0)[1], c)
    assert not handed_state(h, c, "zero h", 0, 0)[0].any()
    assert np.array_equal(handed_state(h, c, "zero c", 0, 0)[0], h)
    assert not any(a.any() for a in handed_state(h, c, "zero h and c", 0, 0))


@pytest.mark.parametrize(("args", "message"), [
    (dict(change="flip"), "change must be one of"), (dict(noise=-1), "noise must be"),
    (dict(decoder_steps=0), "decoder_steps must be from 1"),
])
def test_bad_arguments_name_the_problem(args, message):
    with pytest.raises(ValueError, match=message):
        run_seq2seq(**{**SMALL, **args})


def test_the_code_shown_reproduces_the_lesson():
    lesson = run_seq2seq(change="add noise", noise=0.4, seed=2, **SMALL)
    scope: dict = {}
    exec(compile(codegen.seq2seq_code(change="add noise", noise=0.4, seed=2, **SMALL), "<code>", "exec"), scope)
    np.testing.assert_array_equal(scope["encoder_tokens"], lesson.encoder_tokens)
    np.testing.assert_allclose(scope["unchanged_h"], lesson.unchanged.h, atol=1e-6)
    np.testing.assert_allclose(scope["changed_c_steps"], lesson.changed.c, atol=1e-6)
    assert scope["model"].count_params() == 258_698

"""Lesson "Cells and layers": RNN(cell) equals the layer (numpy), the kernel choice follows Keras."""

import re

import numpy as np
import pytest

from rnnviz.lessons import codegen
from rnnviz.lessons.cells import (
    CellSettings,
    Timing,
    compare_cell_and_layer,
    kernel_choice,
    kernel_reason_text,
    run_custom_cell,
    quartiles,
    time_cell_and_layer,
    timing_verdict,
)
from rnnviz.i18n import use_language
from tests.lessons_reference import TOL, recurrence, seeded_weights, uniform_input

SMALL = dict(batch=2, timesteps=6, features=3)


@pytest.mark.parametrize(("kind", "settings"), [
    ("LSTM", CellSettings()),
    ("GRU", CellSettings()),
    ("SimpleRNN", CellSettings()),
    ("GRU", CellSettings(reset_after=False, recurrent_activation="hard_sigmoid")),
    ("LSTM", CellSettings(activation="relu", use_bias=False, unroll=True, recurrent_dropout=0.3)),
])
def test_cell_in_rnn_equals_the_layer_and_numpy(kind, settings):
    lesson = compare_cell_and_layer(kind, 4, settings=settings, **SMALL)
    kernel, recurrent, bias = seeded_weights(kind, 4, 3, 0)
    if kind == "GRU" and not settings.reset_after:
        bias = np.zeros(12)
    h, _, _ = recurrence(kind, uniform_input((2, 6, 3), 0), (kernel, recurrent, bias),
                         activation=settings.activation, recurrent_activation=settings.recurrent_activation,
                         reset_after=settings.reset_after, use_bias=settings.use_bias)
    np.testing.assert_allclose(lesson.layer_output, h, atol=TOL)
    np.testing.assert_allclose(lesson.cell_output, h, atol=TOL)
    assert lesson.difference <= TOL


def test_the_guides_sizes_count_the_guides_parameters():
    lesson = compare_cell_and_layer()  # LSTM(64) on 28 steps of 28 features, batch 64
    assert lesson.layer_output.shape == (64, 28, 64)
    assert lesson.params == 4 * 64 * (28 + 64 + 1) == 23_808
    assert lesson.difference <= TOL
    assert lesson.layer_kernel_on_gpu[0] == "cudnn"
    assert lesson.cell_kernel[0] == "generic"


@pytest.mark.parametrize(("kind", "settings", "expected"), [
    ("LSTM", {}, []),
    ("GRU", {}, []),
    ("LSTM", {"activation": "relu"}, ["activation='tanh'"]),
    ("LSTM", {"recurrent_activation": "hard_sigmoid"}, ["recurrent_activation='sigmoid'"]),
    ("GRU", {"recurrent_dropout": 0.1}, ["recurrent_dropout=0"]),
    ("LSTM", {"unroll": True}, ["unroll=False"]),
    ("GRU", {"use_bias": False}, ["use_bias=True"]),
    ("GRU", {"reset_after": False}, ["reset_after=True"]),
    ("LSTM", {"reset_after": False}, []),  # not an LSTM setting
    ("LSTM", {"activation": "sigmoid", "use_bias": False, "unroll": True},
     ["activation='tanh'", "unroll=False", "use_bias=True"]),
])
def test_kernel_choice_follows_keras_conditions(kind, settings, expected):
    kernel, reasons = kernel_choice(kind, gpu_available=True, **settings)
    assert kernel == ("generic" if expected else "cudnn")
    if expected:
        assert len(reasons) == len(expected)
        for reason, fragment in zip(reasons, expected):
            assert fragment in reason
    # Without a GPU it is always the generic kernel, and that is one more reason.
    kernel, reasons = kernel_choice(kind, gpu_available=False, **settings)
    assert kernel == "generic" and "no GPU" in reasons[-1] and len(reasons) == len(expected) + 1


def test_a_wrapped_cell_or_a_simplernn_never_gets_cudnn():
    kernel, reasons = kernel_choice("LSTM", wrapped_in_rnn=True, gpu_available=True)
    assert kernel == "generic" and "RNN around a cell" in reasons[0]
    kernel, reasons = kernel_choice("SimpleRNN", gpu_available=True)
    assert kernel == "generic" and "SimpleRNN has no cuDNN kernel" in reasons[0]


@pytest.mark.parametrize("settings", [
    {}, {"activation": "relu"}, {"recurrent_activation": "hard_sigmoid"}, {"unroll": True}, {"use_bias": False},
    {"reset_after": False}, {"recurrent_dropout": 0.2},
])
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("wrapped", [False, True])
@pytest.mark.parametrize("gpu", [False, True])
def test_every_kernel_reason_is_shown_in_korean_and_kept_in_english(settings, kind, wrapped, gpu):
    __, reasons = kernel_choice(kind, wrapped_in_rnn=wrapped, gpu_available=gpu, **settings)
    for reason in reasons:
        assert kernel_reason_text(reason) == reason  # English: the reason as trace_cells wrote it
        with use_language("ko"):
            korean = kernel_reason_text(reason)
        assert korean != reason and re.search("[가-힣]", korean), reason  # a template of KERNEL_REASONS matched
        for name in re.findall(r"this layer has '(\w+)'", reason):
            assert f"'{name}'" in korean  # the activation it names survives translation


def test_kernel_choice_checks_its_arguments():
    with pytest.raises(ValueError, match="activation must be one of"):
        kernel_choice("LSTM", activation="swishy")
    with pytest.raises(ValueError, match="recurrent_dropout must be from 0"):
        kernel_choice("LSTM", recurrent_dropout=1.5)


def test_timing_reports_both_on_this_device():
    timing = time_cell_and_layer("GRU", 4, repeats=3, **SMALL)
    assert len(timing.layer_times) == len(timing.cell_times) == timing.repeats == 3
    assert min(timing.layer_times) > 0 and min(timing.cell_times) > 0
    assert timing.layer_ms == sorted(timing.layer_times)[1] and timing.cell_ms == sorted(timing.cell_times)[1]
    assert timing.device in ("CPU", "GPU") and timing.cell_kernel == "generic"


def test_the_timing_caption_claims_a_winner_only_when_the_noise_allows():
    overlapping = Timing("CPU", (2.7, 2.6, 3.1, 2.8), (2.8, 2.5, 3.0, 7.0), "generic", "generic")
    said = timing_verdict(overlapping)
    assert "cannot be told apart" in said and "faster" not in said and "over 4 forward passes" in said
    apart = Timing("GPU", (1.0, 1.1, 0.9, 1.0), (6.0, 6.2, 5.9, 6.1), "cudnn", "generic")
    assert timing_verdict(apart).startswith("Here the built-in layer is faster: 6.0× by the medians")
    assert quartiles((3.0,)) == (3.0, 3.0) and quartiles((1.0, 2.0, 3.0, 4.0, 5.0)) == (2.0, 4.0)


def test_custom_cell_follows_its_equation():
    lesson = run_custom_cell(5, batch=2, timesteps=7, features=3, seed=1)
    x = uniform_input((2, 7, 3), 1)
    kernel, recurrent, _ = seeded_weights("SimpleRNN", 5, 3, 1)
    np.testing.assert_allclose(lesson.kernel, kernel, atol=1e-7)
    h, out = np.zeros((2, 5)), []
    for t in range(7):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent)
        out.append(h)
    np.testing.assert_allclose(lesson.outputs, np.stack(out, axis=1), atol=TOL)
    assert lesson.equation_difference <= TOL


def test_the_code_shown_reproduces_the_lesson():
    settings = CellSettings(activation="relu", reset_after=False)
    lesson = compare_cell_and_layer("GRU", 3, settings=settings, seed=5, **SMALL)
    scope: dict = {}
    exec(compile(codegen.cells_code("GRU", 3, settings=settings, seed=5, **SMALL), "<code>", "exec"), scope)
    np.testing.assert_array_equal(scope["layer_model"].predict_on_batch(scope["x"]), lesson.layer_output)
    assert "reset_after=False" in codegen.cells_code("GRU", 3, settings=settings, seed=5, **SMALL)
    custom = run_custom_cell(4, batch=2, timesteps=5, features=3, seed=2)
    scope = {}
    exec(compile(codegen.custom_cell_code(4, batch=2, timesteps=5, features=3, seed=2), "<code>", "exec"), scope)
    np.testing.assert_array_equal(scope["outputs"], custom.outputs)

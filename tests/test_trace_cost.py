"""Traces are bounded by their real cost, checked before any work, through every door (API, CLI, app)."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import keras
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnnviz import cli, limits, trace_cost, trace_graph
from rnnviz.trace import estimate_trace_bytes, trace
from rnnviz.ui import keys

ROOT = Path(__file__).resolve().parents[1]
L = keras.layers


def open_lstm() -> keras.Model:
    inp = keras.Input((None, 1), name="signal")
    return keras.Model(inp, L.LSTM(2, name="lstm")(inp))


@pytest.mark.parametrize(("shape", "message"), [
    ((1, 2001, 1), "input 'signal' has 2,001 timesteps; rnnviz traces at most 2,000: shorten the sequence"),
    ((1, 10**7, 1), "input 'signal' has 10,000,000 timesteps; rnnviz traces at most 2,000: shorten the sequence"),
    ((257, 3, 1), "input 'signal' has a batch of 257 sequences; rnnviz traces at most 256 at once: pass fewer rows"),
    ((10**5, 3, 1), "a batch of 100,000 sequences"),
])
def test_inputs_past_the_limits_are_refused_before_any_work(shape, message):
    model = open_lstm()
    x = np.zeros(shape, np.float32)
    started = time.monotonic()
    with pytest.raises(ValueError, match=message):
        trace(model, x)
    assert time.monotonic() - started < 2.0
    assert trace_graph.tracer_for(model)._functions == {}  # nothing was compiled, nothing ran


def test_the_limits_themselves_are_accepted():
    model = open_lstm()
    tr = trace(model, np.zeros((2, limits.MAX_TIMESTEPS, 1), np.float32))
    assert tr["lstm"].h.shape == (2, limits.MAX_TIMESTEPS, 2)


def test_a_layer_that_would_run_more_steps_than_its_input_has_is_refused():
    inp = keras.Input((3,))
    model = keras.Model(inp, L.GRU(2, name="gru")(L.RepeatVector(5000)(inp)))
    with pytest.raises(ValueError, match="layer 'gru' would run 5,000 timesteps; rnnviz traces at most 2,000"):
        trace(model, np.zeros((1, 3), np.float32))


def test_an_input_with_too_many_values_is_refused_from_its_shape():
    with pytest.raises(ValueError, match=r"input 'x' holds 3,000,000,000 values \(11\.18 GiB as float32\), over the limit"):
        trace_cost.check_input("input 'x'", (1, 10, 300_000_000))


def test_the_estimate_counts_the_loop_per_step_cost():
    """The 10^7-step case of the issue was estimated at 250 MB and used 12 GB: now it counts every kept step."""
    model = open_lstm()
    small = estimate_trace_bytes(model, np.zeros((1, 1000, 1), np.float32))
    large = estimate_trace_bytes(model, np.zeros((1, 2000, 1), np.float32))
    per_step = (large - small) / 1000
    assert per_step >= 6 * trace_cost.STEP_OVERHEAD_BYTES  # h, c and four gates, each a tensor per step


def _bench():
    spec = importlib.util.spec_from_file_location("trace_memory", ROOT / "bench" / "trace_memory.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("label", ["LSTM(2), 1 x 100,000 steps", "Bidirectional GRU(128), 32 x 2,000"])
def test_the_estimate_is_an_upper_bound_of_the_measured_peak_within_reason(label):
    """Measured in a fresh process: the peak resident memory a trace adds (see bench/trace_memory.py)."""
    bench = _bench()
    size = next(s[1:] for s in bench.SIZES if s[0] == label)
    r = bench.measure(*size)
    assert r["peak_growth"] <= r["estimate"] <= 3 * r["peak_growth"] + trace_cost.FIXED_BYTES, r


# --- the command line -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "open.keras"
    open_lstm().save(path)
    return path


def test_cli_refuses_a_long_npy_with_the_limit(model_file, tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((1, 2001, 1), np.float32))
    assert cli.main(["trace", str(model_file), "--input", str(tmp_path / "x.npy")]) == cli.EXIT_USAGE
    assert "2,001 timesteps; rnnviz traces at most 2,000: shorten the sequence" in capsys.readouterr().err


def test_cli_refuses_an_npz_from_its_header_before_inflating_it(model_file, tmp_path, capsys):
    np.savez_compressed(tmp_path / "x.npz", signal=np.zeros((1, 10**7, 1), np.float32))  # 40 MB in a few KB
    assert (tmp_path / "x.npz").stat().st_size < 200_000
    started = time.monotonic()
    assert cli.main(["trace", str(model_file), "--input", str(tmp_path / "x.npz")]) == cli.EXIT_USAGE
    assert time.monotonic() - started < 2.0
    err = capsys.readouterr().err
    assert "input 'signal' in x.npz has 10,000,000 timesteps; rnnviz traces at most 2,000" in err


# --- the app ----------------------------------------------------------------------------------------


def test_the_app_shows_the_limit_when_a_text_passes_it(monkeypatch):
    """The States page traces through the same check: with the limit lowered, a longer text is refused."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["preset"] = "guide-lstm"
    at.run()
    at.switch_page("pages/states.py")
    at.run()
    monkeypatch.setattr(limits, "MAX_TIMESTEPS", 8)
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").input("twelve chars").run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any("has 12 timesteps; rnnviz traces at most 8: shorten the sequence" in e for e in errors), errors

"""An upload is opened first in a capped child process: over its memory or time cap, or abandoned, it comes
back as a clear ValueError within the time stated, and the server's own memory does not grow."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from rnnviz import load_worker
from rnnviz.limits import MAX_LOAD_SECONDS
from rnnviz.load_worker import check_load, load_model_capped

L = keras.layers
WITHIN_S = 5.0  # a refusal comes back this fast once the worker runs (its first start imports TensorFlow)
# A load that only the worker's memory cap stops: TensorFlow's CPU allocator retries for 10 s before it gives
# up, so such a refusal is bounded by the worker's time cap, not by WITHIN_S.
OVER_CAP_WITHIN_S = MAX_LOAD_SECONDS + 5.0


def rss() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


def saved(model: keras.Model, tmp: Path, name: str) -> bytes:
    model.save(tmp / name)
    return (tmp / name).read_bytes()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("worker")
    inp = keras.Input((None, 3))
    small = saved(keras.Model(inp, L.LSTM(4, name="lstm")(inp)), tmp, "small.keras")
    inp = keras.Input((None,), dtype="int32")
    x = L.Embedding(50_000, 64, name="words")(inp)  # 12.8 MB of weights
    large = saved(keras.Model(inp, L.GRU(8)(x)), tmp, "words.keras")
    return {"small": small, "words": large, "huge_config": _huge_config(small)}


def _huge_config(archive: bytes) -> bytes:
    """The small model's archive with its LSTM declared at 20,000 units (6.4 GB of kernels to build)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "config.json":
                data = json.dumps(json.loads(data)).replace('"units": 4', '"units": 20000').encode()
            dst.writestr(info, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def warm(files) -> None:
    """The forkserver started (it imports TensorFlow once: seconds on a busy machine, not counted below)."""
    check_load(files["small"], "small.keras", max_seconds=120)


def test_a_good_model_loads_through_the_worker(files, warm):
    started = time.monotonic()
    model = load_model_capped(files["small"], "small.keras")
    assert time.monotonic() - started < WITHIN_S
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "LSTM"]


def test_a_load_over_the_memory_cap_is_refused_and_the_server_does_not_grow(files, warm):
    """A real model whose load needs more than the cap given (12.8 MB of weights, and Keras's copies, under a
    64 MB cap: numpy's allocation fails at once; one of TensorFlow's own waits 10 s for memory before it fails)."""
    check_load(files["words"], "words.keras")  # loads under the stated cap
    before = rss()
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"(opening words\.keras needed more than 64 MB of memory|"
                                         r"loading process ended with signal)") as err:
        check_load(files["words"], "words.keras", max_memory=64 * 1024**2)
    assert time.monotonic() - started < OVER_CAP_WITHIN_S
    assert "smaller model" in str(err.value)
    assert rss() - before < 20 * 1024**2


def test_a_config_declaring_a_huge_layer_is_refused_within_the_caps(files, warm):
    """Whatever refuses it (rnnviz's checks of the config, or the worker's cap), the server never builds 6.4 GB.

    Refused by the worker alone, it takes about 10 s: TensorFlow's CPU allocator (oneDNN's) waits that long
    for memory to come free before it fails an allocation; the time cap bounds it in any case."""
    before = rss()
    started = time.monotonic()
    with pytest.raises(ValueError, match="huge.keras"):
        load_model_capped(files["huge_config"], "huge.keras")
    assert time.monotonic() - started < load_worker.MAX_LOAD_SECONDS + WITHIN_S
    assert rss() - before < 50 * 1024**2


def test_a_load_past_the_time_cap_is_stopped(files, warm):
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"opening words\.keras took more than 0\.01 s, the limit for one model"):
        check_load(files["words"], "words.keras", max_seconds=0.01)
    assert time.monotonic() - started < WITHIN_S


def test_an_abandoned_upload_stops_its_child(files, warm):
    asked = []

    def gone() -> bool:
        asked.append(time.monotonic())
        return True

    started = time.monotonic()
    with pytest.raises(ValueError, match="was stopped: the page that uploaded it has gone"):
        check_load(files["words"], "words.keras", abandoned=gone)
    assert asked and time.monotonic() - started < WITHIN_S
    assert not [p for p in __import__("multiprocessing").active_children() if p.name == "rnnviz-load"]


def test_what_the_checks_refuse_comes_back_with_their_message(warm):
    with pytest.raises(ValueError, match="not a Keras archive"):
        load_model_capped(np.random.default_rng(0).bytes(2048), "random.keras")


def test_the_child_never_runs_the_page_script_that_streamlit_put_in_main(files, warm, tmp_path, monkeypatch):
    """Under Streamlit, sys.modules['__main__'] is the page script being run; multiprocessing would run it
    again in the child (and it fails there, or worse). The child must start from rnnviz alone."""
    import sys
    import types

    marker = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit(1)\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    check_load(files["small"], "small.keras")
    assert not marker.exists()

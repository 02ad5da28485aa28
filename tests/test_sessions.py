"""Sessions are isolated and the server's resources are bounded.

Nothing mutable is shared through st.cache_resource; every session builds its own models and its own
stateful layer; only the traces of unedited, non-stateful presets are shared, as copies; a run stopped midway (a rerun, a stop) leaves the session's cached traces whole; two
script threads of one session trace a model once; at most MAX_CONCURRENT_TRACES traces run at once
and a session waits at most TRACE_WAIT_S for one; .streamlit/config.toml sets the server's guards.
"""

from __future__ import annotations

import ast
import dataclasses
import threading
import time
import tomllib
from pathlib import Path

import keras
import numpy as np
import pytest
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.testing.v1 import AppTest

from rnnviz.device import device_info
from rnnviz.feeding import model_arguments, needs_from_model, prepare
from rnnviz.limits import MAX_MODEL_BYTES
from rnnviz.trace import Trace, trace
from rnnviz.ui import keys, traced

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([ROOT / "app.py", *(ROOT / "rnnviz").rglob("*.py"), *(ROOT / "pages").glob("*.py")])


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


# --- st.cache_resource shares nothing mutable ------------------------------------------------------


def cache_resource_functions() -> list[tuple[str, ast.FunctionDef]]:
    """Every function decorated with st.cache_resource (called or not) in the app's code."""
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for deco in node.decorator_list:
                    target = deco.func if isinstance(deco, ast.Call) else deco
                    if "cache_resource" in ast.unparse(target):
                        found.append((str(path.relative_to(ROOT)), node))
    return found


def test_cache_resource_is_used_only_for_immutable_device_info():
    found = {(path, fn.name): ast.unparse(fn.returns) if fn.returns else None for path, fn in cache_resource_functions()}
    assert found == {("rnnviz/ui/device_line.py", "_info"): "DeviceInfo"}, (
        "st.cache_resource shares one object between every session and thread: only immutable data may be "
        f"cached that way (models, stateful layers and dicts never). Found: {found}")
    # Any other way of naming it (an alias, st.experimental_singleton) would dodge the walk above.
    for path in SOURCES:
        text = path.read_text()
        assert "experimental_singleton" not in text and "cache_resource as" not in text, path


def test_device_info_is_deeply_immutable():
    info = device_info()
    assert type(info).__dataclass_params__.frozen
    for field in dataclasses.fields(info):
        value = getattr(info, field.name)
        assert isinstance(value, (str, int, float, bool, type(None), tuple)), field.name
        if isinstance(value, tuple):
            assert all(isinstance(v, (str, int, float, bool)) for v in value), field.name
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.gpus = ("mutated",)


# --- server settings --------------------------------------------------------------------------------


def test_config_toml_sets_the_servers_guards():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] == MAX_MODEL_BYTES // 1024**2 == 50  # MB, as the sidebar says
    assert config["browser"]["gatherUsageStats"] is False


# --- each session its own models ------------------------------------------------------------------------


def open_app(page: str | None = None, preset: str = "guide-lstm") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["preset"] = preset
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_two_sessions_of_one_preset_get_their_own_model_objects():
    one, two = open_app("pages/states.py"), open_app("pages/states.py")
    models_one, models_two = one.session_state[keys.MODELS], two.session_state[keys.MODELS]
    assert models_one.keys() == models_two.keys()
    for spec in models_one:
        assert models_one[spec] is not models_two[spec]
        for a, b in zip(models_one[spec].weights, models_two[spec].weights):
            assert a is not b


def test_feeding_the_stateful_layer_in_one_session_leaves_the_other_alone():
    one, two = open_app("pages/stateful.py"), open_app("pages/stateful.py")
    assert one.session_state[keys.STATEFUL_SESSION] is not two.session_state[keys.STATEFUL_SESSION]
    for _ in range(2):
        one.button(key=keys.STATEFUL_FEED).click().run()
    two.run()
    assert metric(one, "Batches fed").startswith("2 of")
    assert metric(two, "Batches fed").startswith("0 of")
    assert float(metric(one, "Kept state: largest |h|")) > 0
    assert float(metric(two, "Kept state: largest |h|")) == 0
    one.button(key=keys.STATEFUL_RESET).click().run()
    two.button(key=keys.STATEFUL_FEED).click().run()
    assert metric(one, "The next batch starts from") == "zeros"
    assert metric(two, "The next batch starts from") == "the kept state"


# --- traces shared between sessions: only those of unedited, non-stateful presets ----------------------


def _counting_traces(monkeypatch) -> list:
    calls, real = [], traced.trace

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(traced, "trace", counted)
    return calls


def _the_trace(at: AppTest) -> tuple[tuple, Trace]:
    (key, stored), = at.session_state[keys.TRACES].items()
    return key, stored


def test_a_second_session_of_an_unedited_preset_gets_the_first_ones_trace_as_its_own_copy(monkeypatch):
    calls = _counting_traces(monkeypatch)
    one, two = open_app("pages/states.py"), open_app("pages/states.py")
    assert len(calls) == 1  # the second session did not run the model
    (key, first), (_, second) = _the_trace(one), _the_trace(two)
    assert second is not first and second["lstm"].h is not first["lstm"].h  # a copy: nothing shared to mutate
    model = two.session_state[keys.MODELS][key[0][1]]  # the second session's own model, run here
    own = trace(model, model_arguments(prepare(needs_from_model(model), key[1])))
    assert second.names == own.names
    for name in own.names:
        np.testing.assert_array_equal(second[name].h, own[name].h)
        for gate, values in own[name].forward.gates.items():
            np.testing.assert_array_equal(second[name].forward.gates[gate], values)


def test_an_edited_model_and_a_stateful_one_are_traced_by_each_session(monkeypatch):
    calls = _counting_traces(monkeypatch)
    for _ in range(2):
        at = open_app("pages/build.py", preset="guide-lstm")
        units = next(w.key for w in at.number_input if w.key.endswith("layer.0.1.units"))
        at.number_input(key=units).set_value(12).run()
        at.switch_page("pages/states.py").run()
        assert not at.exception and _the_trace(at)[1]["lstm"].units == 12
    assert len(calls) == 2
    for _ in range(2):
        open_app("pages/states.py", preset="guide-stateful")
    assert len(calls) == 4


def test_a_trace_over_the_shared_size_is_traced_by_each_session(monkeypatch):
    calls = _counting_traces(monkeypatch)
    monkeypatch.setattr(traced, "SHARED_TRACE_BYTES", 1024)  # the default input's trace is larger
    open_app("pages/states.py"), open_app("pages/states.py")
    assert len(calls) == 2


# --- runs stopped midway, and two threads of one session ---------------------------------------------


def test_a_run_stopped_after_tracing_stores_nothing_and_the_next_run_is_whole(monkeypatch):
    at = open_app("pages/states.py")
    text = f"{keys.INPUT_WIDGET}.tokens.text"
    real = traced.trace
    calls = []

    def stopped(model, inputs, **kwargs):
        calls.append(1)
        real(model, inputs, **kwargs)
        raise StopException()  # what a rerun or a closed tab does to a script thread midway

    monkeypatch.setattr(traced, "trace", stopped)
    at.text_area(key=text).input("stop me").run()
    assert calls and not at.exception
    cache = at.session_state[keys.TRACES]
    assert all(isinstance(value, Trace) for value in cache.values())
    assert not any(choices[0].text == "stop me" for (_model, choices, _language) in cache), "a stopped run stored a trace"

    monkeypatch.setattr(traced, "trace", real)
    at.run()
    assert not at.exception and not at.error
    (key,) = [k for k in at.session_state[keys.TRACES] if k[1][0].text == "stop me"]
    stored = at.session_state[keys.TRACES][key]
    model = at.session_state[keys.MODELS][key[0][1]]  # key: (("spec", spec), choices)
    fresh = trace(model, model_arguments(prepare(needs_from_model(model), key[1])))
    assert stored.names == fresh.names
    for name in fresh.names:
        np.testing.assert_array_equal(stored[name].h, fresh[name].h)


def test_two_threads_of_one_session_trace_its_model_once(monkeypatch):
    inp = keras.Input((None, 3))
    model = keras.Model(inp, keras.layers.GRU(4, name="gru")(inp))
    x = np.random.default_rng(0).random((2, 6, 3), dtype=np.float32)
    calls = []
    real = traced.trace

    def counted(*args, **kwargs):
        calls.append(1)
        time.sleep(0.2)  # long enough for the other threads to arrive
        return real(*args, **kwargs)

    monkeypatch.setattr(traced, "trace", counted)
    monkeypatch.setattr(traced, "model_arguments", lambda prepared: x)
    cache: dict = {}
    results = [None] * 4
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, traced._trace_into(cache, "k", model, ())))
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(calls) == 1
    assert all(r is results[0] for r in results) and list(cache) == ["k"]
    np.testing.assert_allclose(results[0]["gru"].h, trace(model, x)["gru"].h, atol=1e-6)


def test_concurrent_traces_of_a_stateful_model_agree_and_leave_its_state(monkeypatch):
    """Traces only read a stateful layer's kept state: any number at once give one answer and move nothing."""
    inp = keras.Input(batch_shape=(2, None, 3))
    layer = keras.layers.LSTM(4, stateful=True, name="lstm")
    model = keras.Model(inp, layer(inp))
    rng = np.random.default_rng(1)
    model(rng.random((2, 5, 3), dtype=np.float32))  # leave a non-zero kept state
    kept = [np.array(v) for v in layer.states]
    x = rng.random((2, 7, 3), dtype=np.float32)
    expected = trace(model, x)["lstm"].h
    out: list = []
    threads = [threading.Thread(target=lambda: out.append(trace(model, x)["lstm"].h)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(out) == 6
    for h in out:
        np.testing.assert_array_equal(h, expected)
    for before, after in zip(kept, layer.states):
        np.testing.assert_array_equal(before, np.asarray(after))


# --- the stated bound -------------------------------------------------------------------------------------


def test_at_most_max_concurrent_traces_run_at_once(monkeypatch):
    running, peak, lock = [0], [0], threading.Lock()

    def slow(model, inputs, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return "trace"

    monkeypatch.setattr(traced, "trace", slow)
    monkeypatch.setattr(traced, "model_arguments", lambda prepared: None)
    models = [keras.Sequential() for _ in range(6)]  # one per session: six different model locks
    threads = [threading.Thread(target=traced._trace_into, args=({}, "k", m, ())) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert peak[0] == traced.MAX_CONCURRENT_TRACES == 2


def test_a_session_waits_at_most_the_stated_bound_then_is_told(monkeypatch):
    monkeypatch.setattr(traced, "TRACE_WAIT_S", 0.5)
    at = open_app("pages/states.py")
    text = f"{keys.INPUT_WIDGET}.tokens.text"
    for _ in range(traced.MAX_CONCURRENT_TRACES):  # two other sessions' heavy traces
        assert traced._SLOTS.acquire(timeout=5)
    try:
        start = time.monotonic()
        at.text_area(key=text).input("while the server is busy").run()
        waited = time.monotonic() - start
    finally:
        for _ in range(traced.MAX_CONCURRENT_TRACES):
            traced._SLOTS.release()
    assert not at.exception
    assert any("server is busy" in w.value for w in at.warning), [w.value for w in at.warning]
    assert waited < 0.5 + 15  # the wait, plus one rerun of the page on 2 slow cores
    assert at.text_area(key=text).value == "while the server is busy"
    at.run()  # the slots are free again
    assert not at.warning and not at.error
    assert any(k[1][0].text == "while the server is busy" for k in at.session_state[keys.TRACES])


def test_a_session_that_waited_for_a_slot_is_told_how_long():
    at = open_app("pages/states.py")
    text = f"{keys.INPUT_WIDGET}.tokens.text"
    for _ in range(traced.MAX_CONCURRENT_TRACES):
        assert traced._SLOTS.acquire(timeout=5)
    # One of the other sessions' traces ends after a second.
    release = threading.Timer(1.0, traced._SLOTS.release)
    release.start()
    try:
        at.text_area(key=text).input("after a short wait").run()
    finally:
        release.join()
        for _ in range(traced.MAX_CONCURRENT_TRACES - 1):
            traced._SLOTS.release()
    assert not at.exception and not at.warning
    (caption,) = [c.value for c in at.caption if "for other sessions' runs" in c.value]
    waited = float(caption.split("Waited ")[1].split(" s")[0])
    assert 0.9 <= waited < traced.TRACE_WAIT_S

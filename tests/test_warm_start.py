"""rnnviz.ui.warm_start: no Keras reset after a run, every page's imports done once, out of gc sweeps."""

import gc
import re
import sys
import weakref
from pathlib import Path
from types import SimpleNamespace

import keras
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from rnnviz.ui import warm_start

ROOT = Path(__file__).resolve().parents[1]


def a_script_run():
    at = AppTest.from_string("import streamlit as st\nst.write('hi')", default_timeout=60)
    at.run()
    assert not at.exception


def count_keras_resets(monkeypatch) -> list:
    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *a, **k: calls.append(1))
    return calls


def test_streamlit_itself_resets_keras_after_every_run(monkeypatch):
    resets = count_keras_resets(monkeypatch)
    monkeypatch.setattr(script_runner, "_clean_problem_modules", warm_start.STREAMLIT_CLEANUP)
    a_script_run()
    a_script_run()
    assert len(resets) == 2  # what the app has to stop


def test_after_stop_keras_reset_no_run_resets_keras(monkeypatch):
    resets = count_keras_resets(monkeypatch)
    monkeypatch.setattr(script_runner, "_clean_problem_modules", warm_start.STREAMLIT_CLEANUP)
    assert warm_start.stop_keras_reset()
    a_script_run()
    a_script_run()
    assert resets == []


def test_the_rest_of_streamlits_cleanup_still_closes_matplotlib_figures(monkeypatch):
    closed = []
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", SimpleNamespace(close=closed.append))
    monkeypatch.setattr(script_runner, "_clean_problem_modules", warm_start.STREAMLIT_CLEANUP)
    warm_start.stop_keras_reset()
    a_script_run()
    assert closed == ["all"]


def test_without_streamlits_function_the_app_runs_as_before_and_says_so(monkeypatch, caplog):
    monkeypatch.delattr(script_runner, "_clean_problem_modules")
    assert warm_start.stop_keras_reset() is False
    assert "cannot keep Streamlit from resetting Keras" in caplog.text


def test_the_app_starts_warm(monkeypatch):
    monkeypatch.setattr(script_runner, "_clean_problem_modules", warm_start.STREAMLIT_CLEANUP)
    monkeypatch.setattr(warm_start, "_done", False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert warm_start._done and script_runner._clean_problem_modules is warm_start._clean_without_keras_reset
    assert gc.get_freeze_count() > 100_000  # TensorFlow, Keras, Plotly: out of every full collection
    assert warm_start.warm_start() is False  # once per process


def test_every_module_a_page_imports_is_imported_before_freezing():
    wanted = set()
    for source in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]:
        wanted |= set(re.findall(r"^from (rnnviz[\w.]*) import", source.read_text(), re.M))
    assert wanted and wanted <= set(warm_start.app_modules())
    assert "rnnviz.cli" not in warm_start.app_modules()


def test_what_sessions_make_after_the_freeze_is_still_collected():
    warm_start.warm_start()
    assert gc.get_freeze_count() > 0

    class Model:
        pass

    model = Model()
    model.self = model  # a cycle, as Keras models and traced graphs have: only the collector frees it
    gone = weakref.ref(model)
    del model
    gc.collect(2)
    assert gone() is None


def test_warm_traces_traces_each_warm_preset_once_and_a_failure_only_warns(monkeypatch, caplog):
    import importlib

    module = importlib.import_module("rnnviz.trace")  # the package's `rnnviz.trace` is the function
    traced, real = [], module.trace
    monkeypatch.setattr(module, "trace", lambda model, x: traced.append(model.name) or real(model, x))
    assert warm_start.warm_traces() is True
    assert len(traced) == len(warm_start.WARM_PRESETS) == 3

    def broken(*args, **kwargs):
        raise RuntimeError("no TensorFlow today")

    monkeypatch.setattr(module, "trace", broken)
    assert warm_start.warm_traces() is False
    assert "could not warm up its traces" in caplog.text

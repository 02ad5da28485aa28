"""Once per server process: stop Streamlit resetting Keras after every run, import what every
page needs, then keep those objects out of the garbage collector's full sweeps.

After every script run Streamlit calls `keras.backend.clear_session()` when Keras is loaded
(`script_runner._clean_problem_modules`). For a server that keeps each session's models that
is wrong (DESIGN.md: never call it in the server): it empties TensorFlow's kernel cache for the
whole process, in the middle of other sessions' runs, which made the next warm trace three times
slower and every model build half again slower. `stop_keras_reset` leaves the rest of that
cleanup (closing matplotlib figures) in place.

After every script run Streamlit collects garbage twice (`runner.postScriptGC`, and the
`gc.collect()` inside the `keras.backend.clear_session()` it calls when Keras is loaded). A full
collection walks every object the process tracks: with TensorFlow, Keras and Plotly loaded that
is some 350,000 objects, 0.3 s at best on this machine and seconds when it is busy, added to every
click. Nearly all of them are modules, classes and functions that live as long as the process.
A process's first trace of each kind of layer costs more than later ones: `warm_traces` pays
that at start, not the first session to open States.

`gc.freeze()` moves the objects alive now into a generation the collector never walks, so later
collections walk only what sessions create (models, traces, figures), which they still free.
"""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import sys
import threading

import numpy as np

from streamlit.runtime.scriptrunner import script_runner

import rnnviz

_LOG = logging.getLogger(__name__)
STREAMLIT_CLEANUP = script_runner._clean_problem_modules  # Streamlit's own, as it was before any change
_NOT_SERVED = {"rnnviz.__main__", "rnnviz.cli"}  # the command line, not the app
_lock = threading.Lock()
_done = False


def app_modules() -> list[str]:
    """Every rnnviz module the app's pages may import."""
    return sorted(m.name for m in pkgutil.walk_packages(rnnviz.__path__, "rnnviz.") if m.name not in _NOT_SERVED)


def _clean_without_keras_reset() -> None:
    """Streamlit's post-run cleanup less its `keras.backend.clear_session()`."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close("all")
        except Exception:  # noqa: BLE001  (as Streamlit's own: a failed cleanup must not stop the app)
            _LOG.debug("closing matplotlib figures failed", exc_info=True)


def stop_keras_reset() -> bool:
    """Keep Streamlit from calling `keras.backend.clear_session()` after each run; False if it cannot.

    Relies on a private function of streamlit==1.67.0 (pinned in requirements.txt); where a
    release has no such function, the app runs as before and a warning says so.
    """
    if not callable(getattr(script_runner, "_clean_problem_modules", None)):
        _LOG.log(logging.WARNING, "rnnviz cannot keep Streamlit from resetting Keras after every run (written for "
                     "streamlit 1.67.0); every run will be slower")
        return False
    script_runner._clean_problem_modules = _clean_without_keras_reset
    return True


WARM_PRESETS = ("guide-lstm", "guide-gru-simplernn", "guide-bidirectional")  # LSTM, GRU, SimpleRNN, Bidirectional


def warm_traces() -> bool:
    """Trace a few presets on a tiny input once, then drop them: TensorFlow's first trace of each
    layer kind in a process costs about 0.1 s CPU more than later ones (functions, kernels and
    grappler set up once), which the first session to open States would pay. False if it failed
    (the app runs as before; a warning says so)."""
    from rnnviz.build import build_model  # here: rnnviz.ui.warm_start is imported before the app's modules
    from rnnviz.presets import get_preset
    from rnnviz.trace import trace

    try:
        for name in WARM_PRESETS:
            model = build_model(get_preset(name).spec)
            arrays = [np.zeros([1 if i == 0 else d or 2 for i, d in enumerate(x.shape)], dtype=x.dtype)
                      for x in model.inputs]
            trace(model, arrays[0] if len(arrays) == 1 else arrays)
    except Exception:  # noqa: BLE001  (a warm-up must never stop the app)
        _LOG.log(logging.WARNING, "rnnviz could not warm up its traces; the first States page will be slower", exc_info=True)
        return False
    return True


def warm_start() -> bool:
    """Once per process: stop the Keras reset, import every page's modules, warm the traces and
    freeze what is alive.

    Returns:
        True the one time it does the work, False after.
    """
    global _done
    with _lock:
        if _done:
            return False
        stop_keras_reset()
        for name in app_modules():
            importlib.import_module(name)
        warm_traces()
        gc.collect()  # what is garbage now is freed, not frozen
        gc.freeze()
        _done = True
        return True

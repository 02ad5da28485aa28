"""Once per server process: import what every page needs, then keep those objects out of the
garbage collector's full sweeps.

After every script run Streamlit collects garbage twice (`runner.postScriptGC`, and the
`gc.collect()` inside the `keras.backend.clear_session()` it calls when Keras is loaded). A full
collection walks every object the process tracks: with TensorFlow, Keras and Plotly loaded that
is some 350,000 objects, 0.3 s at best on this machine and seconds when it is busy, added to every
click. Nearly all of them are modules, classes and functions that live as long as the process.
`gc.freeze()` moves the objects alive now into a generation the collector never walks, so later
collections walk only what sessions create (models, traces, figures), which they still free.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import threading

import rnnviz

_NOT_SERVED = {"rnnviz.__main__", "rnnviz.cli"}  # the command line, not the app
_lock = threading.Lock()
_done = False


def app_modules() -> list[str]:
    """Every rnnviz module the app's pages may import."""
    return sorted(m.name for m in pkgutil.walk_packages(rnnviz.__path__, "rnnviz.") if m.name not in _NOT_SERVED)


def warm_start() -> bool:
    """Import every page's modules and freeze what is alive, once per process; True the time it does."""
    global _done
    with _lock:
        if _done:
            return False
        for name in app_modules():
            importlib.import_module(name)
        gc.collect()  # what is garbage now is freed, not frozen
        gc.freeze()
        _done = True
        return True

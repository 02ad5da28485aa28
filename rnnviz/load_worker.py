"""Open an uploaded model first in a separate process with a memory and a time cap.

Whatever the checks of `rnnviz.loading` miss, a crafted file cannot take the server's memory or a
core for long: `load_model_capped` first loads the bytes in a child process whose data segment may
grow by at most `MAX_LOAD_MEMORY` (`RLIMIT_DATA`, which counts the heap and private memory maps, not
the address space TensorFlow's threads reserve) and that is killed after `MAX_LOAD_SECONDS`, or as
soon as the person who uploaded goes away. The child reports success or the refusal's message and
nothing else; only then does the server load the same bytes itself, knowing it fits.

Children are forked from one `forkserver` that imports TensorFlow once (about 240 MB, shared
copy-on-write with the children): a child starts in a few hundredths of a second instead of the
seconds a fresh Python + TensorFlow costs, and inherits none of the server's memory or threads. The
child sees no GPU, so whatever it allocates is host memory under the cap. At most
`MAX_CONCURRENT_LOADS` children run at once in the whole server; an upload that finds them all
busy waits at most `LOAD_WAIT_S` seconds, then is told the server is busy.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.spawn
import resource
import threading
import time
from collections.abc import Callable
from typing import Any

import keras

from rnnviz import limits
from rnnviz.i18n import _, current_language, use_language
from rnnviz.loading import load_model_bytes

MAX_LOAD_MEMORY = limits.MAX_LOAD_MEMORY  # bytes a load may add to the child's data segment
MAX_LOAD_SECONDS = limits.MAX_LOAD_SECONDS  # wall-clock seconds a load may take in the child
MAX_CONCURRENT_LOADS = 2  # children loading at once, whole server
LOAD_WAIT_S = 30.0  # the longest an upload waits for one of them
_POLL_S = 0.05
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_LOADS)
_START_LOCK = threading.Lock()
_CHILD_NAME = "rnnviz-load"


def start_worker() -> None:
    """Start the forkserver now (it imports TensorFlow in the background), so the first upload is quick."""
    _context()


def load_model_capped(
    data: bytes,
    filename: str,
    *,
    max_memory: int = MAX_LOAD_MEMORY,
    max_seconds: float = MAX_LOAD_SECONDS,
    abandoned: Callable[[], bool] | None = None,
) -> keras.Model:
    """`rnnviz.loading.load_model_bytes`, tried first in a child process under a memory and time cap.

    Args:
        data: the file's contents.
        filename: its name as the browser gave it (only shown).
        max_memory: bytes the child's data segment may grow by while loading.
        max_seconds: seconds the child may take.
        abandoned: called every few hundredths of a second while the child works; True (the person who
            uploaded has gone) kills the child and raises.

    Returns:
        The model, loaded in this process once the child has loaded it within the caps.

    Raises:
        ValueError: anything `load_model_bytes` refuses, a load over either cap, a busy server or an
            abandoned upload; the message says which.
    """
    check_load(data, filename, max_memory=max_memory, max_seconds=max_seconds, abandoned=abandoned)
    return load_model_bytes(data, filename)


def check_load(
    data: bytes,
    filename: str,
    *,
    max_memory: int = MAX_LOAD_MEMORY,
    max_seconds: float = MAX_LOAD_SECONDS,
    abandoned: Callable[[], bool] | None = None,
) -> None:
    """Load the bytes in a capped child and raise its refusal; return once it loaded them.

    Args and Raises: as `load_model_capped`.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(_(
            "load_model_capped needs the file's bytes; got {type_name}"
        ).format(type_name=type(data).__name__))
    label = _label(filename)
    if not _SLOTS.acquire(timeout=LOAD_WAIT_S):
        raise ValueError(_(
            "the server is busy opening other people's models (waited {seconds:.0f} s); upload {label} "
            "again in a moment"
        ).format(seconds=LOAD_WAIT_S, label=label))
    try:
        outcome = _run_child(bytes(data), str(filename), max_memory, max_seconds, abandoned)
    finally:
        _SLOTS.release()
    kind, message = outcome
    if kind == "ok":
        return
    if kind == "refused":
        raise ValueError(message)  # the child's own message, made in this session's language
    if kind == "memory":
        message = _("opening {label} needed more than {memory} of memory, the limit for one model; "
                    "rnnviz refuses it. Open a smaller model (fewer or smaller layers).")
    elif kind == "time":
        message = _("opening {label} took more than {seconds:g} s, the limit for one model; rnnviz stopped it. "
                    "Open a smaller model (fewer or smaller layers).")
    elif kind == "abandoned":
        message = _("opening {label} was stopped: the page that uploaded it has gone")
    elif kind == "crashed" and message.startswith("signal"):
        message = _("opening {label} failed: the loading process ended with {reason}, most likely over the "
                    "memory limit of {memory}. Open a smaller model.")
    elif kind == "crashed":
        message = _("opening {label} failed: the loading process ended with {reason}. Open a smaller model.")
    raise ValueError(message.format(label=label, memory=_mb(max_memory), seconds=max_seconds, reason=outcome[1]))


def _run_child(data: bytes, filename: str, max_memory: int, max_seconds: float,
               abandoned: Callable[[], bool] | None) -> tuple[str, str]:
    """("ok" | "refused" | "memory" | "time" | "abandoned" | "crashed", message)."""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    args = (send, data, filename, max_memory, max_seconds, current_language())  # the child speaks the session's
    child = ctx.Process(target=_child_main, args=args, daemon=True, name=_CHILD_NAME)
    try:
        child.start()  # returns once the forkserver has forked it (the first time: once TensorFlow is imported)
        send.close()
        deadline = time.monotonic() + max_seconds
        while True:
            if receive.poll(_POLL_S):
                try:
                    return receive.recv()
                except EOFError:  # the child died without a word: killed by a signal
                    child.join(1.0)
                    return "crashed", _exit_reason(child.exitcode)
            if abandoned is not None and abandoned():
                return "abandoned", ""
            if time.monotonic() > deadline:
                return "time", ""
    finally:
        receive.close()
        if child.pid is not None:
            if child.is_alive():
                child.kill()
            child.join()
            child.close()


def _child_main(send: Any, data: bytes, filename: str, max_memory: int, max_seconds: float,
                language: str = "en") -> None:
    """In the child: hide the GPU, start TensorFlow, cap memory and CPU time, load, report (kind, message).

    The child has no session: its refusals are made in `language`, the language of the session that uploaded.
    """
    with use_language(language):
        outcome = _child_load(data, filename, max_memory, max_seconds)
    with contextlib.suppress(Exception):
        send.send(outcome)
    send.close()


def _child_load(data: bytes, filename: str, max_memory: int, max_seconds: float) -> tuple[str, str]:
    try:
        import tensorflow as tf

        tf.config.set_visible_devices([], "GPU")  # GPU memory is not under RLIMIT_DATA: load on the CPU
        tf.constant(0)  # TensorFlow's runtime and thread pools (their stacks count as data) before the cap
        _("the model")  # the language's catalogue is read before the cap too
        _cap(max_memory, max_seconds)
        load_model_bytes(data, filename)
        outcome = ("ok", "")
    except ValueError as err:  # load_model_bytes's own message, unless memory ran out underneath it
        out_of_memory = type(err.__context__).__name__ in ("MemoryError", "ResourceExhaustedError")
        outcome = ("memory", "") if out_of_memory else ("refused", str(err))
    except MemoryError:
        outcome = ("memory", "")
    except BaseException as err:  # noqa: BLE001  (reported to the parent, which says it plainly)
        text = str(err).strip().splitlines()
        error = f"{type(err).__name__}: {text[0][:300]}" if text else type(err).__name__
        outcome = ("refused", _("{label} could not be loaded as a Keras model: {error}").format(
            label=_label(filename), error=error))
    return outcome


def _cap(max_memory: int, max_seconds: float) -> None:
    start = _data_bytes()
    resource.setrlimit(resource.RLIMIT_DATA, (start + max_memory, start + max_memory))
    cpu = int(max_seconds) + 1
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort over the cap writes no core file
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU, then SIGKILL: a busy loop ends too


def _data_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _preparation_data(name: str) -> dict:
    """multiprocessing's data for a new child, without the parent's main module for ours: under Streamlit
    `__main__` is the page script being run, which a child must never run again."""
    data = _PREPARATION_DATA(name)
    if name == _CHILD_NAME:
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


_PREPARATION_DATA = multiprocessing.spawn.get_preparation_data
multiprocessing.spawn.get_preparation_data = _preparation_data


def _context() -> Any:
    with _START_LOCK:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["rnnviz.load_worker"])
        multiprocessing.forkserver.ensure_running()
        return ctx


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        import signal

        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return _("exit status {code}").format(code=code)


def _label(filename: object) -> str:
    name = str(filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:100]
    return name or _("the model")


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB"

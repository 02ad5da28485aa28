"""The server's memory janitor: once per process, a thread that hands back the memory of closed sessions.

Every `JANITOR_S` seconds (60; `RNNVIZ_JANITOR_S` in the environment sets another value, for the load
bench) it
1. drops the disconnected sessions whose `server.disconnectedSessionTTL` has run out from Streamlit's
   session storage, and shuts each one down (`drop_expired_sessions`);
2. runs a full garbage collection (a session's Keras models sit in reference cycles);
3. asks glibc to give freed heap back to the system (`malloc_trim`).

Why step 1: Streamlit keeps a disconnected session in a TTL cache that only *reports* an expired entry
as gone; the entry, and with it the session's whole state, is really removed only when the cache is
written, that is when another session disconnects. After the last class of the day, nobody does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import gc
import logging
import os
import threading
import time

_LOG = logging.getLogger(__name__)
DEFAULT_JANITOR_S = 60.0
MIN_JANITOR_S = 1.0
_LOOP_WAIT_S = 10.0  # how long a round waits for Streamlit's event loop to run the drop


def janitor_interval(environ: dict | None = None) -> float:
    """Seconds between rounds: `RNNVIZ_JANITOR_S` when it is a number of at least 1, else 60."""
    raw = (os.environ if environ is None else environ).get("RNNVIZ_JANITOR_S")
    if raw is None:
        return DEFAULT_JANITOR_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not seconds >= MIN_JANITOR_S:  # also false for nan
        _LOG.log(logging.WARNING, "RNNVIZ_JANITOR_S=%r is not a number of seconds >= %g; using %g", raw, MIN_JANITOR_S,
                     DEFAULT_JANITOR_S)
        return DEFAULT_JANITOR_S
    return seconds


JANITOR_S = janitor_interval()
_janitor_lock = threading.Lock()
_janitor: threading.Thread | None = None
_warned_internals = False


def start_memory_janitor() -> None:
    """Once per server process: start the daemon thread that frees closed sessions every `JANITOR_S` seconds.

    A round takes about 0.2 s of one core (mostly the garbage collection).
    """
    global _janitor
    with _janitor_lock:
        if _janitor is None or not _janitor.is_alive():
            _janitor = threading.Thread(target=_tidy_forever, name="rnnviz-memory-janitor", daemon=True)
            _janitor.start()


def _tidy_forever() -> None:
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim  # glibc only
    except (OSError, AttributeError):
        trim = None
    while True:
        time.sleep(JANITOR_S)
        tidy_once(trim)


def tidy_once(trim=None) -> None:
    """One round: drop the expired sessions, collect the garbage they leave, trim the heap (`trim(0)`)."""
    drop_expired_sessions()
    gc.collect()
    if trim is not None:
        trim(0)


def drop_expired_sessions(runtime=None) -> int:
    """Remove the disconnected sessions whose TTL has run out from Streamlit's storage, shut them down,
    and return how many were removed (0 whenever it cannot tell).

    Relies on private internals of streamlit==1.67.0 (pinned in requirements.txt; tests/test_janitor.py
    checks the path against the installed classes): `Runtime._session_mgr` (a WebsocketSessionManager)
    `._session_storage` (a MemorySessionStorage) `._cache` (a TTLCache, whose `expire()` removes and
    returns the expired entries), and `Runtime._async_objs.eventloop`. If any of these is missing, or
    there is no running Runtime (AppTest, plain Python), it does nothing; it never raises.

    The removal runs on Streamlit's event loop, the one thread that touches session storage (the
    TTLCache is not thread-safe); this thread waits for it at most 10 s. Each removed session is shut
    down there, as `close_session` does for a stored one (its uploaded files, media references and
    script event loop are released). Streamlit's own reaping leaves that to `AppSession.__del__`,
    which runs wherever the last reference goes: in a garbage collection on another thread when the
    session sits in a reference cycle. One whose id an active session uses again is dropped only:
    its shutdown would remove the active session's files, which are kept by id. Sessions still within
    their TTL, and active ones, are not touched.

    Args:
        runtime: the Streamlit Runtime; the running one when None.
    """
    try:
        found = _storage_and_loop(runtime)
        if found is None:
            return 0
        manager, cache, loop = found
        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            return _expire_and_shut_down(manager, cache)
        future: concurrent.futures.Future[int] = concurrent.futures.Future()

        def run() -> None:
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(_expire_and_shut_down(manager, cache))
                except BaseException as error:  # handed to the waiting thread below
                    future.set_exception(error)

        loop.call_soon_threadsafe(run)
        try:
            return future.result(timeout=_LOOP_WAIT_S)
        except concurrent.futures.TimeoutError:
            future.cancel()  # a busy loop: the next round tries again
            return 0
    except Exception:  # private API: whatever changed, the app keeps running
        _LOG.debug("could not drop expired sessions", exc_info=True)
        return 0


def _storage_and_loop(runtime):
    """(session manager, TTLCache of stored sessions, event loop) of a started Runtime, or None."""
    global _warned_internals
    if runtime is None:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return None
        runtime = Runtime.instance()
    async_objs = getattr(runtime, "_async_objs", None)
    if async_objs is None and hasattr(runtime, "_async_objs"):
        return None  # created, not started yet
    manager = getattr(runtime, "_session_mgr", None)
    cache = getattr(getattr(manager, "_session_storage", None), "_cache", None)
    loop = getattr(async_objs, "eventloop", None)
    if not (callable(getattr(cache, "expire", None)) and callable(getattr(manager, "is_active_session", None))
            and isinstance(loop, asyncio.AbstractEventLoop)):
        if not _warned_internals:
            _warned_internals = True
            _LOG.log(logging.WARNING, "rnnviz's memory janitor cannot reach Streamlit's session storage (written for "
                         "streamlit 1.67.0); closed sessions will be freed only when Streamlit reaps them")
        return None
    if loop.is_closed():
        return None
    return manager, cache, loop


def _expire_and_shut_down(manager, cache) -> int:
    """On the event loop: remove the expired entries, then shut each session down."""
    removed = cache.expire()
    for session_id, info in removed:
        if manager.is_active_session(session_id):
            continue  # the id is live again (a session_id_override): shutdown would clear its files
        try:
            info.session.shutdown()
        except Exception:
            _LOG.debug("shutting down expired session %s failed", session_id, exc_info=True)
    return len(removed)

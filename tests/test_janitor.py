"""The memory janitor drops expired disconnected sessions from Streamlit's storage and shuts them down.

`drop_expired_sessions` reaches into private Streamlit internals (pinned streamlit==1.67.0): the tests
here run it against a real, started Streamlit Runtime, and pin the attribute path against the installed
classes, so an upgrade that moves them fails here instead of quietly in production.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import threading
import time
import weakref
from types import SimpleNamespace

import pytest
from streamlit.runtime import Runtime, RuntimeConfig
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.caching.ttl_cache import TTLCache
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.runtime import AsyncObjects
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.session_manager import SessionInfo
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

from rnnviz.ui import janitor
from rnnviz.ui.janitor import drop_expired_sessions, janitor_interval


@pytest.fixture
def loop():
    """An asyncio event loop running in its own thread, as Streamlit's server runs its own."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-event-loop", daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def on_loop(loop, fn):
    """Run `fn()` on `loop`'s thread (where Streamlit touches sessions) and return its result."""
    async def call():
        return fn()
    return asyncio.run_coroutine_threadsafe(call(), loop).result(30)


class Client:
    """A browser tab that swallows every message."""

    def write_forward_msg(self, msg) -> None:
        pass


@pytest.fixture
def runtime(loop, tmp_path, monkeypatch):
    """A real Streamlit Runtime, started on `loop`, whose disconnected sessions live 1 s."""
    if Runtime.exists():
        pytest.fail("a Streamlit Runtime already exists in this process: a test before this one left it running",
                    pytrace=False)
    # An AppTest test earlier in this process may have started the real janitor thread; were it to
    # wake now, it would drop this runtime's sessions before the test does. The test calls the
    # function it imported; the thread looks the name up in the module.
    monkeypatch.setattr(janitor, "drop_expired_sessions", lambda: 0)
    script = tmp_path / "app.py"
    script.write_text("import streamlit as st\nst.write('hello')\n")
    rt = Runtime(RuntimeConfig(
        script_path=str(script), media_file_storage=MemoryMediaFileStorage("/media"),
        uploaded_file_manager=MemoryUploadedFileManager("/_stcore/upload_file"),
        session_storage=MemorySessionStorage(ttl_seconds=1)))
    try:
        asyncio.run_coroutine_threadsafe(rt.start(), loop).result(30)
        yield rt
        rt.stop()
        asyncio.run_coroutine_threadsafe(asyncio.wait_for(_stopped(rt), 30), loop).result(35)
    finally:
        Runtime._instance = None


async def _stopped(rt):
    await rt.stopped


def upload(rt, session_id: str) -> None:
    rt.uploaded_file_mgr.add_file(session_id, UploadedFileRec(f"file-{session_id}", "mine.keras",
                                                              "application/octet-stream", b"k" * 1000))


def test_expired_sessions_are_dropped_shut_down_and_freed(runtime, loop, monkeypatch):
    shut_down = []  # (session id, thread)
    real_shutdown = AppSession.shutdown

    def shutdown(session):
        shut_down.append((session.id, threading.current_thread().name))
        real_shutdown(session)

    monkeypatch.setattr(AppSession, "shutdown", shutdown)
    leaving, staying = (on_loop(loop, lambda: runtime.connect_session(Client(), {})) for _ in range(2))
    upload(runtime, leaving)
    upload(runtime, staying)
    session = weakref.ref(runtime._session_mgr.get_active_session_info(leaving).session)
    on_loop(loop, lambda: runtime.disconnect_session(leaving))

    assert drop_expired_sessions() == 0  # within its TTL: kept for a reconnect
    assert runtime._session_mgr.get_session_info(leaving) is not None

    time.sleep(1.3)
    gc.collect()
    # The problem: Streamlit reports it gone but keeps it, with its uploaded file, until another
    # session disconnects.
    assert runtime._session_mgr.get_session_info(leaving) is None
    assert session() is not None
    assert leaving in runtime.uploaded_file_mgr.file_storage

    assert drop_expired_sessions() == 1
    # Shut down on Streamlit's event loop thread (explicitly, then a no-op from AppSession.__del__ as the
    # last reference goes), not later by a garbage collection on some other thread.
    assert shut_down and set(shut_down) == {(leaving, "test-event-loop")}
    gc.collect()
    assert session() is None, "the expired session is still referenced after the janitor's round"
    assert leaving not in runtime.uploaded_file_mgr.file_storage
    # The active session is untouched.
    assert runtime.is_active_session(staying)
    assert staying in runtime.uploaded_file_mgr.file_storage
    assert drop_expired_sessions() == 0


def test_the_private_path_matches_the_installed_streamlit(runtime):
    """The attributes drop_expired_sessions reads, on the classes Streamlit's server really uses."""
    manager = runtime._session_mgr
    assert isinstance(manager, WebsocketSessionManager)
    assert isinstance(manager._session_storage, MemorySessionStorage)
    assert isinstance(manager._session_storage._cache, TTLCache)
    assert callable(manager._session_storage._cache.expire)
    assert callable(manager.is_active_session)
    assert "eventloop" in AsyncObjects._fields
    assert isinstance(runtime._async_objs, AsyncObjects)
    # The server (streamlit run) builds its Runtime with this storage and the default session manager.
    from streamlit.web.server.server import Server
    assert "MemorySessionStorage(" in inspect.getsource(Server.__init__)
    assert RuntimeConfig.__dataclass_fields__["session_manager_class"].default is WebsocketSessionManager


# --- against a storage with a clock of our own --------------------------------------------------


class FakeSession:
    def __init__(self, session_id: str, fail: bool = False):
        self.id, self.fail, self.shut_down = session_id, fail, 0

    def shutdown(self) -> None:
        self.shut_down += 1
        if self.fail:
            raise RuntimeError("shutdown failed")


def fake_runtime(loop, ttl: float = 120):
    """A Runtime-shaped object around a real WebsocketSessionManager and MemorySessionStorage, whose
    TTL cache runs on `clock`."""
    clock = [0.0]
    storage = MemorySessionStorage(ttl_seconds=ttl)
    storage._cache = TTLCache(maxsize=128, ttl=ttl, timer=lambda: clock[0])
    manager = WebsocketSessionManager(session_storage=storage, uploaded_file_manager=MemoryUploadedFileManager("/u"),
                                      script_cache=ScriptCache(), message_enqueued_callback=None)
    return SimpleNamespace(_session_mgr=manager, _async_objs=SimpleNamespace(eventloop=loop)), storage, clock


def store(storage, session):
    storage.save(SessionInfo(client=None, session=session, script_run_count=0))


def test_only_sessions_past_their_ttl_go_and_a_failing_shutdown_stops_nothing(loop):
    rt, storage, clock = fake_runtime(loop)
    old, failing, young = FakeSession("old"), FakeSession("failing", fail=True), FakeSession("young")
    store(storage, old)
    store(storage, failing)
    clock[0] = 100.0
    store(storage, young)
    clock[0] = 119.9
    assert drop_expired_sessions(rt) == 0
    clock[0] = 120.0
    assert drop_expired_sessions(rt) == 2
    assert (old.shut_down, failing.shut_down, young.shut_down) == (1, 1, 0)
    assert storage.get("young").session is young and storage._cache.currsize == 1 and len(storage._cache._data) == 1
    clock[0] = 220.0
    assert drop_expired_sessions(rt) == 1 and young.shut_down == 1
    assert len(storage._cache._data) == 0


def test_an_expired_entry_whose_id_is_active_again_is_dropped_not_shut_down(loop):
    rt, storage, clock = fake_runtime(loop)
    stale = FakeSession("same-id")
    store(storage, stale)
    rt._session_mgr._active_session_info_by_id["same-id"] = SimpleNamespace(session=FakeSession("same-id"))
    clock[0] = 500.0
    assert drop_expired_sessions(rt) == 1
    assert stale.shut_down == 0  # its shutdown would clear the live session's files, kept by id


def test_it_runs_on_the_event_loop_thread(loop):
    rt, storage, clock = fake_runtime(loop)
    threads = []
    session = FakeSession("s")
    session.shutdown = lambda: threads.append(threading.current_thread().name)
    store(storage, session)
    clock[0] = 500.0
    assert drop_expired_sessions(rt) == 1
    assert threads == ["test-event-loop"]
    # Called on the loop's own thread, it runs at once instead of waiting for itself.
    store(storage, session)
    clock[0] = 1000.0
    assert on_loop(loop, lambda: drop_expired_sessions(rt)) == 1


def test_a_busy_event_loop_makes_a_round_give_up_not_hang(loop, monkeypatch):
    rt, storage, clock = fake_runtime(loop)
    store(storage, FakeSession("s"))
    clock[0] = 500.0
    monkeypatch.setattr(janitor, "_LOOP_WAIT_S", 0.2)
    release = threading.Event()
    loop.call_soon_threadsafe(release.wait, 5)  # the loop is stuck for a while
    try:
        assert drop_expired_sessions(rt) == 0
    finally:
        release.set()
    assert drop_expired_sessions(rt) == 1  # the given-up drop never ran late; this round does it
    assert len(storage._cache._data) == 0


# --- no runtime, or internals that differ: nothing happens, nothing raises ----------------------


def test_without_a_runtime_it_does_nothing():
    assert not Runtime.exists()  # as under AppTest and plain Python
    assert drop_expired_sessions() == 0


@pytest.mark.parametrize("shape", [
    SimpleNamespace(),
    SimpleNamespace(_async_objs=None, _session_mgr=None),  # created, not started
    SimpleNamespace(_async_objs=SimpleNamespace(eventloop="not a loop"), _session_mgr=SimpleNamespace()),
    SimpleNamespace(_async_objs=SimpleNamespace(), _session_mgr=SimpleNamespace(_session_storage=object())),
])
def test_internals_that_differ_make_it_do_nothing(shape):
    assert drop_expired_sessions(shape) == 0


def test_a_closed_event_loop_makes_it_do_nothing():
    closed = asyncio.new_event_loop()
    closed.close()
    rt, storage, clock = fake_runtime(closed)
    store(storage, FakeSession("s"))
    clock[0] = 500.0
    assert drop_expired_sessions(rt) == 0


def test_an_expire_that_raises_is_swallowed(loop):
    rt, storage, clock = fake_runtime(loop)
    storage._cache.expire = lambda: 1 / 0
    assert drop_expired_sessions(rt) == 0


# --- the interval ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value, seconds", [(None, 60.0), ("5", 5.0), ("1.5", 1.5), ("0.1", 60.0), ("-3", 60.0),
                                            ("nan", 60.0), ("soon", 60.0)])
def test_the_interval_comes_from_rnnviz_janitor_s(value, seconds):
    assert janitor_interval({} if value is None else {"RNNVIZ_JANITOR_S": value}) == seconds


def test_a_round_drops_the_expired_sessions_before_it_collects_and_trims(monkeypatch):
    calls, me = [], threading.current_thread()

    def record(what):  # a janitor thread an AppTest test started may wake meanwhile: not ours
        return lambda *args: calls.append(what) if threading.current_thread() is me else None

    monkeypatch.setattr(janitor, "drop_expired_sessions", record("drop"))
    monkeypatch.setattr(janitor, "gc", SimpleNamespace(collect=record("collect")))
    janitor.tidy_once(record("trim"))
    assert calls == ["drop", "collect", "trim"]

"""`bench/load.py --websocket`: many sessions without a browser, speaking Streamlit's own websocket protocol.

Each simulated person opens `/_stcore/stream` (subprotocol "streamlit") as the frontend does, and sends
`BackMsg.rerun_script` with a `ClientState`: the page's script hash to change page, a `WidgetState` to
type a text (States, the sidebar's "Text", which traces the model) or to press a button (Stateful's
"Feed batch"). The widgets' ids come from the elements the server sent (`ForwardMsg.delta.new_element`).
A rerun is over at `script_finished` (not FINISHED_EARLY_FOR_RERUN). Between interactions a person reads
for --think seconds on average (uniformly from half to one and a half times that).

Two clocks: the server's own time for every finished run (`RNNVIZ_TIMING=1`: app.py logs
`rnnviz-run-seconds S PAGE`, read from the server logs), and the person's (from sending the rerun to
`script_finished`: the server's time plus waiting for a core, the GIL, and the websocket). With no
browser to draw anything, the clients use a few percent of a core, and the numbers are the server's.
Through nginx, each person carries its own `rnnviz_replica` cookie, as each browser would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from serve_replicas import Replicas  # noqa: E402
from streamlit_app import streamlit_server  # noqa: E402

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402  (after the paths: no app import)
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

RUN_TIMEOUT_S = 180
EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
TIMING = re.compile(r"^rnnviz-run-seconds ([\d.]+) ([a-z-]+)$", re.M)
TEXTS = ["hello world", "안녕하세요 세계", "the cat sat on the mat", "🙂🙃 emoji too", "naïve café", "a b c d e f g",
         "recurrent networks remember", "bonjour tout le monde", "漢字とかな", "stateful or not"]


@dataclass
class WsTally:
    """What every simulated person measured."""

    times: dict[str, list[float]] = field(default_factory=dict)  # kind -> seconds, send to script_finished
    errors: list[str] = field(default_factory=list)
    busy: int = 0

    def add(self, kind: str, seconds: float) -> None:
        self.times.setdefault(kind, []).append(seconds)


class Session:
    """One Streamlit session over one websocket, driven by protocol messages."""

    def __init__(self, ws, number: int, tally: WsTally):
        self.ws, self.number, self.tally = ws, number, tally
        self.pages: dict[str, str] = {}  # url pathname -> page script hash
        self.widgets: dict[tuple[str, str], str] = {}  # (element type, label) -> widget id, from the last runs

    async def rerun(self, kind: str, page: str = "", widgets: tuple[WidgetState, ...] = ()) -> bool:
        """Ask for a rerun and read until it has finished; record the time, or the error. True when it ran."""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = page
        msg.rerun_script.widget_states.widgets.extend(widgets)
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        try:
            async with asyncio.timeout(RUN_TIMEOUT_S):
                problem = await self._read_run()
        except Exception as error:  # a timeout or a closed socket: counted, not raised
            self.tally.errors.append(f"person {self.number}, {kind}: {type(error).__name__}: {str(error)[:200]}")
            return False
        if problem:
            self.tally.errors.append(f"person {self.number}, {kind}: {problem}")
        self.tally.add(kind, time.perf_counter() - started)
        return True

    async def _read_run(self) -> str:
        """Read ForwardMsgs until the run's script_finished; returns an exception's text, or ""."""
        problem = ""
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.url_pathname or "": p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                problem = self._element(fwd.delta.new_element) or problem
            elif kind == "script_finished" and fwd.script_finished != EARLY:
                return problem

    def _element(self, element) -> str:
        kind = element.WhichOneof("type")
        if kind == "exception":
            return f"exception on the page: {element.exception.type}: {element.exception.message[:200]}"
        if kind == "alert" and "server is busy" in element.alert.body:
            self.tally.busy += 1
        inner = getattr(element, kind, None)
        if inner is not None and getattr(inner, "id", "") and getattr(inner, "label", ""):
            self.widgets[(kind, inner.label)] = inner.id
        return ""

    def widget(self, kind: str, label_start: str) -> str | None:
        return next((wid for (k, label), wid in self.widgets.items() if k == kind and label.startswith(label_start)), None)


async def person(url: str, number: int, deadline: float, think: float, tally: WsTally, sticky: bool) -> None:
    """One person: open the app, then pages in their own order, typing on States and feeding on Stateful."""
    rng = random.Random(number)
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    headers = {"Cookie": f"rnnviz_replica={secrets.token_hex(16)}"} if sticky else None
    try:
        async with connect(ws_url, subprotocols=["streamlit"], additional_headers=headers, max_size=None,
                           open_timeout=60, ping_interval=None, compression=None) as ws:
            session = Session(ws, number, tally)
            if not await session.rerun("first visit"):
                return
            order = sorted(session.pages)
            rng.shuffle(order)
            i = 0
            while time.monotonic() < deadline:
                path = order[i % len(order)]
                i += 1
                if not await session.rerun(f"open {path or 'build'}", session.pages[path]):
                    return
                await _act(session, path, rng, number)
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
    except Exception as error:  # the connection itself: counted
        tally.errors.append(f"person {number}: {type(error).__name__}: {str(error)[:200]}")


async def _act(session: Session, path: str, rng: random.Random, number: int) -> None:
    page = session.pages[path]
    if path == "states" and (wid := session.widget("text_area", "Text")):
        state = WidgetState(id=wid, string_value=f"{rng.choice(TEXTS)} {number}")
        await session.rerun("trace (States: type a text)", page, (state,))
    elif path == "stateful":
        wid = session.widget("button", "Feed batch") or session.widget("button", "Start over")
        if wid:
            await session.rerun("feed a chunk (Stateful)", page, (WidgetState(id=wid, trigger_value=True),))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def rss(pgids: list[int]) -> int:
    from load import group_rss

    return sum(group_rss(p) for p in pgids)


def cpu(pgids: list[int]) -> float:
    from load import group_cpu

    return sum(group_cpu(p) for p in pgids)


async def drive(url: str, sessions: int, minutes: float, think: float, sticky: bool, pgids: list[int]):
    """Every person arrives (0.2 s apart), clicks until the deadline, leaves. Returns tally, RSS samples, CPU s."""
    tally, samples = WsTally(), [rss(pgids)]
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=2)
            samples.append(rss(pgids))

    sampler = asyncio.create_task(sample())
    cpu_start, wall_start = cpu(pgids), time.monotonic()
    deadline = time.monotonic() + sessions * 0.2 + minutes * 60

    async def arrive(n: int) -> None:
        await asyncio.sleep(0.2 * n)
        await person(url, n, deadline, think, tally, sticky)

    await asyncio.gather(*(arrive(n) for n in range(sessions)))
    used = (cpu(pgids) - cpu_start, time.monotonic() - wall_start)
    stop.set()
    await sampler
    return tally, samples, used


def server_times(logs: list[Path], offsets: list[int]) -> dict[str, list[float]]:
    """The `rnnviz-run-seconds` lines the servers logged after `offsets`: page -> seconds."""
    times: dict[str, list[float]] = {}
    for log, offset in zip(logs, offsets):
        with open(log, "rb") as f:
            f.seek(offset)
            for seconds, page in TIMING.findall(f.read().decode(errors="replace")):
                times.setdefault(page, []).append(float(seconds))
    return times


async def warm(url: str) -> None:
    """One visit to every page, so the shared caches are filled before anyone is timed."""
    tally = WsTally()
    async with connect(url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                       max_size=None, open_timeout=60, ping_interval=None) as ws:
        session = Session(ws, -1, tally)
        await session.rerun("warm")
        for path in sorted(session.pages):
            await session.rerun("warm", session.pages[path])
    if tally.errors:
        raise RuntimeError(f"warming {url} failed: {tally.errors}")


def run(sessions: int, minutes: float, think: float, replicas: int) -> int:
    """Start one server (replicas == 0) or `replicas` behind nginx, drive them, print the tables; exit status."""
    os.environ["RNNVIZ_TIMING"] = "1"
    with contextlib.ExitStack() as stack:
        if replicas:
            running = stack.enter_context(Replicas(replicas, env={"RNNVIZ_TIMING": "1"}))
            url, pgids = running.url, [p.pid for p in running.processes]
            logs, direct = [running.log(i) for i in range(replicas)], running.replica_urls
            where = f"{replicas} replicas behind nginx"
        else:
            log = Path(tempfile.mkdtemp(prefix="rnnviz-load-ws-")) / "server.log"
            server = stack.enter_context(streamlit_server(log))
            url, pgids, logs, direct, where = server.url, [server.process.pid], [log], [server.url], "one process"
        for address in direct:
            asyncio.run(warm(address))
        offsets = [log.stat().st_size for log in logs]
        print(f"{where} on {url}, warmed; {sessions} sessions arriving over {sessions * 0.2:.0f} s, then "
              f"{minutes:g} min of clicks…", flush=True)
        tally, samples, used = asyncio.run(drive(url, sessions, minutes, think, bool(replicas), pgids))
        server = server_times(logs, offsets)
    report(tally, server, samples, used, sessions, minutes, think, where)
    return 1 if tally.errors else 0


def _row(name: str, values: list[float]) -> str:
    return (f"  {name:30s} n={len(values):5d}  p50 {statistics.median(values):6.2f} s  p95 {percentile(values, 0.95):6.2f} s"
            f"  max {max(values):6.2f} s")


def report(tally: WsTally, server: dict, samples: list[int], used: tuple, sessions: int, minutes: float, think: float,
           where: str) -> None:
    every_server = [t for ts in server.values() for t in ts]
    every_client = [t for ts in tally.times.values() for t in ts]
    print(f"\nrnnviz websocket load: {sessions} sessions x {minutes:g} min (+{sessions * 0.2:.0f} s arriving), {where}, "
          f"{os.cpu_count()} CPU cores shared with other work, a person reads {think:g} s on average between clicks")
    if every_server:
        print(_row("server time per run (all)", every_server))
        for page in sorted(server):
            print(_row(f"  page {page}", server[page]))
    if every_client:
        print(_row("person's wait per rerun (all)", every_client))
        for kind in sorted(tally.times):
            print(_row(f"  {kind}", tally.times[kind]))
    server_cpu, wall = used
    print(f"server CPU {server_cpu:.0f} CPU-s in {wall:.0f} s ({server_cpu / wall:.2f} cores on average); "
          f"told the server was busy: {tally.busy}")
    print(f"errors: {len(tally.errors)}")
    for error in tally.errors[:10]:
        print(f"  {error}")
    mb = 1024 ** 2
    print(f"server memory (RSS, all replicas together): before {samples[0] / mb:,.0f} MB, "
          f"peak {max(samples) / mb:,.0f} MB, at the end {samples[-1] / mb:,.0f} MB")

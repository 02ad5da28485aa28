"""Load: K people clicking through rnnviz at once against one server, for a few minutes.

Run by hand: `.venv/bin/python bench/load.py [--sessions 20] [--minutes 3] [--waves 1] [--ttl 10] [--janitor 60]`.

Without a browser: `bench/load.py --websocket [--replicas 2] [--sessions 50] [--minutes 1.5] [--think 5]`
simulates the sessions with Streamlit's own websocket protocol (bench/load_ws.py: 100 sessions cost the
bench a few percent of a core), against one process or N replicas behind nginx (deploy/serve_replicas.py),
and reports the server's own time per run. The rest of this text is about the browser mode.

Starts `streamlit run app.py` on 127.0.0.1 (the browser tests' server starter), opens one headless
Chromium with one browser context per person, and has every person click through the pages from
the sidebar, as a student would, in the same Streamlit session all along: open a page, and on some
pages do one thing there (type a text on States, which traces the model; feed a chunk on Stateful).
Each loop stops by itself at the deadline; every wait has a timeout.

Prints the median and p95 time per interaction (the click until the run is finished and drawn),
the same for the interactions that trace a model, the number of errors (an exception on the page,
a console error, a timeout: must be 0), how often a session was told the server was busy, and the
server's memory (RSS of the streamlit process group, from /proc) before, during and after. After the
sessions close, Streamlit keeps each one `server.disconnectedSessionTTL` seconds for a reconnect
(120 by default; the bench sets it to --ttl, 10 s). Nothing else frees an expired session on an idle
server but the app's memory janitor (rnnviz/ui/janitor.py): every RNNVIZ_JANITOR_S seconds (60 by
default; the bench sets it to --janitor, 60) it drops the expired sessions, collects the garbage and
trims the heap. So "after" is read once the TTL, one whole janitor round and a margin have passed,
with no other session opened meanwhile: the memory of an idle server whose sessions are really gone.
With --waves 2 a second class follows the first: its "after" shows whether memory keeps growing.
Exit status 1 when there were errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from streamlit_app import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, INIT_SCRIPT, SETTLED, VIEWPORT, allowed, app_pages, streamlit_server, tail,
)

MAX_TRACES, WAIT_BOUND_S = 2, 60  # rnnviz.ui.traced.MAX_CONCURRENT_TRACES and TRACE_WAIT_S
RUN_TIMEOUT_MS = 180_000  # one interaction, on 2 cores shared with 20 Chromium tabs
TEXTS = ["hello world", "안녕하세요 세계", "the cat sat on the mat", "🙂🙃 emoji too", "naïve café", "a b c d e f g",
         "recurrent networks remember", "bonjour tout le monde", "漢字とかな", "stateful or not"]
BUSY = "server is busy"
WAITED = "for other sessions' runs"  # the caption of a trace that waited for a slot: "Waited 3.2 s for …"
SETTLE_S = 15  # after the janitor's round (a garbage collection of a large heap, a trim), for the RSS to settle


@dataclass
class Tally:
    """What all sessions measured."""

    times: dict[str, list[float]] = field(default_factory=dict)  # kind of interaction -> seconds
    errors: list[str] = field(default_factory=list)
    busy: int = 0
    slot_waits: list[float] = field(default_factory=list)  # seconds a trace waited for a free slot (>= 0.5 s)
    cpu: tuple = ()  # (server CPU s, machine busy CPU s, wall s) while the people clicked
    memory: tuple = ()  # (before, [([samples during], after, seconds from closing to after) per wave])

    def add(self, kind: str, seconds: float) -> None:
        self.times.setdefault(kind, []).append(seconds)

    def all(self) -> list[float]:
        return [t for ts in self.times.values() for t in ts]


# --- the server's memory ----------------------------------------------------------------------------


def group_processes(pgid: int):
    """(/proc/PID path, the fields of its stat after "pid (comm)") for each process of group `pgid`."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # the process ended while we read it
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:  # field 5 of stat, the process group
            yield entry.path, fields


def group_rss(pgid: int) -> int:
    """Resident memory, in bytes, of every process in process group `pgid` (the server and its children)."""
    total = 0
    for path, _ in group_processes(pgid):
        try:
            for line in Path(path, "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue  # the process ended while we read it
    return total


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the processes of process group `pgid`."""
    ticks = sum(int(fields[11]) + int(fields[12]) for _, fields in group_processes(pgid))  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> float:
    """CPU seconds the whole machine has spent busy (every core, everything but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


async def sample_memory(pgid: int, samples: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(group_rss(pgid))
        try:
            await asyncio.wait_for(stop.wait(), timeout=2)
        except asyncio.TimeoutError:
            pass


def mb(n: float) -> str:
    return f"{n / 1024**2:,.0f} MB"


# --- one person -----------------------------------------------------------------------------------------


class Person:
    """One browser context on the app, clicking through pages until the deadline."""

    def __init__(self, number: int, context, url: str, tally: Tally):
        self.number, self.context, self.url, self.tally = number, context, url, tally
        self.rng = random.Random(number)
        self.console: list[str] = []
        self.page = None

    async def start(self) -> None:
        self.page = await self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda e: self.console.append(f"uncaught exception: {e}"))
        started = time.perf_counter()
        await self.page.goto(f"{self.url}/")
        await self._settled(0)
        self.tally.add("first visit", time.perf_counter() - started)

    def _on_console(self, message) -> None:
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            if not allowed(message.text, where):
                self.console.append(f"{message.text} ({where})")

    async def _finished(self) -> int:
        return await self.page.evaluate("() => window.__rnnviz.finished")

    async def _settled(self, before: int) -> None:
        await self.page.wait_for_function(SETTLED, arg=before, timeout=RUN_TIMEOUT_MS)

    async def interact(self, kind: str, action) -> None:
        """Do `action`, wait until its run is finished and drawn, and record the time or the error."""
        before = await self._finished()
        started = time.perf_counter()
        try:
            await action()
            await self._settled(before)
        except Exception as error:  # a timeout or a vanished element: counted, never raised
            self.tally.errors.append(f"person {self.number}, {kind}: {type(error).__name__}: {str(error)[:200]}")
            return
        self.tally.add(kind, time.perf_counter() - started)
        main = self.page.get_by_test_id("stMain")
        if await self.page.get_by_test_id("stException").count():
            text = await self.page.get_by_test_id("stException").first.inner_text()
            self.tally.errors.append(f"person {self.number}, {kind}: exception on the page: {text[:300]}")
        if await main.get_by_text(BUSY).count():
            self.tally.busy += 1
        waited = main.get_by_text(WAITED)
        for text in await waited.all_inner_texts():
            match = re.search(r"Waited ([\d.]+) s", text)
            if match:
                self.tally.slot_waits.append(float(match.group(1)))
        while self.console:
            self.tally.errors.append(f"person {self.number}, {kind}: console: {self.console.pop()}")

    async def run_until(self, deadline: float, pages: list) -> None:
        order = pages[:]
        self.rng.shuffle(order)
        sidebar = self.page.get_by_test_id("stSidebar")
        i = 0
        while time.monotonic() < deadline:
            ref = order[i % len(order)]
            i += 1
            link = sidebar.get_by_role("link", name=ref.title, exact=True)
            await self.interact(f"open {ref.title}", link.click)
            if time.monotonic() >= deadline:
                break
            if ref.url_path == "states":
                text = self.rng.choice(TEXTS) + f" {self.number}"
                box = sidebar.get_by_role("textbox", name="Text")

                async def type_text(box=box, text=text):
                    await box.fill(text)
                    await box.press("Control+Enter")

                await self.interact("trace (States: type a text)", type_text)
            elif ref.url_path == "stateful":
                main = self.page.get_by_test_id("stMain")
                feed = main.get_by_role("button", name="Feed batch")
                button = feed if await feed.count() else main.get_by_role("button", name="Start over")
                await self.interact("feed a chunk (Stateful)", button.click)
            await asyncio.sleep(self.rng.uniform(0.5, 2.0))  # a person reads before the next click


# --- the whole bench ------------------------------------------------------------------------------------


async def bench(url: str, pgid: int, sessions: int, minutes: float, ttl: float, waves: int, janitor: float) -> Tally:
    tally = Tally()
    before = await settled_memory(pgid, ttl, janitor)  # with every shared cache filled by the first visit
    per_wave = []
    for wave in range(waves):
        during = await one_wave(url, pgid, sessions, minutes, tally, first_person=wave * sessions)
        closed = time.monotonic()
        print(f"sessions closed; waiting {ttl:g} s (disconnectedSessionTTL) and for the memory to settle: "
              f"+ {janitor:g} s (one memory-janitor round, which drops the expired sessions) + {SETTLE_S} s…", flush=True)
        per_wave.append((during, await settled_memory(pgid, ttl, janitor), time.monotonic() - closed))
    tally.memory = (before, per_wave)
    return tally


async def one_wave(url: str, pgid: int, sessions: int, minutes: float, tally: Tally, first_person: int) -> list[int]:
    """`sessions` people arrive, click until the deadline and leave; returns the server's RSS samples."""
    pages = app_pages()
    memory: list[int] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        contexts = []
        for _ in range(sessions):
            context = await browser.new_context(viewport=dict(VIEWPORT), reduced_motion="reduce", locale="en-US")
            await context.add_init_script(INIT_SCRIPT)
            context.set_default_timeout(RUN_TIMEOUT_MS)  # navigation too: 20 tabs load on 2 busy cores
            contexts.append(context)
        people = [Person(first_person + n, c, url, tally) for n, c in enumerate(contexts)]
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(pgid, memory, stop))
        print(f"{sessions} sessions arriving over {sessions * 0.5:.0f} s…", flush=True)

        async def arrive(person: Person, delay: float) -> None:
            await asyncio.sleep(delay)
            try:
                await person.start()
            except Exception as error:
                tally.errors.append(f"person {person.number}, first visit: {type(error).__name__}: {str(error)[:200]}")

        await asyncio.gather(*(arrive(person, 0.5 * n) for n, person in enumerate(people)))
        deadline = time.monotonic() + minutes * 60
        print(f"all arrived; clicking for {minutes:g} min…", flush=True)
        cpu_start, machine_start, wall_start = group_cpu(pgid), machine_cpu(), time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(person.run_until(deadline, pages) for person in people)),
                               timeout=minutes * 60 + RUN_TIMEOUT_MS / 1000 + 60)
        used = (group_cpu(pgid) - cpu_start, machine_cpu() - machine_start, time.monotonic() - wall_start)
        tally.cpu = tuple(a + b for a, b in zip(tally.cpu, used)) if tally.cpu else used
        stop.set()
        await sampler
        for context in contexts:
            await context.close()
        await browser.close()
    return memory


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def report(tally: Tally, sessions: int, minutes: float, waves: int, ttl: float, janitor: float) -> None:
    every = tally.all()
    classes = f", {waves} classes one after another" if waves > 1 else ""
    print(f"\nrnnviz load bench: {sessions} sessions x {minutes:g} min{classes}, one server on 127.0.0.1, "
          f"{os.cpu_count()} CPU cores, disconnectedSessionTTL {ttl:g} s, memory janitor every {janitor:g} s")
    if every:
        print(f"interactions: {len(every)}; time per interaction: median {statistics.median(every):.2f} s, "
              f"p95 {percentile(every, 0.95):.2f} s, max {max(every):.2f} s")
    for kind in sorted(tally.times):
        ts = tally.times[kind]
        print(f"  {kind:32s} n={len(ts):4d}  median {statistics.median(ts):6.2f} s  p95 {percentile(ts, 0.95):6.2f} s"
              f"  max {max(ts):6.2f} s")
    waits = tally.slot_waits
    print(f"trace slots ({MAX_TRACES} at once, a wait bounded at {WAIT_BOUND_S:g} s): {len(waits)} traces waited 0.5 s or "
          f"more" + (f", median {statistics.median(waits):.1f} s, max {max(waits):.1f} s" if waits else "")
          + f"; told the server was busy (the bound reached): {tally.busy}")
    if tally.cpu:
        server, machine, wall = tally.cpu
        print(f"CPU while clicking ({wall:.0f} s x {os.cpu_count()} cores = {wall * os.cpu_count():.0f} CPU-s): "
              f"server {server:.0f} CPU-s, everything ({sessions} Chromium tabs, the bench, other work) "
              f"{machine:.0f} CPU-s")
    print(f"errors: {len(tally.errors)}")
    for error in tally.errors[:20]:
        print(f"  {error}")
    before, per_wave = tally.memory
    print(f"server memory (RSS of the streamlit process group): before {mb(before)}")
    for wave, (during, after, waited) in enumerate(per_wave, 1):
        print(f"  {'wave ' + str(wave) + ': ' if len(per_wave) > 1 else ''}during median "
              f"{mb(statistics.median(during)) if during else '?'}, peak {mb(max(during, default=0))}; "
              f"after {mb(after)} ({waited:.0f} s after the sessions closed)")
    print(f"  (\"after\": an idle server once the closed sessions are gone: their {ttl:g} s TTL, one janitor round "
          f"of {janitor:g} s that drops them, collects and trims, and {SETTLE_S} s; \"before\" likewise, after a first "
          f"visit to every page; no other session in between)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="people clicking at once (default 20)")
    parser.add_argument("--minutes", type=float, default=3, help="how long they click (default 3)")
    parser.add_argument("--waves", type=int, default=1,
                        help="classes one after another, each --sessions people for --minutes (default 1)")
    parser.add_argument("--ttl", type=float, default=10,
                        help="server.disconnectedSessionTTL in seconds for this server (Streamlit's default is 120)")
    parser.add_argument("--janitor", type=float, default=60,
                        help="seconds between the memory janitor's rounds in this server (RNNVIZ_JANITOR_S; the app's "
                             "default is 60); \"after\" waits --ttl plus one round")
    parser.add_argument("--websocket", action="store_true",
                        help="simulate the sessions over Streamlit's websocket protocol, no browser (bench/load_ws.py)")
    parser.add_argument("--replicas", type=int, default=0,
                        help="with --websocket: N replicas behind nginx instead of one process (default 0: one process)")
    parser.add_argument("--think", type=float, default=5,
                        help="with --websocket: seconds a person reads between clicks, on average (default 5)")
    args = parser.parse_args()
    if args.websocket:
        if not 0 <= args.replicas <= 8 or not 0 <= args.think <= 120:
            parser.error("--replicas from 0 to 8, --think from 0 to 120 seconds")
        from load_ws import run

        sys.exit(run(args.sessions, args.minutes, args.think, args.replicas))
    if not 1 <= args.sessions <= 100 or not 0 < args.minutes <= 30 or not 1 <= args.waves <= 5:
        parser.error("--sessions from 1 to 100, --minutes above 0 and at most 30, --waves from 1 to 5")
    if not 1 <= args.janitor <= 600:
        parser.error("--janitor from 1 to 600 seconds")
    os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(int(args.ttl))  # the server reads its env
    os.environ["RNNVIZ_JANITOR_S"] = f"{args.janitor:g}"  # read by rnnviz.ui.janitor in the server
    log = Path(tempfile.mkdtemp(prefix="rnnviz-load-")) / "server.log"
    with streamlit_server(log) as server:
        pgid = server.process.pid  # started with start_new_session: its pid is the group's id
        warm = asyncio.run(visit(server.url, [ref.title for ref in app_pages()]))
        print(f"server {server.url} (pid {pgid}) up; a first visit to every page took {warm:.1f} s", flush=True)
        tally = asyncio.run(bench(server.url, pgid, args.sessions, args.minutes, args.ttl, args.waves, args.janitor))
        if server.process.poll() is not None:
            tally.errors.append(f"the server died:\n{tail(log)}")
    report(tally, args.sessions, args.minutes, args.waves, args.ttl, args.janitor)
    sys.exit(1 if tally.errors else 0)


async def visit(url: str, pages: list | None = None) -> float:
    """One person opens the app, clicks through `pages` (titles) in the sidebar and leaves; returns seconds."""
    started = time.perf_counter()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = await browser.new_context(viewport=dict(VIEWPORT))
        await context.add_init_script(INIT_SCRIPT)
        context.set_default_timeout(RUN_TIMEOUT_MS)
        page = await context.new_page()
        await page.goto(f"{url}/")
        await page.wait_for_function(SETTLED, arg=0, timeout=RUN_TIMEOUT_MS)
        for title in pages or []:
            before = await page.evaluate("() => window.__rnnviz.finished")
            await page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True).click()
            await page.wait_for_function(SETTLED, arg=before, timeout=RUN_TIMEOUT_MS)
        await browser.close()
    return time.perf_counter() - started


async def settled_memory(pgid: int, ttl: float, janitor: float) -> int:
    """The server's memory once every closed session has gone, as on an idle server: wait out the TTL,
    then one whole round of the app's memory janitor (whatever its phase, a round starts within
    `janitor` s after the sessions expire: it drops them from Streamlit's storage, collects the garbage
    and trims the heap), then SETTLE_S for it to finish. No session is opened meanwhile: one would make
    Streamlit reap the expired sessions itself, which an idle server after its last class never sees."""
    await asyncio.sleep(ttl + 1)
    started = time.monotonic()
    samples = [group_rss(pgid)]
    while time.monotonic() - started < janitor + SETTLE_S:
        await asyncio.sleep(5)
        samples.append(group_rss(pgid))
    return samples[-1]


if __name__ == "__main__":
    main()

"""Run rnnviz with `streamlit run` and drive it in Chromium: the pieces the browser fixtures use.

No fixed sleeps anywhere: a run counts as finished when the server has said so on the
websocket (a `script_finished` that is not "stopped early for a rerun") and the page shows
`[data-testid=stApp][data-test-script-state=notRunning]` with nothing stale, no skeleton, and
every chart drawn.

An action's run is one that *started* after the action (the server announces each run with a
`new_session` message): counting finished runs is not enough, since a run started before the
action (a page switch's second run, a widget's late value) can finish after it, and the page
would then be read before the action's own run has drawn anything. `expect_run` waits for a run
started after the action, and for the element that run changes when the test names one.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import ctypes
import functools
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("RNNVIZ_CHROMIUM", "/usr/bin/chromium")  # Debian's; never one Playwright downloads
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--hide-scrollbars", "--font-render-hinting=none",
]
VIEWPORT = {"width": 1280, "height": 800}
SERVER_START_S = 60
RUN_TIMEOUT_MS = 120_000  # the first build of a model on 2 slow cores
MAX_SHOT_HEIGHT = 12_000

# Console errors that are not the app's fault. Everything else a page logs as an error fails the test.
#  1. This machine (and CI) is offline; Streamlit asks fonts.gstatic.com for the page icon's
#     Material symbol. Only that exact network failure, and only for other hosts, is ignored.
#  2. Opened at /PAGE, Streamlit's frontend first tries /PAGE as the server's base path and asks
#     for /PAGE/_stcore/health and /PAGE/_stcore/host-config (404) before it falls back to /.
#     (`getPossibleBaseUris` in Streamlit's frontend.) Only those two 404s are ignored.
ALLOWED_CONSOLE_ERRORS = (
    ("offline: a request to another host could not resolve its name",
     re.compile(r"Failed to load resource: net::ERR_NAME_NOT_RESOLVED"), re.compile(r"https?://(?!127\.0\.0\.1[:/]).*")),
    ("Streamlit probing /PAGE as its base path",
     re.compile(r"Failed to load resource: the server responded with a status of 404 \(Not Found\)"),
     re.compile(r"http://127\.0\.0\.1:\d+/[^/?#]+/_stcore/(health|host-config)")),
)

# Uncaught errors that are not the app's fault. Pausing Plotly's Play (or clicking the slider while
# it plays) interrupts the animation, and plotly.js rejects that animation's promise with no reason
# (`onInterrupt = reject` in Plotly.animate) that its own buttons never catch: "undefined".
ALLOWED_PAGE_ERRORS = ("undefined",)

# Runs before any page script: counts finished runs from the websocket, and turns off what
# moves (animations, transitions, the blinking caret) and what changes between runs (the
# running-man status widget, the toolbar, the coloured decoration bar).
INIT_SCRIPT = r"""
(() => {
  // started: runs announced (ForwardMsg field 4, new_session, sent as each run starts);
  // finishedStart: how many runs had started when the last run finished (not early for a rerun).
  const state = (window.__rnnviz = {finished: 0, started: 0, finishedStart: 0, statuses: []});
  // ForwardMsg field 6 is script_finished (a varint enum); 2 = FINISHED_EARLY_FOR_RERUN.
  const readVarint = (b, i) => {
    let v = 0, shift = 0, byte;
    do { byte = b[i++]; v += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return [v, i];
  };
  const scan = (buffer) => {
    const b = new Uint8Array(buffer);
    let i = 0;
    try {
      while (i < b.length) {
        let key, v;
        [key, i] = readVarint(b, i);
        const field = Math.floor(key / 8), wire = key & 7;
        if (wire === 0) {
          [v, i] = readVarint(b, i);
          if (field === 6) {
            state.statuses.push(v);
            if (v !== 2) { state.finished += 1; state.finishedStart = state.started; }
          }
        } else if (wire === 2) {
          [v, i] = readVarint(b, i);
          if (field === 4) state.started += 1;
          i += v;
        }
        else if (wire === 1) i += 8;
        else if (wire === 5) i += 4;
        else return;
      }
    } catch (e) { /* not a ForwardMsg */ }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        if (ev.data instanceof ArrayBuffer) scan(ev.data);
        else if (ev.data instanceof Blob) ev.data.arrayBuffer().then(scan);
      });
    }
  };
  const css = `
    *, *::before, *::after { animation: none !important; transition: none !important;
                             caret-color: transparent !important; }
    [data-testid=stStatusWidget], [data-testid=stToolbar], [data-testid=stDecoration] {
      visibility: hidden !important; }`;
  const addStyle = () => {
    const style = document.createElement('style');
    style.textContent = css;
    document.head.appendChild(style);
  };
  if (document.head) addStyle(); else document.addEventListener('DOMContentLoaded', addStyle);
})();
"""

# True once a run that started after the first `before` runs has finished and the page is fully drawn.
SETTLED = """
(before) => {
  if (!(window.__rnnviz && window.__rnnviz.finishedStart > before)) return false;
  if (!document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]')) return false;
  if (document.querySelector('[data-stale=true], [data-testid=stSkeleton], [data-testid=stAppSkeleton], '
                             + '[data-testid=stSkeletonElement]')) return false;
  const all = (sel, ok) => Array.from(document.querySelectorAll(sel)).every(ok);
  return all('[data-testid=stGraphVizChart]', (e) => e.querySelector('svg'))
      && all('[data-testid=stPlotlyChart]', (e) => e.querySelector('.js-plotly-plot .main-svg'))
      && all('[data-testid=stDataFrame]', (e) => e.querySelector('canvas'))
      && all('[data-testid=stMain] img', (e) => e.complete && e.naturalWidth > 0);
}
"""

SETTLE_PAINT = """
async () => {
  await document.fonts.ready;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
}
"""


@dataclass(frozen=True)
class PageRef:
    """One page of app.py's navigation."""

    url_path: str
    title: str
    default: bool

    @property
    def path(self) -> str:
        """Where the browser opens it: Streamlit serves the default page at / and ignores its url_path."""
        return "/" if self.default else f"/{self.url_path}"


def app_pages(app_file: Path = ROOT / "app.py") -> list[PageRef]:
    """The pages app.py passes to st.navigation, read from its source (running it needs Streamlit)."""
    pages = []
    for node in ast.walk(ast.parse(app_file.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "Page":
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            script = ast.literal_eval(node.args[0]) if node.args else ast.literal_eval(kw["page"])
            url_path = ast.literal_eval(kw["url_path"]) if "url_path" in kw else Path(script).stem
            title = _english(kw["title"]) if "title" in kw else Path(script).stem
            default = ast.literal_eval(kw["default"]) if "default" in kw else False
            pages.append(PageRef(url_path, title, bool(default)))
    if pages and not any(p.default for p in pages):
        pages[0] = PageRef(pages[0].url_path, pages[0].title, True)  # st.navigation's first page is the default
    return pages


def _english(node: ast.expr) -> str:
    """A literal, or the English source text of a translated one: `_("Start here")`."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "N_") and len(node.args) == 1:
        node = node.args[0]
    return ast.literal_eval(node)


def free_port() -> int:
    """A port nobody listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a new server could listen on `port` (connections closing in TIME_WAIT do not count, as for
    any server that sets SO_REUSEADDR)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


@dataclass(frozen=True)
class Server:
    """A running `streamlit run app.py`."""

    url: str  # e.g. http://127.0.0.1:PORT, no trailing slash
    process: subprocess.Popen
    log: Path

    def check_alive(self) -> None:
        """Raise with the end of its log if the server has exited."""
        if self.process.poll() is not None:
            raise RuntimeError(f"the streamlit server exited with {self.process.returncode}:\n{tail(self.log)}")


@contextlib.contextmanager
def streamlit_server(log_path: Path) -> Iterator[Server]:
    """`streamlit run app.py` on a free port. Stops the whole process group after, whatever happened,
    and checks that the port is free again."""
    port = free_port()
    env = dict(os.environ, PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    env.setdefault("MALLOC_ARENA_MAX", "2")  # as `make run` starts it
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, preexec_fn=_die_with_parent)
    stop = functools.partial(_stop, process)
    atexit.register(stop)  # an interrupted session may skip fixture teardown
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(process, url, log_path)
        yield Server(url, process, log_path)
    finally:
        stop()
        atexit.unregister(stop)
        assert port_is_free(port), f"port {port} is still taken after the server stopped"


def _die_with_parent() -> None:
    """In the child before exec: Linux sends it SIGTERM if pytest dies (even by SIGKILL)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_for_health(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)  # polling the health endpoint, not waiting for the app
    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health in {SERVER_START_S} s:\n{tail(log_path)}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL after 10 s; a no-op once it has been reaped
    (its group id could then belong to someone else)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def tail(path: Path, lines: int = 40) -> str:
    """The end of a log, without terminal colours."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines()[-lines:])


def new_context(browser):
    """A fresh browser context: fixed viewport, scale factor 1, light theme, no motion, fixed locale."""
    context = browser.new_context(viewport=dict(VIEWPORT), device_scale_factor=1, reduced_motion="reduce",
                                  color_scheme="light", locale="en-US", timezone_id="UTC")
    context.add_init_script(INIT_SCRIPT)
    context.set_default_timeout(RUN_TIMEOUT_MS)
    return context


def allowed(text: str, url: str) -> bool:
    """Whether a console error is one of ALLOWED_CONSOLE_ERRORS."""
    return any(message.fullmatch(text) and where.fullmatch(url or "") for _, message, where in ALLOWED_CONSOLE_ERRORS)


class AppPage:
    """One browser tab on the app, with the waits and readings tests need."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []  # not allowed ones, with where they came from
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_page_error(self, error) -> None:
        if str(error) not in ALLOWED_PAGE_ERRORS:
            self.console_errors.append(f"uncaught exception: {error}")

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "") if message.location else ""
        if not allowed(message.text, url):
            self.console_errors.append(f"{message.text} ({url or self.page.url})")

    # --- opening and waiting ---------------------------------------------------------------

    def open(self, path: str = "/", preset: str | None = None, lang: str | None = None, **params: str) -> "AppPage":
        """Open `path` (with ?preset=NAME, ?lang=CODE and any other query parameters) and wait for the first
        run to finish."""
        params = {k: v for k, v in (("preset", preset), ("lang", lang), *params.items()) if v}
        query = f"?{urlencode(params)}" if params else ""
        self.page.goto(f"{self.base_url}{path}{query}")
        self.wait_for_run(before=0)
        return self

    def reload(self) -> "AppPage":
        """Reload the tab (a new Streamlit session on the same URL) and wait for its first run to finish."""
        self.page.reload()  # the init script runs again: the run counters start from 0
        self.wait_for_run(before=0)
        return self

    def finished_runs(self) -> int:
        """Runs the server has finished for this page so far (runs stopped early for a rerun not counted)."""
        return self.page.evaluate("() => window.__rnnviz.finished")

    def started_runs(self) -> int:
        """Runs the server has started for this page so far: take it just before an action."""
        return self.page.evaluate("() => window.__rnnviz.started")

    @contextlib.contextmanager
    def expect_run(self, shows=None):
        """Wrap an action that makes the app run again; returns when a run started after the action has
        finished and the page is drawn, and (if given) `shows` is visible.

        Args:
            shows: a locator of what the action's run puts on the page (an alert naming the new
                file, a title with the new value): waited for too, so a test never reads what an
                earlier run left there.
        """
        before = self.started_runs()
        yield
        self.wait_for_run(before)
        if shows is not None:
            shows.first.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
            self.wait_for_run(before)  # still settled: waiting for `shows` can outlast a further run

    def wait_for_run(self, before: int) -> None:
        """Wait until a run that started after the first `before` runs has finished and the page is fully drawn."""
        self.page.wait_for_function(SETTLED, arg=before, timeout=RUN_TIMEOUT_MS)
        self.page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]")
        self.page.evaluate(SETTLE_PAINT)

    # --- reading ------------------------------------------------------------------------------

    def metric(self, label: str) -> str:
        """The value of the st.metric labelled `label`."""
        box = self.page.get_by_test_id("stMetric").filter(
            has=self.page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        return box.get_by_test_id("stMetricValue").inner_text().strip()

    def in_viewport(self, locator) -> bool:
        """Whether the element is wholly inside the browser window as it is now (no scrolling)."""
        box = locator.bounding_box()
        size = self.page.viewport_size
        return (box is not None and box["x"] >= 0 and box["y"] >= 0
                and box["x"] + box["width"] <= size["width"] and box["y"] + box["height"] <= size["height"])

    def exceptions(self) -> list[str]:
        """Text of every Python exception the page shows."""
        return [e.inner_text() for e in self.page.get_by_test_id("stException").all()]

    # --- screenshots --------------------------------------------------------------------------

    def screen(self, mask: list | tuple = ()) -> bytes:
        """PNG of the first screen only, at the window's size: what a person sees before scrolling."""
        page = self.page
        page.mouse.move(page.viewport_size["width"] - 1, 0)  # no hover effects on the content
        page.wait_for_function(SETTLED, arg=0)
        page.evaluate(SETTLE_PAINT)
        locators = [page.locator(m) if isinstance(m, str) else m for m in mask]
        return page.screenshot(animations="disabled", caret="hide", scale="css", mask=locators, mask_color="#9e9e9e")

    def screenshot(self, mask: list | tuple = ()) -> bytes:
        """PNG of the whole page: the viewport is made as tall as the main area (which scrolls on its
        own, so Playwright's full_page would stop at the viewport) or the sidebar, whichever is taller.

        Args:
            mask: locators or CSS selectors of regions painted over in grey (things that change by machine).
        """
        page = self.page
        page.mouse.move(VIEWPORT["width"] - 1, 0)  # no hover effects on the content
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        height = 0
        for _ in range(4):  # growing the viewport can reflow the page; stop when the height holds
            needed = page.evaluate("""() => Math.max(
                ...['[data-testid=stMain]', '[data-testid=stSidebarContent]']
                   .map((s) => document.querySelector(s)).filter(Boolean).map((e) => e.scrollHeight))""")
            needed = min(max(needed, VIEWPORT["height"]), MAX_SHOT_HEIGHT)
            if needed == height:
                break
            height = needed
            page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
            page.evaluate(SETTLE_PAINT)
        page.wait_for_function(SETTLED, arg=0)
        locators = [page.locator(m) if isinstance(m, str) else m for m in mask]
        return page.screenshot(animations="disabled", caret="hide", scale="css", mask=locators,
                               mask_color="#9e9e9e")

"""How long from moving the States page's timestep slider to every chart showing the new step.

Run by hand: `.venv/bin/python bench/scrub_bench.py [--moves 30] [--preset guide-lstm]`.
Starts the app on a free port, opens the States page in headless Chromium and clicks
stops along the slider, far and near in turn. Each move is timed in the page, from the
mouse press to the first paint after Plotly has moved the outline on every
heatmap and swapped the bars; then the bench checks that the outline and the bars really show
the new step. Prints the median and p95 against the target (300 ms at the median for the
default model), and the server's share (none: the slider and Play run in the browser).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from streamlit_app import CHROMIUM, CHROMIUM_ARGS, AppPage, new_context, streamlit_server  # noqa: E402

TARGET_MS = 300

# In the page: after every frame Plotly draws, the step its outlines show and the time since the
# last mouse press, taken at the first paint after it.
TIMER = """
() => {
  const plot = document.querySelector('[data-testid=stMain] .js-plotly-plot');
  const timer = (window.__scrub = {pressed: null, shown: null});
  document.addEventListener('mousedown', () => { timer.pressed = performance.now(); timer.shown = null; }, true);
  plot.on('plotly_animated', () => requestAnimationFrame(() => setTimeout(() => {
    const outlines = plot.data.filter((t) => t.name === 'highlight').map((t) => t.x[0] + 0.5);
    const step = outlines.every((x) => x === outlines[0]) ? outlines[0] : null;  // null: they disagree
    timer.shown = {step, ms: performance.now() - timer.pressed};
  })));
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--preset", default="guide-lstm")
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp(prefix="rnnviz-bench-")) / "server.log"
    with streamlit_server(log) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        app = AppPage(new_context(browser).new_page(), server.url).open("/states", preset=args.preset)
        page = app.page
        page.evaluate(TIMER)
        ticks = page.locator("[data-testid=stMain] .js-plotly-plot .slider-tick-rect")
        rail = page.locator("[data-testid=stMain] .js-plotly-plot .slider-rail-rect").first.bounding_box()
        runs_before = app.finished_runs()
        y = rail["y"] + rail["height"] / 2
        stops = ticks.count()
        # Far and near stops in turn (n/2, 1, n/2+1, 2, ...): a click on the grip itself moves nothing.
        targets = [s for pair in zip(range(stops // 2, stops), range(1, stops // 2)) for s in pair][:args.moves]
        times = []
        for step in targets:
            tick = ticks.nth(step).bounding_box()
            page.mouse.click(tick["x"] + tick["width"] / 2, y)
            try:
                page.wait_for_function("(n) => window.__scrub.shown && window.__scrub.shown.step === n", arg=step,
                                       polling=5, timeout=10_000)
            except PlaywrightTimeout:
                sys.exit(f"clicking stop {step} did not move every outline there: {page.evaluate('window.__scrub.shown')}")
            times.append(page.evaluate("() => window.__scrub.shown.ms"))
        times.sort()
        server_runs = app.finished_runs() - runs_before
        browser.close()
    median, p95 = statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]
    print(f"preset {args.preset}: {len(times)} slider moves on the States page")
    print(f"  median {median:6.0f} ms   p95 {p95:6.0f} ms   min {times[0]:6.0f} ms   max {times[-1]:6.0f} ms")
    print(f"  server runs while scrubbing: {server_runs} (the slider and Play run in the browser)")
    print(f"  median / target ({TARGET_MS} ms) = {median / TARGET_MS:.2f}  ->  {'meets' if median <= TARGET_MS else 'MISSES'} the target")


if __name__ == "__main__":
    main()

"""How long from moving the States page's timestep slider to every chart showing the new step.

Run by hand: `.venv/bin/python bench/scrub_bench.py [--moves 30] [--preset guide-lstm]`.
Starts the app on a free port, opens the States page in headless Chromium, presses the
slider's arrow key and times until every heatmap's highlight sits on the new step. Prints the
median and p95 against the target (300 ms at the median for the default model).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from streamlit_app import CHROMIUM, CHROMIUM_ARGS, new_context, streamlit_server  # noqa: E402

TARGET_MS = 300

# True when every Plotly chart that has a highlight outlines `step`.
HIGHLIGHTS_AT = """
(step) => {
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const marked = plots.map((p) => (p.layout && p.layout.shapes || []).filter((s) => s.name && s.name.includes('highlight')))
                      .filter((shapes) => shapes.length);
  return marked.length > 0 && marked.every((shapes) => shapes.every((s) => s.x0 <= step && step <= s.x1));
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--preset", default="guide-lstm")
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp(prefix="rnnviz-bench-")) / "server.log"
    with streamlit_server(log) as server, sync_playwright() as p:
        url = server.url
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = new_context(browser).new_page()
        page.goto(f"{url}/states?preset={args.preset}")
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning] .js-plotly-plot")
        page.wait_for_function(HIGHLIGHTS_AT, arg=0)
        thumb = page.locator("[data-testid=stSlider] input[type=range]").first
        steps = int(thumb.get_attribute("max"))
        times, server_times = [], []
        for move in range(1, min(args.moves, steps) + 1):
            thumb.focus()
            finished = page.evaluate("() => window.__rnnviz.finished")
            start = time.perf_counter()
            thumb.press("ArrowRight")
            page.wait_for_function("(n) => window.__rnnviz.finished > n", arg=finished, polling=5)
            server_times.append((time.perf_counter() - start) * 1000)
            page.wait_for_function(HIGHLIGHTS_AT, arg=move)
            times.append((time.perf_counter() - start) * 1000)
        browser.close()
    times.sort()
    server_times.sort()
    median, p95 = statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]
    print(f"preset {args.preset}: {len(times)} slider moves on the States page")
    print(f"  median {median:6.0f} ms   p95 {p95:6.0f} ms   min {times[0]:6.0f} ms   max {times[-1]:6.0f} ms")
    print(f"  of which until the server finished its run: median {statistics.median(server_times):6.0f} ms "
          "(the rest is the browser drawing the charts)")
    print(f"  median / target ({TARGET_MS} ms) = {median / TARGET_MS:.2f}  ->  {'meets' if median <= TARGET_MS else 'MISSES'} the target")


if __name__ == "__main__":
    main()

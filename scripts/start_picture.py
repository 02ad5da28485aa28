"""Cut the Start page's picture from the States page: the top 680 px of its first chart (the h heatmap,
the step slider and the step's bars), shot in Chromium as the browser tests shoot.

    python scripts/start_picture.py ko     # writes docs/start-states-ko.png (en: docs/start-states.png)
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser")]

from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from streamlit_app import CHROMIUM, CHROMIUM_ARGS, AppPage, new_context, streamlit_server  # noqa: E402

SIZE = (820, 680)  # width of the chart at the browser tests' 1280 px viewport; height: the heatmap and its bars
FILES = {"en": ROOT / "docs" / "start-states.png", "ko": ROOT / "docs" / "start-states-ko.png"}


def main(language: str) -> None:
    """Write the picture for `language` ("en" or "ko")."""
    with tempfile.TemporaryDirectory() as folder, streamlit_server(Path(folder) / "server.log") as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            app = AppPage(new_context(browser).new_page(), server.url).open("/states", lang=language)
            shot = app.page.locator("[data-testid=stPlotlyChart]").first.screenshot()
        finally:
            browser.close()
    Image.open(io.BytesIO(shot)).convert("RGB").crop((0, 0, *SIZE)).save(FILES[language])
    print(f"wrote {FILES[language].relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "en")

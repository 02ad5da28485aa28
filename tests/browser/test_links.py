"""A link made on each page after changing its settings shows the same picture in a fresh browser.

For every page: open it, change its settings as a person does, read the address from the sidebar's
"Copy link" box, open that address in a new browser context (a fresh session), and compare what the
two show: every control's value, and a screenshot of the whole page within imagediff's tolerance.
One server for all (the session fixture); each page uses one context for the change and one fresh one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from imagediff import compare_images, write_diff
from PIL import Image
from playwright.sync_api import expect
from streamlit_app import AppPage, new_context
from test_scrub import OUTLINES_AT, click_stop

from conftest import ACTUAL, DEFAULT_MASK

pytestmark = pytest.mark.browser

COPY_BOX = "[data-testid=stSidebar] iframe"
# Measured times differ run by run: the Cells and layers timing chart and its verdict.
TIMING = ("[class*=st-key-cells-fig-timing]", "[data-testid=stMain] [data-testid=stCaptionContainer]:has-text('faster')",
          "[data-testid=stMain] [data-testid=stCaptionContainer]:has-text('slower')")
# Every control's value, as the page shows it (the sidebar's and the page's).
CONTROLS = """() => Array.from(document.querySelectorAll(
  '[data-testid=stAppViewContainer] input, [data-testid=stAppViewContainer] textarea'))
  .filter((e) => e.type !== 'file').map((e) => e.type === 'checkbox' || e.type === 'radio'
    ? `${e.getAttribute('aria-label') || e.parentElement.innerText}:${e.checked}` : e.value)"""


def link_box(app: AppPage):
    return app.page.frame_locator(COPY_BOX).first.locator("#link")


def _number(label: str, value: int, where: str = "stMain") -> Callable[[AppPage], None]:
    def change(app: AppPage) -> None:
        box = app.page.get_by_test_id(where).get_by_role("spinbutton", name=label, exact=True).first
        with app.expect_run():
            box.fill(str(value))
            box.press("Enter")
    return change


def _select(label: str, option: str, where: str = "stMain") -> Callable[[AppPage], None]:
    def change(app: AppPage) -> None:
        with app.expect_run():
            app.page.get_by_test_id(where).get_by_role("combobox", name=label).first.click()
            app.page.get_by_role("option", name=option, exact=True).click()
    return change


def _click(text: str, where: str = "stMain") -> Callable[[AppPage], None]:
    def change(app: AppPage) -> None:
        with app.expect_run():
            app.page.get_by_test_id(where).get_by_text(text, exact=True).first.click()
    return change


def _text(label: str, text: str) -> Callable[[AppPage], None]:
    def change(app: AppPage) -> None:
        box = app.page.get_by_test_id("stSidebar").get_by_role("textbox", name=label)
        with app.expect_run():
            box.fill(text)
            box.press("Control+Enter")
    return change


def _step(step: int) -> Callable[[AppPage], None]:
    def change(app: AppPage) -> None:  # Plotly's own slider: no server run; the box reads the browser's step
        click_stop(app, step)
        app.page.wait_for_function(OUTLINES_AT, arg=step)
    return change


PAGES = {  # path (with the preset it starts from): the changes, and what the link must then name
    "/?preset=guide-lstm": ([_select("Model", "Bidirectional LSTMs", "stSidebar")], ["preset=guide-bidirectional"]),
    "/build?preset=guide-lstm": ([_number("units", 32)], ["model="]),
    "/states?preset=guide-lstm": ([_text("Text", "links keep it"), _click("words", "stSidebar"), _step(2)],
                                  ["text=links+keep+it", "tokens=word", "step=2"]),
    "/train": ([_click("Use the pre-trained model"), _number("Seed", 5)], ["train=", "seed=5"]),
    "/outputs-and-states": ([_click("return_state"), _number("units", 32)], ["return_state=1", "units=32"]),
    "/encoder-decoder": ([_select("What the decoder is handed", "add noise")], ["handed=add+noise"]),
    "/stateful": ([_number("Chunk length (steps per batch)", 150)], ["chunk=150"]),
    "/bidirectional": ([_select("merge_mode", "'sum': forward + backward")], ["merge_mode=sum"]),
    "/cells-and-layers": ([_number("units", 16), _click("unroll")], ["units=16", "unroll=1"]),
    "/gradients?preset=guide-lstm": ([_click("Keras's initial", "stSidebar")], ["weights=keras"]),
}


def _shot(app: AppPage) -> Image.Image:
    return Image.open(io.BytesIO(app.screenshot(mask=(*DEFAULT_MASK, COPY_BOX, *TIMING))))


@pytest.mark.parametrize("path", PAGES)
def test_a_link_made_after_changing_a_pages_settings_shows_the_same_picture_in_a_fresh_browser(
        app, browser, server, path):
    changes, named = PAGES[path]
    app.page.goto(f"{server.url}{path}")
    app.wait_for_run(before=0)
    for change in changes:
        change(app)
    box = link_box(app)
    for part in named:  # the box reads the address the last run wrote (and the slider's step)
        expect(box).to_have_value(re.compile(re.escape(part)), timeout=30_000)
    link = box.input_value()
    assert link.startswith(server.url)
    controls, picture = app.page.evaluate(CONTROLS), _shot(app)

    context = new_context(browser)  # a fresh browser: no cookie, no session
    try:
        fresh = AppPage(context.new_page(), server.url)
        fresh.page.goto(link)
        fresh.wait_for_run(before=0)
        if "step=" in link:
            step = int(re.search(r"step=(\d+)", link).group(1))
            fresh.page.wait_for_function(OUTLINES_AT, arg=step)  # the figure opens at the link's step
        assert fresh.page.evaluate(CONTROLS) == controls
        assert not fresh.exceptions() and not fresh.console_errors
        assert not fresh.page.get_by_text("was not applied").count()
        now = _shot(fresh)
        result = compare_images(now, picture)
        if not result.ok:
            ACTUAL.mkdir(exist_ok=True)
            name = "link-" + re.sub(r"\W+", "-", path).strip("-")
            write_diff(now, picture, ACTUAL / f"{name}.diff.png")
        assert result.ok, f"the link's picture differs: {result.describe()} (see screenshots-actual/{name}.diff.png)"
    finally:
        context.close()

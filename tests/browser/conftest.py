"""Browser fixtures: one `streamlit run app.py` and one Chromium per test session, a fresh
browser context per test. See docs/browser-tests.md.

    app              an AppPage on the running app (open pages, wait for runs, read metrics, shoot)
    assert_screenshot  compare a full-page screenshot with tests/browser/baselines/NAME.png
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import pytest

from imagediff import compare_images, write_diff
from streamlit_app import CHROMIUM, CHROMIUM_ARGS, ROOT, AppPage, new_context, streamlit_server, tail

HERE = Path(__file__).resolve().parent
BASELINES = HERE / "baselines"
ACTUAL = HERE / "screenshots-actual"  # git-ignored: what the last failing run saw
# Regions that differ between machines or runs, painted over in every screenshot: the device line
# (it names the accelerator and the TensorFlow / Keras versions) and any text showing the test
# server's address (its port is new every session), such as a lesson's shareable link.
DEVICE_LINE = "[data-testid=stSidebar] [data-testid=stCaptionContainer]:has-text('TensorFlow')"
SERVER_ADDRESS = r"text=/https?:\/\/127\.0\.0\.1:\d+/"
DEFAULT_MASK = (DEVICE_LINE, SERVER_ADDRESS)


def _missing_browser(reason: str):
    """No browser here: the browser tests fail and say how to get one (a skipped suite proves nothing)."""
    pytest.fail(f"the browser tests cannot run: {reason}", pytrace=False)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (never a browser Playwright downloads)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("the playwright package is not installed (pip install -r requirements-test.txt)")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing_browser(f"{CHROMIUM} is missing (make chromium, or apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def server_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("streamlit") / "server.log"


@pytest.fixture(scope="session")
def server(browser, server_log):
    """One `streamlit run app.py` for the whole session, stopped (port freed) at the end."""
    with streamlit_server(server_log) as running:
        url = running.url
        # A first visit pays for importing TensorFlow and the first build, so no test's own
        # timing depends on running first (test_first_visit covers a first visit on its own).
        context = new_context(browser)
        try:
            AppPage(context.new_page(), url).open("/")
        except Exception as error:
            raise RuntimeError(f"the app did not finish its first run: {error}\n{tail(server_log)}") from error
        finally:
            context.close()
        yield running


@pytest.fixture
def app(request, browser, server, server_log):
    """A fresh browser context and tab on the app. Fails the test if the console shows an error."""
    if request.node.get_closest_marker("browser") is None:
        pytest.fail("a test that drives the browser must be marked @pytest.mark.browser", pytrace=False)
    try:
        server.check_alive()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    context = new_context(browser)
    page = AppPage(context.new_page(), server.url)
    try:
        yield page
    finally:
        context.close()
    errors = page.console_errors
    assert not errors, "the browser console showed errors:\n" + "\n".join(errors) + f"\nserver log:\n{tail(server_log)}"


@pytest.fixture
def assert_screenshot(request):
    """assert_screenshot(app, name, mask=(), first_screen=False): compare app's full-page screenshot (or only
    what the window shows, with first_screen) with baselines/NAME.png.

    With --update-screenshots a missing or differing baseline is written instead (and the test passes).
    """
    update = request.config.getoption("--update-screenshots")

    def check(app: AppPage, name: str, mask=(), first_screen: bool = False) -> None:
        shoot = app.screen if first_screen else app.screenshot  # the window as it is, or the whole page
        png = shoot(mask=(*DEFAULT_MASK, *mask))
        _compare_with_baseline(png, name, update)

    return check


def _compare_with_baseline(png: bytes, name: str, update: bool) -> None:
    from PIL import Image

    baseline = BASELINES / f"{name}.png"
    actual_path, diff_path = ACTUAL / f"{name}.png", ACTUAL / f"{name}.diff.png"
    actual = Image.open(io.BytesIO(png))
    if baseline.exists():
        expected = Image.open(baseline)
        result = compare_images(actual, expected)
        if result.ok:
            for stale in (actual_path, diff_path):  # left from an earlier failure
                stale.unlink(missing_ok=True)
            return
        if not update:
            ACTUAL.mkdir(exist_ok=True)
            actual_path.write_bytes(png)
            write_diff(actual, expected, diff_path)
            pytest.fail(
                f"screenshot {name!r} does not match {_rel(baseline)}: {result.describe()}.\n"
                f"Look at {_rel(diff_path)} (baseline | now | changed pixels in red) and {_rel(actual_path)}.\n"
                "If the change is intended: make screenshots (or pytest -m browser --update-screenshots), "
                "look at the new PNG, and commit it.", pytrace=False)
    elif not update:
        ACTUAL.mkdir(exist_ok=True)
        actual_path.write_bytes(png)
        pytest.fail(
            f"no baseline for screenshot {name!r}: {_rel(baseline)} does not exist.\n"
            f"To make one: look at {_rel(actual_path)} (what the page shows now); if it is right, run "
            "make screenshots (or pytest -m browser --update-screenshots) and commit the new PNG.", pytrace=False)
    BASELINES.mkdir(exist_ok=True)
    baseline.write_bytes(png)
    actual_path.unlink(missing_ok=True)
    diff_path.unlink(missing_ok=True)
    warnings.warn(f"wrote baseline {_rel(baseline)}: look at it before committing", UserWarning, stacklevel=1)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))

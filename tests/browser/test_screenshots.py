"""Every page looks the way its baseline PNG says, for each preset the page is shot with.

The pages come from app.py's st.navigation list, so a new page is shot (and fails with
"no baseline ... how to make one") without touching this file. To shoot a page with more
presets than the default one, add it to PRESETS_SHOWN; to paint over a part of a page that
changes from run to run (a measured time), add it to MASKS: one line each.
"""

import pytest

from rnnviz.presets import DEFAULT_PRESET, preset_names
from streamlit_app import app_pages

pytestmark = pytest.mark.browser

# url_path -> the presets that page is shot with; a page not listed is shot with the default preset.
PRESETS_SHOWN = {
    "build": preset_names(),
}

# url_path -> what else changes from run to run on that page, painted over (Playwright selectors).
MASKS = {
    "cells-and-layers": ["[data-testid=stPlotlyChart]:has-text('One forward pass')"],  # measured times
}

SHOTS = [(page, preset) for page in app_pages() for preset in PRESETS_SHOWN.get(page.url_path, [DEFAULT_PRESET])]


def shot_name(page, preset) -> str:
    return f"{page.url_path}-{preset}"


@pytest.mark.parametrize(("page", "preset"), SHOTS, ids=[shot_name(*s) for s in SHOTS])
def test_page_looks_like_its_baseline(app, assert_screenshot, page, preset):
    app.open(page.path, preset=preset)
    assert not app.exceptions()
    assert_screenshot(app, shot_name(page, preset), mask=MASKS.get(page.url_path, ()))

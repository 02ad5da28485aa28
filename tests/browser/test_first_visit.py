"""The first visitor after the server starts, arriving by a link to a page (not to /).

Streamlit starts in its old "pages/ folder" mode when that folder exists, and would run
pages/PAGE.py alone, without app.py's navigation and sidebar (rnnviz/ui/__init__.py leaves that
mode). Needs a server of its own: the shared one has had its first visit already.
"""

import pytest

from rnnviz.presets import get_preset
from streamlit_app import AppPage, app_pages, new_context, streamlit_server, tail

pytestmark = pytest.mark.browser

# A page other than the default one if there is one (the default page lives at /).
TARGET = next((p for p in app_pages() if not p.default), app_pages()[0])
PRESET = "guide-gru-simplernn"


def test_first_visit_by_a_page_link_shows_that_page_with_the_sidebar(browser, tmp_path):
    log = tmp_path / "server.log"
    with streamlit_server(log) as server:
        url = server.url
        context = new_context(browser)
        try:
            app = AppPage(context.new_page(), url).open(TARGET.path, preset=PRESET)
            exceptions = app.exceptions()
            model = app.page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model").input_value()
            where = app.page.url
            errors = app.console_errors
        finally:
            context.close()
    assert not exceptions, f"{exceptions[0][:800]}\n{tail(log)}"
    assert model == get_preset(PRESET).title  # app.py's sidebar ran, and read the link
    assert where.split("?")[0].rstrip("/") == f"{url}{TARGET.path}".rstrip("/")
    assert not errors, errors

"""A crafted upload while another person works: the uploader is told why in the sidebar, and the other
session's States page goes on tracing what it types, both runs completing."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from streamlit_app import AppPage, new_context, tail

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def huge_file(tmp_path_factory) -> Path:
    """A small, valid .keras whose config.json declares its LSTM at 20,000 units (6.4 GB of kernels)."""
    folder = tmp_path_factory.mktemp("crafted")
    inp = keras.Input((None, 3), name="signal")
    keras.Model(inp, keras.layers.LSTM(4, name="lstm")(inp)).save(folder / "small.keras")
    out = io.BytesIO()
    with zipfile.ZipFile(folder / "small.keras") as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "config.json":
                data = json.dumps(json.loads(data)).replace('"units": 4', '"units": 20000').encode()
            dst.writestr(info, data)
    path = folder / "huge.keras"
    path.write_bytes(out.getvalue())
    assert path.stat().st_size < 50_000  # a few KB that declare gigabytes
    return path


@pytest.fixture
def two_people(browser, server, server_log):
    server.check_alive()
    contexts = [new_context(browser) for _ in range(2)]
    pages = [AppPage(c.new_page(), server.url) for c in contexts]
    try:
        yield pages
    finally:
        for context in contexts:
            context.close()
    errors = [e for page in pages for e in page.console_errors]
    assert not errors, "console errors:\n" + "\n".join(errors) + f"\nserver log:\n{tail(server_log)}"


def sidebar(page: AppPage):
    return page.page.get_by_test_id("stSidebar")


def type_text(page: AppPage, text: str) -> None:
    box = sidebar(page).get_by_role("textbox", name="Text")
    box.fill(text)
    box.press("Control+Enter")


def ticks(page: AppPage) -> str:
    """The step labels of the States page's heatmap, as Plotly holds them."""
    return page.page.evaluate("""() => {
        const plot = document.querySelector('[data-testid=stMain] .js-plotly-plot');
        return (plot && plot.layout && plot.layout.xaxis.ticktext || []).join('');
    }""")


def test_a_crafted_upload_is_refused_while_another_session_keeps_working(two_people, huge_file):
    uploader, other = two_people
    uploader.open("/states", preset="guide-lstm")
    other.open("/states", preset="guide-lstm")
    sidebar(uploader).get_by_text("Open your own model").click()
    uploading = uploader.finished_runs()
    typing = other.finished_runs()
    sidebar(uploader).locator("input[type=file]").set_input_files(str(huge_file))
    type_text(other, "abc")  # sent while the upload is being opened
    other.wait_for_run(typing)
    assert ticks(other) == "abc"
    for text in ("hello", "xyz"):  # the other person goes on working, each run waited for
        with other.expect_run():
            type_text(other, text)
        assert ticks(other) == text
    uploader.wait_for_run(uploading)
    alert = sidebar(uploader).get_by_test_id("stAlertContentError")
    assert alert.is_visible()
    message = alert.inner_text()
    # Refused for what it declares: by the worker's memory cap, or by a check naming the 20,000 units.
    assert "huge.keras" in message and re.search(r"needed more than \d+ MB of memory|20,?000", message), message
    assert "Showing your model" not in sidebar(uploader).inner_text()  # still the preset it showed
    with uploader.expect_run():  # and the uploader's own page still traces
        type_text(uploader, "ok")
    assert ticks(uploader) == "ok"
    assert not uploader.exceptions() and not other.exceptions()

"""Every page runs without an exception, for every preset (Streamlit's AppTest, no browser)."""

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rnnviz.presets import preset_names

ROOT = Path(__file__).resolve().parents[1]
PAGES = re.findall(r'st\.Page\("([^"]+)"', (ROOT / "app.py").read_text())
TIMEOUT = 120  # TensorFlow is far slower than AppTest's 3 s default


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def open_app(preset=None, page=None):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if preset:
        at.query_params["preset"] = preset
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_app_lists_pages():
    assert "pages/build.py" in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page):
    open_app(page=page)


@pytest.mark.parametrize(("preset", "total"), [("guide-lstm", "164,106"), ("guide-gru-simplernn", "361,866"),
                                               ("guide-encoder-decoder", "258,698"),
                                               ("guide-bidirectional", "80,266")])
def test_preset_link_opens_the_model_with_the_guide_total(preset, total):
    at = open_app(preset)  # the start page
    assert at.selectbox(key="sidebar.preset").value == preset
    at.switch_page("pages/build.py")
    at.run()
    assert metric(at, "Total params") == total


@pytest.mark.parametrize("preset", preset_names())
def test_build_page_runs_for_every_preset(preset):
    at = open_app(preset, page="pages/build.py")
    assert not at.error


def test_unknown_preset_says_so_and_falls_back():
    at = open_app("nope")
    assert any("does not exist" in e.value for e in at.error)
    at.switch_page("pages/build.py")
    at.run()
    assert metric(at, "Total params") == "164,106"


def test_invalid_edit_keeps_the_last_good_model_and_the_users_edit():
    at = open_app("guide-lstm", page="pages/build.py")
    at.selectbox(key=next(k for k in _widget_keys(at) if k.endswith("add.0.kind"))).set_value("GRU")
    at.button(key=next(k for k in _widget_keys(at) if k.endswith("add.0.button"))).click()
    at.run()
    assert any("return_sequences off; turn it on" in e.value for e in at.error)
    assert metric(at, "Total params") == "164,106"  # the last good model
    units = next(k for k in _widget_keys(at) if k.endswith("layer.0.2.units"))
    at.number_input(key=units).set_value(40)
    at.run()
    assert at.number_input(key=units).value == 40  # still what the user typed
    seq = next(k for k in _widget_keys(at) if k.endswith("layer.0.1.return_sequences"))
    at.checkbox(key=seq).check()
    at.run()
    assert not at.error
    # Embedding 64,000 + LSTM(128) 98,816 + GRU(40) 3*(40*(128+40)+2*40) + Dense(40->10) 410
    assert metric(at, "Total params") == f"{64_000 + 98_816 + 3 * (40 * 168 + 80) + 410:,}"


def _widget_keys(at):
    widgets = [*at.selectbox, *at.button, *at.number_input, *at.checkbox]
    return [w.key for w in widgets if w.key]

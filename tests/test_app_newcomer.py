"""What a newcomer met (issue 13), through AppTest: a start page, labels that follow the model, a Model box
that can go back to a preset, and pages that say which model they use."""

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rnnviz.presets import get_preset
from rnnviz.ui import keys

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 180  # TensorFlow on 2 slow cores
GUIDE = "https://keras.io/guides/working_with_rnns/"


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def run(at):
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_app(page=None, preset=None):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if preset:
        at.query_params["preset"] = preset
    run(at)
    if page:
        at.switch_page(page)
        run(at)
    return at


def main_text(at) -> str:
    return "\n".join(str(m.value) for m in at.main.markdown) + "\n".join(str(c.value) for c in at.main.caption)


def sidebar_text(at) -> str:
    return "\n".join(str(e.value) for e in (*at.sidebar.markdown, *at.sidebar.caption, *at.sidebar.info))


def layer_box(at):
    return next(s for s in at.main.selectbox if s.label == "Layer")


def test_the_app_opens_on_a_start_page_with_an_order_through_every_page():
    at = open_app()
    assert at.title[0].value.startswith("rnnviz")
    links = [el.proto.page for el in at.main.get("page_link")]
    paths = re.findall(r'url_path="([^"]+)"', (ROOT / "app.py").read_text())
    assert sorted(p.strip("/") for p in links) == sorted(paths), links
    assert GUIDE in main_text(at)
    assert at.main.get("image"), "no picture on the start page"


@pytest.mark.parametrize("page", ["pages/outputs_states.py", "pages/encoder_decoder.py", "pages/stateful.py",
                                  "pages/bidirectional.py", "pages/cells_layers.py"])
def test_every_lesson_links_to_the_keras_guide(page):
    at = open_app(page)
    assert f"]({GUIDE})" in main_text(at)


def test_states_layer_box_follows_the_model_when_the_preset_changes():
    at = open_app("pages/states.py", preset="guide-lstm")
    assert layer_box(at).value == "lstm"
    # What the sidebar's Model box stores (AppTest drops the sidebar drawn before page.run() after a switch).
    spec = replace(get_preset("guide-gru-simplernn").spec, weights="vivid")
    at.session_state[keys.GOOD_SPEC] = at.session_state[keys.DRAFT_SPEC] = spec
    at.session_state[keys.PRESET] = "guide-gru-simplernn"
    run(at)
    box = layer_box(at)
    assert box.options == ["gru (GRU, 256 units)", "simple_rnn (SimpleRNN, 128 units)"]
    assert box.value == "gru"
    assert box.key != keys.for_options(keys.STATES_LAYER, ("lstm (LSTM, 128 units)",))


def test_states_equations_come_before_the_charts():
    at = open_app("pages/states.py", preset="guide-lstm")
    equations = at.main.expander[0]
    assert equations.label.startswith("What these are")
    everything = list(at.main)  # depth first, in page order
    where = {id(el): i for i, el in enumerate(everything)}
    first_chart = min(where[id(el)] for el in at.main.get("plotly_chart"))
    assert where[id(equations)] < first_chart


def test_typed_text_is_one_row_not_a_batch_of_copies():
    at = open_app("pages/states.py", preset="guide-lstm")
    assert any("batch row 0 of 1" in str(c.value) for c in at.main.caption), [c.value for c in at.main.caption]
    assert not [n for n in at.sidebar.number_input if n.label == "Batch"]


def test_build_card_title_follows_its_cell():
    at = open_app("pages/build.py", preset="guide-lstm")
    assert any("2 · LSTM" in str(m.value) for m in at.main.markdown)
    cell = next(s for s in at.main.selectbox if s.label == "cell")
    cell.set_value("GRU")
    run(at)
    titles = [str(m.value) for m in at.main.markdown if " · " in str(m.value)]
    assert "**2 · GRU**" in titles and "**2 · LSTM**" not in titles, titles


def sidebar_of(url_path: str, own_model: str | None) -> AppTest:
    """The sidebar's model controls as app.py draws them for a page (AppTest drops the sidebar drawn
    before page.run() once it has switched pages, so they are drawn here on their own)."""

    def script(url_path, own_model):
        from rnnviz.ui import model_source
        model_source.sync_with_url()
        model_source.model_picker(own_model=own_model)

    at = AppTest.from_function(script, args=(url_path, own_model), default_timeout=TIMEOUT)
    return run(at)


def test_app_names_the_five_pages_with_a_model_of_their_own():
    source = (ROOT / "app.py").read_text()
    table = source[source.index("OWN_MODEL = {"):source.index("}", source.index("OWN_MODEL = {"))]
    assert sorted(re.findall(r'^    "([a-z-]+)":', table, re.M)) == sorted(
        ["outputs-and-states", "encoder-decoder", "stateful", "bidirectional", "cells-and-layers"])
    assert "own_model = OWN_MODEL.get(page.url_path)" in source and "model_picker(own_model=" in source


def test_a_page_with_its_own_model_says_so_and_greys_out_the_model_controls():
    at = sidebar_of("stateful", "the guide's stateful LSTM")
    assert "This page uses its own model:** the guide's stateful LSTM" in at.sidebar.info[0].value
    assert at.selectbox(key=keys.PRESET_PICKER).disabled
    assert at.radio(key=keys.WEIGHTS).disabled


def test_a_page_that_shows_the_sidebars_model_offers_its_controls():
    at = sidebar_of("states", None)
    assert not at.sidebar.info
    assert not at.selectbox(key=keys.PRESET_PICKER).disabled
    assert not at.radio(key=keys.WEIGHTS).disabled


def chart(at, key):
    return json.loads(next(el for el in at.get("plotly_chart") if key in el.proto.id).proto.spec)


def colorbar_titles(fig) -> str:
    layout = fig["layout"]
    return " ".join(json.dumps(v.get("colorbar", {}).get("title", ""), ensure_ascii=False) for k, v in layout.items()
                    if k.startswith("coloraxis"))


@pytest.mark.parametrize(("page", "key"), [("pages/encoder_decoder.py", "seq2seq.fig.h"),
                                           ("pages/bidirectional.py", "bidi.fig.halves")])
def test_the_lstm_hidden_state_is_labelled_minus_one_to_one(page, key):
    at = open_app(page)
    titles = colorbar_titles(chart(at, key))
    assert "unbounded" not in titles and "−1…1" in titles, titles


@pytest.mark.parametrize(("page", "key"), [("pages/encoder_decoder.py", "seq2seq.fig.difference"),
                                           ("pages/bidirectional.py", "bidi.fig.difference")])
def test_the_lesson_shows_what_changed_as_a_difference_heatmap(page, key):
    at = open_app(page)
    fig = chart(at, key)
    assert [t for t in fig["data"] if t["type"] == "heatmap"], "no difference heatmap"
    assert "−" in json.dumps(fig["layout"]["title"], ensure_ascii=False)

"""The Build page's stack diagram: a Plotly chart with the app's PNG download, the draft's broken layer in red."""

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from apptest_pages import page_of
from rnnviz.figures.diagram import INVALID
from rnnviz.ui.charts import PNG_HEIGHT, PNG_WIDTH

@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def _build_page(preset: str, lang: str | None = None) -> AppTest:
    return page_of("pages/build.py", preset, lang)


def _diagram(at: AppTest) -> tuple[dict, dict]:
    element = next(el for el in at.get("plotly_chart") if "build.fig.diagram" in el.proto.id)
    return json.loads(element.proto.spec), json.loads(element.proto.config)


def _named(fig: dict, where: str, prefix: str) -> dict:
    return {item["name"][len(prefix):]: item for item in fig["layout"].get(where, [])
            if item.get("name", "").startswith(prefix)}


def test_the_diagram_is_a_chart_that_downloads_as_a_projector_png_and_shows_params():
    at = _build_page("guide-encoder-decoder")
    fig, config = _diagram(at)
    png = config["toImageButtonOptions"]
    assert (png["format"], png["width"], png["height"]) == ("png", PNG_WIDTH, max(PNG_HEIGHT, fig["layout"]["height"]))
    assert png["filename"] == "rnnviz-build-fig-diagram"
    assert "encoder:1->decoder:1" in _named(fig, "annotations", "edge:")
    # The decoder's LSTM(64) on 64 features: 4 * (64 * (64 + 64) + 64) parameters, as in the summary.
    assert f"{4 * (64 * 128 + 64):,} params" in _named(fig, "annotations", "node:")["decoder:1"]["text"]
    assert not at.get("graphviz_chart")


def test_a_broken_edit_shows_the_drafts_diagram_with_the_layer_to_fix_in_red():
    at = _build_page("guide-lstm")
    keys = [w.key for w in [*at.selectbox, *at.button] if w.key]
    at.selectbox(key=next(k for k in keys if k.endswith("add.0.kind"))).set_value("GRU")
    at.button(key=next(k for k in keys if k.endswith("add.0.button"))).click()
    at.run()
    assert any("return_sequences off; turn it on" in e.value for e in at.error)
    fig, _config = _diagram(at)
    red = [k for k, box in _named(fig, "shapes", "box:").items() if box["line"]["color"] == INVALID]
    assert len(red) == 1 and red[0] in _named(fig, "annotations", "note:")
    assert "return_sequences off; turn it on" in _named(fig, "annotations", "note:")[red[0]]["text"].replace("<br>", " ")
    assert any("layers to fix are in red" in c.value for c in at.caption)


def test_the_korean_page_draws_a_korean_diagram():
    fig, _config = _diagram(_build_page("guide-lstm", lang="ko"))
    assert "파라미터" in _named(fig, "annotations", "node:")["main:1"]["text"]
    assert fig["layout"]["title"]["text"] == "레이어와 텐서 모양"

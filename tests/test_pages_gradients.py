"""The Gradients through time page (Streamlit's AppTest, no browser)."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rnnviz.figures.gradients import half_life_text
from rnnviz.lessons.gradients import load_lesson

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 240  # TensorFlow on 2 slow shared cores


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def open_page(query=None):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    at.run()
    at.switch_page("pages/gradients.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figure(at, title_start):
    for element in at.get("plotly_chart"):
        fig = json.loads(element.proto.spec)
        if fig["layout"].get("title", {}).get("text", "").startswith(title_start):
            return fig
    raise AssertionError(f"no figure titled {title_start!r}")


def test_page_shows_the_shipped_curves_the_current_models_curve_and_the_saliency():
    at = open_page()
    assert not at.error
    fig = figure(at, "How much the final state depends on each step")
    names = [d["name"] for d in fig["data"]]
    shipped = load_lesson().curves
    assert names[:6] == [f"{c.cell} {'trained' if c.trained else 'untrained'} · half-life {half_life_text(c.half_life)}"
                         for c in shipped]
    assert [c.trained for c in shipped] == [False] * 3 + [True] * 3
    assert floats(fig["data"][5]["y"])[0] == pytest.approx(shipped[5].relative[0], rel=1e-6)
    assert names[6].startswith("yours: guide-lstm · lstm · half-life")  # the sidebar's default model
    assert fig["layout"]["yaxis"]["type"] == "log"
    table = at.dataframe[0].value
    assert list(table["cell"]) == ["SimpleRNN", "GRU", "LSTM"]
    saliency = figure(at, "Marked numbers at steps")
    assert [d["name"] for d in saliency["data"]][0] == "numbers"
    assert any("At initialisation *all three* vanish" in m.value for m in at.markdown)


def test_a_bidirectional_model_offers_its_directions_and_the_backward_curve_rises_towards_step_0():
    at = open_page({"preset": "guide-bidirectional"})
    assert not at.error
    layer = at.selectbox(key="gradients.layer")
    assert layer.value == layer.options[0]
    at.radio(key="gradients.direction").set_value("backward")
    at.run()
    assert not at.exception
    own = figure(at, "How much the final state depends on each step")["data"][6]
    assert own["name"].startswith("yours:") and "(backward)" in own["name"]
    y = floats(own["y"])
    assert len(y) == 5 and y[0] == 1.0  # relative to the backward half's last step read: t = 0
    at.radio(key="gradients.direction").set_value("forward")
    at.run()
    y = floats(figure(at, "How much the final state depends on each step")["data"][6]["y"])
    assert y[-1] == 1.0 and y[0] != 1.0


def floats(y):
    """Plotly's JSON holds float32 arrays as base64 ("bdata")."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"])).tolist()
    return list(y)

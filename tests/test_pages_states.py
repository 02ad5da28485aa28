"""The States page through AppTest: it traces the model and the scrubber moves the highlight."""

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rnnviz.presets import preset_names
from rnnviz.ui import keys

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


def states_page(preset):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["preset"] = preset
    at.run()
    at.switch_page("pages/states.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at):
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def highlight_x(fig):
    return [(s["x0"], s["x1"]) for s in fig["layout"].get("shapes", [])]


@pytest.mark.parametrize("preset", preset_names())
def test_states_page_runs_for_every_preset(preset):
    at = states_page(preset)
    assert not at.error
    assert len(figures(at)) >= 3


def test_typed_text_labels_the_time_axis_and_the_scrubber_moves_the_highlight():
    at = states_page("guide-lstm")
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").input("hola 안녕 🙂").run()
    heat = figures(at)[0]
    ticks = heat["layout"]["xaxis"].get("ticktext") or []
    assert "안" in ticks and "🙂" in ticks
    before = highlight_x(heat)
    at.slider(key=keys.STATES_STEP).set_value(4).run()
    after = highlight_x(figures(at)[0])
    assert before != after and after[0][0] <= 4 <= after[0][1]


def test_empty_text_shows_a_message_and_keeps_the_last_input():
    at = states_page("guide-lstm")
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").input("").run()
    assert any("type" in e.value.lower() for e in at.error)
    assert at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").value == ""
    assert len(figures(at)) >= 3  # still drawn from the last input that worked

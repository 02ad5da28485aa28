"""The States page through AppTest: it traces the model and the scrubber moves the highlight."""

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from apptest_pages import states_page
from rnnviz.presets import preset_names
from rnnviz.ui import keys



@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


def figures(at):
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def step_figure(at):
    """The step-through figure: the first chart, with a heatmap per quantity and a frame per step."""
    return figures(at)[0]


def row_titles(fig):
    return [a["text"] for a in fig["layout"]["annotations"] if a.get("text")]


@pytest.mark.parametrize("preset", preset_names())
def test_states_page_runs_for_every_preset(preset):
    at = states_page(preset)
    assert not at.error
    fig = step_figure(at)
    steps = fig["layout"]["meta"]["window"]["stop"] - fig["layout"]["meta"]["window"]["first"]
    assert len(fig["frames"]) == len(fig["layout"]["sliders"][0]["steps"]) == steps > 0
    assert [b["label"] for b in fig["layout"]["updatemenus"][0]["buttons"]] == ["▶ Play", "❚❚ Pause"]
    assert len(figures(at)) == 2  # and the chosen units over time


def test_typed_text_labels_the_time_axis_and_every_step_of_the_slider():
    at = states_page("guide-lstm")
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").input("hola 안녕 🙂").run()
    fig = step_figure(at)
    assert fig["layout"]["xaxis"]["ticktext"] == list("hola 안녕 🙂".replace(" ", "␣"))
    labels = [s["label"] for s in fig["layout"]["sliders"][0]["steps"]]
    assert labels[5] == "5 of 8 · input “안”" and labels[8] == "8 of 8 · input “🙂”"
    assert [f["name"] for f in fig["frames"]] == [str(t) for t in range(9)]
    assert row_titles(fig) == ["hidden state h (tanh, −1…1)", "cell state c (unbounded)", "input gate i (0…1)",
                               "forget gate f (0…1)", "candidate g (tanh, −1…1)", "output gate o (0…1)"]


def test_scrubbing_runs_in_the_browser_so_the_page_has_no_step_widget():
    at = states_page("guide-lstm")
    assert not at.slider and not at.toggle  # the slider and Play are in the figure: moving them reruns nothing


def test_a_long_text_is_shown_a_window_of_steps_at_a_time():
    at = states_page("guide-lstm")
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").input("abcdefghij" * 30).run()
    first = step_figure(at)["layout"]["meta"]
    assert first["window"]["first"] == 0 and first["window"]["stop"] < 300 and "Steps 0–" in first["note"]
    windows = at.selectbox(key=keys.STATES_WINDOW)
    assert len(windows.options) == 2
    windows.select_index(1).run()
    second = step_figure(at)["layout"]["meta"]["window"]
    assert second == {"first": first["window"]["stop"], "stop": 300, "timesteps": 300}


def test_gru_rows_are_named_as_the_gru_names_them():
    at = states_page("guide-gru-simplernn")
    assert row_titles(step_figure(at)) == ["hidden state h (tanh, −1…1)", "update gate z (0…1)",
                                           "reset gate r (0…1)", "candidate ĥ (tanh, −1…1)"]


def test_bidirectional_shows_both_directions_of_h_and_one_directions_gates():
    at = states_page("guide-bidirectional")
    titles = row_titles(step_figure(at))
    assert titles[0].startswith("hidden state h, forward (reads 0→") and titles[1].startswith("hidden state h, backward")
    assert "forget gate f, forward (0…1)" in titles
    assert "right to left" in " ".join(c.value for c in at.caption)  # what the outlines mean
    fig = step_figure(at)
    outlines = [t for t in fig["data"] if t.get("name") == "highlight"]
    last = len(fig["frames"]) - 1
    assert [min(t["x"]) + 0.5 for t in outlines[::2]][:2] == [0, last]  # forward starts left, backward right
    at.radio(key=keys.STATES_DIRECTION).set_value("backward").run()
    titles = row_titles(step_figure(at))
    assert "forget gate f, backward (0…1)" in titles and titles[1].startswith("hidden state h, backward")
    fig = step_figure(at)
    outlines = [t for t in fig["data"] if t.get("name") == "highlight"]
    assert [min(t["x"]) + 0.5 for t in outlines[::2]] == [0] + [last] * (len(outlines) // 2 - 1)  # the backward rows


def test_fewer_rows_chosen_give_each_row_more_of_a_fixed_height():
    # Fullscreen forces the figure to the screen's height: keeping three of six rows doubles their share.
    at = states_page("guide-lstm")
    six = step_figure(at)
    assert len(row_titles(six)) == 6
    rows = at.pills(key=f"{keys.STATES_ROWS}.lstm.forward.en")  # the box of English row names
    rows.set_value(["hidden state h", "cell state c", "forget gate f"]).run()
    three = step_figure(at)
    assert row_titles(three) == ["hidden state h (tanh, −1…1)", "cell state c (unbounded)", "forget gate f (0…1)"]
    share = lambda fig: fig["layout"]["yaxis"]["domain"][1] - fig["layout"]["yaxis"]["domain"][0]  # noqa: E731
    assert share(three) > 1.8 * share(six)
    assert len(three["frames"]) == len(six["frames"])


def test_empty_text_shows_a_message_and_keeps_the_last_input():
    at = states_page("guide-lstm")
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").input("").run()
    assert any("type" in e.value.lower() for e in at.error)
    assert at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").value == ""
    assert len(figures(at)) == 2  # still drawn from the last input that worked

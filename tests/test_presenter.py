"""Presenter mode: ?present=1 and the sidebar switch, the figures' presenter type sizes, Play's speed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rnnviz.figures import Quantity, step_through
from rnnviz.figures.scrub import FRAME_MS, MAX_FRAME_MS, MIN_FRAME_MS
from rnnviz.figures.style import NORMAL, PRESENTER, tick_step, time_axis
from rnnviz.ui import keys, presenter

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(3)
ROWS = [Quantity("hidden state h", np.tanh(RNG.normal(size=(12, 6))), "tanh"),
        Quantity("forget gate f", RNG.uniform(size=(12, 6)), "gate")]


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


def _mode_script():
    from rnnviz.ui import presenter

    presenter.sync_presenter_with_url()
    presenter.presenter_switch()
    presenter.presenter_look()


def _start(**params: str) -> AppTest:
    """app.py's presenter calls alone, in a fresh session opened with `params` in its link (AppTest shows
    app.py's own sidebar only on the first run of a multipage app, so the switch is driven on these)."""
    at = AppTest.from_function(_mode_script, default_timeout=30)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_app_py_makes_the_switch_and_takes_the_link():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["present"] = "1"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _switch(at).value is True and at.session_state[keys.PRESENT] is True


def _param(at: AppTest, name: str):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def _switch(at: AppTest):
    return next(t for t in at.sidebar.toggle if t.key == keys.PRESENT)


def test_present_1_in_the_link_turns_it_on_and_the_link_keeps_it():
    at = _start(present="1")
    assert at.session_state[keys.PRESENT] is True and _switch(at).value is True
    assert _param(at, "present") == "1"
    style_tags = [h.proto.body for h in at.get("html") if "<style>" in h.proto.body]
    assert any("font-size" in body for body in style_tags)  # the page's larger type


@pytest.mark.parametrize("params", [{}, {"present": "0"}, {"present": "yes"}])
def test_no_parameter_or_anything_but_1_leaves_it_off(params):
    at = _start(**params)
    assert at.session_state[keys.PRESENT] is False and _switch(at).value is False
    assert _param(at, "present") is None  # off is the default: the link says nothing
    assert not [h for h in at.get("html") if "<style>" in h.proto.body]


def test_the_switch_round_trips_through_the_link():
    at = _start()
    _switch(at).set_value(True).run()
    assert at.session_state[keys.PRESENT] is True and _param(at, "present") == "1"
    folds = [h for h in at.get("html") if "stSidebarCollapseButton" in h.proto.body]
    assert len(folds) == 1  # the sidebar folds away as the mode turns on
    at.run()
    assert not [h for h in at.get("html") if "stSidebarCollapseButton" in h.proto.body]  # once, not every run
    _switch(at).set_value(False).run()
    assert at.session_state[keys.PRESENT] is False and _param(at, "present") is None
    _switch(at).set_value(True).run()
    assert _param(at, "present") == "1"


def _states(present: bool, speed: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["preset"] = "guide-lstm"
    if present:
        at.query_params["present"] = "1"
    at.run()
    at.switch_page("pages/states.py")
    if speed is not None:
        at.session_state[keys.PRESENT_SPEED] = speed
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _step_figure(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def _play_ms(fig: dict) -> int:
    play = fig["layout"]["updatemenus"][0]["buttons"][0]
    return play["args"][1]["frame"]["duration"]


def test_the_states_page_in_presenter_mode_has_larger_type_play_speed_and_the_keys():
    normal = _states(present=False)
    fig = _step_figure(normal)
    assert fig["layout"]["template"]["layout"]["font"]["size"] == NORMAL.font and _play_ms(fig) == FRAME_MS
    assert not normal.get("segmented_control") and not normal.get("html")  # no speed, no keys: as before
    slow = _states(present=True, speed="slow")
    fig = _step_figure(slow)
    assert fig["layout"]["template"]["layout"]["font"]["size"] == PRESENTER.font > NORMAL.font
    assert _play_ms(fig) == presenter.SPEEDS["slow"] == 1000
    assert any("ArrowRight" in h.proto.body for h in slow.get("html"))  # the keys' script is on the page
    fast = _states(present=True, speed="fast")
    assert _play_ms(_step_figure(fast)) == presenter.SPEEDS["fast"] == 200


def test_presenter_style_enlarges_every_text_of_the_step_through_figure():
    small = step_through(ROWS, title="t", labels=tuple("abcdefghijkl"))
    large = step_through(ROWS, title="t", labels=tuple("abcdefghijkl"), style=PRESENTER)
    assert small.layout.template.layout.font.size == NORMAL.font
    assert large.layout.template.layout.font.size == PRESENTER.font
    assert large.layout.template.layout.title.font.size == PRESENTER.title > NORMAL.title
    # set on the figure too (Streamlit's chart theme brings its own template): layout, every axis, title
    assert large.layout.font.size == PRESENTER.font and large.layout.title.font.size == PRESENTER.title
    assert large.layout.yaxis.tickfont.size == large.layout.yaxis.title.font.size == PRESENTER.font
    assert large.layout.xaxis3.tickfont.size == PRESENTER.font  # the time axis, under the last row
    assert small.layout.font.size is None and small.layout.yaxis.tickfont.size is None  # normal: as before
    assert large.layout.xaxis2.tickfont.size == PRESENTER.small > small.layout.xaxis2.tickfont.size  # the bars' values
    assert large.layout.coloraxis.colorbar.tickfont.size == PRESENTER.small
    assert {a.font.size for a in large.layout.annotations} == {PRESENTER.row_title}  # the row titles
    assert large.layout.sliders[0].currentvalue.font.size > small.layout.sliders[0].currentvalue.font.size
    assert large.layout.updatemenus[0].font.size > small.layout.updatemenus[0].font.size
    for fig in (small, large):  # every row's height within the style's bounds
        least, most = (NORMAL if fig is small else PRESENTER).row_px
        rows = [fig.layout[f"yaxis{'' if i == 0 else 2 * i + 1}"].domain for i in range(len(ROWS))]
        plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
        assert all(least - 1 <= (top - bottom) * plot_px <= most + 1 for bottom, top in rows)


def test_larger_type_labels_fewer_steps_so_labels_still_do_not_overlap():
    labels = tuple(f"w{i:02d}" for i in range(60))
    assert tick_step(labels, 500, PRESENTER.font) > tick_step(labels, 500, NORMAL.font)
    axis = time_axis(labels, 60, width_px=500, font=PRESENTER.font)
    every = tick_step(labels, 500, PRESENTER.font)
    # each shown label's width at 22 px (0.64 em a character) plus half an em fits its share of the axis
    assert len(axis["tickvals"]) * (3 * 0.64 * PRESENTER.font + 0.5 * PRESENTER.font) <= 500
    assert axis["tickvals"] == list(range(0, 60, every))


def test_play_speed_reaches_plays_animation_and_bad_speeds_are_refused():
    for ms in (MIN_FRAME_MS, 200, 1000, MAX_FRAME_MS):
        fig = step_through(ROWS, title="t", frame_ms=ms)
        play, pause = fig.layout.updatemenus[0].buttons
        assert play.args[1]["frame"]["duration"] == ms and play.args[1]["fromcurrent"] is True
        assert pause.args[1]["frame"]["duration"] == 0
        assert all(s.args[1]["frame"]["duration"] == 0 for s in fig.layout.sliders[0].steps)  # the slider jumps
    for bad in (0, MIN_FRAME_MS - 1, MAX_FRAME_MS + 1, 2.5, True, "fast"):
        with pytest.raises(ValueError, match="frame_ms must be a whole number of ms"):
            step_through(ROWS, title="t", frame_ms=bad)


def test_presenter_style_enlarges_the_unit_lines_too():
    from rnnviz.figures import unit_lines

    values = np.tanh(RNG.normal(size=(30, 4)))
    small = unit_lines(values, [0, 2], title="t")
    large = unit_lines(values, [0, 2], title="t", style=PRESENTER)
    assert small.layout.font.size is None and small.layout.template.layout.font.size == NORMAL.font
    assert large.layout.font.size == large.layout.xaxis.tickfont.size == large.layout.yaxis.title.font.size == PRESENTER.font
    assert large.layout.title.font.size == PRESENTER.title
    np.testing.assert_array_equal(large.data[1].y, values[:, 2].astype(np.float32))  # the same lines, larger type


def test_every_chart_gets_the_presenter_type_through_chart(monkeypatch):
    """A figure built at the normal size (a lesson page's) is drawn with the presenter's sizes, and the
    figure handed in (which may be cached for the normal look) is left as it was."""
    import plotly.graph_objects as go

    from rnnviz.figures.style import NORMAL, PRESENTER
    from rnnviz.ui import charts

    drawn = []
    monkeypatch.setattr(charts.st, "plotly_chart", lambda fig, **kwargs: drawn.append(fig))
    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 2]), layout=dict(title="t", font=dict(size=NORMAL.font)))
    monkeypatch.setattr(charts.presenter, "figure_style", lambda: PRESENTER)
    monkeypatch.setattr(charts.presenter, "is_on", lambda: True)
    charts.chart(fig, key="k")
    assert drawn[-1].layout.font.size == PRESENTER.font and drawn[-1].layout.xaxis.tickfont.size == PRESENTER.font
    assert fig.layout.font.size == NORMAL.font and fig.layout.xaxis.tickfont.size is None
    monkeypatch.setattr(charts.presenter, "figure_style", lambda: NORMAL)
    monkeypatch.setattr(charts.presenter, "is_on", lambda: False)
    unset = go.Figure(go.Scatter(x=[0, 1], y=[1, 2]))  # no font size of its own: the normal look leaves it so
    charts.chart(unset, key="k")
    assert drawn[-1] is unset and unset.layout.font.size is None

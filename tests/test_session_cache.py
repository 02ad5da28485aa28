"""rnnviz.ui.session_cache: one session's few costly results, and the States page's figures kept with it."""

import gc
import json
import weakref
from types import SimpleNamespace

import pytest
import streamlit as st

from apptest_pages import states_page
from rnnviz.i18n import _, use_language
from rnnviz.ui import keys, session_cache
from rnnviz.ui.session_cache import remember
from rnnviz.ui.state_views import FIGURES_KEPT



@pytest.fixture
def session(monkeypatch):
    """A session's state, as `remember` sees it; a new one for each call of the returned function."""
    def new_session() -> dict:
        state: dict = {}
        monkeypatch.setattr(session_cache, "st", SimpleNamespace(session_state=state))
        return state
    return new_session


class Maker:
    """Makes a fresh list per call and counts the calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, key):
        def make():
            self.calls.append(key)
            return [key, len(self.calls)]
        return make


def test_a_result_is_made_once_per_key_and_object(session):
    session()
    make, trace = Maker(), object()
    first = remember("s", "a", make("a"), keep=3, made_from=trace)
    assert remember("s", "a", make("a"), keep=3, made_from=trace) is first
    assert make.calls == ["a"]


def test_another_key_gives_another_result(session):
    session()
    make, trace = Maker(), object()
    a = remember("s", ("layer", 0), make(("layer", 0)), keep=3, made_from=trace)
    b = remember("s", ("layer", 1), make(("layer", 1)), keep=3, made_from=trace)
    assert a == [("layer", 0), 1] and b == [("layer", 1), 2]
    assert make.calls == [("layer", 0), ("layer", 1)]


def test_another_object_with_the_same_key_gives_another_result(session):
    session()
    make = Maker()
    a = remember("s", "k", make("k"), keep=3, made_from=[1, 2])
    b = remember("s", "k", make("k"), keep=3, made_from=[1, 2])  # equal contents, another object
    assert a is not b and len(make.calls) == 2


class Pin:
    """A trace stand-in that a weak reference can follow."""


def test_the_object_lives_while_its_result_is_kept_so_its_address_cannot_serve_another(session):
    session()
    make, pin = Maker(), Pin()
    alive = weakref.ref(pin)
    remember("s", "k", make("k"), keep=1, made_from=pin)
    del pin
    gc.collect()
    assert alive() is not None  # held by the cache: no other object can get its id meanwhile
    remember("s", "other", make("other"), keep=1, made_from=Pin())  # pushes it out
    gc.collect()
    assert alive() is None  # and then freed: the cache leaks nothing


def test_only_the_last_few_are_kept_and_the_oldest_goes_first(session):
    state = session()
    make, trace = Maker(), object()
    for key in "abcd":
        remember("s", key, make(key), keep=3, made_from=trace)
    assert len(state["s"]) == 3
    remember("s", "d", make("d"), keep=3, made_from=trace)
    remember("s", "b", make("b"), keep=3, made_from=trace)
    assert make.calls == list("abcd")  # b and d still there
    remember("s", "a", make("a"), keep=3, made_from=trace)
    assert make.calls == list("abcda")  # a was dropped first


def test_sessions_never_share_a_result(session):
    make, trace = Maker(), object()
    session()
    mine = remember("s", "k", make("k"), keep=3, made_from=trace)
    session()
    theirs = remember("s", "k", make("k"), keep=3, made_from=trace)
    assert mine is not theirs and len(make.calls) == 2


def test_keep_below_one_is_refused(session):
    session()
    with pytest.raises(ValueError, match="keep must be at least 1; got 0"):
        remember("s", "k", list, keep=0)


# The States page keeps its step-through figures this way.

@pytest.fixture
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


def shown_title(at) -> str:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]


def kept_figures(at) -> list:
    return [figure for _, figure in at.session_state[keys.STATES_FIGURES].values()]


def pick_layer(at, index):
    (box,) = [w for w in at.selectbox if w.key.startswith(keys.STATES_LAYER + ".")]  # keys.for_options
    box.set_value(box.options[index].split(" (")[0])  # its options show "name (kind, units)": format_func
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_states_draws_each_layer_once_and_shows_the_one_chosen(fresh_caches):
    at = states_page("guide-gru-simplernn")
    assert "Layer gru:" in shown_title(at)
    (gru_figure,) = kept_figures(at)
    pick_layer(at, 1)
    assert "Layer simple_rnn:" in shown_title(at)
    pick_layer(at, 0)
    assert "Layer gru:" in shown_title(at)  # the first layer's figure again, not the last one drawn
    figures = kept_figures(at)
    assert len(figures) == 2 and figures[0] is gru_figure  # drawn once, found again


def test_states_keeps_a_bounded_number_of_figures(fresh_caches):
    at = states_page("guide-gru-simplernn")
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").input("ab").run()  # another trace: other figures
    pick_layer(at, 1)
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").input("abc").run()
    pick_layer(at, 0)
    assert len(at.session_state[keys.STATES_FIGURES]) == FIGURES_KEPT


def test_two_sessions_draw_their_own_figures(fresh_caches):
    one, two = states_page("guide-lstm"), states_page("guide-lstm")
    assert shown_title(one) == shown_title(two)
    assert kept_figures(one)[0] is not kept_figures(two)[0]


def test_a_result_made_in_one_language_is_never_found_in_the_other(session):
    session()
    make, trace = Maker(), object()
    english = remember("s", "k", make("k"), keep=3, made_from=trace)
    with use_language("ko"):
        korean = remember("s", "k", make("k"), keep=3, made_from=trace)
        assert remember("s", "k", make("k"), keep=3, made_from=trace) is korean
    assert korean is not english and remember("s", "k", make("k"), keep=3, made_from=trace) is english
    assert len(make.calls) == 2


def play_label(at) -> str:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["updatemenus"][0]["buttons"][0]["label"]


def test_states_switched_to_korean_draws_its_figure_in_korean_not_the_english_one_kept(fresh_caches):
    at = states_page("guide-lstm")
    assert play_label(at) == "▶ Play"
    at.session_state[keys.LANGUAGE] = "ko"  # as the sidebar box sets it
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    with use_language("ko"):
        assert play_label(at) == "▶ " + _("Play") != "▶ Play"
    assert len(at.session_state[keys.STATES_FIGURES]) == 2  # the English one is kept for a switch back

"""A link's parameters set each page's controls (AppTest); changed controls go back into the URL; bad ones are said."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnnviz.lessons.codegen import model_code
from rnnviz.link_state import encode_spec
from rnnviz.presets import get_preset
from rnnviz.spec import RecurrentSpec
from rnnviz.ui import keys

ROOT = Path(__file__).resolve().parents[1]


def opened(page: str, params: dict[str, str]) -> AppTest:
    """A fresh session opened by a link to `page` with `params`, run without an exception."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.query_params.update(params)
    at.run()  # app.py first, as a browser does (a page run alone would miss app.py's navigation and sidebar)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


LESSONS = {  # page: (link parameters, {widget key: the value they must set})
    "outputs_states": ({"kind": "GRU", "units": "7", "return_sequences": "1", "return_state": "1", "batch": "3",
                        "timesteps": "9", "features": "5", "sample": "2"},
                       {keys.OUTPUTS_KIND: "GRU", keys.OUTPUTS_UNITS: 7, keys.OUTPUTS_SEQUENCES: True,
                        keys.OUTPUTS_STATE: True, keys.OUTPUTS_BATCH: 3, keys.OUTPUTS_TIMESTEPS: 9,
                        keys.OUTPUTS_FEATURES: 5, keys.OUTPUTS_SAMPLE: 2}),
    "encoder_decoder": ({"handed": "add noise", "noise": "1.25", "sample": "1"},
                        {keys.SEQ2SEQ_CHANGE: "add noise", keys.SEQ2SEQ_NOISE: 1.25, keys.SEQ2SEQ_SAMPLE: 1}),
    "stateful": ({"length": "300", "chunk": "30", "unit": "5", "samples": "7"},
                 {keys.STATEFUL_LENGTH: 300, keys.STATEFUL_CHUNK: 30, keys.STATEFUL_UNIT: 5, keys.STATEFUL_SAMPLES: 7}),
    "bidirectional": ({"kind": "GRU", "units": "12", "merge_mode": "None", "sample": "1"},
                      {keys.BIDI_KIND: "GRU", keys.BIDI_UNITS: 12, keys.BIDI_MERGE: "None", keys.BIDI_SAMPLE: 1}),
    "cells_layers": ({"kind": "GRU", "units": "16", "activation": "relu", "recurrent_activation": "tanh",
                      "recurrent_dropout": "0.1", "unroll": "1", "use_bias": "0", "reset_after": "0"},
                     {keys.CELLS_KIND: "GRU", keys.CELLS_UNITS: 16, keys.CELLS_ACTIVATION: "relu",
                      keys.CELLS_RECURRENT_ACTIVATION: "tanh", keys.CELLS_RECURRENT_DROPOUT: 0.1,
                      keys.CELLS_UNROLL: True, keys.CELLS_USE_BIAS: False, keys.CELLS_RESET_AFTER: False}),
}


def _widget_values(at: AppTest) -> dict:
    """Every keyed widget of the page, by key, as the page shows it."""
    found = {}
    for kind in ("selectbox", "number_input", "toggle", "slider", "checkbox", "radio", "text_area", "multiselect"):
        for widget in getattr(at, kind):
            if widget.key:
                found[widget.key] = widget.value
    return found


@pytest.mark.parametrize("page", LESSONS)
def test_a_lesson_page_takes_every_setting_from_its_link_and_keeps_them_in_the_url(page):
    params, expected = LESSONS[page]
    at = opened(page, params)
    shown = _widget_values(at)
    assert {k: shown.get(k) for k in expected} == expected
    assert not warnings(at)
    assert {k: at.query_params.get(k) for k in params} == {k: [v] if isinstance(at.query_params.get(k), list) else v
                                                           for k, v in params.items()}


def test_a_changed_control_goes_into_the_url():
    at = opened("bidirectional", {}).run()  # (AppTest drops what a run that switched pages wrote to the URL)
    assert at.query_params.get("merge_mode") in ("concat", ["concat"])  # the defaults are written too
    at.selectbox(key=keys.BIDI_MERGE).set_value("ave").run()
    at.number_input(key=keys.BIDI_UNITS).set_value(20).run()
    assert [at.query_params.get("merge_mode"), at.query_params.get("units")] in (["ave", "20"], [["ave"], ["20"]])


def test_a_bad_parameter_is_said_by_name_with_what_is_allowed_and_the_rest_still_applies():
    at = opened("bidirectional", {"kind": "GRU", "units": "lots", "merge_mode": "max", "preset": "guide-stateful"})
    said = " ".join(warnings(at))
    assert "**units**" in said and "a whole number from 1 to 256" in said and "`lots`" in said
    assert "**merge_mode**" in said and "one of concat, sum, mul, ave, None" in said
    shown = _widget_values(at)
    assert shown[keys.BIDI_KIND] == "GRU" and shown[keys.BIDI_UNITS] == 64 and shown[keys.BIDI_MERGE] == "concat"
    assert at.session_state[keys.PRESET] == "guide-stateful"  # the model of the link is applied as well


EDITED = replace(get_preset("guide-bidirectional").spec, stacks=(replace(
    get_preset("guide-bidirectional").spec.stacks[0],
    layers=(RecurrentSpec("GRU", 9, return_sequences=True), *get_preset("guide-bidirectional").spec.stacks[0].layers[1:])),),
    weights="vivid")


def test_build_opens_an_edited_stack_from_its_link_and_shows_its_keras_code():
    at = opened("build", {"preset": "guide-bidirectional", "model": encode_spec(EDITED)})
    assert at.session_state[keys.GOOD_SPEC] == EDITED and at.session_state[keys.EDITED]
    assert model_code(EDITED).strip() in [c.value.strip() for c in at.code]
    units = [w.value for w in at.number_input if w.label == "units"]
    assert units[0] == 9  # the editor shows the link's layer, not the preset's
    assert at.query_params.get("model") in (encode_spec(EDITED), [encode_spec(EDITED)])
    at.switch_page("pages/states.py").run()  # every page shows the linked model
    assert at.session_state[keys.GOOD_SPEC] == EDITED


def test_a_broken_model_in_a_link_is_said_and_the_preset_is_shown():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.query_params.update({"preset": "guide-stateful", "model": encode_spec(EDITED)[:-12]})
    at.run()  # the model of a link opens on whatever page the link names: here the start page
    assert not at.exception
    said = " ".join(warnings(at))
    assert "**model**" in said and "not one rnnviz wrote" in said
    assert at.session_state[keys.GOOD_SPEC].name == "guide_stateful" and not at.session_state[keys.EDITED]


def test_states_takes_the_input_the_layer_the_rows_the_units_and_the_step_from_its_link():
    params = {"preset": "guide-gru-simplernn", "text": "hello there", "tokens": "word", "layer": "simple_rnn",
              "units": "4,6", "of": "hidden", "step": "1", "feed": "text"}
    at = opened("states", params)
    assert not warnings(at)
    assert at.text_area[0].value == "hello there"
    assert at.session_state[keys.INPUT_GOOD]["tokens"].mode == "word"
    shown = _widget_values(at)
    assert [v for k, v in shown.items() if k.startswith(keys.STATES_LAYER)] == ["simple_rnn"]
    assert shown[keys.STATES_UNITS] == [4, 6]
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["sliders"][0]["active"] == 1  # the figure opens at the link's step
    assert figure["data"][1]["x"] != json.loads(opened("states", {**params, "step": "0"})
                                                .get("plotly_chart")[0].proto.spec)["data"][1]["x"]  # its bars too


def test_states_takes_a_signal_input_and_rows_from_its_link():
    at = opened("states", {"preset": "guide-stateful", "feed": "signal", "signal": "step", "seed": "3",
                           "timesteps": "20", "rows": "hidden state h,forget gate f"})
    choice = at.session_state[keys.INPUT_GOOD]["vectors"]
    assert (choice.source, choice.signal, choice.seed, choice.timesteps) == ("signal", "step", 3, 20)
    assert at.session_state[f"{keys.STATES_ROWS}.lstm.forward.en"] == ["hidden state h", "forget gate f"]


def test_train_opens_the_shipped_model_when_the_link_names_its_settings():
    at = opened("train", {"train": "brackets,LSTM,16,0"})
    current = at.session_state[keys.TRAINED]
    assert current.shipped and current.task == "brackets"
    shown = _widget_values(at)
    assert (shown[keys.TRAIN_TASK], shown[keys.TRAIN_CELL], shown[keys.TRAIN_UNITS], shown[keys.TRAIN_SEED]) == (
        "brackets", "LSTM", 16, 0)
    assert at.query_params.get("train") in ("brackets,LSTM,16,0", ["brackets,LSTM,16,0"])


def test_train_trains_again_when_the_link_names_other_settings():
    at = opened("train", {"train": "parity,GRU,4,3"})
    current = at.session_state[keys.TRAINED]
    assert not current.shipped and (current.task, current.cell, current.units, current.seed) == ("parity", "GRU", 4, 3)
    assert current.history  # it was trained here, epoch by epoch


def test_gradients_takes_the_layer_and_direction_from_its_link():
    at = opened("gradients", {"preset": "guide-bidirectional", "layer": "bidirectional_1", "direction": "backward"})
    shown = _widget_values(at)
    assert shown[keys.GRADIENTS_LAYER] == "bidirectional_1" and shown[keys.GRADIENTS_DIRECTION] == "backward"

"""The States page fed your own data (AppTest): typed token ids, an uploaded array with an uploaded model,
the model's own output beside the states, unit lines of c and the gates, the PNG and .npz exports."""

import base64
import io
import json
import re
from pathlib import Path

import keras
import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from reference import run_layer
from rnnviz import own_data
from rnnviz.inputs import InputChoice
from rnnviz.ui import keys
from rnnviz.ui.charts import PNG_HEIGHT, PNG_WIDTH
from rnnviz.ui.model_source import UploadedModel

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


def states_page(preset="guide-lstm", state=None):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["preset"] = preset
    at.run()
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.switch_page("pages/states.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at):
    return [(json.loads(el.proto.spec), json.loads(el.proto.config)) for el in at.get("plotly_chart")]


def plotly_array(value) -> np.ndarray:
    """A figure's array as Plotly JSON carries it: a list, or {dtype, bdata, shape} in base64."""
    if not isinstance(value, dict):
        return np.asarray(value, np.float64)
    flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    shape = [int(n) for n in str(value.get("shape", flat.size)).split(",")]
    return flat.reshape(shape).astype(np.float64)


def own_model():
    """A float-input LSTM with a per-step softmax head, as a person would save and upload it."""
    keras.utils.set_random_seed(3)
    inp = keras.Input((None, 3), name="signal")
    x = keras.layers.LSTM(4, return_sequences=True, name="my_lstm")(inp)
    return keras.Model(inp, keras.layers.Dense(3, activation="softmax", name="head")(x))


def uploaded_page(x):
    model = own_model()
    buf = io.BytesIO()
    np.save(buf, x)
    own = own_data.load_array(buf.getvalue(), "mine.npy")
    choice = InputChoice(source="file", own=own, batch=x.shape[0], row=1)
    at = states_page(state={keys.UPLOADED: UploadedModel("mine.keras", "d1", model), keys.SOURCE: "upload",
                            keys.INPUT_GOOD: {model.inputs[0].name: choice}})
    return at, model


def test_typed_token_ids_feed_the_model_and_bad_ones_are_refused_in_place():
    at = states_page()
    at.radio(key=f"{keys.INPUT_WIDGET}.tokens.source").set_value("ids").run()
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.ids").input("5 6 7 8 9; 9 8 7 6 5").run()
    assert not at.exception and not at.error
    fig, _ = charts(at)[0]
    assert len(fig["frames"]) == 5  # one per typed id
    model = next(iter(at.session_state[keys.MODELS].values()))  # Embedding -> LSTM -> Dense(10, softmax)
    probs = keras.ops.convert_to_numpy(model(np.array([[5, 6, 7, 8, 9], [9, 8, 7, 6, 5]])))[0]
    best = int(np.argmax(probs))
    said = " ".join(m.value for m in at.markdown)
    assert f"Model output 0** at the end (10 values), largest: class {best}: **{probs[best]:.4g}**" in said
    assert "batch row 0 of 2" in " ".join(c.value for c in at.caption)
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.ids").input("5 6 1000").run()
    assert "token id 1000 is outside this model's vocabulary of 1000" in at.sidebar.error[0].value
    assert at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.ids").value == "5 6 1000"  # what was typed stays
    assert len(charts(at)[0][0]["frames"]) == 5  # the last input that worked is still shown


def test_typed_text_shows_the_ids_it_became():
    at = states_page()
    at.text_area(key=f"{keys.INPUT_WIDGET}.tokens.text").input("abca").run()
    assert any("Token ids: `2 3 4 2`" in c.value for c in at.sidebar.caption)


def test_an_uploaded_array_drives_an_uploaded_model_with_its_output_beside_the_states():
    x = np.random.default_rng(7).standard_normal((2, 6, 3)).astype(np.float32)
    at, model = uploaded_page(x)
    assert not at.error
    fig, _ = charts(at)[0]
    names = [d.get("name") for d in fig["data"] if d.get("type") == "heatmap"]
    assert names[-1] == "model output 0 (0…1)"
    expected = keras.ops.convert_to_numpy(model(x))[1]  # the model called directly, row 1
    heat = next(d for d in fig["data"] if d.get("name") == names[-1])
    np.testing.assert_allclose(plotly_array(heat["z"]), expected.T, atol=1e-5)  # classes down, steps across


def test_an_input_of_the_wrong_shape_names_the_problem():
    x = np.zeros((2, 6, 5), np.float32)
    at, _ = uploaded_page(x)
    assert "reads 3 features per step, but the data has 5" in at.sidebar.error[0].value


def test_unit_lines_show_c_and_the_forget_gate_against_the_numpy_recurrence():
    x = np.random.default_rng(1).standard_normal((2, 6, 3)).astype(np.float32)
    at, model = uploaded_page(x)
    at.multiselect(key=keys.STATES_LINE_QUANTITIES).set_value(["hidden", "cell", "forget"]).run()
    at.multiselect(key=keys.STATES_UNITS).set_value([0, 2]).run()
    fig, _ = charts(at)[1]
    ref = run_layer(model.get_layer("my_lstm"), x)
    want = {"h": ref["h"], "c": ref["c"], "f": ref["gates"]["forget"]}
    got = {d["name"]: d["y"] for d in fig["data"]}
    assert sorted(got) == sorted(f"{q} · unit {u}" for q in want for u in (0, 2))
    for q, values in want.items():
        for u in (0, 2):
            np.testing.assert_allclose(plotly_array(got[f"{q} · unit {u}"]), values[1, :, u], atol=1e-5)
    assert fig["layout"]["title"]["text"].startswith("Chosen units of h, c, f")


def test_every_chart_downloads_a_projector_sized_png_and_the_trace_an_npz():
    at = states_page()
    for fig, config in charts(at):
        options = config["toImageButtonOptions"]
        assert options["format"] == "png" and options["width"] == PNG_WIDTH
        assert options["height"] == max(PNG_HEIGHT, fig["layout"].get("height", 0))
    button = at.get("download_button")[0]
    assert re.match(r"Download this trace \(\.npz, [\d.]+ MB\)", button.proto.label)
    trace = next(iter(at.session_state[keys.TRACES].values()))
    got = np.load(io.BytesIO(trace.npz_bytes()))
    arrays = trace.arrays()
    assert sorted(got.files) == sorted(arrays)
    for k in arrays:
        np.testing.assert_array_equal(got[k], arrays[k])
    assert {"lstm/h", "lstm/c", "lstm/gates/forget", "model_outputs/0"} <= set(got.files)


def test_no_page_draws_a_chart_but_through_the_shared_helper():
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("rnnviz/ui/*.py"), ROOT / "app.py"]:
        if path.name != "charts.py":
            assert "plotly_chart(" not in path.read_text(), f"{path.name} calls st.plotly_chart: use rnnviz.ui.charts.chart"

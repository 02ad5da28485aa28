"""Bad input anywhere: the engine works or raises a ValueError that names the problem, never another
exception; the page shows the message, not a traceback, and keeps what the person entered.

Beyond tests/test_properties.py (specs, spec dicts, typed text): `trace` on random arrays, `load_model`
on random bytes and names, the lesson functions with out-of-range arguments, and pages through AppTest.
"""

from __future__ import annotations

import importlib
import io
import tempfile
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
import streamlit
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from streamlit.testing.v1 import AppTest

from rnnviz.lessons import bidirectional, cells, outputs, seq2seq, stateful
from rnnviz.loading import load_model, load_model_bytes
from rnnviz.trace import trace
from rnnviz.ui import keys

trace_module = importlib.import_module("rnnviz.trace")  # the package exports the function under the same name
ROOT = Path(__file__).resolve().parents[1]
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def works_or_says_why(call, *names: str):
    """Run `call`; a ValueError is fine when its message is a sentence (naming one of `names` if given)."""
    try:
        return call()
    except ValueError as err:
        message = str(err).strip()
        assert len(message) > 10, f"a ValueError must say what is wrong: {message!r}"
        assert "Traceback" not in message
        if names:
            assert any(n in message for n in names), f"the message should name {names}: {message}"
        return None


# --- trace on random arrays -----------------------------------------------------------------------


def _models() -> dict[str, keras.Model]:
    vec = keras.Input((None, 3), name="vectors")
    vectors = keras.Model(vec, keras.layers.LSTM(2, name="lstm")(vec))
    ids = keras.Input((5,), dtype="int32", name="ids")
    tokens = keras.Model(ids, keras.layers.GRU(2, name="gru")(keras.layers.Embedding(7, 3)(ids)))
    fixed = keras.Input(batch_shape=(2, 4, 3), name="fixed")
    stateful_model = keras.Model(fixed, keras.layers.SimpleRNN(2, stateful=True, name="rnn")(fixed))
    return {"vectors": vectors, "tokens": tokens, "stateful": stateful_model}


MODELS = _models()

dtypes = st.one_of(
    hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(), hnp.floating_dtypes(), hnp.boolean_dtypes(),
    hnp.complex_number_dtypes(), hnp.datetime64_dtypes(), hnp.unicode_string_dtypes(), hnp.byte_string_dtypes(),
)
arrays = hnp.arrays(dtypes, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
odd_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5),
    st.lists(st.lists(st.floats(allow_nan=True), max_size=4), max_size=3),  # ragged nested lists
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(max_examples=120, **SETTINGS)
@given(st.sampled_from(sorted(MODELS)), st.one_of(arrays, odd_values, st.lists(arrays, max_size=3)))
def test_trace_on_random_arrays_works_or_says_why(name, inputs):
    model = MODELS[name]
    before = [np.array(v) for v in model.get_layer("rnn").states] if name == "stateful" else None
    result = works_or_says_why(lambda: trace(model, inputs))
    if result is not None:
        layer = result.names[0]
        assert result[layer].h.shape[-1] == 2
    if before is not None:  # tracing never moves a stateful layer's kept state, even when it fails
        for old, new in zip(before, model.get_layer("rnn").states):
            np.testing.assert_array_equal(old, np.asarray(new))


@settings(max_examples=40, **SETTINGS)
@given(hnp.arrays(np.float32, (2, 4, 3), elements=st.floats(width=32, allow_nan=True, allow_infinity=True)))
def test_nan_and_inf_features_trace_without_error(values):
    result = trace(MODELS["vectors"], values)
    assert result["lstm"].h.shape == (2, 4, 2)


@settings(max_examples=40, **SETTINGS)
@given(hnp.arrays(np.float64, (1, 5), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_token_ids_that_are_not_whole_numbers_say_so(values):
    assume(not np.all(np.isfinite(values) & (values == np.round(values)) & (values >= 0) & (values < 7)))
    with pytest.raises(ValueError, match="token ids"):
        trace(MODELS["tokens"], values)


def test_token_ids_beyond_int32_are_refused_not_wrapped():
    with pytest.raises(ValueError, match="token ids"):
        trace(MODELS["tokens"], np.array([[2**32 + 1, 2, 3, 4, 5]], np.int64))


def test_trace_over_the_memory_limit_names_the_estimate(monkeypatch):
    monkeypatch.setattr(trace_module, "MAX_TRACE_BYTES", 1000)
    with pytest.raises(ValueError, match=r"about .* of arrays \([\d,]+ bytes\), over the limit"):
        trace(MODELS["vectors"], np.zeros((4, 50, 3), np.float32))


def test_trace_needs_a_model():
    for thing in (None, "model.keras", 3, keras.layers.LSTM(2)):
        with pytest.raises(ValueError, match="trace needs a keras.Model"):
            trace(thing, np.zeros((1, 2, 3)))


# --- load_model on random bytes and names ---------------------------------------------------------


def _valid_archive() -> bytes:
    inp = keras.Input((4, 2))
    model = keras.Model(inp, keras.layers.GRU(2)(inp))
    with tempfile.TemporaryDirectory(prefix="rnnviz-test-") as folder:
        model.save(Path(folder) / "m.keras")
        return (Path(folder) / "m.keras").read_bytes()


VALID = _valid_archive()


@settings(max_examples=150, **SETTINGS)
@given(st.one_of(st.binary(max_size=3000), st.binary(max_size=3000).map(lambda b: b"PK\x03\x04" + b)))
def test_random_bytes_are_refused_with_a_message(data):
    with pytest.raises(ValueError) as err:
        load_model_bytes(data, "random.keras")
    assert "random.keras" in str(err.value)


@settings(max_examples=40, **SETTINGS)
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_a_damaged_real_archive_works_or_says_why(flips):
    data = bytearray(VALID)
    for at, value in flips:
        data[at] = value
    works_or_says_why(lambda: load_model_bytes(bytes(data), "damaged.keras"), "damaged.keras")


@settings(max_examples=40, **SETTINGS)
@given(st.binary(min_size=1, max_size=400))
def test_a_real_archive_with_a_random_config_is_refused_or_loads(config):
    with zipfile.ZipFile(io.BytesIO(VALID)) as src:
        members = {n: src.read(n) for n in src.namelist()}
    members["config.json"] = config
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, data in members.items():
            dst.writestr(name, data)
    works_or_says_why(lambda: load_model_bytes(out.getvalue(), "config.keras"), "config.keras")


@settings(max_examples=100, **SETTINGS)
@given(st.text(max_size=300))
def test_any_upload_name_is_safe_and_named_in_the_message(filename):
    """Names come from the browser: any Unicode, '..', slashes, NUL, 300 characters."""
    with pytest.raises(ValueError) as err:
        load_model_bytes(b"not a zip", filename)
    assert str(err.value).strip()


@pytest.mark.parametrize("name", ["..", "../../etc/passwd.keras", "a/../../x.keras", "C:\\Windows\\x.keras", "\0.keras",
                                  "모델 🙂.keras", "x" * 400 + ".keras", ""])
def test_upload_names_never_become_paths(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError):
        load_model_bytes(VALID[:100], name)
    assert list(tmp_path.iterdir()) == []  # nothing written next to us, nor above


@pytest.mark.parametrize("path", [None, 3, 2.5, b"model.keras", ["m.keras"], "x" * 5000 + ".keras", "a\0b.keras",
                                  "/proc/self/mem.keras", "/dev/null"])
def test_load_model_arguments_are_checked(path):
    with pytest.raises(ValueError):
        load_model(path)


def test_load_model_bytes_needs_bytes():
    for data in (None, "PK\x03\x04", 3, [1, 2]):
        with pytest.raises(ValueError, match="needs the file's bytes"):
            load_model_bytes(data, "m.keras")


# --- lesson functions out of range -----------------------------------------------------------------

bad_ints = st.one_of(st.integers(-10, 0), st.integers(10**5, 10**12), st.floats(allow_nan=True), st.booleans(),
                     st.none(), st.text(max_size=3), st.just(np.float32(2.0)))
bad_texts = st.one_of(st.text(max_size=10), st.none(), st.integers(), st.just("lstm"), st.just("LSTM "))

SMALL = dict(batch=1, timesteps=2, features=2)
# (function, keyword arguments that keep a run small, {argument: strategy of bad values})
LESSONS = {
    "run_outputs": (outputs.run_outputs, dict(units=2, **SMALL),
                    {"kind": bad_texts, "units": bad_ints, "batch": bad_ints, "timesteps": bad_ints,
                     "features": bad_ints, "seed": bad_ints}),
    "returned_names": (outputs.returned_names, dict(return_sequences=False, return_state=True), {"kind": bad_texts}),
    "run_bidirectional": (bidirectional.run_bidirectional, dict(units=2, **SMALL),
                          {"kind": bad_texts, "units": bad_ints, "merge_mode": bad_texts, "batch": bad_ints,
                           "timesteps": bad_ints, "features": bad_ints, "seed": bad_ints}),
    "param_count": (bidirectional.param_count, dict(kind="LSTM", units=2, features=2),
                    {"kind": bad_texts, "units": bad_ints, "features": bad_ints}),
    "merge_shapes": (bidirectional.merge_shapes, dict(units=2, timesteps=2, features=2),
                     {"units": bad_ints, "timesteps": bad_ints, "features": bad_ints}),
    "run_seq2seq": (seq2seq.run_seq2seq, dict(batch=1, encoder_steps=2, decoder_steps=2),
                    {"change": bad_texts, "noise": st.one_of(st.floats(), bad_texts), "batch": bad_ints,
                     "encoder_steps": bad_ints, "decoder_steps": bad_ints, "seed": bad_ints}),
    "compare_cell_and_layer": (cells.compare_cell_and_layer, dict(units=2, **SMALL),
                               {"kind": bad_texts, "units": bad_ints, "batch": bad_ints, "timesteps": bad_ints,
                                "features": bad_ints, "seed": bad_ints}),
    "time_cell_and_layer": (cells.time_cell_and_layer, dict(units=2, repeats=1, **SMALL),
                            {"kind": bad_texts, "units": bad_ints, "repeats": bad_ints}),
    "run_custom_cell": (cells.run_custom_cell, dict(units=2, **SMALL),
                        {"units": bad_ints, "batch": bad_ints, "timesteps": bad_ints, "features": bad_ints,
                         "seed": bad_ints}),
    "kernel_choice": (cells.kernel_choice, dict(cell_kind="LSTM"),
                      {"cell_kind": bad_texts, "activation": bad_texts, "recurrent_activation": bad_texts,
                       "recurrent_dropout": st.one_of(st.floats(), bad_texts)}),
    "CellSettings": (cells.CellSettings, {},
                     {"activation": bad_texts, "recurrent_activation": bad_texts,
                      "recurrent_dropout": st.one_of(st.floats(), bad_texts)}),
    "StatefulSetup": (stateful.StatefulSetup, dict(units=2, batch=1, features=2, length=4, chunk=2),
                      {"kind": bad_texts, "units": bad_ints, "batch": bad_ints, "features": bad_ints,
                       "length": bad_ints, "chunk": bad_ints, "seed": bad_ints}),
    "chunk_bounds": (stateful.chunk_bounds, dict(length=4, chunk=2), {"length": bad_ints, "chunk": bad_ints}),
}
# Where a message names the argument by another word: a stateful sequence's length is its timesteps.
ALIASES = {"cell_kind": ("kind",), "length": ("timesteps",)}
CASES = [pytest.param(name, arg, id=f"{name}-{arg}") for name, (_, _, bad) in LESSONS.items() for arg in bad]


@pytest.mark.parametrize(("lesson", "argument"), CASES)
@settings(max_examples=12, **SETTINGS)
@given(data=st.data())
def test_lesson_functions_check_their_arguments(lesson, argument, data):
    function, small, bad = LESSONS[lesson]
    value = data.draw(bad[argument], label=argument)
    works_or_says_why(lambda: function(**{**small, argument: value}), argument, *ALIASES.get(argument, ()))


@pytest.mark.parametrize(("call", "argument"), [
    (lambda: bidirectional.param_count("LSTM", None, 2), "units"),
    (lambda: bidirectional.param_count("LSTM", -5, 2), "units"),
    (lambda: bidirectional.merge_shapes(None, 2, 2), "units"),
    (lambda: bidirectional.merge_shapes(np.float32(2.0), 2, 2), "units"),
    (lambda: cells.CellSettings(recurrent_dropout=None), "recurrent_dropout"),
    (lambda: cells.kernel_choice("LSTM", recurrent_dropout="0.5"), "recurrent_dropout"),
], ids=["param_count-None", "param_count-negative", "merge_shapes-None", "merge_shapes-float32", "CellSettings-None",
        "kernel_choice-str"])
def test_lesson_argument_gaps_found_by_the_property_run_are_closed(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


# --- pages through AppTest ---------------------------------------------------------------------------


@pytest.fixture
def fresh_caches():
    streamlit.cache_data.clear()
    streamlit.cache_resource.clear()


def open_page(page: str, preset: str = "guide-lstm") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["preset"] = preset
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


TEXT = f"{keys.INPUT_WIDGET}.tokens.text"


@pytest.mark.parametrize(("text", "message"), [
    ("가" * 2001, "2000"),  # one token over MAX_TIMESTEPS
    ("   \n\t ", "type"),
])
def test_bad_text_shows_an_error_keeps_the_entry_and_the_last_figures(fresh_caches, text, message):
    at = open_page("pages/states.py")
    charts = len(at.get("plotly_chart"))
    at.text_area(key=TEXT).input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(message in e.value.lower() for e in at.error), [e.value for e in at.error]
    assert at.text_area(key=TEXT).value == text  # what the person typed stays
    assert len(at.get("plotly_chart")) == charts  # drawn from the last input that worked


def test_korean_and_emoji_text_traces(fresh_caches):
    at = open_page("pages/states.py")
    at.text_area(key=TEXT).input("안녕하세요 🙂🙃 naïve").run()
    assert not at.exception and not at.error
    at.radio(key=f"{keys.INPUT_WIDGET}.tokens.mode").set_value("word").run()
    assert not at.exception and not at.error


def test_a_trace_over_the_memory_limit_is_an_error_on_the_page(fresh_caches, monkeypatch):
    """The limit holds in the app: the estimate is shown, nothing is raised, the entry stays."""
    monkeypatch.setattr(trace_module, "MAX_TRACE_BYTES", 64 * 1024)
    at = open_page("pages/states.py")  # the default sentence already passes 64 KiB? then the page says so
    at.text_area(key=TEXT).input("a much longer sentence than before, " * 20).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any("over the limit of" in e and "bytes" in e for e in errors), errors
    assert at.text_area(key=TEXT).value.startswith("a much longer sentence")


def test_stateful_page_wrong_batch_size_shows_why_and_keeps_the_number(fresh_caches):
    at = open_page("pages/stateful.py")
    at.number_input(key=keys.STATEFUL_SAMPLES).set_value(7).run()
    at.button(key=keys.STATEFUL_FEED).click().run()
    assert not at.exception
    assert any("built for 20" in e.value for e in at.error), [e.value for e in at.error]
    assert at.number_input(key=keys.STATEFUL_SAMPLES).value == 7
    assert next(m.value for m in at.metric if m.label == "Batches fed").startswith("0 of")


def test_every_number_box_states_its_range(fresh_caches):
    """The browser clamps a number box to its range, so every one on the States page must have both ends."""
    at = open_page("pages/states.py")
    at.radio(key=f"{keys.INPUT_WIDGET}.tokens.source").set_value("random").run()  # typed text has no boxes
    boxes = [b for b in at.number_input if b.key and b.key.startswith(keys.INPUT_WIDGET)]
    assert {b.label for b in boxes} >= {"Seed", "Batch", "Timesteps", "Batch row to show"}
    for box in boxes:
        assert box.min is not None and box.max is not None, box.key

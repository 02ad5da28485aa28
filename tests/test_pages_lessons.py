"""The guide lesson pages react to their controls (Streamlit's AppTest, no browser)."""

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 180  # TensorFlow on 2 slow cores


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def open_page(page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run(at):
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def shapes(at):
    return list(at.table[0].value["shape"])


def captions(at):
    return [c.value for c in at.caption]


def figure(at, title_start):
    """The plotly figure whose title starts with `title_start`, as JSON."""
    for element in at.get("plotly_chart"):
        fig = json.loads(element.proto.spec)
        if fig["layout"].get("title", {}).get("text", "").startswith(title_start):
            return fig
    raise AssertionError(f"no figure titled {title_start!r}")


@pytest.mark.parametrize(("page", "path"), [
    ("pages/outputs_states.py", "outputs-and-states"), ("pages/encoder_decoder.py", "encoder-decoder"),
    ("pages/stateful.py", "stateful"), ("pages/bidirectional.py", "bidirectional"),
    ("pages/cells_layers.py", "cells-and-layers"),
])
def test_every_lesson_shows_its_code(page, path):
    at = open_page(page)
    assert at.code and "import keras" in at.code[0].value
    assert not at.error


def test_outputs_toggles_change_the_returned_shapes():
    at = open_page("pages/outputs_states.py")
    assert shapes(at) == ["(64, 128)"]  # the guide: SimpleRNN(128) on (64, 100, 64)
    at.toggle(key="outputs.return_sequences").set_value(True)
    run(at)
    assert shapes(at) == ["(64, 100, 128)"]
    at.toggle(key="outputs.return_state").set_value(True)
    run(at)
    assert shapes(at) == ["(64, 100, 128)", "(64, 128)"]
    assert list(at.table[0].value["name"]) == ["whole_sequence_output", "final_state"]
    at.selectbox(key="outputs.kind").set_value("LSTM")
    at.number_input(key="outputs.timesteps").set_value(7)
    run(at)
    assert shapes(at) == ["(64, 7, 128)", "(64, 128)", "(64, 128)"]  # LSTM: three tensors
    assert metric(at, "max |sequence[:, -1] − h|, LSTM(128)") == "0"


def test_outputs_sizes_beyond_the_limits_say_so():
    at = open_page("pages/outputs_states.py")
    at.number_input(key="outputs.batch").set_value(256)
    at.number_input(key="outputs.timesteps").set_value(2000)
    at.number_input(key="outputs.features").set_value(1024)
    run(at)
    assert "more than the limit" in at.error[0].value


def test_encoder_decoder_change_moves_the_decoder_and_keep_does_not():
    at = open_page("pages/encoder_decoder.py")
    assert metric(at, "Total params") == "258,698"
    assert any("`(None, 64)`, `(None, 64)`, `(None, 64)`" in m.value for m in at.markdown)
    assert any("embedding **64,000**, embedding_1 **128,000**, encoder **33,024**, decoder **33,024**, dense **650**"
               in m.value for m in at.markdown)
    gap = figure(at, "How far the changed run")
    assert max(_values(gap["data"][1]["y"])) > 0.01  # zero c: the decoder's c differs
    at.selectbox(key="seq2seq.change").set_value("keep")
    run(at)
    gap = figure(at, "How far the changed run")
    assert max(_values(gap["data"][0]["y"])) == 0 and max(_values(gap["data"][1]["y"])) == 0
    assert metric(at, "decoder's start − encoder's final h, c") == "0"
    assert metric(at, "Keras model − this unchanged run") == "0"


def test_stateful_feed_reset_and_a_wrong_batch_size():
    at = open_page("pages/stateful.py")
    assert metric(at, "stateful − whole") == "0"
    at.selectbox(key="stateful.length").set_value(300)
    run(at)
    assert metric(at, "Batches fed") == "0 of 3"
    at.button(key="stateful.feed").click()
    run(at)
    at.button(key="stateful.feed").click()
    run(at)
    assert metric(at, "Batches fed") == "2 of 3"
    assert float(metric(at, "Kept state: largest |h|")) > 0
    assert metric(at, "The next batch starts from") == "the kept state"
    at.button(key="stateful.reset").click()
    run(at)
    assert metric(at, "Kept state: largest |h|") == "0.0000"  # reset_state() restarted the state
    assert metric(at, "The next batch starts from") == "zeros"
    at.number_input(key="stateful.samples").set_value(16)
    at.button(key="stateful.feed").click()
    run(at)
    assert [e.value for e in at.error] == [
        "batch 3 has 16 samples but the layer was built for 20; a stateful layer needs the same batch size every "
        "time (sample i continues sample i). Feed 20 samples, or build the layer with "
        "keras.Input(batch_shape=(16, ...)) and start over"]
    assert metric(at, "Batches fed") == "2 of 3"
    at.number_input(key="stateful.samples").set_value(20)
    at.button(key="stateful.feed").click()
    run(at)
    assert not at.error and metric(at, "Batches fed") == "3 of 3"
    by_hand = figure(at, "Unit ")
    assert "reset before step 200" in by_hand["layout"]["title"]["text"]


def test_stateful_a_refused_batch_is_forgotten_when_the_chunk_length_changes():
    at = open_page("pages/stateful.py")
    at.selectbox(key="stateful.length").set_value(300)
    run(at)
    at.number_input(key="stateful.samples").set_value(16)
    at.button(key="stateful.feed").click()
    run(at)
    assert [e.value for e in at.error][0].startswith("batch 1 has 16 samples")
    at.number_input(key="stateful.chunk").set_value(50)  # a new layer, fed from its first chunk
    run(at)
    assert not at.error and metric(at, "Batches fed") == "0 of 6"


def test_stateful_too_many_chunks_are_refused_before_any_work_and_the_limit_is_stated():
    at = open_page("pages/stateful.py")
    at.number_input(key="stateful.chunk").set_value(1)  # 1,548 batches: over MAX_CHUNKS
    run(at)
    assert [e.value for e in at.error] == [
        "A chunk length of 1 cuts 1,548 steps into 1,548 batches, more than the limit of 300 (one forward pass "
        "each): choose a chunk length of at least 6, or a shorter sequence."]
    assert not at.metric and at.number_input(key="stateful.chunk").value == 1  # nothing ran; the value is kept
    at.selectbox(key="stateful.length").set_value(300)  # 300 batches of one step: within the limit
    run(at)
    assert not at.error and metric(at, "stateful − whole") == "0" and metric(at, "Batches fed") == "0 of 300"
    three = figure(at, "Unit ")
    assert len([s for s in three["layout"]["shapes"] if s.get("name") == "boundary"]) == 1  # not one per batch


def test_bidirectional_merge_mode_changes_the_output_shape():
    at = open_page("pages/bidirectional.py")
    assert metric(at, "Guide's layer 1: params") == "38,400"
    assert metric(at, "Guide's layer 2: params") == "41,216"
    assert metric(at, "Guide's model: total params") == "80,266"
    assert at.subheader[0].value == "merge_mode='concat' returns `(2, 5, 128)`"
    at.selectbox(key="bidi.merge_mode").set_value("sum")
    run(at)
    assert at.subheader[0].value == "merge_mode='sum' returns `(2, 5, 64)`"
    at.selectbox(key="bidi.merge_mode").set_value("None")
    run(at)
    assert at.subheader[0].value == "merge_mode=None returns `(2, 5, 64)`, `(2, 5, 64)`"
    assert metric(at, "backward half − forward layer on reversed input") == "0"


def test_cells_timing_shows_its_spread_and_the_caption_follows_it():
    at = open_page("pages/cells_layers.py")
    bar = figure(at, "One forward pass")["data"][0]
    median, up, down = (_values(bar[k]) if k == "x" else _values(bar["error_x"][k]) for k in ("x", "array", "arrayminus"))
    assert len(median) == len(up) == len(down) == 2
    (l1, l3), (c1, c3) = [(m - d, m + u) for m, u, d in zip(median, up, down)]
    said = " ".join(c.value for c in at.caption)
    if l3 < c1 or c3 < l1:  # the middle halves are apart: a winner may be named
        assert "is faster" in said and "cannot be told apart" not in said
    else:  # they overlap: the caption must not name one
        assert "cannot be told apart" in said and "is faster" not in said


def test_cells_a_changed_setting_says_what_breaks_cudnn():
    at = open_page("pages/cells_layers.py")
    text = " ".join(m.value for m in at.markdown)
    assert "On a GPU: **cuDNN**." in text
    assert metric(at, "LSTM(64) − RNN(LSTMCell(64))") == "0"
    at.selectbox(key="cells.activation").set_value("relu")
    at.checkbox(key="cells.use_bias").uncheck()
    run(at)
    text = " ".join(m.value for m in at.markdown)
    assert "still the generic loop" in text
    assert "cuDNN needs activation='tanh'; this layer has 'relu'" in text and "cuDNN needs use_bias=True" in text
    assert metric(at, "LSTM(64) − RNN(LSTMCell(64))") == "0"  # still the same maths


def _values(y):
    """Plotly's JSON holds float32 arrays as base64 ("bdata")."""
    import base64

    import numpy as np

    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"])).tolist()
    return list(y)

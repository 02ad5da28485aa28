"""The Train page through AppTest: pre-trained and trained models become every page's current model."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import rnnviz
from rnnviz.i18n import _, use_language
from rnnviz.ui import keys
from rnnviz.ui.task_input import task_batch

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


def train_page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.run()
    at.switch_page("pages/train.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at):
    return {f["layout"]["title"]["text"]: f for f in (json.loads(el.proto.spec) for el in at.get("plotly_chart"))}


def _values(array):
    """A Plotly array as numpy: typed arrays come as {"dtype", "bdata"}."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array)


def _click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_pretrained_model_becomes_current_and_states_shows_its_coloured_text():
    at = train_page()
    at.selectbox(key=keys.TRAIN_TASK).set_value("brackets").run()
    _click(at, "Use the pre-trained model")
    info = rnnviz.pretrained_info("brackets")
    label = f"pre-trained on brackets, seed 0, {100 * info['test_accuracy']:.1f} %"
    # (AppTest drops the sidebar after switch_page; the browser test reads the sidebar's words)
    assert at.session_state[keys.TRAINED_CURRENT].label == label
    figs = figures(at)
    best = info["best_unit"]
    text = figs[f"The text coloured by unit {best['unit']} of {'cell state c' if best['state'] == 'c' else 'hidden state h'}"]
    shown = [t for row in text["data"][0]["text"] for t in row if t]
    assert text["data"][0]["type"] == "heatmap" and len(shown) % 40 == 0 and len(shown) >= 40  # 40 brackets each
    assert any("PCA" in title for title in figs)
    at.switch_page("pages/states.py")
    at.run()
    assert not at.exception and not at.error
    states = figures(at)
    assert any(t.startswith("The text coloured by") for t in states)
    steps = next(f for t, f in states.items() if t.startswith("Layer"))
    expected = list(task_batch("brackets", 0).tokens[0])
    axis = steps["layout"]["xaxis"]  # the task's tokens on the time axis (every k-th, so labels never overlap)
    assert axis["ticktext"] == [expected[int(t)] for t in axis["tickvals"]] and len(axis["tickvals"]) >= 2


def test_training_shows_the_curve_and_the_model_is_the_current_one():
    at = train_page()
    at.selectbox(key=keys.TRAIN_TASK).set_value("sentiment").run()
    at.number_input(key=keys.TRAIN_UNITS).set_value(8).run()
    _click(at, "Train")
    curve = figures(at)["Training: loss and accuracy after each epoch"]
    assert list(_values(curve["data"][0]["x"])) == list(range(1, 9))  # every epoch of the schedule
    assert _values(curve["data"][1]["y"])[-1] >= 90  # accuracy % after the last epoch
    assert at.session_state[keys.TRAINED_CURRENT].label.startswith("trained on sentiment, seed 0, ")
    model = at.session_state[keys.TRAINED].model
    assert model.get_layer("lstm").units == 8


def test_stop_ends_the_run_early_and_keeps_the_model_trained_so_far(monkeypatch):
    from rnnviz import training
    from rnnviz.ui import trained

    monkeypatch.setitem(training.SCHEDULES, "sentiment", training.Schedule(epochs=6, batches=2, learning_rate=0.01))
    real_train_task = trained.train_task
    drawn = []

    def pressing_stop_after_epoch_2(*args, on_epoch, **kwargs):
        def epoch_done(record):
            stop = on_epoch(record)  # the page draws this epoch
            drawn.append(record.epoch)
            if record.epoch == 2:
                st.rerun()  # what pressing Stop does: the script is interrupted and runs again
            return stop
        return real_train_task(*args, on_epoch=epoch_done, **kwargs)

    monkeypatch.setattr(trained, "train_task", pressing_stop_after_epoch_2)
    at = train_page()
    at.number_input(key=keys.TRAIN_UNITS).set_value(2).run()
    _click(at, "Train")
    assert drawn == [1, 2]  # no epoch ran after Stop
    assert [i.value for i in at.info] == ["Stopped after epoch 2; the model trained so far is the current model."]
    kept = at.session_state[keys.TRAINED]
    assert at.session_state[keys.TRAINED_CURRENT].model is kept.model and str(kept.stopped) == "stopped by you after epoch 2"
    assert [r.epoch for r in kept.history] == [1, 2]
    assert any(not np.array_equal(a, b) for a, b in zip(kept.model.get_weights(), kept.untrained.get_weights()))
    curve = figures(at)["Training: loss and accuracy after each epoch"]
    assert list(_values(curve["data"][0]["x"])) == [1, 2]  # the curve of the epochs that ran
    assert any(": stopped by you after epoch 2." in c.value for c in at.caption)
    assert keys.TRAIN_PARTIAL not in at.session_state
    _the_stop_and_the_model_name_follow_a_change_of_language(at, kept)
    _click(at, "Train")  # the session's lock was given back: it trains again (and Stop is pressed again)
    assert drawn[2:] == [1, 2] and at.session_state[keys.TRAINED] is not kept


def _the_stop_and_the_model_name_follow_a_change_of_language(at, kept):
    """Made in English, shown in Korean after the switch (and back): stored as data, translated when shown."""
    english_label = kept.label
    at.session_state[keys.LANGUAGE] = "ko"  # what the sidebar's language box does
    at.run()
    with use_language("ko"):
        stop = _("Stopped after epoch {epoch}; the model trained so far is the current model.").format(epoch=2)
        stopped = _("stopped by you after epoch {epoch}").format(epoch=2)
        label = _("trained on {task}, seed {seed}, {accuracy:.1f} %").format(
            task="sentiment", seed=0, accuracy=100 * kept.test_accuracy)
    assert stop != "Stopped after epoch 2; the model trained so far is the current model." and label != english_label
    assert [i.value for i in at.info] == [stop]
    assert any(stopped in c.value for c in at.caption)
    assert any(label in s.value for s in at.success)  # the model's name, as the sidebar shows it too
    at.session_state[keys.LANGUAGE] = "en"
    at.run()
    assert any(english_label in s.value for s in at.success)

"""The person's own model survives a reload of the page (AppTest): a new session opened on the same
`?own=` link reopens it; a link the server no longer keeps says so and shows the default preset."""

from pathlib import Path

import keras
import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rnnviz.kept import KEPT, new_token
from rnnviz.presets import DEFAULT_PRESET
from rnnviz.tasks import make_task
from rnnviz.training import build_task_model
from rnnviz.ui import keys, trained
from rnnviz.ui.model_source import UPLOAD_OPTION

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 180


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    keras.utils.set_random_seed(11)
    inp = keras.Input((None, 2), name="signal")
    x = keras.layers.GRU(3, return_sequences=True, name="my_gru")(inp)
    path = tmp_path_factory.mktemp("own") / "reload_me.keras"
    keras.Model(inp, keras.layers.Dense(2, name="head")(x)).save(path)
    return path


def upload_script(path: str) -> None:
    """A session whose sidebar uploader received `path`: the uploader's own callback opens it."""
    import streamlit as st

    from rnnviz.ui import keys, model_source

    class File:  # what st.file_uploader hands the callback: a name and the bytes
        name = path.rsplit("/", 1)[-1]

        def getvalue(self) -> bytes:
            with open(path, "rb") as f:
                return f.read()

    st.session_state[keys.UPLOADER] = File()
    model_source._open_upload()


def reloaded(query: dict, page: str = "pages/states.py") -> AppTest:
    """A new session (a reload) of the app at `page` with the URL's `query`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page)
        at.query_params.update(query)  # as a browser opens /states?own=...
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def own_param(at) -> str | None:
    value = at.query_params.get("own")
    return value[0] if isinstance(value, list) else value


def test_an_uploaded_model_is_kept_and_a_new_session_on_its_link_reopens_it(model_file):
    first = AppTest.from_function(upload_script, args=(str(model_file),), default_timeout=TIMEOUT).run()
    assert not first.exception, [e.value for e in first.exception]
    token = first.session_state[keys.OWN_TOKENS]["upload"]
    assert own_param(first) is None or own_param(first) == token
    assert KEPT.get(token).data == model_file.read_bytes()

    at = reloaded({"own": token}, page="")  # the start page: its sidebar (AppTest drops it after a page switch)
    assert at.session_state[keys.SOURCE] == "upload"
    assert at.selectbox(key=keys.PRESET_PICKER).value == UPLOAD_OPTION
    assert own_param(at) == token and "preset" not in at.query_params  # the URL still names it
    assert not at.error
    uploaded = at.session_state[keys.UPLOADED]
    assert uploaded.filename == "reload_me.keras"
    original = keras.saving.load_model(model_file)
    x = np.random.default_rng(0).standard_normal((2, 5, 2)).astype(np.float32)
    np.testing.assert_allclose(uploaded.model.predict(x, verbose=0), original.predict(x, verbose=0), atol=1e-6)

    # Picking a preset takes own= out of the URL and picking the file puts it back: tests/browser/test_reload_keeps_own_model.py
    # (AppTest runs no app.py after a sidebar widget changes).

    states = reloaded({"own": token})  # a reload of /states?own=...
    layer_box = next(box for box in states.selectbox if box.label == "Layer")
    assert any("my_gru" in option for option in layer_box.options)  # the States page shows that model
    assert own_param(states) == token and not states.error


@pytest.mark.parametrize("token", [new_token(), "not-a-token", "../../etc/passwd"])
def test_a_link_the_server_no_longer_keeps_says_so_and_shows_the_default_preset(token):
    at = reloaded({"own": token}, page="")
    messages = [e.value for e in at.error]
    assert any("no longer kept on the server" in m and "open the file again" in m for m in messages), messages
    assert at.session_state[keys.SOURCE] == "preset"
    assert at.session_state[keys.PRESET] == DEFAULT_PRESET
    assert own_param(at) is None  # the dead token leaves the URL


def test_a_dead_link_keeps_the_rest_of_the_url_and_the_message_names_the_preset_shown():
    at = reloaded({"own": new_token(), "preset": "guide-gru-simplernn"}, page="")
    assert at.session_state[keys.PRESET] == "guide-gru-simplernn"  # the link's preset, not the default
    assert any("no longer kept" in e.value and "guide-gru-simplernn" in e.value for e in at.error)
    # That it stays at the next runs and goes once another model is picked: tests/browser/test_reload_keeps_own_model.py.


def test_an_expired_upload_says_so(model_file):
    token = KEPT.put("upload", model_file.read_bytes(), {"filename": "gone.keras"})
    KEPT._entries[token] = (KEPT._entries[token][0], KEPT._entries[token][1] - KEPT.ttl_seconds)  # its time is up
    at = reloaded({"own": token}, page="")
    assert any("no longer kept" in e.value for e in at.error)
    assert at.session_state[keys.SOURCE] == "preset"


def test_the_pretrained_model_opened_on_the_train_page_survives_a_reload():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/train.py").run()
    at.button[1].click().run()  # "Use the pre-trained model"
    assert not at.exception, [e.value for e in at.exception]
    token = at.session_state[keys.OWN_TOKENS]["trained"]  # (the URL naming it: the browser test)
    label = at.session_state[keys.TRAINED].label

    again = reloaded({"own": token}, page="pages/train.py")
    assert again.session_state[keys.SOURCE] == "trained"
    assert again.session_state[keys.TRAINED].label == label
    assert any(label in s.value for s in again.success)


def test_a_model_trained_here_is_rebuilt_with_its_own_weights_and_its_untrained_twin():
    task = make_task("brackets")
    model = build_task_model(task, "GRU", 5, seed=3)
    start = model.get_weights()
    model.set_weights([w + np.float32(0.25) for w in start])  # "trained": weights away from the seed's
    made = trained.TrainedModel("brackets", "GRU", 5, 3, model, build_task_model(task, "GRU", 5, seed=3), (), 0.5,
                                "stopped by you after epoch 1")
    token = KEPT.put("trained", model.get_weights(), trained.kept_meta(made))
    kept = KEPT.get(token)
    again = trained.rebuild(kept.meta, kept.data)
    assert again.model is not model and again.label == made.label and again.stopped == made.stopped
    for got, want in zip(again.model.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(again.untrained.get_weights(), start):
        np.testing.assert_array_equal(got, want)
    x = task.sample(4, 0).inputs
    np.testing.assert_allclose(again.model.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)

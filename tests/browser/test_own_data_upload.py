"""Your own data in the browser: an uploaded float-input model driven by an uploaded .npy on the States page,
its per-step output drawn beside the states, and a file of the wrong shape refused in place."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.browser

STEP_FIGURE_NAMES = "() => document.querySelectorAll('.js-plotly-plot')[0].data.map(d => d.name)"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("own_data")
    keras.utils.set_random_seed(5)
    inp = keras.Input((None, 3), name="signal")
    x = keras.layers.LSTM(4, return_sequences=True, name="my_lstm")(inp)
    keras.Model(inp, keras.layers.Dense(3, activation="softmax", name="head")(x)).save(folder / "floats.keras")
    np.save(folder / "good.npy", np.random.default_rng(0).standard_normal((2, 7, 3)).astype(np.float32))
    np.save(folder / "wide.npy", np.zeros((2, 7, 5), np.float32))
    return {p.name: p for p in folder.iterdir()}


def sidebar(app):
    return app.page.get_by_test_id("stSidebar")


def upload_model(app, path: Path) -> None:
    """Open the sidebar's "Open your own model" and choose the .keras file."""
    sidebar(app).get_by_text("Open your own model").click()
    with app.expect_run():
        sidebar(app).get_by_test_id("stExpander").filter(has_text="Open your own model") \
            .locator("input[type=file]").set_input_files(str(path))


def upload_data(app, path: Path) -> None:
    """Choose the data file in the input panel's uploader."""
    box = sidebar(app).get_by_test_id("stFileUploader").filter(has_text="A .npy or .csv file")
    with app.expect_run():
        box.locator("input[type=file]").set_input_files(str(path))


def test_an_npy_upload_drives_the_states_of_an_uploaded_float_model(app, files):
    app.open("/states")
    upload_model(app, files["floats.keras"])
    assert "my_lstm (LSTM, 4 units)" in app.page.get_by_test_id("stMain").get_by_role("combobox", name="Layer").input_value()
    with app.expect_run():
        sidebar(app).get_by_test_id("stRadio").filter(has_text="Feed").get_by_text("a file", exact=True).click()
    assert "Upload a file of sequences" in sidebar(app).inner_text()
    upload_data(app, files["good.npy"])
    main = app.page.get_by_test_id("stMain")
    assert "batch row 0 of 2" in main.inner_text()
    names = app.page.evaluate(STEP_FIGURE_NAMES)
    assert "model output 0 (0…1)" in names  # the per-step softmax beside h, c and the gates
    steps = app.page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[0].layout.sliders[0].steps.length")
    assert steps == 7  # one slider stop per step of the file
    assert not sidebar(app).get_by_test_id("stAlertContentError").count()

    upload_data(app, files["wide.npy"])
    alert = sidebar(app).get_by_test_id("stAlertContentError")
    assert "reads 3 features per step, but the data has 5" in alert.inner_text()
    assert "Showing the last input that worked" in alert.inner_text()
    assert "model output 0 (0…1)" in app.page.evaluate(STEP_FIGURE_NAMES)  # the page goes on showing good.npy
    assert not app.exceptions()

"""Open your own model in the browser: a good .keras shows its layers, a bad one is refused in the sidebar
and the page keeps working, a model with no recurrent layer says so."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.browser

NO_RECURRENT = "This model has no SimpleRNN, GRU or LSTM layer to show."


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    inp = keras.Input((None, 3), name="signal")
    x = keras.layers.LSTM(5, return_sequences=True, name="my_lstm")(inp)
    keras.Model(inp, keras.layers.Dense(2, name="head")(x)).save(folder / "mine.keras")
    inp = keras.Input((None, 3), name="signal")  # a layer named as the guide-lstm preset's, with 16 units
    keras.Model(inp, keras.layers.LSTM(16, name="lstm")(inp)).save(folder / "lstm16.keras")
    inp = keras.Input((6, 3))
    x = keras.layers.Lambda(lambda t: t * 2, name="doubler")(inp)
    keras.Model(inp, keras.layers.GRU(2)(x)).save(folder / "with_lambda.keras")
    inp = keras.Input((4,))
    keras.Model(inp, keras.layers.Dense(2, name="only_dense")(inp)).save(folder / "dense_only.keras")
    (folder / "random.keras").write_bytes(np.random.default_rng(0).bytes(4096))
    return {p.stem: p for p in folder.iterdir()}


def sidebar(app):
    return app.page.get_by_test_id("stSidebar")


def upload(app, path: Path, shows=None) -> None:
    """What a person does: open the sidebar's "Open your own model" and choose a file; waits for the run
    that file started (and for `shows`, what that run puts on the page)."""
    if not sidebar(app).get_by_test_id("stFileUploaderDropzone").is_visible():
        sidebar(app).get_by_text("Open your own model").click()
    with app.expect_run(shows=shows):
        sidebar(app).locator("input[type=file]").set_input_files(str(path))


def pick_model(app, title: str) -> None:
    """Choose `title` in the sidebar's Model box and wait for its run."""
    with app.expect_run():
        sidebar(app).get_by_role("combobox", name="Model").click()
        app.page.get_by_role("option", name=title, exact=True).click()


def layer_choices(app) -> str:
    """The layer the States page's selectbox shows."""
    return app.page.get_by_test_id("stMain").get_by_role("combobox", name="Layer").input_value()


def test_a_good_model_shows_its_layers_and_a_bad_one_is_refused_in_place(app, files):
    app.open("/states")
    upload(app, files["mine"])
    assert "Showing your model" in sidebar(app).inner_text()
    assert "mine.keras" in sidebar(app).inner_text()
    assert "my_lstm (LSTM, 5 units)" in layer_choices(app)
    assert app.page.get_by_test_id("stPlotlyChart").count() == 2  # the step-through figure and the unit lines
    assert not app.exceptions()
    with app.expect_run():  # another page of the same session shows the same model
        sidebar(app).get_by_role("link", name="Build", exact=True).click()
    main = app.page.get_by_test_id("stMain").inner_text()
    assert "This is your own model, mine.keras" in main and "my_lstm" in main
    with app.expect_run():
        sidebar(app).get_by_role("link", name="States", exact=True).click()

    for bad, message in (("with_lambda", "holds a Lambda layer (doubler)"), ("random", "not a Keras archive")):
        alert = sidebar(app).get_by_test_id("stAlertContentError")
        upload(app, files[bad], shows=alert.filter(has_text=f"{bad}.keras"))
        assert alert.is_visible(), f"no refusal shown for {bad}"
        assert message in alert.inner_text()
        assert f"{bad}.keras" in alert.inner_text()
        # The page goes on showing the last model that opened.
        assert "Showing your model" in sidebar(app).inner_text() and "mine.keras" in sidebar(app).inner_text()
        assert "my_lstm (LSTM, 5 units)" in layer_choices(app)
        assert not app.exceptions()


def test_a_model_without_recurrent_layers_says_so(app, files):
    app.open("/states")
    upload(app, files["dense_only"])
    assert "dense_only.keras" in sidebar(app).inner_text()
    assert app.page.get_by_text(NO_RECURRENT).is_visible()
    assert not app.exceptions()
    assert sidebar(app).get_by_test_id("stAlertContentError").count() == 0


def test_the_model_box_goes_back_from_your_file_to_the_preset_it_showed(app, files):
    app.open("/states", preset="guide-lstm")
    upload(app, files["mine"])
    model_box = sidebar(app).get_by_role("combobox", name="Model")
    assert model_box.input_value() == "Your file: mine.keras"
    weights = sidebar(app).get_by_test_id("stRadio").filter(has_text="vivid random").get_by_role("radio")
    assert all(w.is_disabled() for w in weights.all()), "the Weights switch does nothing on your own file"

    pick_model(app, "LSTM classifier")  # the preset the box showed before the upload
    assert model_box.input_value() == "LSTM classifier"
    assert "Showing your model" not in sidebar(app).inner_text()
    assert "lstm (LSTM, 128 units)" in layer_choices(app)
    assert not any(w.is_disabled() for w in weights.all())

    pick_model(app, "Your file: mine.keras")  # and back to the file, without opening it again
    assert "Showing your model" in sidebar(app).inner_text()
    assert "my_lstm (LSTM, 5 units)" in layer_choices(app)
    assert not app.exceptions()


def test_the_layer_box_names_the_opened_models_layer_not_the_presets(app, files):
    """Same layer name, other size: the box once kept "lstm (LSTM, 128 units)" over a 16-unit figure."""
    app.open("/states", preset="guide-lstm")
    assert layer_choices(app) == "lstm (LSTM, 128 units)"
    upload(app, files["lstm16"])
    assert layer_choices(app) == "lstm (LSTM, 16 units)"

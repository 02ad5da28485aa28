"""The opened model survives a reload of the page: an uploaded .keras file is still the States page's model
after page.reload() (the URL's ?own= names it); a link the server no longer keeps says so, and the message
stays until another model is picked."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import keras
import pytest

from rnnviz.kept import new_token

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    keras.utils.set_random_seed(7)
    inp = keras.Input((None, 2), name="signal")
    x = keras.layers.GRU(3, return_sequences=True, name="reload_gru")(inp)
    path = tmp_path_factory.mktemp("own_reload") / "reload_me.keras"
    keras.Model(inp, keras.layers.Dense(2, name="head")(x)).save(path)
    return path


def sidebar(app):
    return app.page.get_by_test_id("stSidebar")


def model_box(app) -> str:
    return sidebar(app).get_by_role("combobox", name="Model").input_value()


def layer_box(app) -> str:
    return app.page.get_by_test_id("stMain").get_by_role("combobox", name="Layer").input_value()


def own_param(app) -> str | None:
    return parse_qs(urlparse(app.page.url).query).get("own", [None])[0]


def test_an_uploaded_model_is_still_shown_after_a_reload(app, model_file):
    app.open("/states")
    sidebar(app).get_by_text("Open your own model").click()
    with app.expect_run(shows=sidebar(app).get_by_text("Showing your model")):
        sidebar(app).get_by_test_id("stExpander").filter(has_text="Open your own model") \
            .locator("input[type=file]").set_input_files(str(model_file))
    assert "reload_me.keras" in model_box(app)
    assert "reload_gru (GRU, 3 units)" in layer_box(app)
    token = own_param(app)
    assert token is not None and re.fullmatch(r"[A-Za-z0-9_-]{32}", token)

    app.reload()
    assert "reload_me.keras" in model_box(app)  # the Model box names the file, as before the reload
    assert "reload_gru (GRU, 3 units)" in layer_box(app)  # and the States page shows that model
    assert own_param(app) == token
    assert not app.page.get_by_test_id("stAlertContentError").count() and not app.exceptions()

    with app.expect_run():  # back to a preset: own= leaves the URL
        sidebar(app).get_by_role("combobox", name="Model").click()
        app.page.get_by_role("option", name="LSTM classifier", exact=True).click()
    assert own_param(app) is None and "reload_gru" not in layer_box(app)


def test_a_link_the_server_no_longer_keeps_says_so_until_another_model_is_picked(app):
    gone = new_token()  # well formed, never kept
    app.page.goto(f"{app.base_url}/states?own={gone}")
    app.wait_for_run(before=0)
    alert = app.page.get_by_test_id("stAlertContentError")
    assert "no longer kept on the server" in alert.inner_text() and "open the file again" in alert.inner_text()
    assert own_param(app) is None  # the dead token leaves the URL
    with app.expect_run(shows=app.page.get_by_role("heading", name="Build")):  # another page: still said
        app.page.get_by_test_id("stSidebarNav").get_by_role("link", name="Build", exact=True).click()
    assert "no longer kept" in app.page.get_by_test_id("stAlertContentError").inner_text()
    with app.expect_run():
        sidebar(app).get_by_role("combobox", name="Model").click()
        app.page.get_by_role("option", name="GRU then SimpleRNN", exact=True).click()
    assert not app.page.get_by_test_id("stAlertContentError").count()
    assert not app.exceptions()

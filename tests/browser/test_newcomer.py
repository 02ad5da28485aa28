"""A newcomer's first steps (issue 13): every page answers at its own path, the start page leads to the
lessons, and a page with its own model says so in the sidebar."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def not_found(app) -> list[str]:
    return [d for d in app.page.get_by_role("dialog").all_inner_texts() if "not found" in d.lower()]


@pytest.mark.parametrize("path", ["/build", "/build?preset=guide-gru-simplernn", "/states", "/stateful"])
def test_a_page_opens_at_its_own_path(app, path):
    app.page.goto(f"{app.base_url}{path}")
    app.wait_for_run(before=0)
    assert not not_found(app), not_found(app)
    assert not app.console_errors, app.console_errors
    assert not app.exceptions()
    if "preset=" in path:
        assert app.page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model").input_value() == \
            "GRU then SimpleRNN"
        assert app.page.get_by_test_id("stMain").get_by_role("heading", name="Build a model").is_visible()


def test_the_start_page_leads_to_build_in_the_same_session(app):
    app.open("/")
    main = app.page.get_by_test_id("stMain")
    assert main.get_by_role("heading", name="A suggested order").is_visible()
    assert main.get_by_role("img").count() >= 1
    link = main.get_by_role("link", name="1. Build")
    assert link.get_attribute("href").rstrip("/").split("/")[-1] == "build"
    with app.expect_run(shows=main.get_by_role("heading", name="Build a model")):
        link.click()
    assert app.page.url.split("?")[0].endswith("/build")
    assert not not_found(app) and not app.console_errors


def test_a_page_with_its_own_model_says_so_where_the_sidebar_is(app):
    app.open("/encoder-decoder")
    sidebar = app.page.get_by_test_id("stSidebar")
    assert "This page uses its own model" in sidebar.inner_text()
    assert sidebar.get_by_role("combobox", name="Model").is_disabled()
    main = app.page.get_by_test_id("stMain")
    guide = main.get_by_role("link", name="“Working with RNNs”")
    assert guide.first.get_attribute("href") == "https://keras.io/guides/working_with_rnns/"


def test_the_states_layer_box_names_the_new_models_layer_after_a_preset_change(app):
    app.open("/states", preset="guide-lstm")
    box = app.page.get_by_test_id("stMain").get_by_role("combobox", name="Layer")
    assert box.input_value() == "lstm (LSTM, 128 units)"
    with app.expect_run():
        app.page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model").click()
        app.page.get_by_role("option", name="GRU then SimpleRNN", exact=True).click()
    assert box.input_value() == "gru (GRU, 256 units)"
    assert "Layer gru" in app.page.get_by_test_id("stMain").inner_text()  # the figure below is the GRU's

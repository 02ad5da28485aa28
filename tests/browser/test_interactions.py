"""What a person does in the browser, and what they see: links, edits, mistakes, a clean console."""

import pytest

from rnnviz.presets import DEFAULT_PRESET, get_preset
from streamlit_app import app_pages

pytestmark = pytest.mark.browser

PAGES = app_pages()
BUILD = next(p for p in PAGES if p.url_path == "build")

# Total parameters, counted by hand (an LSTM has 4 * (units * (inputs + units) + units)):
#   guide-lstm:            Embedding 1000*64 = 64,000; LSTM(128) on 64 = 98,816; Dense 128*10+10 = 1,290
#   guide-gru-simplernn:   64,000; GRU(256, reset_after) 3*(256*(64+256)+2*256) = 247,296;
#                          SimpleRNN(128) 128*(256+128)+128 = 49,280; Dense 1,290
#   guide-encoder-decoder: 64,000 + 128,000 (embeddings); 2 x LSTM(64) on 64 = 2 x 33,024; Dense 650
#   guide-bidirectional:   2 x LSTM(64) on 10 = 2 x 19,200; 2 x LSTM(32) on 128 = 2 x 20,608; Dense 64*10+10 = 650
#   guide-stateful:        LSTM(64) on 50 = 4*(64*114+64) = 29,440
#   guide-cell-vs-layer:   2 x LSTM(10) on 8 = 2 x 4*(10*18+10) = 1,520
TOTALS = {
    "guide-lstm": "164,106",
    "guide-gru-simplernn": "361,866",
    "guide-encoder-decoder": "258,698",
    "guide-bidirectional": "80,266",
    "guide-stateful": "29,440",
    "guide-cell-vs-layer": "1,520",
}


def layer_card(app, title: str):
    """The bordered card of one layer on the Build page, found by its title, e.g. "2 · LSTM"."""
    page = app.page
    return (page.get_by_test_id("stVerticalBlock")
            .filter(has=page.get_by_text(title, exact=True))
            .filter(has=page.get_by_test_id("stCheckbox").or_(page.get_by_test_id("stNumberInput")))
            .last)  # the innermost block holding the title and the card's widgets


def sidebar_model(app) -> str:
    """The model the sidebar's selectbox shows."""
    return app.page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model").input_value()


@pytest.mark.parametrize("preset", list(TOTALS))
def test_a_link_with_preset_opens_that_model(app, preset):
    app.open(BUILD.path, preset=preset)
    assert app.metric("Total params") == TOTALS[preset]
    assert sidebar_model(app) == get_preset(preset).title
    assert f"preset={preset}" in app.page.url  # the address the sidebar's Copy link box copies


def test_editing_units_updates_the_summary(app):
    app.open(BUILD.path, preset="guide-lstm")
    units = layer_card(app, "2 · LSTM").get_by_role("spinbutton", name="units", exact=True)
    with app.expect_run():
        units.fill("64")
        units.press("Enter")
    # Embedding 64,000 + LSTM(64) on 64: 4*(64*128+64) = 33,024 + Dense on 64: 64*10+10 = 650
    assert app.metric("Total params") == "97,674"
    assert "Trainable 97,674" in app.page.get_by_test_id("stMain").inner_text()
    assert not app.exceptions()


def test_an_invalid_edit_shows_why_and_keeps_the_last_good_model(app):
    app.open(BUILD.path, preset="guide-lstm")
    with app.expect_run():
        app.page.get_by_role("button", name="Add layer").click()  # LSTM(32) after LSTM(128), return_sequences off
    error = app.page.get_by_test_id("stAlertContentError")
    assert error.is_visible()
    assert "return_sequences" in error.inner_text()
    assert "last model that worked" in app.page.get_by_test_id("stAlertContentInfo").inner_text()
    assert app.metric("Total params") == TOTALS["guide-lstm"]
    assert layer_card(app, "3 · LSTM").is_visible()  # the edit is kept in the editor

    with app.expect_run():  # the fix the message names
        layer_card(app, "2 · LSTM").get_by_text("return_sequences", exact=True).click()
    assert app.page.get_by_test_id("stAlertContentError").count() == 0
    # 64,000 + LSTM(128) 98,816 + LSTM(32) on 128: 4*(32*160+32) = 20,608 + Dense on 32: 330
    assert app.metric("Total params") == "183,754"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.url_path)
def test_every_page_opens_cleanly(app, page):
    """No console error, no exception, no "page not found"."""
    app.open(page.path, preset=DEFAULT_PRESET)
    assert not app.console_errors, app.console_errors
    assert not app.exceptions()
    assert app.page.get_by_role("dialog").count() == 0, app.page.get_by_role("dialog").all_inner_texts()

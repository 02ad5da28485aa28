"""Presenter mode on a 1280x720 projector: the States page's first screen holds the h heatmap, the
step slider and the step's bars; the arrow keys and space drive the figure in the browser."""

import pytest

from test_scrub import OUTLINES_AT, SHOWN

FIRST_SCREEN = "presenter_states_first_screen"  # its baseline (tests/browser/test_baselines.py)

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
PLOT = "[data-testid=stMain] .js-plotly-plot"
PLAYING = f"() => Boolean(document.querySelector('{PLOT}')._transitionData._animationRaf)"


def open_presenting(app):
    """The States page of guide-lstm at ?present=1 in a 1280x720 window, its sidebar folded away."""
    app.page.set_viewport_size(PROJECTOR)
    app.open("/states", preset="guide-lstm", present="1")
    app.page.locator("[data-testid=stSidebar][data-collapsed=true]").wait_for(state="attached")
    app.page.locator(".st-key-rnnviz_present_keys").wait_for(state="attached")
    app.page.wait_for_function("() => window.__rnnvizPresenter === true && Boolean(window.Plotly)")
    return app.page.locator(PLOT).first


def test_the_first_screen_holds_the_h_heatmap_the_slider_and_the_bars(app, assert_screenshot):
    plot = open_presenting(app)
    assert "present=1" in app.page.url  # kept in the link
    slider, play = plot.locator(".slider-rail-rect").first, plot.locator(".updatemenu-button", has_text="Play")
    h_heatmap = plot.locator("rect.nsewdrag[data-subplot=xy]").first
    bars = plot.locator("rect.nsewdrag[data-subplot=x2y2]").first
    for name, element in (("slider", slider), ("Play", play), ("h heatmap", h_heatmap), ("bars", bars)):
        assert app.in_viewport(element), f"the {name} is not on the first screen: {element.bounding_box()}"
    assert "hidden state h" in plot.locator(".annotation-text").first.text_content()  # the first row is h
    size = "(t) => parseFloat(getComputedStyle(t).fontSize)"
    assert plot.locator(".ytick text").first.evaluate(size) == 22  # the unit axis's ticks, as drawn
    assert plot.locator(".g-ytitle text").first.evaluate(size) == 22  # its title
    assert plot.locator(".gtitle").first.evaluate(size) == 26  # the figure's title
    # The help icons beside "Rows" and "Play speed" were drawn a pixel larger or smaller from one run to the
    # next under the presenter's larger type (300 pixels, only there): they are painted over, the rest compared.
    assert_screenshot(app, FIRST_SCREEN, mask=["[data-testid=stTooltipIcon]"], first_screen=True)
    assert not app.console_errors and not app.exceptions()


def test_arrow_keys_step_and_space_plays_and_pauses_in_the_browser(app):
    open_presenting(app)
    runs = app.finished_runs()
    assert app.page.evaluate(SHOWN)["step"] == 0
    app.page.keyboard.press("ArrowRight")
    app.page.wait_for_function(OUTLINES_AT, arg=1)
    app.page.keyboard.press("ArrowRight")
    app.page.wait_for_function(OUTLINES_AT, arg=2)
    app.page.keyboard.press("ArrowLeft")
    app.page.wait_for_function(OUTLINES_AT, arg=1)
    app.page.keyboard.press("Space")
    app.page.wait_for_function(PLAYING)
    app.page.wait_for_function("() => (" + SHOWN + ")().step >= 3")  # Play walks on by itself
    app.page.keyboard.press("Space")
    app.page.wait_for_function(f"() => !({PLAYING})()")  # paused
    assert app.page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop") == 0  # space did not scroll
    assert app.finished_runs() == runs  # no key ran the server
    assert not app.console_errors and not app.exceptions()


def test_the_step_bar_stays_in_view_when_the_figure_scrolls(app):
    plot = open_presenting(app)
    bar = app.page.locator("#rnnviz-stepbar")
    assert bar.is_hidden()  # the figure's own slider is in view
    plot.locator("rect.nsewdrag[data-subplot=x5y5]").first.scroll_into_view_if_needed()  # the third row (c, f)
    bar.wait_for(state="visible")
    assert app.in_viewport(bar)
    bar.locator("button[data-name=forward]").click()
    app.page.wait_for_function(OUTLINES_AT, arg=1)
    app.page.wait_for_function("() => document.querySelector('#rnnviz-stepbar span').textContent.includes('1 of')")
    assert not app.console_errors and not app.exceptions()


def test_turning_it_off_in_the_sidebar_gives_the_usual_page_back_and_the_keys_rest(app):
    open_presenting(app)
    assert app.page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "18px"
    # The sidebar's arrow sits in Streamlit's toolbar, which these tests hide (it changes between runs).
    app.page.evaluate("() => document.querySelector('[data-testid=stExpandSidebarButton]').click()")
    app.page.locator("[data-testid=stSidebar][data-collapsed=false]").wait_for(state="attached")
    with app.expect_run(shows=app.page.get_by_text("What these are: the LSTM equations")):
        app.page.get_by_test_id("stSidebar").get_by_text("Presenter mode").click()
    app.page.locator(".st-key-rnnviz_present_keys").wait_for(state="detached")
    assert "present=" not in app.page.url
    assert app.page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "16px"
    runs = app.finished_runs()
    app.page.keyboard.press("ArrowRight")  # a key now belongs to the page again, not to the figure
    assert app.page.evaluate(SHOWN)["step"] == 0 and app.page.evaluate(SHOWN)["slider"] == 0
    assert app.finished_runs() == runs
    assert not app.console_errors and not app.exceptions()

"""Stepping through time on the States page, in the browser: the slider and Play are Plotly's own,
so they move the outline and the bars without a single run of the server."""

import io

import numpy as np
import pytest
from PIL import Image

from rnnviz.figures.scrub import FRAME_MS

pytestmark = pytest.mark.browser

# What the page shows now: the step every outline marks (null if they disagree), the slider's
# step, and each row's bars and heatmap column at that step (all decoded from Plotly's binary form).
SHOWN = """
() => {
  const plot = document.querySelector('[data-testid=stMain] .js-plotly-plot');
  const outlines = plot._fullData.filter((t) => t.name === 'highlight').map((t) => t.x[0] + 0.5);
  const step = outlines.every((x) => x === outlines[0]) ? outlines[0] : null;
  const heatmaps = plot._fullData.filter((t) => t.type === 'heatmap');
  const bars = plot._fullData.filter((t) => t.type === 'bar');
  const first = heatmaps[0].x[0];
  return {
    step, slider: plot._fullLayout.sliders[0].active,
    bars: bars.map((b) => Array.from(b.x)),
    columns: step === null ? [] : heatmaps.map((h) => Array.from(h.z, (row) => row[step - first])),
  };
}
"""
OUTLINES_AT = "(step) => { const s = (" + SHOWN + ")(); return s.step === step && s.slider === step; }"


def click_stop(app, step: int) -> None:
    """Click the slider's stop for `step`, as a person does."""
    plot = app.page.get_by_test_id("stMain").locator(".js-plotly-plot").first
    plot.locator(".slider-rail-rect").first.scroll_into_view_if_needed()
    tick = plot.locator(".slider-tick-rect").nth(step).bounding_box()
    rail = plot.locator(".slider-rail-rect").first.bounding_box()
    app.page.mouse.click(tick["x"] + tick["width"] / 2, rail["y"] + rail["height"] / 2)


def heatmap_colours(app, subplot: str = "xy") -> int:
    """How many different colours the browser paints in one heatmap's plot area."""
    area = app.page.locator(f"[data-testid=stMain] .js-plotly-plot rect.nsewdrag[data-subplot={subplot}]").first
    shot = Image.open(io.BytesIO(area.screenshot())).convert("RGB")
    return len(set(shot.getdata()))


def test_clicking_the_slider_moves_every_outline_and_shows_that_steps_bars(app):
    app.open("/states", preset="guide-lstm")
    runs = app.finished_runs()
    assert app.page.evaluate(SHOWN)["step"] == 0
    for step in (20, 7, 31):
        click_stop(app, step)
        app.page.wait_for_function(OUTLINES_AT, arg=step)
        shown = app.page.evaluate(SHOWN)
        assert len(shown["bars"]) == 6  # h, c and four gates
        for bars, column in zip(shown["bars"], shown["columns"]):  # bars are the heatmap's column at that step
            np.testing.assert_allclose(bars, column, atol=1e-6)
        # Still painted: Plotly drops the heatmap traces when it plays a frame; the pictures under them stay.
        assert heatmap_colours(app, "xy") > 50 and heatmap_colours(app, "x11y11") > 50
    assert app.finished_runs() == runs  # scrubbing ran nothing on the server
    assert not app.console_errors and not app.exceptions()


def test_play_walks_through_the_steps_and_pause_stops_it(app):
    app.open("/states", preset="guide-lstm")
    plot = app.page.get_by_test_id("stMain").locator(".js-plotly-plot").first
    plot.locator(".updatemenu-button", has_text="Play").click()
    app.page.wait_for_function("() => (" + SHOWN + ")().step >= 3")
    plot.locator(".updatemenu-button", has_text="Pause").click()
    paused = app.page.evaluate(SHOWN)["step"]
    app.page.wait_for_timeout(3 * FRAME_MS)  # long enough for three more steps, were it still playing
    assert app.page.evaluate(SHOWN)["step"] in (paused, paused + 1)  # at most the frame already under way
    after = app.page.evaluate(SHOWN)
    for bars, column in zip(after["bars"], after["columns"]):
        np.testing.assert_allclose(bars, column, atol=1e-6)
    assert not app.console_errors and not app.exceptions()


def test_hovering_a_heatmap_cell_names_its_step_number_not_the_token_under_it(app):
    # Issue 13: the hover said "step w": Plotly printed the tick's token for a step that has one.
    app.open("/states", preset="guide-lstm")  # typed text: step 0 is labelled with a letter
    plot = app.page.get_by_test_id("stMain").locator(".js-plotly-plot").first
    plot.scroll_into_view_if_needed()
    first_tick, timesteps = app.page.evaluate("""() => {
        const plot = document.querySelector('[data-testid=stMain] .js-plotly-plot');
        return [plot.layout.xaxis.ticktext[0], plot._fullData[0].x.length];
    }""")
    assert first_tick != "0"  # a token labels step 0
    area = plot.locator("rect.nsewdrag[data-subplot=xy]").first.bounding_box()
    app.page.mouse.move(area["x"] + area["width"] * 0.5 / timesteps, area["y"] + 10)  # the middle of step 0's column
    hover = app.page.locator(".hoverlayer .hovertext").first
    hover.wait_for()
    text = hover.text_content()
    assert "step 0" in text and f"step {first_tick}" not in text, text

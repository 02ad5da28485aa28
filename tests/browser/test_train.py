"""The Train page in the browser: train sentiment, watch the curve grow, then see the coloured text on States."""

import pytest

pytestmark = pytest.mark.browser

# Baselines this file makes besides the per-page shots of test_screenshots (test_baselines reads it).
SHOT_NAMES = ("train-sentiment-trained", "states-sentiment-coloured-text")

_CURVE_POINTS = """() => {
  const plot = [...document.querySelectorAll('.js-plotly-plot')]
    .find((p) => (p.layout?.title?.text || '').includes('Training: loss'));
  return plot && plot._fullData && plot._fullData[0] ? plot._fullData[0].x.length : 0;
}"""
_TIMES = "[data-testid=stCaptionContainer]:has-text(' epochs in ')"  # measured seconds


def _curve_points(app) -> int:
    return app.page.evaluate(_CURVE_POINTS)


def test_train_sentiment_epoch_by_epoch_then_the_coloured_text_on_states(app, assert_screenshot):
    app.open("/train")
    page = app.page
    task = page.get_by_test_id("stSelectbox").filter(has_text="Task").get_by_role("combobox")
    assert task.input_value() == "Sentiment counting"  # the first task, chosen when the page opens
    before = app.finished_runs()
    # Every few milliseconds, note the epoch the progress bar names and how many the curve shows.
    page.evaluate(f"""() => {{ window.__epochs = new Set(); window.__points = new Set();
      window.__watch = setInterval(() => {{
        const bar = document.querySelector('[data-testid=stProgress]');
        const m = bar && bar.innerText.match(/Epoch (\\d+) of/);
        if (m) window.__epochs.add(Number(m[1]));
        window.__points.add(({_CURVE_POINTS})());
      }}, 10); }}""")
    page.get_by_test_id("stBaseButton-primary").filter(has_text="Train").click()
    page.wait_for_function(f"() => ({_CURVE_POINTS})() >= 1", timeout=120_000)
    app.wait_for_run(before)
    epochs, points = page.evaluate(
        "() => { clearInterval(window.__watch); return [[...window.__epochs], [...window.__points]]; }")
    assert not app.exceptions()
    # The page drew epoch after epoch while training: the progress bar, and the curve growing point by point.
    assert len([e for e in epochs if e < 8]) >= 2, f"the progress did not move epoch by epoch: saw {sorted(epochs)}"
    assert [p for p in points if 0 < p < 8], f"the curve did not grow while training: saw {sorted(points)} points"
    assert max(points) == 8 and page.get_by_test_id("stProgress").count() == 0
    assert _curve_points(app) == 8  # every epoch, kept after the run
    sidebar = page.get_by_test_id("stSidebar").inner_text()
    assert "trained on sentiment, seed 0, " in sidebar
    assert_screenshot(app, "train-sentiment-trained", mask=[_TIMES])

    with app.expect_run():  # the sidebar's link keeps this session (a new URL would start a new one)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="States", exact=True).click()
    assert not app.exceptions()
    text = page.locator(".js-plotly-plot").filter(has_text="The text coloured by")
    assert text.count() == 1
    boxes = page.evaluate("""() => {
      const plot = [...document.querySelectorAll('.js-plotly-plot')]
        .find((p) => (p.layout?.title?.text || '').includes('The text coloured by'));
      return plot._fullData[0].text.flat().filter((t) => t !== '').length;
    }""")
    assert boxes >= 20 and boxes % 20 == 0  # one box per word of each 20-word review shown
    assert "Samples of the task sentiment" in page.get_by_test_id("stSidebar").inner_text()
    assert_screenshot(app, "states-sentiment-coloured-text")

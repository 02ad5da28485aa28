"""Every page opened with `?lang=ko` speaks Korean: its main area, its sidebar and its charts show
Korean, and no English sentence (tests/english_text.py says what counts as one: Keras names, code,
symbols and numbers stay English, as the Korean Keras guide keeps them). Hangul in the charts is
drawn (Noto Sans CJK), as each page's Korean baseline shows.

The pages come from app.py's st.navigation list, so a new page is checked without touching this file.
"""

import pytest

from english_text import english_runs, has_hangul
from rnnviz.i18n import _, use_language
from streamlit_app import app_pages

pytestmark = pytest.mark.browser

PAGES = app_pages()
SHOT_NAMES = tuple(f"{page.url_path}-ko" for page in PAGES)  # baselines this file makes (test_baselines reads it)
with use_language("ko"):  # the timing chart's axis title, in Korean
    _TIMES_AXIS = _("ms per pass: median, whiskers<br>over the middle half of the passes").split("<br>")[0]
MASKS = {  # url_path -> what changes from run to run on that page, as in test_screenshots
    "cells-and-layers": [f"[data-testid=stPlotlyChart]:has-text('{_TIMES_AXIS}')"],  # measured times
}

# Not text a person reads as the page's: code and formulas (English by nature), icons (Streamlit draws
# a Material symbol from its name, e.g. "home"), the file uploader's own instructions (Streamlit's,
# which no app can set), what a person types (a text box holds their data: the sample text is the
# model's input, not a sentence to them), and charts (read from their SVG below).
SKIPPED = ("code, pre, .katex, [data-testid=stCode], [data-testid=stIconMaterial], .js-plotly-plot, "
           "[data-testid=stFileUploaderDropzoneInstructions], textarea, input, script, style")

# The visible text of the main area and the sidebar, a line per block (inline elements such as bold or
# links stay in their sentence; a skipped element reads as a separator), and every text of every chart.
VISIBLE_TEXT = """
(skipped) => {
  const blockOf = (el) => {
    while (el.parentElement && getComputedStyle(el).display.startsWith('inline')) el = el.parentElement;
    return el;
  };
  const read = (root) => {
    if (!root) return '';
    const out = [];
    let block = null;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || !node.textContent.trim()) continue;
      if (el.closest(skipped) || getComputedStyle(el).fontFamily.includes('Material Symbols')) {
        out.push(' \u00b7 ');  // an icon in markdown (":material/link:") is its name drawn in that font
        continue;
      }
      if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
      const b = blockOf(el);
      if (b !== block) { out.push('\\n'); block = b; }
      out.push(node.textContent);
    }
    return out.join('');
  };
  const charts = [...document.querySelectorAll('.js-plotly-plot svg text')].map((t) => {
    const lines = t.querySelectorAll('tspan.line');  // a <br> in a Plotly text: one tspan a line
    return lines.length ? [...lines].map((l) => l.textContent).join('\\n') : t.textContent;
  }).filter((s) => s.trim());
  return {main: read(document.querySelector('[data-testid=stMain]')),
          sidebar: read(document.querySelector('[data-testid=stSidebar]')), charts: charts};
}
"""


def problems(texts: dict) -> list[str]:
    """What keeps a page from being Korean: a part (main, sidebar, charts) with no Hangul, and every
    English run found in each part, once each."""
    parts = {"main": [texts["main"]], "sidebar": [texts["sidebar"]], "charts": texts["charts"]}
    found = [f"{part}: no Korean at all" for part, shown in parts.items()
             if shown and not any(map(has_hangul, shown))]
    for part, shown in parts.items():
        runs = dict.fromkeys(run for text in shown for run in english_runs(text))
        found += [f"{part}: {run!r}" for run in runs]
    return found


@pytest.mark.parametrize("page", PAGES, ids=[page.url_path for page in PAGES])
def test_a_korean_page_shows_korean_and_no_english_sentence(app, assert_screenshot, page):
    app.open(page.path, lang="ko")
    assert not app.exceptions()
    assert app.page.evaluate("() => new URLSearchParams(location.search).get('lang')") == "ko"  # kept for links
    texts = app.page.evaluate(VISIBLE_TEXT, SKIPPED)
    assert texts["main"].strip() and texts["sidebar"].strip(), "nothing read from the page"
    assert_screenshot(app, f"{page.url_path}-ko", mask=MASKS.get(page.url_path, ()))
    found = problems(texts)
    assert not found, f"{page.url_path} with ?lang=ko is not all Korean:\n  " + "\n  ".join(found)

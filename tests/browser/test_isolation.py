"""Several people at once: each browser session keeps its own stateful layer, inputs and traces.

Three browser contexts (three people) drive the Stateful page at the same time with different chunk
lengths, feeding and resetting in interleaved order, their clicks in flight together on the server.
Each must show exactly what one person alone would see: the numbers are computed here by a fresh
`StatefulSession` doing the same steps. A rerun that interrupts a running trace leaves the page
showing what a fresh session shows for the final input.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from rnnviz.lessons.stateful import StatefulSession, StatefulSetup
from streamlit_app import AppPage, new_context, tail

pytestmark = pytest.mark.browser

CHUNKS = {"A": 100, "B": 250, "C": 400}  # chunk lengths: 16, 7 and 4 batches of the 1,548-step sequence
# Rounds of actions, each round's clicks sent together: "feed", "reset", or nothing for that person.
ROUNDS = [
    {"A": "feed", "B": "feed", "C": "feed"},
    {"A": "feed", "C": "feed"},
    {"A": "reset", "B": "feed"},
    {"A": "feed", "B": "feed", "C": "feed"},
    {"C": "feed"},
]


@pytest.fixture
def people(browser, server, server_log):
    """Three browser contexts on the app at once; fails on any console error in any of them."""
    server.check_alive()
    contexts, pages = [], {}
    try:
        for name in CHUNKS:
            context = new_context(browser)
            contexts.append(context)
            pages[name] = AppPage(context.new_page(), server.url)
        yield pages
    finally:
        for context in contexts:
            context.close()
    errors = [f"{name}: {e}" for name, page in pages.items() for e in page.console_errors]
    assert not errors, "console errors:\n" + "\n".join(errors) + f"\nserver log:\n{tail(server_log)}"


@contextlib.contextmanager
def together(pages: list[AppPage]):
    """Send every page's action before waiting for any run: the server runs them at the same time."""
    before = [p.started_runs() for p in pages]
    yield
    for page, count in zip(pages, before):
        page.wait_for_run(count)


def main(page: AppPage):
    return page.page.get_by_test_id("stMain")


def feed_button(page: AppPage):
    return main(page).get_by_role("button", name="Feed batch")


class Alone:
    """What one person alone would see: the same steps on a fresh stateful layer in this process."""

    def __init__(self, chunk: int):
        self.session = StatefulSession(StatefulSetup(chunk=chunk))

    def do(self, action: str) -> None:
        self.session.feed() if action == "feed" else self.session.reset_state()

    def fed(self) -> str:
        return f"{len(self.session.fed)} of {len(self.session.setup.bounds)}"

    def largest(self) -> float:
        return float(np.abs(self.session.states()[0]).max())


def test_three_sessions_feeding_a_stateful_layer_at_once_do_not_leak(people):
    for page in people.values():
        page.open("/stateful")
    changed = [people[n] for n in CHUNKS if CHUNKS[n] != 100]
    with together(changed):
        for name in ("B", "C"):
            box = main(people[name]).get_by_role("spinbutton", name="Chunk length (steps per batch)")
            box.fill(str(CHUNKS[name]))
            box.press("Enter")
    alone = {name: Alone(chunk) for name, chunk in CHUNKS.items()}
    for name, page in people.items():
        assert page.metric("Batches fed") == alone[name].fed() == f"0 of {len(alone[name].session.setup.bounds)}"

    for number, actions in enumerate(ROUNDS, 1):
        with together([people[n] for n in actions]):
            for name, action in actions.items():
                if action == "feed":
                    feed_button(people[name]).click()
                else:
                    main(people[name]).get_by_role("button", name="layer.reset_state()").click()
        for name, action in actions.items():
            alone[name].do(action)
        for name, page in people.items():  # everyone, also those who did nothing this round
            where = f"round {number}, person {name}"
            assert page.metric("Batches fed") == alone[name].fed(), where
            shown = float(page.metric("Kept state: largest |h|"))
            assert shown == pytest.approx(alone[name].largest(), abs=2e-4), where
            starts = "zeros" if alone[name].largest() == 0 else "the kept state"
            assert page.metric("The next batch starts from") == starts, where
            assert not page.exceptions(), where
    # After A's reset in round 3 and its feed in round 4, A's last chunk started from zeros; the others never did.
    assert [c.after_reset for c in alone["A"].session.fed] == [False, False, True]
    assert main(people["C"]).get_by_role("button", name="Every chunk fed").is_disabled()


def heatmap(page: AppPage) -> dict:
    """The first heatmap's step labels and values, as Plotly holds them in the page."""
    return page.page.evaluate("""() => {
        const plot = document.querySelector('[data-testid=stMain] .js-plotly-plot');
        const trace = plot._fullData.find((d) => d.type === 'heatmap');  // decoded from Plotly's binary form
        return {ticks: plot.layout.xaxis.ticktext || [], z: Array.from(trace.z, (row) => Array.from(row))};
    }""")


def type_text(page: AppPage, text: str) -> None:
    box = page.page.get_by_test_id("stSidebar").get_by_role("textbox", name="Text")
    box.fill(text)
    box.press("Control+Enter")


def test_a_rerun_that_interrupts_a_trace_leaves_nothing_corrupt(people):
    hasty, fresh = people["A"], people["B"]
    hasty.open("/states", preset="guide-lstm")
    fresh.open("/states", preset="guide-lstm")
    final = "zyxwvu"
    before = hasty.started_runs()
    type_text(hasty, "a long first text that takes a while to trace; " * 30)
    hasty.page.wait_for_function(  # the run has started (or, on a fast machine, already ended)
        """(before) => document.querySelector('[data-testid=stApp][data-test-script-state=running]')
                       || window.__rnnviz.finishedStart > before""", arg=before)
    type_text(hasty, final)  # usually while the first run is still tracing: Streamlit stops it and reruns
    hasty.page.wait_for_function(
        """([before, final]) => {
            const plot = document.querySelector('[data-testid=stMain] .js-plotly-plot');
            const ticks = plot && plot.layout && plot.layout.xaxis.ticktext;
            return window.__rnnviz.finishedStart > before && ticks && ticks.join('') === final;
        }""", arg=[before, final])
    hasty.wait_for_run(before)
    with fresh.expect_run():
        type_text(fresh, final)
    seen, expected = heatmap(hasty), heatmap(fresh)
    assert seen["ticks"] == expected["ticks"] == list(final)
    assert len(seen["z"]) > 1 and all(len(row) == len(final) for row in seen["z"])  # units x steps
    np.testing.assert_allclose(np.array(seen["z"], float), np.array(expected["z"], float), atol=1e-6)
    assert not hasty.exceptions() and not fresh.exceptions()

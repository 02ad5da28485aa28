"""AppTest helpers shared by the page tests."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def page_of(page: str, preset: str, lang: str | None = None) -> AppTest:
    """`page` (e.g. "pages/build.py") of a fresh session opened on `preset` (and `lang`) by its link,
    run without an exception."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["preset"] = preset
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def states_page(preset: str) -> AppTest:
    """The States page of a fresh session opened on `preset` (by its link), run without an exception."""
    return page_of("pages/states.py", preset)

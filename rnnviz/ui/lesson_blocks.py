"""What every guide lesson page shows the same way: its heading and link, a difference, shapes, the code."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import streamlit as st

GUIDE_URL = "https://keras.io/guides/working_with_rnns/"
EQUAL_BELOW = 1e-5  # float32 rounding: differences below this are "equal"


def lesson_intro(title: str, explanation: str, url_path: str, *, guide_section: str) -> None:
    """The page title, the idea in plain words, and the page's shareable link.

    Args:
        title: the page title.
        explanation: Markdown, a few sentences.
        url_path: the page's path in app.py, e.g. "stateful".
        guide_section: the title of the section of the Keras guide the page teaches.
    """
    st.title(title)
    st.caption(f":material/menu_book: Keras guide [“Working with RNNs”]({GUIDE_URL}), section “{guide_section}”")
    st.markdown(explanation)
    share_link(url_path)


def share_link(url_path: str) -> None:
    """A caption with the address that opens this page."""
    # st.context.url itself can mangle a page path that ends like another page's ("outputs-and-states"
    # loses "states"), so only its scheme and host are kept.
    parts = urlsplit(st.context.url or "")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    path = f"/{base}/{url_path}" if base else f"/{url_path}"
    url = f"{parts.scheme}://{parts.netloc}{path}" if parts.netloc else path
    st.caption(f":material/link: Link to this lesson: `{url}`")


def shape_text(shape: Sequence[int | None]) -> str:
    """A shape as Python prints it: (64, 100, 128), (None, 128), (5,)."""
    return str(tuple(shape))


def difference(label: str, value: float, *, help: str) -> None:
    """A difference that should be zero, as a metric, with a one-line verdict under it.

    Args:
        label: what is compared, e.g. "last step − final h".
        value: the largest |difference|.
        help: how it is computed (shown on hover).
    """
    st.metric(label, "0" if value == 0 else f"{value:.2e}", help=help)
    if value <= EQUAL_BELOW:
        st.caption(":material/check_circle: equal" + ("" if value == 0 else " up to float32 rounding"))
    else:
        st.caption(f":material/error: not equal: they differ by up to {value:.3g}")


def keras_code(code: str, *, note: str = "Copy it (the icon at its top right) and run it: it prints the shapes "
                                         "and differences shown on this page.") -> None:
    """The Keras code that reproduces the page, copyable, with a line on what it prints."""
    st.subheader("The Keras code")
    st.caption(note)
    st.code(code, language="python")


def sample_picker(key: str, batch: int, *, label: str = "Sample shown") -> int:
    """Which sample of the batch the figures show."""
    if batch <= 1:
        return 0
    return int(st.number_input(label, 0, batch - 1, 0, key=key, help=f"0 to {batch - 1}: the figures show one sample"))

"""What every guide lesson page shows the same way: its heading and link, a difference, shapes, the code."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import streamlit as st

from rnnviz.i18n import N_, _

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
    st.caption(":material/menu_book: " + _("Keras guide [“Working with RNNs”]({url}), section “{section}”").format(
        url=GUIDE_URL, section=guide_section))
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
    st.caption(":material/link: " + _("Link to this lesson: {link}").format(link=f"`{url}`"))


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
        st.caption(":material/check_circle: " + (_("equal") if value == 0 else _("equal up to float32 rounding")))
    else:
        st.caption(":material/error: " + _("not equal: they differ by up to {value:.3g}").format(value=value))


KERAS_CODE_NOTE = N_("Copy it (the icon at its top right) and run it: it prints the shapes and differences shown "
                     "on this page.")


def keras_code(code: str, *, note: str | None = None) -> None:
    """The Keras code that reproduces the page, copyable, with a line on what it prints (`note`, already
    translated; `KERAS_CODE_NOTE` by default)."""
    st.subheader(_("The Keras code"))
    st.caption(_(KERAS_CODE_NOTE) if note is None else note)
    st.code(code, language="python")


def sample_picker(key: str, batch: int, *, label: str | None = None) -> int:
    """Which sample of the batch the figures show; `label`, already translated, defaults to "Sample shown"."""
    if batch <= 1:
        return 0
    return int(st.number_input(_("Sample shown") if label is None else label, 0, batch - 1, 0, key=key,
                               help=_("0 to {last}: the figures show one sample").format(last=batch - 1)))

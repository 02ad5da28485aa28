"""What every guide lesson page shows the same way: its heading and link, a difference, shapes, the code."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from rnnviz.i18n import N_, _

GUIDE_URL = "https://keras.io/guides/working_with_rnns/"
EQUAL_BELOW = 1e-5  # float32 rounding: differences below this are "equal"


def lesson_intro(title: str, explanation: str, *, guide_section: str) -> None:
    """The page title, the guide's section and the idea in plain words.

    Args:
        title: the page title.
        explanation: Markdown, a few sentences.
        guide_section: the title of the section of the Keras guide the page teaches.
    """
    st.title(title)
    st.caption(":material/menu_book: " + _("Keras guide [“Working with RNNs”]({url}), section “{section}”").format(
        url=GUIDE_URL, section=guide_section))
    st.markdown(explanation)  # the sidebar's "Link to this picture" gives the page's link, settings and all


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

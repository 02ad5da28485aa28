"""Every Plotly chart the app shows goes through `chart`, so each one downloads the same way.

The modebar's camera button saves a PNG at projector resolution: 1920 px wide and at least
1080 px tall (a taller figure keeps its own height, so its rows are not squashed).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from rnnviz.figures.style import enlarge
from rnnviz.ui import presenter

PNG_WIDTH = 1920
PNG_HEIGHT = 1080
PNG_SCALE = 1


def png_config(fig: go.Figure | dict, filename: str) -> dict:
    """Plotly's config for a chart: the PNG download's size and file name, no Plotly logo."""
    shown = fig.get("layout", {}).get("height") if isinstance(fig, dict) else fig.layout.height  # dict: scrub.at_step
    height = max(PNG_HEIGHT, int(shown or 0))
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename.replace(".", "-"),
                                 "width": PNG_WIDTH, "height": height, "scale": PNG_SCALE},
    }


def chart(fig: go.Figure | dict, *, key: str | None = None, where=None, name: str | None = None, **kwargs) -> None:
    """`st.plotly_chart` with the app's PNG download (see `png_config`), in presenter mode with its larger type.

    Args:
        fig: the figure.
        key: the element's key; it names the PNG file too.
        where: a container or `st.empty()` placeholder to draw in (a chart redrawn live); the page by default.
        name: the PNG's file name when there is no key.
        **kwargs: passed on to `plotly_chart`.
    """
    filename = f"rnnviz-{key or name or 'chart'}"
    style = presenter.figure_style()
    if presenter.is_on() and isinstance(fig, go.Figure) and (fig.layout.font.size or 0) < style.font:  # built smaller
        fig = go.Figure(fig)  # a copy: the figure may be cached for the normal look too
        enlarge(fig, style)
    (where or st).plotly_chart(fig, key=key, config=png_config(fig, filename), **kwargs)

"""Every Plotly chart the app shows goes through `chart`, so each one downloads the same way.

The modebar's camera button saves a PNG at projector resolution: 1920 px wide and at least
1080 px tall (a taller figure keeps its own height, so its rows are not squashed).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

PNG_WIDTH = 1920
PNG_HEIGHT = 1080
PNG_SCALE = 1


def png_config(fig: go.Figure, filename: str) -> dict:
    """Plotly's config for a chart: the PNG download's size and file name, no Plotly logo."""
    height = max(PNG_HEIGHT, int(fig.layout.height or 0))
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename.replace(".", "-"),
                                 "width": PNG_WIDTH, "height": height, "scale": PNG_SCALE},
    }


def chart(fig: go.Figure, *, key: str, **kwargs) -> None:
    """`st.plotly_chart` with the app's PNG download (see `png_config`); `key` names the file too."""
    st.plotly_chart(fig, key=key, config=png_config(fig, f"rnnviz-{key}"), **kwargs)

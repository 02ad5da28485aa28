"""The device line every page shows."""

from __future__ import annotations

import streamlit as st

from rnnviz.device import DeviceInfo, device_info
from rnnviz.i18n import _
from rnnviz.ui.serving import replica_name


@st.cache_resource(show_spinner=False)
def _info() -> DeviceInfo:
    return device_info()  # immutable: safe to share between sessions


def show_device_line() -> None:
    """Write the device line at the bottom of the sidebar."""
    replica = replica_name()  # behind a proxy (deploy/): which process holds this session
    st.sidebar.caption(f":material/memory: {_info().label}"
                       + (" · " + _("replica {name}").format(name=replica) if replica else ""))

"""The current model: chosen from a preset (also by `?preset=NAME`) or edited on the Build page."""

from __future__ import annotations

import keras
import streamlit as st

from rnnviz.build import build_model
from rnnviz.presets import DEFAULT_PRESET, get_preset, preset_names
from rnnviz.spec import ModelSpec
from rnnviz.summary import ModelSummary, summarize_model
from rnnviz.ui import keys

_MAX_MODELS_PER_SESSION = 3


def load_preset(name: str) -> None:
    """Make preset `name` the current model (draft and last good) and put it in the URL."""
    spec = get_preset(name).spec
    st.session_state[keys.DRAFT_SPEC] = spec
    st.session_state[keys.GOOD_SPEC] = spec
    st.session_state[keys.PRESET] = name
    st.session_state[keys.EDITED] = False
    st.session_state[keys.PRESET_PICKER] = name
    st.session_state[keys.EDITOR_GENERATION] = st.session_state.get(keys.EDITOR_GENERATION, 0) + 1
    st.query_params["preset"] = name


def sync_with_url() -> None:
    """Open the preset the URL names, once per change of the URL; keep the URL naming the current preset."""
    wanted = st.query_params.get("preset")
    if wanted is not None and wanted not in preset_names():
        st.error(f"The link asks for preset **{wanted}**, which does not exist. "
                 f"Choose one of: {', '.join(preset_names())}. Showing **{DEFAULT_PRESET}** instead.")
        wanted = None
    if keys.GOOD_SPEC not in st.session_state:
        load_preset(wanted or DEFAULT_PRESET)
    elif wanted and wanted != st.session_state.get(keys.PRESET):
        load_preset(wanted)
    elif st.session_state.get(keys.PRESET):
        st.query_params["preset"] = st.session_state[keys.PRESET]  # page switches drop query params


def preset_picker() -> None:
    """The sidebar's preset choice, shared by every page."""
    names = preset_names()
    st.sidebar.selectbox(
        "Model",
        names,
        key=keys.PRESET_PICKER,
        format_func=lambda n: get_preset(n).title,
        on_change=lambda: load_preset(st.session_state[keys.PRESET_PICKER]),
        help="A model from the Keras guide “Working with RNNs”. Edit it on the Build page.",
    )
    st.sidebar.caption(f"Link to this model: `?preset={st.session_state[keys.PRESET_PICKER]}`")
    if st.session_state.get(keys.EDITED):
        st.sidebar.caption(":material/edit: edited on the Build page")


def good_spec() -> ModelSpec:
    """The last valid model description: what every page shows."""
    return st.session_state[keys.GOOD_SPEC]


def draft_spec() -> ModelSpec:
    """The model description being edited (may be invalid)."""
    return st.session_state[keys.DRAFT_SPEC]


def set_draft(spec: ModelSpec, *, valid: bool) -> None:
    """Store an edit; a valid one also becomes the current model."""
    if spec != st.session_state.get(keys.DRAFT_SPEC):
        st.session_state[keys.EDITED] = True
    st.session_state[keys.DRAFT_SPEC] = spec
    if valid:
        st.session_state[keys.GOOD_SPEC] = spec


def session_model(spec: ModelSpec) -> keras.Model:
    """A model built for this session alone (stateful layers must never be shared)."""
    models: dict = st.session_state.setdefault(keys.MODELS, {})
    if spec not in models:
        while len(models) >= _MAX_MODELS_PER_SESSION:
            models.pop(next(iter(models)))
        models[spec] = build_model(spec)
    return models[spec]


@st.cache_data(show_spinner="Building the model…", max_entries=64)
def cached_summary(spec: ModelSpec) -> ModelSummary:
    """Summary of a valid spec; plain data, so it is safe to share between sessions."""
    return summarize_model(build_model(spec))

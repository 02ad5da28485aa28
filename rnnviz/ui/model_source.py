"""The current model: a preset (also by `?preset=NAME`), its edit from the Build page, or the
person's own uploaded `.keras` file. Everything here belongs to one session."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

import keras
import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from rnnviz.build import build_model
from rnnviz.i18n import N_, _
from rnnviz.limits import MAX_MODEL_BYTES
from rnnviz.load_worker import load_model_capped, start_worker
from rnnviz.presets import DEFAULT_PRESET, get_preset, preset_names
from rnnviz.spec import ModelSpec
from rnnviz.summary import ModelSummary, summarize_model
from rnnviz.ui import keys, own_link
from rnnviz.ui.janitor import start_memory_janitor

_MAX_MODELS_PER_SESSION = 3


@dataclass(frozen=True, eq=False)
class UploadedModel:
    """A model a person opened from a file; `digest` identifies its contents."""

    filename: str
    digest: str
    model: keras.Model


@dataclass(frozen=True, eq=False)
class CurrentModel:
    """What every page shows. `key` is hashable and changes whenever the model does."""

    key: tuple
    label: str
    model: keras.Model
    spec: ModelSpec | None  # None for an uploaded or trained model
    task: str | None = None  # the toy task a trained model learned (see rnnviz.ui.trained)


DEFAULT_WEIGHTS = "vivid"  # an untrained model with Keras's initializers shows states near 0 and gates near 0.5


def load_preset(name: str) -> None:
    """Make preset `name` the current model (draft and last good) and put it in the URL."""
    spec = replace(get_preset(name).spec, weights=st.session_state.get(keys.WEIGHTS, DEFAULT_WEIGHTS))
    st.session_state[keys.DRAFT_SPEC] = spec
    st.session_state[keys.GOOD_SPEC] = spec
    st.session_state[keys.PRESET] = name
    st.session_state[keys.EDITED] = False
    st.session_state[keys.PRESET_PICKER] = name
    st.session_state[keys.SOURCE] = "preset"
    st.session_state[keys.EDITOR_GENERATION] = st.session_state.get(keys.EDITOR_GENERATION, 0) + 1
    st.query_params["preset"] = name


def sync_with_url() -> None:
    """Open the preset the URL names, once per change of the URL; keep the URL naming the current preset."""
    wanted = st.query_params.get("preset")
    if wanted is not None and wanted not in preset_names():
        st.error(_("The link asks for preset **{wanted}**, which does not exist. "
                   "Choose one of: {choices}. Showing **{default}** instead.").format(
            wanted=wanted, choices=", ".join(preset_names()), default=DEFAULT_PRESET))
        wanted = None
    st.session_state.setdefault(keys.WEIGHTS, DEFAULT_WEIGHTS)
    if keys.GOOD_SPEC not in st.session_state:
        load_preset(wanted or DEFAULT_PRESET)
    elif wanted and wanted != st.session_state.get(keys.PRESET):
        load_preset(wanted)
    elif st.session_state.get(keys.SOURCE) == "preset" and st.session_state.get(keys.PRESET):
        st.query_params["preset"] = st.session_state[keys.PRESET]  # page switches drop query params


UPLOAD_OPTION = "(your file)"  # the Model box's entry for the person's own file, beside the presets
TRAINED_OPTION = "(trained here)"  # its entry for the model trained on the Train page


def model_picker(*, own_model: str | None = None) -> None:
    """The sidebar's model choice, shared by every page: a preset, or your own `.keras` file.

    Args:
        own_model: on a page that builds a model of its own, why; the sidebar then says which
            model the page uses and greys out the controls that would do nothing there.
    """
    start_memory_janitor()
    start_worker()  # the capped loader's forkserver imports TensorFlow now, not at the first upload
    if own_model:
        st.sidebar.info(_("**This page uses its own model:** {own_model}. The Model and Weights below apply "
                          "to Build and States.").format(own_model=own_model), icon=":material/info:")
    stored = st.session_state.get(keys.UPLOADED)
    trained = st.session_state.get(keys.TRAINED_CURRENT)
    options = [*preset_names(), *([UPLOAD_OPTION] if stored is not None else []),
               *([TRAINED_OPTION] if trained is not None else [])]
    if st.session_state.get(keys.SOURCE) == "trained":  # set by the Train page, after this box was drawn
        st.session_state[keys.PRESET_PICKER] = TRAINED_OPTION
    st.sidebar.selectbox(
        _("Model"),
        options,
        key=keys.PRESET_PICKER,
        format_func={n: (_("Your file: {filename}").format(filename=stored.filename) if n == UPLOAD_OPTION else
                         _("Trained here: {task}").format(task=trained.task) if n == TRAINED_OPTION else
                         _(get_preset(n).title)) for n in options}.__getitem__,  # made in this run, in its language
        on_change=_pick_model,
        disabled=bool(own_model),
        help=_("A model from the Keras guide “Working with RNNs”, or your own file. Edit a preset on the Build page."),
    )
    uploaded = uploaded_model()
    st.sidebar.radio(
        _("Weights"), ("vivid", "keras"), key=keys.WEIGHTS, horizontal=True, on_change=_change_weights,
        format_func={w: _(label) for w, label in WEIGHT_LABELS.items()}.__getitem__,
        disabled=bool(own_model) or uploaded is not None or st.session_state.get(keys.SOURCE) == "trained",
        help=_(UPLOADED_WEIGHTS) if uploaded is not None or st.session_state.get(keys.SOURCE) == "trained" else
        _("The presets are untrained. Keras's own initial weights leave their states near 0 and their "
          "gates near 0.5; vivid random weights are drawn larger so every quantity spreads over its range. "
          "Shapes and parameter counts are the same."),
    )
    if uploaded is not None:
        st.sidebar.caption(":material/upload_file: " + _("Showing your model **{filename}** with the "
                                                         "weights saved in it. Pick a preset above to go back.")
                           .format(filename=uploaded.filename))
    elif st.session_state.get(keys.SOURCE) == "trained":
        st.sidebar.caption(":material/model_training: " + _("Showing the model **{label}**. "
                                                            "Pick a preset above to go back.")
                           .format(label=current_model().label))
    elif st.session_state.get(keys.EDITED):  # the link that keeps it: the sidebar's "Link to this picture"
        st.sidebar.caption(":material/edit: " + _("edited on the Build page"))
    with st.sidebar.expander(_("Open your own model")):
        st.file_uploader(_("A Keras 3 `.keras` file, up to {mb} MB").format(mb=MAX_MODEL_BYTES // 1024**2),
                         type=["keras"],
                         key=keys.UPLOADER, on_change=_open_upload, disabled=bool(own_model),
                         help=_("Saved with model.save('name.keras'). Loaded in Keras's safe mode: "
                                "no code from the file runs, and Lambda layers are refused."))
        if st.session_state.get(keys.UPLOAD_ERROR):
            st.error(st.session_state[keys.UPLOAD_ERROR])


WEIGHT_LABELS = {"vivid": N_("vivid random"), "keras": N_("Keras's initial")}  # the Weights switch's choices
UPLOADED_WEIGHTS = N_("Your file, or a model trained here, keeps its own weights: the Weights switch applies to "
                      "the presets only.")


def _pick_model() -> None:
    """The Model box changed: back to a preset (even the one shown before the upload), or to the file."""
    choice = st.session_state[keys.PRESET_PICKER]
    if choice in (UPLOAD_OPTION, TRAINED_OPTION):
        st.session_state[keys.SOURCE] = "upload" if choice == UPLOAD_OPTION else "trained"
        st.query_params.pop("preset", None)
    else:
        load_preset(choice)


def _change_weights() -> None:
    weights = st.session_state[keys.WEIGHTS]
    for key in (keys.DRAFT_SPEC, keys.GOOD_SPEC):
        st.session_state[key] = replace(st.session_state[key], weights=weights)


def _open_upload() -> None:
    file = st.session_state.get(keys.UPLOADER)
    st.session_state[keys.UPLOAD_ERROR] = None
    if file is None:
        return
    data = file.getvalue()
    try:
        model = load_model_capped(data, file.name, abandoned=_session_gone())
    except ValueError as err:
        st.session_state[keys.UPLOAD_ERROR] = f"{err}"
        return
    st.session_state[keys.UPLOADED] = UploadedModel(file.name, hashlib.sha256(data).hexdigest(), model)
    own_link.keep("upload", data, {"filename": file.name})  # for a reload of the page: see rnnviz.ui.reopen
    st.session_state[keys.SOURCE] = "upload"
    st.session_state[keys.PRESET_PICKER] = UPLOAD_OPTION
    st.query_params.pop("preset", None)


def _session_gone() -> Callable[[], bool] | None:
    """True once this session's browser has gone, so an upload's capped load stops; None outside a server."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return None
    runtime, session = Runtime.instance(), ctx.session_id
    return lambda: not runtime.is_active_session(session)


def uploaded_model() -> UploadedModel | None:
    """The person's own model when it is the one shown, else None."""
    return st.session_state[keys.UPLOADED] if st.session_state.get(keys.SOURCE) == "upload" else None


def current_model() -> CurrentModel:
    """The model every page shows, built or opened for this session alone."""
    if st.session_state.get(keys.SOURCE) == "trained":  # set by rnnviz.ui.trained.use
        made = st.session_state[keys.TRAINED_CURRENT]  # its label named in the language of this run, not of then
        return replace(made, label=st.session_state[keys.TRAINED].label)
    uploaded = uploaded_model()
    if uploaded is not None:
        return CurrentModel(("upload", uploaded.digest), uploaded.filename, uploaded.model, None)
    spec = good_spec()
    label = st.session_state.get(keys.PRESET) or spec.name
    return CurrentModel(("spec", spec), label, session_model(spec), spec)


def good_spec() -> ModelSpec:
    """The last valid model description of the preset source."""
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
        for old in list(models)[: max(len(models) - _MAX_MODELS_PER_SESSION + 1, 0)]:  # safe if another
            models.pop(old, None)  # script thread of this session changes the dict meanwhile
        models[spec] = build_model(spec)
    return models[spec]


def cached_summary(spec: ModelSpec) -> ModelSummary:
    """Summary of a valid spec; plain data, so it is safe to share between sessions."""
    with st.spinner(_("Building the model…")):  # the spinner's text is in the session's language
        return _shared_summary(spec)


@st.cache_data(show_spinner=False, max_entries=64)
def _shared_summary(spec: ModelSpec) -> ModelSummary:
    return summarize_model(build_model(spec))

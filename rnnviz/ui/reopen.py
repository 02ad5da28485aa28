"""Reopen the person's own model after a reload of the page, from the `?own=TOKEN` link.

A reload is a new session: `reopen_from_url` (called by app.py after the preset is settled and
before the sidebar's Model box is drawn) finds the token in `rnnviz.kept.KEPT` and rebuilds the model
for this session alone: an uploaded file goes through the capped loader again, a trained model is
rebuilt from its task, seed and weights. A token the server no longer keeps (it expired, the server
restarted, or the link was mistyped) says so and leaves the preset shown; nothing else changes.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from rnnviz.i18n import _
from rnnviz.kept import KEPT, KeptModel
from rnnviz.limits import KEPT_MODEL_SECONDS
from rnnviz.load_worker import load_model_capped
from rnnviz.ui import keys, model_source, own_link, trained


def reopen_from_url() -> None:
    """Open the own model `?own=` names, once per change of the link; keep the URL naming the shown one."""
    token = st.query_params.get(own_link.OWN_PARAM)
    if token is not None and token != st.session_state.get(keys.OWN_URL):
        st.session_state[keys.OWN_URL] = token
        entry = KEPT.get(token)
        reason = None
        if entry is not None:
            try:
                _reopen(entry, token)
            except ValueError as err:
                reason = str(err)
        if entry is None or reason is not None:
            st.session_state[keys.OWN_ERROR] = (reason, st.session_state.get(keys.PRESET))
    _say_refused()
    own_link.show_in_url()


def _say_refused() -> None:
    """Why the link's model is not shown, until the person picks or opens another model."""
    said = st.session_state.get(keys.OWN_ERROR)
    if said is None:
        return
    reason, preset = said
    if st.session_state.get(keys.SOURCE) != "preset" or st.session_state.get(keys.PRESET) != preset \
            or st.session_state.get(keys.EDITED):
        st.session_state.pop(keys.OWN_ERROR, None)
    elif reason is None:
        st.error(_("The model you opened is no longer kept on the server (rnnviz keeps one {minutes} minutes "
                   "after its last use, and forgets it when the server restarts): open the file again, or "
                   "train it again on the Train page. Showing **{preset}** for now.").format(
            minutes=KEPT_MODEL_SECONDS // 60, preset=preset), icon=":material/link_off:")
    else:
        st.error(_("The model this link names could not be reopened: {reason}. Open the file again. "
                   "Showing **{preset}** for now.").format(reason=reason, preset=preset), icon=":material/link_off:")


def _reopen(entry: KeptModel, token: str) -> None:
    if entry.kind == "trained":
        with st.spinner(_("Reopening the model trained on {task}…").format(task=entry.meta["task"])):
            trained.use(trained.rebuild(entry.meta, entry.data), token=token)
        return
    name = entry.meta["filename"]
    with st.spinner(_("Reopening your model {name}…").format(name=name)):
        model = load_model_capped(entry.data, name, abandoned=model_source._session_gone())
    st.session_state[keys.UPLOADED] = model_source.UploadedModel(name, hashlib.sha256(entry.data).hexdigest(), model)
    st.session_state.setdefault(keys.OWN_TOKENS, {})["upload"] = token
    st.session_state[keys.SOURCE] = "upload"
    st.session_state[keys.PRESET_PICKER] = model_source.UPLOAD_OPTION

"""The language picker (sidebar and `?lang=ko` / `?lang=en`) and the session's language for `_()`."""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from rnnviz import i18n
from rnnviz.i18n import _
from rnnviz.ui import keys

PICKER_LABEL = "Language · 언어"  # both languages, untranslated: either reader finds the box


def _session_language() -> str | None:
    if get_script_run_ctx() is None:  # a thread of the server's own, not a session's run
        return None
    return st.session_state.get(keys.LANGUAGE)


def sync_language_with_url() -> None:
    """Take the language from `?lang=` when the URL names one; keep the URL naming a non-default choice.

    Call it first in every run, before any text is made: page titles are translated too.
    """
    i18n.set_language_source(_session_language)
    wanted = st.query_params.get("lang")
    if wanted is not None and wanted not in i18n.LANGUAGES:
        st.session_state[keys.LANGUAGE_ERROR] = wanted
        st.query_params.pop("lang")
    elif wanted is not None and wanted != st.session_state.get(keys.LANGUAGE_URL):
        st.session_state[keys.LANGUAGE] = wanted  # a new link wins over the picker's last choice
    st.session_state.setdefault(keys.LANGUAGE, i18n.DEFAULT_LANGUAGE)
    _keep_in_url(st.session_state[keys.LANGUAGE])


def _keep_in_url(language: str) -> None:
    st.session_state[keys.LANGUAGE_URL] = language
    if language == i18n.DEFAULT_LANGUAGE:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = language  # page switches drop query params


def language_picker() -> None:
    """The sidebar's language box; its label names both languages so either reader finds it."""
    bad = st.session_state.pop(keys.LANGUAGE_ERROR, None)
    if bad is not None:
        st.sidebar.warning(_("The link asks for language **{bad}**, which rnnviz does not speak. "
                             "Choose one of: {choices}.").format(bad=bad, choices=", ".join(i18n.LANGUAGES)))
    st.sidebar.selectbox(PICKER_LABEL, tuple(i18n.LANGUAGES), key=keys.LANGUAGE,
                         format_func=i18n.LANGUAGES.get,
                         on_change=lambda: _keep_in_url(st.session_state[keys.LANGUAGE]))

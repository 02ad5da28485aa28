"""Streamlit pieces the pages share: session keys, the sidebar, the input panel, cached runs."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

# Streamlit serves the first visit after a server start in its old "pages/ folder" mode when
# the folder exists: a shared link such as /states would then run pages/states.py alone,
# without app.py's navigation and sidebar. app.py uses st.navigation, so leave that mode and
# run again; this happens at most once per server process.
if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
    PagesManager.uses_pages_directory = False
    st.rerun()

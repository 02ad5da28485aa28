"""Build: choose a preset or edit the stack layer by layer, and see its summary and shapes."""

import streamlit as st

from rnnviz.ui import keys
from rnnviz.ui.model_source import draft_spec, good_spec, set_draft
from rnnviz.ui.model_view import show_model
from rnnviz.ui.stack_editor import edit_spec
from rnnviz.validate import SpecError, validate

st.title("Build a model")
st.markdown("Pick a model in the sidebar or change it here: add, remove and move layers and set every option. "
            "The summary and the diagram show what Keras builds, with the tensor shape between every two layers.")

editor, result = st.columns([1, 1], gap="large")
with editor:
    st.subheader("Layers")
    edited, structural = edit_spec(draft_spec())


def _is_valid(spec) -> list[str]:
    try:
        validate(spec)
        return []
    except SpecError as err:
        return err.problems


if structural is not None:
    changed = structural.apply(edited)
    set_draft(changed, valid=not _is_valid(changed))
    st.session_state[keys.EDITOR_GENERATION] += 1
    st.rerun()

problems = _is_valid(edited)
set_draft(edited, valid=not problems)
with result:
    if problems:
        st.error("**This model can't be built yet:**\n" + "\n".join(f"- {p}" for p in problems))
        st.info("Your edit is kept on the left. Below is the last model that worked.")
    st.subheader("Summary")
    show_model(good_spec())

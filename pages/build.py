"""Build: choose a preset or edit the stack layer by layer, and see its summary and shapes."""

import streamlit as st

from rnnviz.i18n import _
from rnnviz.lessons.codegen import model_code
from rnnviz.ui import keys
from rnnviz.ui.lesson_blocks import keras_code
from rnnviz.summary import summarize_model
from rnnviz.ui.model_source import cached_summary, draft_spec, good_spec, set_draft, uploaded_model
from rnnviz.ui.model_view import show_diagram, show_summary
from rnnviz.ui.stack_editor import edit_spec
from rnnviz.validate import SpecError, validate

st.title(_("Build a model"))
uploaded = uploaded_model()
if uploaded is not None:
    st.markdown(_("This is your own model, **{filename}**: its layers as Keras reports them. "
                  "The other pages show its recurrent layers. To edit a model here, pick a preset in the sidebar.")
                .format(filename=uploaded.filename))
    show_summary(summarize_model(uploaded.model))
    st.stop()

st.markdown(_("Pick a model in the sidebar or change it here: add, remove and move layers and set every option. "
              "The summary and the diagram show what Keras builds, with the tensor shape between every two layers."))

editor, result = st.columns([5, 6], gap="medium")
with editor:
    st.subheader(_("Layers"))
    edited, structural = edit_spec(draft_spec())


def _problems(spec) -> list[str]:
    try:
        validate(spec)
        return []
    except SpecError as err:
        return err.problems


if structural is not None:
    changed = structural.apply(edited)
    set_draft(changed, valid=not _problems(changed))
    st.session_state[keys.EDITOR_GENERATION] += 1
    st.rerun()

problems = _problems(edited)
first_edit = not st.session_state.get(keys.EDITED)
set_draft(edited, valid=not problems)
if first_edit and st.session_state.get(keys.EDITED):
    st.rerun()  # the sidebar, drawn before this page, then says the model is edited (and the link carries it)
with result:
    if problems:
        st.error(_("**This model can't be built yet:**") + "\n" + "\n".join(f"- {p}" for p in problems))
        st.info(_("Your edit is kept on the left. Below is the last model that worked."))
    st.subheader(_("Summary"))
    summary = cached_summary(good_spec())
    show_summary(summary)
    if problems:
        st.caption(_("The diagram shows your edit: the layers to fix are in red, and what is wrong is written under "
                     "it."))
        show_diagram(edited)
    else:
        show_diagram(good_spec(), summary)
    keras_code(model_code(good_spec()), note=_("The same model in Keras: copy it (the icon at its top right) and run "
                                               "it. Its weights are Keras's own initial ones."))

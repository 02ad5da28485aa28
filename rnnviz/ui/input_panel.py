"""The input panel, shared by every page that runs a model: text, random vectors or a signal."""

from __future__ import annotations

import streamlit as st

from rnnviz import inputs, limits
from rnnviz.feeding import InputNeeds
from rnnviz.inputs import InputChoice, default_choice, make_inputs
from rnnviz.ui import keys

_SOURCE_LABELS = {"text": "typed text", "random": "random", "signal": "a signal"}


def input_panel(needs: tuple[InputNeeds, ...]) -> tuple[InputChoice, ...]:
    """Draw the panel in the sidebar, one section per model input; return the valid choices.

    A choice that fails its checks is reported in the panel and the last valid one is used,
    while the widgets keep what the person typed.
    """
    st.sidebar.subheader("Input")
    choices = []
    for need in needs:
        box = st.sidebar.expander(f"input `{need.name}`", expanded=True) if len(needs) > 1 else st.sidebar
        with box:
            choices.append(_choice_for(need))
    return tuple(choices)


def _choice_for(need: InputNeeds) -> InputChoice:
    good: dict = st.session_state.setdefault(keys.INPUT_GOOD, {})
    start = good.get(need.name) or default_choice(need.kind)

    def key(field: str) -> str:
        return f"{keys.INPUT_WIDGET}.{need.name}.{field}"

    sources = ("text", "random") if need.kind == "tokens" else ("random", "signal")
    source = st.radio("Feed", sources, index=sources.index(start.source) if start.source in sources else 0,
                      key=key("source"), format_func=_SOURCE_LABELS.get, horizontal=True)
    fields = {"source": source}
    if source == "text":
        fields["text"] = st.text_area("Text", start.text, key=key("text"), height=80,
                                      help=f"Any language or emoji; at most {limits.MAX_TIMESTEPS} tokens.")
        fields["mode"] = st.radio("Tokens are", inputs.MODES, index=inputs.MODES.index(start.mode), key=key("mode"),
                                  format_func={"char": "characters", "word": "words"}.get, horizontal=True)
    if source == "signal":
        fields["signal"] = st.selectbox("Signal", inputs.SIGNAL_KINDS, index=inputs.SIGNAL_KINDS.index(start.signal),
                                        key=key("signal"))
    if source in ("random", "signal"):
        fields["seed"] = st.number_input("Seed", 0, inputs.MAX_SEED, start.seed, key=key("seed"))
    c1, c2 = st.columns(2)
    if source == "text":  # one typed sentence is one row; a model with a fixed batch gets it repeated
        fields["batch"] = 1
    elif need.batch is None:
        rows = start.batch if start.source != "text" else InputChoice().batch  # typed text had one row
        fields["batch"] = c1.number_input("Batch", 1, limits.MAX_BATCH, rows, key=key("batch"),
                                          help=f"Rows in the batch, 1 to {limits.MAX_BATCH}.")
    if need.timesteps is None and source != "text":
        fields["timesteps"] = c2.number_input("Timesteps", 1, limits.MAX_TIMESTEPS, start.timesteps,
                                              key=key("timesteps"), help=f"1 to {limits.MAX_TIMESTEPS}.")
    if need.kind == "vectors" and need.features is None:
        fields["features"] = c1.number_input("Features", 1, limits.MAX_FEATURES, start.features, key=key("features"))
    rows = need.batch or fields.get("batch", start.batch)
    fields["row"] = 0
    if rows > 1:
        fields["row"] = st.number_input("Batch row to show", 0, rows - 1, min(start.row, rows - 1),
                                        key=key("row"), help="Pages show one sample of the batch.")
    try:
        choice = InputChoice(**{**start.to_dict(), **fields})
        make_inputs(choice, vocab_size=need.vocab_size, features=need.features, batch=need.batch,
                    timesteps=need.timesteps)  # the text itself may not fit (empty, too long)
    except ValueError as err:
        st.error(f"{str(err).rstrip('.')}. Showing the last input that worked.")
        return start
    good[need.name] = choice
    return choice

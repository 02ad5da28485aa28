"""Run the current model on the panel's input and keep the trace for this session."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from rnnviz.feeding import model_arguments, needs_from_model, prepare
from rnnviz.inputs import PreparedInput
from rnnviz.trace import Trace, trace
from rnnviz.ui import keys
from rnnviz.ui.input_panel import input_panel
from rnnviz.ui.model_source import CurrentModel, current_model

_KEEP = 4  # traces kept per session


@dataclass(frozen=True)
class TracedRun:
    """What a page draws: the model, the prepared inputs and the trace."""

    current: CurrentModel
    inputs: tuple[PreparedInput, ...]
    trace: Trace

    @property
    def row(self) -> int:
        """The batch row to show."""
        return self.inputs[0].row

    def labels_for(self, layer_name: str) -> tuple[str, ...]:
        """Step labels for a layer: its own input's tokens (first input when unsure)."""
        steps = self.trace[layer_name].input_steps
        for prepared in self.inputs:
            if len(prepared.labels) == steps:
                return prepared.labels
        return tuple(str(t) for t in range(steps))


def traced_run() -> TracedRun | None:
    """Draw the input panel, trace the current model on it (cached for this session), or say why not."""
    current = current_model()
    needs = needs_from_model(current.model)
    choices = input_panel(needs)
    try:
        prepared = prepare(needs, choices)
    except ValueError as err:
        st.error(f"The input does not suit this model: {err}")
        return None
    for p in prepared:
        if p.note:
            st.sidebar.caption(p.note)
    cache: dict = st.session_state.setdefault(keys.TRACES, {})
    key = (current.key, choices)
    if key not in cache:
        try:
            with st.spinner("Running the model and recording every timestep…"):
                result = trace(current.model, model_arguments(prepared))
        except ValueError as err:
            st.error(str(err))
            return None
        while len(cache) >= _KEEP:
            cache.pop(next(iter(cache)))
        cache[key] = result
    return TracedRun(current, prepared, cache[key])

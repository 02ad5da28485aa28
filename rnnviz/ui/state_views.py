"""The States page's pieces: one layer's heatmaps, gates, step bars and unit lines at a chosen step."""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnnviz import explain, figures
from rnnviz.trace import DirectionTrace, LayerTrace
from rnnviz.ui import keys

PLAY_INTERVAL_S = 0.6


def _ranges(kind: str, activation: str, recurrent_activation: str) -> dict[str, str]:
    return {q: explain.value_range(kind, q, activation, recurrent_activation) for q in explain.QUANTITIES[kind]}


def _row(direction: DirectionTrace, row: int) -> dict[str, np.ndarray]:
    """The quantities of one batch row by their explain names: hidden, cell, then the gates."""
    values = {"hidden": direction.h[row]}
    if direction.c is not None:
        values["cell"] = direction.c[row]
    values.update({g: v[row] for g, v in direction.gates.items()})
    return values


def step_scrubber(steps: int, labels: tuple[str, ...]) -> int:
    """A slider over timesteps that advances by itself while playing; returns the chosen step.

    Call it inside a fragment, so moving it redraws the charts without running the model again.
    """
    step = min(st.session_state.get(keys.STATES_STEP, 0), steps - 1)
    if st.session_state.get(keys.STATES_PLAYING):
        step = (step + 1) % steps
    st.session_state[keys.STATES_STEP] = step
    chosen = st.slider("Timestep", 0, steps - 1, key=keys.STATES_STEP, help="Every chart below marks this step.")
    label = labels[chosen] if chosen < len(labels) else str(chosen)
    st.caption(f"Step **{chosen}** of {steps - 1} · input **{label}**")
    return chosen


def _base_figures(layer: LayerTrace, values: dict[str, np.ndarray], labels: tuple[str, ...], row: int,
                  ranges: dict[str, str], direction_name: str) -> dict[str, dict]:
    """The heatmaps drawn once (highlight on step 0) and kept for this session, so moving the
    scrubber only moves the highlight: drawing them again costs ten times more."""
    key = (id(layer), layer.name, row, direction_name, tuple(ranges.items()), labels)
    cached = st.session_state.get(keys.STATES_FIGURES)
    if cached is not None and cached[0] == key:
        return cached[1]
    drawn = {}
    which = f" ({direction_name})" if layer.backward is not None else ""
    if layer.backward is not None:
        drawn["h"] = figures.bidirectional_heatmaps(layer.forward.h[row], layer.backward.h[row], labels=labels,
                                                    highlight_step=0, quantity=ranges["hidden"],
                                                    title="Hidden state h, both directions")
    else:
        drawn["h"] = figures.state_heatmap(values["hidden"], title="Hidden state h", labels=labels,
                                           quantity=ranges["hidden"], highlight_step=0)
    if "cell" in values:
        drawn["c"] = figures.state_heatmap(values["cell"], title=f"Cell state c{which}", labels=labels,
                                           quantity="free", highlight_step=0)
    gates = {g: values[g] for g in explain.GATES[layer.inner_kind]}
    if gates:
        drawn["gates"] = figures.gate_small_multiples(gates, labels=labels, highlight_step=0,
                                                      quantities={g: ranges[g] for g in gates},
                                                      title=f"Gates{which}")
    drawn = {name: fig.to_dict() for name, fig in drawn.items()}
    st.session_state[keys.STATES_FIGURES] = (key, drawn)
    return drawn


def layer_view(layer: LayerTrace, labels: tuple[str, ...], row: int, activation: str,
               recurrent_activation: str, direction_name: str) -> None:
    """Everything the States page draws for one layer at the scrubber's step."""
    ranges = _ranges(layer.inner_kind, activation, recurrent_activation)
    direction = layer.backward if direction_name == "backward" else layer.forward
    values = _row(direction, row)
    steps = layer.input_steps
    step = step_scrubber(steps, labels)
    for name, base in _base_figures(layer, values, labels, row, ranges, direction_name).items():
        st.plotly_chart(figures.move_highlight(base, step, steps), key=name)
    left, right = st.columns(2)
    with left:
        label = labels[step] if step < len(labels) else str(step)
        st.plotly_chart(figures.step_bars({q: v[step] for q, v in values.items()}, step_label=f"{step} · {label}",
                                          quantities=ranges), key="bars")
    with right:
        units = st.multiselect("Units to follow", list(range(layer.units)), default=list(range(min(3, layer.units))),
                               max_selections=figures.MAX_LINES, key=keys.STATES_UNITS)
        if units:
            st.plotly_chart(figures.unit_lines(values["hidden"], units, labels=labels, highlight_step=step,
                                               title="Chosen units of h over time", quantity=ranges["hidden"]),
                            key="lines")


def explanations(kind: str, activation: str, recurrent_activation: str) -> None:
    """One paragraph with its formula per quantity, folded away."""
    with st.expander(f"What these are: the {kind} equations"):
        st.markdown(explain.NOTATION)
        for quantity in explain.QUANTITIES[kind]:
            st.markdown(explain.explanation(kind, quantity, activation, recurrent_activation))
        st.caption(explain.KERAS_LAYOUT[kind])

"""The current model's own gradient curve for the "Gradients through time" page, cached per session."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import streamlit as st

from rnnviz.feeding import model_arguments, needs_from_model, prepare
from rnnviz.gradients import GradientCostError, gradient_over_time, half_life
from rnnviz.i18n import _, current_language
from rnnviz.lessons.gradients import geometric_mean_relative
from rnnviz.trace_graph import functional_of, walk_operations
from rnnviz.ui import keys, link_params, links
from rnnviz.ui.input_panel import input_panel
from rnnviz.ui.model_source import current_model
from rnnviz.ui.traced import _trace_slot

_KEEP = 4  # curves kept per session


@dataclass(frozen=True)
class OwnCurve:
    """The current model's curve: relative norms over its own steps, its half-life, how it was computed."""

    label: str
    relative: np.ndarray  # (timesteps,)
    half_life: float
    method: str  # "exact" or "estimate"
    backward: bool


def own_curve() -> OwnCurve | None:
    """Pick a recurrent layer of the current model (and direction), run it on the sidebar's input, or say why not."""
    current = current_model()
    functional = functional_of(current.model)
    layers = [op for op, __ in walk_operations(functional)] if functional is not None else []
    recurrent = {op.name: op for op in layers if isinstance(op, (keras.layers.RNN, keras.layers.Bidirectional))}
    if not recurrent:
        st.info(_("The current model has no SimpleRNN, GRU or LSTM layer, so it has no curve of its own here."))
        return None
    needs = needs_from_model(current.model)
    choices = input_panel(needs)
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    links.bind(link_params.GRADIENTS, link_params.choices_of("layer", keys.GRADIENTS_LAYER, list(recurrent)))
    name = c1.selectbox(_("Layer of your model ({label})").format(label=current.label), list(recurrent),
                        key=keys.GRADIENTS_LAYER)
    direction = "forward"
    if isinstance(recurrent[name], keras.layers.Bidirectional):
        directions = {"forward": _("forward"), "backward": _("backward")}
        direction = c2.radio(_("Final state of"), tuple(directions), horizontal=True,
                             key=keys.GRADIENTS_DIRECTION, format_func=directions.__getitem__)
    cache: dict = st.session_state.setdefault(keys.GRADIENTS_CACHE, {})
    key = (current.key, choices, name, direction, current_language())  # the curve's label is in the language
    if key not in cache:
        try:
            arguments = model_arguments(prepare(needs, choices))
        except ValueError as err:
            st.error(_("The input does not suit this model: {problem}").format(problem=err))
            return None
        with _trace_slot() as got:
            if not got:
                st.warning(_("The server is busy with other sessions' runs; try again in a moment."))
                return None
            with st.spinner(_("Differentiating your model's final state…")):
                curve = _compute(current.model, arguments, name, direction, f"{current.label} · {name}")
        if isinstance(curve, str):
            st.error(curve)
            return None
        for old in list(cache)[: max(len(cache) - _KEEP + 1, 0)]:
            cache.pop(old, None)
        cache[key] = curve
    return cache[key]


def _compute(model, arguments, name: str, direction: str, label: str) -> OwnCurve | str:
    """The curve, exact when it fits the limits, else the estimate; a message when neither can run."""
    for method in ("exact", "estimate"):
        try:
            norms = gradient_over_time(model, arguments, layer=name, method=method, direction=direction)
        except ValueError as err:
            if method == "exact" and isinstance(err, GradientCostError):  # the estimate may fit
                continue
            return _("Cannot differentiate layer {name}: {problem}").format(name=name, problem=err)
        backward = direction == "backward"
        relative = geometric_mean_relative(norms, backward=backward)
        return OwnCurve(_("{label} (backward)").format(label=label) if backward else label, relative, half_life(norms, backward=backward),
                        method, backward)
    return _("Cannot differentiate layer {name}").format(name=name)

"""States: every timestep's hidden state, cell state and gates of each recurrent layer."""

import streamlit as st

from rnnviz.i18n import _
from rnnviz.layer_info import activations
from rnnviz.ui import keys, link_params, links, presenter
from rnnviz.ui.find_unit import coloured_text
from rnnviz.ui.state_views import explanations, layer_view, trace_download
from rnnviz.ui.trained import current_trained
from rnnviz.ui.traced import traced_run

st.title(_("States, step by step"))
top = presenter.slot()  # presenter mode: the layer and the figure first, the notes under them
st.markdown(_("The model reads the input one step at a time. Each column of a heatmap is one step; each row one "
              "unit. Move the timestep slider, or press Play, to watch the states and gates change."))

run = traced_run()
if run is not None:
    tr = run.trace
    for name, why in tr.skipped.items():
        st.warning(_("Layer **{name}** is not shown: {why}").format(name=name, why=why))
    if not tr.names:
        st.info(_("This model has no SimpleRNN, GRU or LSTM layer to show."))
        st.stop()
    c1, c2 = top.columns([3, 2], vertical_alignment="bottom")
    labels = {n: _("{name} ({kind}, {units} units)").format(
                  name=n, kind=tr[n].kind + (f"({tr[n].inner_kind})" if tr[n].backward else ""), units=tr[n].units)
              for n in tr.names}
    layer_key = keys.for_options(keys.STATES_LAYER, tuple(labels.values()))
    links.bind(link_params.STATES, link_params.choices_of("layer", layer_key, tr.names))  # the URL carries these
    name = c1.selectbox(_("Layer"), tr.names, key=layer_key, format_func=labels.get)
    layer = tr[name]
    direction = "forward"
    if layer.backward is not None:
        directions = {"forward": _("forward"), "backward": _("backward")}  # labels made here, in this run's language
        direction = c2.radio(_("Cell state and gates of"), tuple(directions), horizontal=True,
                             key=keys.STATES_DIRECTION, format_func=directions.__getitem__)
    activation, recurrent_activation = activations(run.current.model, name)
    st.caption(_("Ran on **{device}** · this layer's own kernel here: **{kernel}** ({reason}) · "
                 "batch row {row} of {rows}").format(device=tr.device, kernel=layer.kernel, reason=layer.kernel_reason,
                                                     row=run.row, rows=run.inputs[0].array.shape[0]))
    if run.current.task is not None:  # a model trained here: show the unit that learned the task first
        coloured_text(current_trained())
    explanations(layer.inner_kind, activation, recurrent_activation)
    with top:
        layer_view(layer, run.labels_for(name), run.row, activation, recurrent_activation, direction, tr.model_outputs)
    trace_download(tr)

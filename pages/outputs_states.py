"""Outputs and states: what return_sequences and return_state make a layer return, with shapes and values."""

import streamlit as st

from rnnviz.figures import state_heatmap, step_bars
from rnnviz.i18n import N_, _
from rnnviz.lessons import codegen
from rnnviz.lessons.outputs import GUIDE_EXAMPLE, run_outputs
from rnnviz.ui.charts import chart
from rnnviz.ui import keys
from rnnviz.ui.lesson_blocks import difference, keras_code, lesson_intro, sample_picker, shape_text
from rnnviz.ui import link_params, links

MEANING = {"output": N_("the output after the last step"), "whole_sequence_output": N_("the output after every step"),
           "final_state": N_("the final hidden state h"), "final_memory_state": N_("the final hidden state h"),
           "final_carry_state": N_("the final cell state c")}

lesson_intro(
    _("Outputs and states"),
    _("A recurrent layer reads a sequence step by step. **By default it returns one vector per sample**, its "
    "output after the last step: shape `(batch, units)`. With **`return_sequences=True`** it returns the output "
    "after every step: `(batch, timesteps, units)`. With **`return_state=True`** it also returns its final "
    "states: h for SimpleRNN and GRU (two tensors in all), h and c for LSTM (three). Flip the switches and watch "
    "the list change. The guide's example: random input of 64 samples, 100 steps, 64 features into "
    "`SimpleRNN(128)` gives `(64, 128)`, or `(64, 100, 128)` with `return_sequences`."), guide_section=_("Outputs and states"),
)

links.bind(link_params.OUTPUTS)  # the URL carries these settings (rnnviz/ui/links.py)
c1, c2, c3, c4 = st.columns([1, 1, 1, 1])
kind = c1.selectbox(_("Layer"), ["SimpleRNN", "GRU", "LSTM"], key=keys.OUTPUTS_KIND)
units = c2.number_input(_("units"), 1, 1024, GUIDE_EXAMPLE["units"], key=keys.OUTPUTS_UNITS)
sequences = c3.toggle(_("return_sequences"), key=keys.OUTPUTS_SEQUENCES)
state = c4.toggle(_("return_state"), key=keys.OUTPUTS_STATE)
with st.expander(_("Input: random values, shape (batch, timesteps, features)")):
    i1, i2, i3 = st.columns(3)
    batch = i1.number_input(_("batch"), 1, 256, GUIDE_EXAMPLE["batch"], key=keys.OUTPUTS_BATCH)
    timesteps = i2.number_input(_("timesteps"), 1, 2000, GUIDE_EXAMPLE["timesteps"], key=keys.OUTPUTS_TIMESTEPS)
    features = i3.number_input(_("features"), 1, 1024, GUIDE_EXAMPLE["features"], key=keys.OUTPUTS_FEATURES)
size = dict(batch=int(batch), timesteps=int(timesteps), features=int(features), seed=0)


@st.cache_data(show_spinner=_("Running the layer…"), max_entries=16)
def lesson(kind, units, sequences, state, size):
    return run_outputs(kind, units, return_sequences=sequences, return_state=state, **size)


try:
    result = lesson(kind, int(units), sequences, state, size)
except ValueError as err:  # sizes beyond rnnviz's limits
    st.error(str(err), icon=":material/block:")
    st.stop()
call = f"{kind}({units}" + (", return_sequences=True" if sequences else "") + (", return_state=True" if state else "") + ")"
shapes = [t.shape for t in result.returned]
st.subheader((_("`{call}` returns {n} tensors") if len(shapes) > 1 else _("`{call}` returns {n} tensor")).format(
    call=call, n=len(shapes)))
st.markdown(_("On input of shape `{shape}`: {returned}").format(shape=shape_text(result.inputs.shape), returned=", ".join(
    f"**`{shape_text(s)}`**" for s in shapes)))
st.table(  # a plain table wraps its cells: a data grid cut "whole_sequence_output" to its column's width
    [{_("name"): t.name, _("shape"): shape_text(t.shape), _("Keras shape"): shape_text(t.symbolic_shape),
      _("what it is"): _(MEANING[t.name]), _("first values (sample 0)"): ", ".join(f"{v:.3f}" for v in t.values[0].ravel()[:4]) + " …"}
     for t in result.returned],
    hide_index=True,
)

with st.columns(4)[0]:
    sample = sample_picker(keys.OUTPUTS_SAMPLE, result.inputs.shape[0])
left, right = st.columns([3, 2], gap="large")
with left:
    output = result.returned[0]
    if output.values.ndim == 3:
        chart(state_heatmap(output.values[sample], title=_("whole_sequence_output, sample {sample}: "
                                      "every step's output").format(sample=sample)), key="outputs.fig.sequence")
    else:
        last_output = _("output (h after the last step)")
        bars = step_bars({last_output: output.values[sample]}, step_label=timesteps - 1,
                         quantities={last_output: "tanh"})
        chart(bars.update_layout(title_text=_("output, sample {sample}: one value per unit").format(sample=sample)),
                        key="outputs.fig.output")
with right:
    states = result.returned[1:]
    if states:
        bars = step_bars({f"{t.name} ({t.role})": t.values[sample] for t in states}, step_label=timesteps - 1,
                         quantities={f"{t.name} ({t.role})": "free" if t.role == "c" else "tanh" for t in states})
        chart(bars.update_layout(title_text=_("Final states, sample {sample}").format(sample=sample)),
              key="outputs.fig.states")
    else:
        st.info(_("Turn on **return_state** to get the final states as tensors of their own."))

st.subheader(_("The last output step is the final hidden state"))
st.markdown(_("The output at the last step and the final h are the same numbers (for LSTM, c is the other "
              "state). Here a twin layer with the same weights has both switches on, whatever you chose above:"))
difference(f"max |sequence[:, -1] − h|, {kind}({units})", result.last_step_difference,
           help=_("The largest absolute difference over every sample and unit between the last step of "
                  "whole_sequence_output and the final hidden state."))
keras_code(codegen.outputs_code(kind, int(units), return_sequences=sequences, return_state=state, **size))

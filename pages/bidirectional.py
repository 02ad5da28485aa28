"""Bidirectional: forward and backward halves on one time axis, each merge mode, the guide's parameter counts."""

import numpy as np
import streamlit as st

from rnnviz.explain import value_range
from rnnviz.figures import bidirectional_heatmaps, state_heatmap
from rnnviz.i18n import N_, _
from rnnviz.lessons import codegen
from rnnviz.lessons.bidirectional import GATE_BLOCKS, GUIDE_INPUT, guide_param_counts, merge_shapes, run_bidirectional
from rnnviz.spec import MERGE_MODES
from rnnviz.ui.charts import chart
from rnnviz.ui import keys
from rnnviz.ui.lesson_blocks import difference, keras_code, lesson_intro, sample_picker, shape_text
from rnnviz.ui import link_params, links

SIZE = dict(batch=2, timesteps=GUIDE_INPUT[0], features=GUIDE_INPUT[1], seed=0)
MODE_WORDS = {"concat": N_("side by side: 2 × units"), "sum": N_("forward + backward"), "mul": N_("forward × backward"),
              "ave": N_("(forward + backward) / 2"), "None": N_("not merged: two tensors")}

lesson_intro(
    _("Bidirectional"),
    _("`Bidirectional(layer)` runs the layer **forward** over the sequence and a copy with `go_backwards=True` "
    "**backward**, from the last step to the first. With `return_sequences=True` the backward output is turned "
    "back onto the input's time axis, so at step t the forward half has read steps 0…t and the backward half "
    "steps T−1…t. The two are then **merged**: by default side by side (`concat`), or by `sum`, `mul`, `ave`, "
    "or not at all (`None`). The guide's input: 5 steps of 10 features. The halves have vivid random weights, so "
    "their states spread over their range (with Keras's initial weights both stay near 0 and look alike)."), guide_section=_("Bidirectional RNNs"),
)


@st.cache_data(show_spinner=False)
def guide_counts():
    return guide_param_counts()


first, second = guide_counts()
g1, g2, g3 = st.columns(3)
g1.metric(_("Guide's layer 1: params"), f"{first:,}",
          help=_("2 halves × 4 gates × 64 units × (10 inputs + 64 recurrent + 1 bias)"))
g1.caption(_("`Bidirectional(LSTM(64, return_sequences=True))` on `(5, 10)`: output `(None, 5, 128)`"))
g2.metric(_("Guide's layer 2: params"), f"{second:,}", help="2 × 4 × 32 × (128 + 32 + 1)")
g2.caption(_("`Bidirectional(LSTM(32))` on the 128 merged outputs: output `(None, 64)`"))
g3.metric(_("Guide's model: total params"), f"{first + second + (2 * 32 + 1) * 10:,}",
          help=_("Dense(10) on the 64 merged outputs adds 64 × 10 + 10 = 650"))
g3.caption(_("with `Dense(10)` (650 params) at the end"))

links.bind(link_params.BIDIRECTIONAL)  # the URL carries these settings (rnnviz/ui/links.py)
c1, c2, c3, c4 = st.columns(4)
kind = c1.selectbox(_("Layer"), ["LSTM", "GRU", "SimpleRNN"], key=keys.BIDI_KIND)
units = c2.number_input(_("units of each half"), 1, 256, 64, key=keys.BIDI_UNITS)
choice = c3.selectbox(_("merge_mode"), [str(m) for m in MERGE_MODES], key=keys.BIDI_MERGE,  # "None" as text: a
                      format_func=lambda m: f"{m if m == 'None' else repr(m)}: {_(MODE_WORDS[m])}")  # None option reads as unset
mode = None if choice == "None" else choice
with c4:
    sample = sample_picker(keys.BIDI_SAMPLE, SIZE["batch"])


@st.cache_data(show_spinner=_("Running both directions…"), max_entries=32)
def lesson(kind, units, mode):
    return run_bidirectional(kind, units, merge_mode=mode, **SIZE)


result = lesson(kind, int(units), mode)
hidden = value_range(kind, "hidden")  # each half's output is its hidden state h
chart(bidirectional_heatmaps(result.forward[sample], result.backward[sample], quantity=hidden,
                                       title=_("The two halves of Bidirectional({kind}({units})), sample {sample}").format(
                                           kind=kind, units=units, sample=sample)),
                key="bidi.fig.halves")
gap = result.forward[sample] - result.backward[sample]  # (timesteps, units)
left, right = st.columns([3, 2], gap="large")
chart(state_heatmap(gap, quantity="free", title=_("forward − backward, sample {sample}").format(sample=sample)),
      key="bidi.fig.difference", where=left)
last = SIZE["timesteps"] - 1
right.markdown(_("**At each step** the forward half has read the steps up to it, the backward half the steps "
                 "after it, so the two disagree:"))
right.table([{_("step"): t, _("forward read"): f"0…{t}", _("backward read"): f"{last}…{t}",
               _("largest |forward − backward|"): f"{float(np.abs(gap[t]).max()):.3f}"}
              for t in range(SIZE["timesteps"])])  # a plain table: no column hidden at 1280 px

shapes = [tuple(m.shape) for m in result.merged]
st.subheader(_("merge_mode={mode} returns {shapes}").format(mode=repr(mode), shapes=", ".join(
    f"`{shape_text(s)}`" for s in shapes)))
left, right = st.columns([1, 1], gap="large")
with left:
    if mode is None:
        st.markdown(_("Two tensors: the forward half and the backward half, exactly the two rows above."))
    else:
        chart(state_heatmap(result.merged[0][sample], quantity=hidden if mode in ("concat", "ave") else "free",
                                      title=_("{mode}: merged output, sample {sample}").format(
                                          mode=mode, sample=sample)),
                        key="bidi.fig.merged")
with right:
    table = merge_shapes(int(units), SIZE["timesteps"], SIZE["features"])
    st.dataframe([{"merge_mode": ("→ " if str(mode) == m else "") + m,
                   _("Keras shape"): ", ".join(shape_text(s) for s in table[m])} for m in table],
                 hide_index=True, width="stretch")
    st.metric(_("Parameters of Bidirectional({kind}({units}))").format(kind=kind, units=units), f"{result.params:,}",
              help=_("The two halves together; merging adds none."))
    biases = 2 if kind == "GRU" else 1  # a GRU with reset_after keeps two bias rows
    st.caption(_("= 2 halves × {blocks} × {units} units × ({features} inputs + {units} recurrent + {biases} bias)").format(
        blocks=GATE_BLOCKS[kind], units=units, features=SIZE["features"], biases=biases))

st.subheader(_("The backward half is a forward layer on the reversed input"))
st.markdown(_("Give a plain forward layer the backward half's weights, feed it the sequence reversed, and turn "
              "its output back: it is the backward half, number for number."))
difference(_("backward half − forward layer on reversed input"), result.backward_difference,
           help=_("The largest |difference| over every sample, step and unit."))
keras_code(codegen.bidirectional_code(result, **SIZE))
with st.expander(_("The guide's model, whose summary prints 38,400 and 41,216")):
    st.code(codegen.GUIDE_BIDIRECTIONAL_CODE, language="python")

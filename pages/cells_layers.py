"""Cells and layers: RNN(LSTMCell(n)) beside LSTM(n), the kernel each runs, a timing, and a custom cell."""

import streamlit as st

from rnnviz.figures import state_heatmap, unit_lines
from rnnviz.figures.lessons import timing_bars
from rnnviz.i18n import _
from rnnviz.lessons import codegen
from rnnviz.lessons.cells import (
    CUSTOM_EQUATIONS,
    GUIDE_SIZES,
    CellSettings,
    compare_cell_and_layer,
    kernel_reason_text,
    run_custom_cell,
    time_cell_and_layer,
    timing_verdict,
)
from rnnviz.spec import ACTIVATIONS
from rnnviz.ui.charts import chart
from rnnviz.ui import keys
from rnnviz.ui.lesson_blocks import difference, keras_code, lesson_intro
from rnnviz.ui import link_params, links

SIZE = {k: v for k, v in GUIDE_SIZES.items() if k != "units"} | {"seed": 0}
CUSTOM = dict(units=8, batch=2, timesteps=20, features=3, seed=0)
GATED = ("GRU", "LSTM")

lesson_intro(
    _("Cells and layers"),
    _("A **cell** is the inside of the loop: one step. `keras.layers.RNN(cell)` is the loop around it. "
    "`RNN(LSTMCell(64))` computes exactly what `LSTM(64)` computes, but only the built-in `LSTM` and `GRU` "
    "layers can hand the whole loop to NVIDIA's fast **cuDNN** kernel, on a GPU, when their settings are "
    "cuDNN's: tanh, sigmoid, `recurrent_dropout=0`, `unroll=False`, `use_bias=True` (and `reset_after=True` for "
    "GRU). Change a setting to see what breaks the condition. The guide's sizes: batches of 64 MNIST digits, "
    "28 rows of 28 pixels read as 28 steps, `LSTM(64)`."), guide_section=_("RNN layers and RNN cells; Performance optimization and CuDNN kernels"),
)

links.bind(link_params.CELLS_AND_LAYERS)  # the URL carries these settings (rnnviz/ui/links.py)
c1, c2 = st.columns(2)
kind = c1.selectbox(_("Layer"), ["LSTM", "GRU", "SimpleRNN"], key=keys.CELLS_KIND)
units = int(c2.number_input(_("units"), 1, 512, GUIDE_SIZES["units"], key=keys.CELLS_UNITS))
s1, s2, s3 = st.columns(3)
s4, s5, s6 = st.columns(3)
settings = CellSettings(
    activation=s1.selectbox(_("activation"), ACTIVATIONS, key=keys.CELLS_ACTIVATION),
    recurrent_activation=s2.selectbox(_("recurrent_activation"), ACTIVATIONS, index=ACTIVATIONS.index("sigmoid"),
                                      key=keys.CELLS_RECURRENT_ACTIVATION, disabled=kind not in GATED),
    recurrent_dropout=s3.slider(_("recurrent_dropout"), 0.0, 0.5, 0.0, 0.05, key=keys.CELLS_RECURRENT_DROPOUT,
                                help=_("Acts only in training; the outputs here are inference.")),
    unroll=s4.checkbox(_("unroll"), key=keys.CELLS_UNROLL),
    use_bias=s5.checkbox(_("use_bias"), True, key=keys.CELLS_USE_BIAS),
    reset_after=s6.checkbox(_("reset_after"), True, key=keys.CELLS_RESET_AFTER, disabled=kind != "GRU"),
)


@st.cache_data(show_spinner=_("Running the layer and RNN(cell)…"), max_entries=32)
def lesson(kind, units, settings):
    return compare_cell_and_layer(kind, units, settings=settings, **SIZE)


@st.cache_data(show_spinner=_("Timing both…"), max_entries=32)
def timing(kind, units, settings, run):
    return time_cell_and_layer(kind, units, settings=settings, repeats=15, **SIZE)


result = lesson(kind, units, settings)
layer_name, cell_name = f"{kind}({units})", f"RNN({kind}Cell({units}))"
left, right = st.columns(2, gap="large")
for column, name, output, (here, reasons) in (
    (left, layer_name, result.layer_output, result.layer_kernel),
    (right, cell_name, result.cell_output, result.cell_kernel),
):
    with column:
        st.subheader("`" + name + "`")  # code: no words to translate
        verdict = "cuDNN" if here == "cudnn" else _("the generic loop")
        st.markdown(_("Runs here on the {device} with **{verdict}**:").format(device=result.device, verdict=verdict))
        st.markdown("\n".join(f"- {kernel_reason_text(r)}" for r in reasons))  # kept in English in the cache
        if name == layer_name and kind != "SimpleRNN":
            gpu, gpu_reasons = result.layer_kernel_on_gpu
            st.markdown(_("On a GPU: **cuDNN**.") if gpu == "cudnn" else
                        _("On a GPU: **still the generic loop**, because:") + "\n"
                        + "\n".join(f"- {kernel_reason_text(r)}" for r in gpu_reasons))
        chart(state_heatmap(output[0], title=_("output at every step, sample 0"),
                                      quantity="tanh" if settings.activation == "tanh" else "free"),
                        key=f"cells.fig.{'layer' if name == layer_name else 'cell'}")

m1, m2 = st.columns([1, 2], gap="large")
with m1:
    difference(f"{layer_name} − {cell_name}", result.difference,
               help=_("Same weights, same input: the largest |difference| over every sample, step and unit."))
    st.metric(_("Parameters of each"), f"{result.params:,}")
with m2:
    run = st.session_state.get(keys.CELLS_TIMING_RUN, 0)
    t = timing(kind, units, settings, run)
    chart(timing_bars({f"{layer_name} ({t.layer_kernel})": t.layer_times,
                                 f"{cell_name} ({t.cell_kernel})": t.cell_times},
                                title=_("One forward pass of a batch of {batch} on this {device}").format(
                                    batch=SIZE["batch"], device=t.device)),
                    key="cells.fig.timing")
    if st.button(_("Time again"), key=keys.CELLS_RETIME):
        st.session_state[keys.CELLS_TIMING_RUN] = run + 1
        st.rerun()
    st.caption(timing_verdict(t) + " " + _("Both run the same generic loop on a CPU; with cuDNN on a GPU the "
                                           "built-in layer is usually many times faster."))
keras_code(codegen.cells_code(kind, units, settings=settings, **SIZE))

st.header(_("A cell of your own"))
st.markdown(_("A cell needs a `state_size` and a `call(inputs, states)` that returns the output and the new "
              "states. `RNN` does the loop. This one has two weight matrices and one equation:"))
st.latex(CUSTOM_EQUATIONS)


@st.cache_data(show_spinner=_("Running the custom cell…"))
def custom():
    return run_custom_cell(**CUSTOM)


mine = custom()
left, right = st.columns([3, 1], gap="large")
with left:
    chart(unit_lines(mine.outputs[0], list(range(min(4, CUSTOM["units"]))), quantity="tanh",
                               title=_("RNN(MinimalRNNCell(8)): units 0–3 of h, sample 0")), key="cells.fig.custom")
with right:
    difference(_("cell − its equation in numpy"), mine.equation_difference,
               help=_("The equation stepped by hand in numpy from the cell's own W and U."))
keras_code(codegen.custom_cell_code(**CUSTOM))

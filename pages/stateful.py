"""Stateful: a long sequence fed chunk by chunk to a stateful layer, against stateless chunks and the whole."""

import numpy as np
import streamlit as st

from rnnviz.figures.lessons import boundary_lines, continuation_diagram
from rnnviz.i18n import _
from rnnviz.lessons import codegen
from rnnviz.lessons.stateful import GUIDE_CHUNK, GUIDE_LENGTH, LENGTH_CHOICES, StatefulSession, StatefulSetup, run_stateful
from rnnviz.limits import MAX_CHUNKS
from rnnviz.ui.charts import chart
from rnnviz.ui import keys
from rnnviz.ui.lesson_blocks import difference, keras_code, lesson_intro
from rnnviz.ui import link_params, links

lesson_intro(
    _("Stateful: one long sequence, fed in chunks"),
    _("A very long sequence can be cut into chunks and fed one chunk per batch. Normally a layer starts every batch "
    "from zeros, so the chunks know nothing of each other. With **`stateful=True`** the layer keeps its final "
    "states and starts the next batch from them: **sample i of each batch continues sample i of the batch "
    "before**, so every batch must hold the same number of samples. Fed in order, the chunks give exactly what "
    "the whole sequence gives at once. **`layer.reset_state()`** sets the kept states back to zeros. The guide's "
    "layer: `LSTM(64, stateful=True)` on batches of 20 samples of 50 features; its sequence has "
    "{length} steps (t0 … t1547).").format(length=f"{GUIDE_LENGTH:,}"), guide_section=_("Cross-batch statefulness"),
)

links.bind(link_params.STATEFUL)  # the URL carries these settings (rnnviz/ui/links.py)
c1, c2, c3 = st.columns(3)
length = c1.selectbox(_("Sequence length (steps)"), LENGTH_CHOICES, index=LENGTH_CHOICES.index(GUIDE_LENGTH),
                      key=keys.STATEFUL_LENGTH, format_func=lambda n: _("{n} (the guide's)").format(n=f"{n:,}")
                      if n == GUIDE_LENGTH else f"{n:,}")
chunk = c2.number_input(_("Chunk length (steps per batch)"), 1, int(length), min(GUIDE_CHUNK, int(length)),
                        key=keys.STATEFUL_CHUNK,
                        help=_("At most {batches} batches: at least {steps} steps per batch here.").format(
                            batches=MAX_CHUNKS, steps=-(-int(length) // MAX_CHUNKS)))
try:  # the cost (one forward pass per chunk) is checked before any work
    setup = StatefulSetup(length=int(length), chunk=int(chunk))
except ValueError as err:
    message = str(err)  # in the session's language (rnnviz.lessons speak it)
    st.error(message[:1].upper() + message[1:] + ".", icon=":material/block:")
    st.stop()
starts = [a for a, __ in setup.bounds][1:]

session = st.session_state.get(keys.STATEFUL_SESSION)
if session is None or session.setup != setup:
    session = st.session_state[keys.STATEFUL_SESSION] = StatefulSession(setup)  # this browser session's own
    st.session_state.pop(keys.STATEFUL_ERROR, None)  # a new layer, fed from its first chunk: the old refusal is gone


@st.cache_data(show_spinner=_("Feeding every chunk three ways…"), max_entries=8)
def lesson(setup):
    return run_stateful(setup)


result = lesson(setup)
# By default follow the unit that jumps most at the first boundary, where forgetting shows best.
at = starts[0] if starts else 0
biggest = int(np.abs(result.stateless[0, at] - result.whole[0, at]).argmax())
unit = c3.number_input(_("Unit followed in the pictures"), 0, setup.units - 1, biggest, key=keys.STATEFUL_UNIT)

# --- Feed it yourself -------------------------------------------------------------------------
st.subheader(_("Feed it yourself"))


def _session() -> StatefulSession:
    return st.session_state[keys.STATEFUL_SESSION]


def _feed():
    st.session_state.pop(keys.STATEFUL_ERROR, None)
    try:
        _session().feed(samples=int(st.session_state[keys.STATEFUL_SAMPLES]))
    except ValueError as err:
        st.session_state[keys.STATEFUL_ERROR] = str(err)


def _reset():
    st.session_state.pop(keys.STATEFUL_ERROR, None)
    _session().reset_state()


def _start_over():
    st.session_state.pop(keys.STATEFUL_ERROR, None)
    _session().start_over()


b0, b1, b2, b3 = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
b0.number_input(_("Samples in the next batch"), 1, 256, setup.batch, key=keys.STATEFUL_SAMPLES,
                help=_("The layer was built for {batch}; try another number.").format(batch=setup.batch))
nxt = session.next_index
label = _("Every chunk fed") if session.done else _("Feed batch {number} (steps {first}–{last})").format(
    number=nxt + 1, first=setup.bounds[nxt][0], last=setup.bounds[nxt][1] - 1)
b1.button(label, key=keys.STATEFUL_FEED, on_click=_feed, disabled=session.done, type="primary", width="stretch")
b2.button(_("layer.reset_state()"), key=keys.STATEFUL_RESET, on_click=_reset, width="stretch",
          help=_("Set the kept h and c to zeros; the next batch starts from them."))
b3.button(_("Start over"), key=keys.STATEFUL_START_OVER, on_click=_start_over, width="stretch",
          help=_("reset_state() and go back to the first chunk."))
if keys.STATEFUL_ERROR in st.session_state:
    st.error(st.session_state[keys.STATEFUL_ERROR], icon=":material/block:")

kept = session.states()
fed = session.fed
m1, m2, m3 = st.columns(3)
m1.metric(_("Batches fed"), _("{fed} of {total}").format(fed=len(fed), total=len(setup.bounds)))
m2.metric(_("Kept state: largest |h|"), f"{float(np.abs(kept[0]).max()):.4f}",
          help=_("The hidden state the layer keeps for the next batch, over every sample and unit."))
m3.metric(_("The next batch starts from"), _("zeros") if not np.abs(kept[0]).max() else _("the kept state"))
by_hand = np.full(setup.length, np.nan, np.float32)
for piece in fed:
    by_hand[piece.start:piece.stop] = piece.h[0, :, unit]
resets = [piece.start for piece in fed if piece.after_reset]
whole_at_once = _("whole sequence at once")
chart(boundary_lines(
    {_("fed by hand"): by_hand, whole_at_once: result.whole[0, :, unit]},
    title=(_("Unit {unit} of h, sample 0: what you fed, against the whole sequence (reset before step {steps})")
           if resets else _("Unit {unit} of h, sample 0: what you fed, against the whole sequence")).format(
        unit=unit, steps=", ".join(map(str, resets))),
    y_title="h", boundaries=starts, dashed=[whole_at_once], height=380,
), key="stateful.fig.by_hand")

# --- All chunks, three ways -------------------------------------------------------------------
st.subheader(_("Every chunk, three ways"))
m1, m2, m3 = st.columns([1, 1, 2])
with m1:
    difference(_("stateful − whole"), result.max_difference,
               help=_("The largest |difference| of h over every sample, step and unit."))
m2.metric(_("stateless − whole"), f"{result.stateless_difference:.3f}",
          help=_("The largest |difference| of h over every sample, step and unit: each stateless chunk restarts "
                 "from zeros."))
m3.caption(_("Fed chunk after chunk, the stateful layer gives exactly the whole-sequence run. The stateless run "
             "jumps at every boundary, where it forgets, and then slowly comes back towards it."))
whole_sequence = _("whole sequence")
chart(boundary_lines(
    {_("stateless chunks"): result.stateless[0, :, unit], _("stateful chunks"): result.stateful[0, :, unit],
     whole_sequence: result.whole[0, :, unit]},
    title=_("Unit {unit} of h, sample 0; a dashed line where each batch starts").format(unit=unit),
    y_title="h", boundaries=starts, dashed=[whole_sequence], height=420,
), key="stateful.fig.three")
chart(boundary_lines(
    {"stateless": result.distance_stateless, "stateful": result.distance_stateful},
    title=_("Distance from the whole-sequence run, at each step"), y_title=_("largest |difference|"),
    boundaries=starts, height=340,
), key="stateful.fig.distance")

st.subheader(_("Sample i continues sample i"))
chart(continuation_diagram(setup.batch, setup.bounds), key="stateful.fig.diagram")
st.markdown(_("Each row is one sample, each column one batch. The state after batch k's sample i is where batch "
              "k+1's sample i starts, so every batch must hold the same {batch} samples in the same order: "
              "that is why a stateful layer is built with `keras.Input(batch_shape=(20, None, 50))`. Set "
              "*Samples in the next batch* above to another number and feed, to see what is said then.").format(
    batch=setup.batch))
keras_code(codegen.stateful_code(setup))

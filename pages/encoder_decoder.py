"""Encoder to decoder: the encoder's final h and c become the decoder's initial state; change them and compare."""

import numpy as np
import streamlit as st

from rnnviz.explain import value_range
from rnnviz.figures import state_heatmap
from rnnviz.figures.lessons import boundary_lines, handoff_heatmaps
from rnnviz.i18n import _
from rnnviz.lessons import codegen
from rnnviz.lessons.seq2seq import CHANGES, run_seq2seq
from rnnviz.ui.charts import chart
from rnnviz.ui import keys
from rnnviz.ui.lesson_blocks import difference, keras_code, lesson_intro, sample_picker, shape_text
from rnnviz.ui import link_params, links

SIZE = dict(batch=2, encoder_steps=8, decoder_steps=8, seed=0)  # a longer decoder forgets the handed state

lesson_intro(
    _("Encoder to decoder"),
    _("In a sequence-to-sequence model an **encoder** LSTM reads one sequence and, with `return_state=True`, "
    "returns its final states **h and c**. A **decoder** LSTM reads another sequence starting from them "
    "(`initial_state=[state_h, state_c]`) instead of from zeros. This is the guide's model (preset "
    "`guide-encoder-decoder`) with vivid random weights, so that its states spread over their range (with "
    "Keras's initial weights they stay near 0 and any change is invisible). Zero or perturb the handed state "
    "and see how the decoder's states change, beside the run that got the encoder's state unchanged."), guide_section=_("Outputs and states"),
)

links.bind(link_params.ENCODER_DECODER)  # the URL carries these settings (rnnviz/ui/links.py)
c1, c2, c3 = st.columns([2, 2, 1])
change = c1.selectbox(_("What the decoder is handed"), CHANGES, index=CHANGES.index("zero c"), key=keys.SEQ2SEQ_CHANGE,
                      format_func=lambda c: _("the encoder's h and c, unchanged") if c == "keep" else _(c))
noise = c2.slider(_("noise (standard deviation)"), 0.0, 2.0, 0.5, 0.05, key=keys.SEQ2SEQ_NOISE,
                  disabled=change != "add noise", help=_("Gaussian noise added to h and c for “add noise”."))
with c3:
    sample = sample_picker(keys.SEQ2SEQ_SAMPLE, SIZE["batch"])


@st.cache_data(show_spinner=_("Running the encoder and the decoder…"), max_entries=32)
def lesson(change, noise):
    return run_seq2seq(change=change, noise=noise, **SIZE)


result = lesson(change, float(noise) if change == "add noise" else 0.5)
m1, m2, m3 = st.columns(3)
m1.metric(_("Encoder LSTM params"), f"{result.params['encoder']:,}")
m2.metric(_("Decoder LSTM params"), f"{result.params['decoder']:,}")
m3.metric(_("Total params"), f"{result.total_params:,}")
st.markdown(_("The encoder, `LSTM(64, return_state=True)`, returns three tensors, `output, state_h, state_c`: "
              "{shapes}. The decoder starts from the last two. Per layer, as the guide's `model.summary()` counts: "
              "{counts}.").format(shapes=", ".join(f"`{shape_text(s)}`" for s in result.encoder_returned_shapes),
                                  counts=", ".join(f"{name} **{count:,}**" for name, count in result.params.items())))

label = _("unchanged") if change == "keep" else (
    _("{change} (σ = {noise})").format(change=_(change), noise=f"{result.noise:g}") if change == "add noise" else _(change))
from_encoder, from_label = _("decoder from the encoder's h, c"), _("decoder from: {label}").format(label=label)
tab_h, tab_c = st.tabs([_("hidden state h"), _("cell state c")])
with tab_h:
    chart(handoff_heatmaps(result.encoder_h[sample], {
        from_encoder: result.unchanged.h[sample], from_label: result.changed.h[sample],
    }, title=_("Hidden state h, sample {sample}: encoder, then decoder").format(sample=sample),
        quantity=value_range("LSTM", "hidden")), key="seq2seq.fig.h")
with tab_c:
    chart(handoff_heatmaps(result.encoder_c[sample], {
        from_encoder: result.unchanged.c[sample], from_label: result.changed.c[sample],
    }, title=_("Cell state c, sample {sample}: encoder, then decoder").format(sample=sample), quantity="free"),
        key="seq2seq.fig.c")

changed_h = result.changed.h[sample] - result.unchanged.h[sample]  # (decoder_steps, units)
st.subheader(_("What changed: the decoder's h from “{label}” minus h from the encoder's state").format(label=label))
chart(state_heatmap(changed_h, quantity="free", title=_("h({label}) − h(unchanged), sample {sample}: "
                              "white where nothing changed").format(label=label, sample=sample)),
      key="seq2seq.fig.difference")
gap_h = np.abs(result.changed.h - result.unchanged.h)[sample].max(axis=1)
gap_c = np.abs(result.changed.c - result.unchanged.c)[sample].max(axis=1)
left, right = st.columns([3, 2], gap="large")
with left:
    chart(boundary_lines({"h": gap_h, "c": gap_c}, title=_("How far the changed run is from the unchanged one"),
                                   y_title=_("largest |difference| over units"), x_title=_("decoder step")),
                    key="seq2seq.fig.gap")
with right:
    st.markdown(_("**The checks** (largest |difference|)"))
    difference(_("decoder's start − encoder's final h, c"), result.handoff_difference,
               help=_("What the unchanged decoder starts from, against what LSTM(return_state=True) returned."))
    difference(_("Keras model − this unchanged run"), result.model_difference,
               help=_("The whole guide model run by Keras, against Dense(softmax) on the last h stepped here."))
    st.markdown(_("**The decoder's output** (Dense(10, softmax) on its last h), sample {sample}: class {before} "
                  "unchanged, class {after} from the changed state.").format(
        sample=sample, before=int(result.unchanged.probabilities[sample].argmax()),
        after=int(result.changed.probabilities[sample].argmax())))
    before, after = result.unchanged.probabilities[sample], result.changed.probabilities[sample]
    st.dataframe({_("unchanged"): before, label: after, _("change"): after - before}, height=220, width="stretch")
    st.metric(_("Largest change of a probability"), f"{float(np.abs(after - before).max()):.4f}",
              help=_("Over the 10 classes of this sample: |changed − unchanged|."))
keras_code(codegen.seq2seq_code(change=change, noise=result.noise, **SIZE))

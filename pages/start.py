"""Start here: what rnnviz shows, a suggested order through the pages, and one picture of it."""

from pathlib import Path

import streamlit as st

from rnnviz.i18n import N_, _, current_language
from rnnviz.ui.lesson_blocks import GUIDE_URL

DOCS = Path(__file__).resolve().parents[1] / "docs"
PICTURES = {"en": DOCS / "start-states.png", "ko": DOCS / "start-states-ko.png"}  # cut from the States page in
# that language (scripts/start_picture.py): the top 680 px of its first chart
ORDER = (  # (page file, title, what it teaches), in the order a newcomer would read them
    ("build", N_("Build"), N_("pick a model from the guide (or edit one) and see its layers, shapes and parameter counts")),
    ("states", N_("States"), N_("feed it a sentence and watch its hidden state, cell state and gates at every step")),
    ("train", N_("Train"), N_("train a model on a toy task in seconds and find the unit that learned it")),
    ("outputs_states", N_("Outputs and states"), N_("what `return_sequences` and `return_state` make a layer return")),
    ("encoder_decoder", N_("Encoder to decoder"), N_("an encoder's final state starting a decoder, and what changes without it")),
    ("stateful", N_("Stateful"), N_("a long sequence fed in chunks, with and without `stateful=True`")),
    ("bidirectional", N_("Bidirectional"), N_("a forward and a backward reader, and how their outputs are merged")),
    ("cells_layers", N_("Cells and layers"), N_("`RNN(LSTMCell)` against `LSTM`, and the fast cuDNN kernel")),
    ("gradients", N_("Gradients through time"), N_("why a SimpleRNN forgets, and what training an LSTM or GRU changes")),
)

st.title(_("rnnviz: what happens inside a recurrent layer"))
st.markdown(_(
    "A recurrent layer (SimpleRNN, GRU, LSTM) reads a sequence one step at a time and carries a **state** "
    "from each step to the next. rnnviz runs real Keras models and shows that state, and an LSTM's or GRU's "
    "gates, at every step. It follows the Keras guide [“Working with RNNs”]({url}): each lesson page "
    "is one section of it. The sidebar picks the model that Build and States show; the other pages say which "
    "model they use.").format(url=GUIDE_URL))
order, picture = st.columns([2, 3], gap="large")
with order:
    st.subheader(_("A suggested order"))
    for n, (page, title, what) in enumerate(ORDER, 1):  # page_link keeps this session (and its model)
        path = f"pages/{page}.py"
        st.page_link(path, label="{n}. **{title}**".format(n=n, title=_(title)))
        st.caption(_(what))
picture.image(str(PICTURES[current_language()]), caption=_("The States page: the guide's LSTM reading a typed sentence. Each column is "
                                      "one step, each row one unit; press Play and the outline walks along the steps."))

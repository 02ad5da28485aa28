"""rnnviz: the app. Shared sidebar (model choice, device line), then the chosen page."""

import time

import streamlit as st

started = time.perf_counter()  # the run's start, for RNNVIZ_TIMING (rnnviz/ui/serving.py)
st.set_page_config(page_title="rnnviz", page_icon=":material/replay:", layout="wide")

from rnnviz.i18n import N_, _  # noqa: E402
from rnnviz.ui import device_line, language, link_model, links, model_source, presenter, reopen, serving  # noqa: E402  (after set_page_config)
from rnnviz.ui.warm_start import warm_start  # noqa: E402

warm_start()  # once per process: no Keras reset after each run; every page's imports, kept out of gc sweeps
language.sync_language_with_url()  # before any text: the page titles below are translated too
presenter.sync_presenter_with_url()  # ?present=1, kept in the URL while on (page switches drop it)

# Streamlit serves the default page at / only (its own url_path answers "Page not found"), so the
# default is the start page and every other page has a path of its own.
PAGES = [  # built each run: the titles are in the session's language
    st.Page("pages/start.py", title=_("Start here"), icon=":material/home:", default=True),
    st.Page("pages/build.py", title=_("Build"), icon=":material/construction:", url_path="build"),
    st.Page("pages/states.py", title=_("States"), icon=":material/grid_on:", url_path="states"),
    st.Page("pages/train.py", title=_("Train"), icon=":material/model_training:", url_path="train"),
    st.Page("pages/outputs_states.py", title=_("Outputs and states"), icon=":material/output:", url_path="outputs-and-states"),
    st.Page("pages/encoder_decoder.py", title=_("Encoder to decoder"), icon=":material/swap_horiz:", url_path="encoder-decoder"),
    st.Page("pages/stateful.py", title=_("Stateful"), icon=":material/link:", url_path="stateful"),
    st.Page("pages/bidirectional.py", title=_("Bidirectional"), icon=":material/sync_alt:", url_path="bidirectional"),
    st.Page("pages/cells_layers.py", title=_("Cells and layers"), icon=":material/memory:", url_path="cells-and-layers"),
    st.Page("pages/gradients.py", title=_("Gradients through time"), icon=":material/trending_down:", url_path="gradients"),
]

# Pages that build the guide's own example instead of showing the sidebar's model: the sidebar
# says so (and why) and greys out the model controls there. A page not listed uses the sidebar's model.
OWN_MODEL = {
    "outputs-and-states": N_("one layer built from the controls on the page, as the guide's example does, "
                          "so that every switch shows its effect on the returned tensors"),
    "encoder-decoder": N_("the guide's encoder-decoder (preset guide-encoder-decoder) with vivid random weights: "
                       "the lesson needs an encoder that hands over a state"),
    "stateful": N_("the guide's LSTM(64, stateful=True) with a fixed batch of 20: a stateful layer needs a "
                "fixed batch, and this page feeds it chunk by chunk"),
    "bidirectional": N_("one Bidirectional layer built from the controls on the page, with vivid random "
                     "weights, on the guide's input of 5 steps"),
    "cells-and-layers": N_("one layer and its RNN(cell) twin built from the controls on the page, at the guide's "
                        "sizes, so that they can be compared and timed"),
}

page = st.navigation(PAGES)
model_source.sync_with_url()
reopen.reopen_from_url()  # ?own=: the person's own model, after a reload of the page
links.start_run()
link_model.sync_model()  # model=, weights=, train= of a link
language.language_picker()
presenter.presenter_switch()
presenter.presenter_look()
own_model = OWN_MODEL.get(page.url_path)
model_source.model_picker(own_model=_(own_model) if own_model else None)
links.copy_link()
device_line.show_device_line()
serving.run_page(page, started)  # timed with RNNVIZ_TIMING=1 (bench/load.py)
links.finish_run()  # settings drawn first in this run go to the URL too
link_model.write_model()  # the Build page's edit, the Train page's model

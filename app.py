"""rnnviz: the app. Shared sidebar (model choice, device line), then the chosen page."""

import time

import streamlit as st

started = time.perf_counter()  # the run's start, for RNNVIZ_TIMING (rnnviz/ui/serving.py)
st.set_page_config(page_title="rnnviz", page_icon=":material/replay:", layout="wide")

from rnnviz.ui import device_line, model_source, serving  # noqa: E402  (after set_page_config)
from rnnviz.ui.warm_start import warm_start  # noqa: E402

warm_start()  # once per process: no Keras reset after each run; every page's imports, kept out of gc sweeps

PAGES = [
    st.Page("pages/build.py", title="Build", icon=":material/construction:", url_path="build", default=True),
    st.Page("pages/states.py", title="States", icon=":material/grid_on:", url_path="states"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:", url_path="train"),
    st.Page("pages/outputs_states.py", title="Outputs and states", icon=":material/output:", url_path="outputs-and-states"),
    st.Page("pages/encoder_decoder.py", title="Encoder to decoder", icon=":material/swap_horiz:", url_path="encoder-decoder"),
    st.Page("pages/stateful.py", title="Stateful", icon=":material/link:", url_path="stateful"),
    st.Page("pages/bidirectional.py", title="Bidirectional", icon=":material/sync_alt:", url_path="bidirectional"),
    st.Page("pages/cells_layers.py", title="Cells and layers", icon=":material/memory:", url_path="cells-and-layers"),
    st.Page("pages/gradients.py", title="Gradients through time", icon=":material/trending_down:", url_path="gradients"),
]

page = st.navigation(PAGES)
model_source.sync_with_url()
model_source.model_picker()
device_line.show_device_line()
serving.run_page(page, started)  # timed with RNNVIZ_TIMING=1 (bench/load.py)

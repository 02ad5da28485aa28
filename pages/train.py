"""Train: a small recurrent model learns a toy task in seconds; then find the unit that learned it."""

import time

import streamlit as st

from rnnviz.limits import MAX_TRAIN_SECONDS, MAX_TRAIN_UNITS
from rnnviz.figures.training import training_curve
from rnnviz.tasks import make_task, task_names
from rnnviz.training import CELLS, SCHEDULES, TEST_SAMPLES, EpochRecord
from rnnviz.ui import keys, trained
from rnnviz.ui.charts import chart
from rnnviz.ui.find_unit import find_unit_section
from rnnviz.ui import link_params, links

_SEND_S = 0.05  # a pause after each epoch's drawing, so the browser sees every epoch (epochs take ~0.3 s)

st.title("Train it here")
st.markdown("Pick a toy task and train a small network on it, live. Every other page then shows **this** model, "
            "fed with the task's own samples, so the states you watch mean something.")

links.bind(link_params.TRAIN)  # the URL carries these settings (rnnviz/ui/links.py)
c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
task_name = c1.selectbox("Task", task_names(), key=keys.TRAIN_TASK, format_func=lambda n: make_task(n).title)
cell = c2.selectbox("Cell", CELLS, key=keys.TRAIN_CELL)
units = int(c3.number_input("Units", 1, MAX_TRAIN_UNITS, 16, key=keys.TRAIN_UNITS,
                            help=f"1 to {MAX_TRAIN_UNITS}."))
seed = int(c4.number_input("Seed", 0, 1_000_000, 0, key=keys.TRAIN_SEED, help="The same seed gives the same weights."))
task = make_task(task_name)
st.markdown(f"**{task.title}.** {task.description}")

stopped = trained.finish_interrupted()  # a run the Stop button (or a touched control) interrupted
if stopped:
    st.session_state[keys.TRAIN_MESSAGE] = stopped
    st.rerun()
b1, b2, _ = st.columns([1, 2, 3])
go_train = b1.button("Train", type="primary", icon=":material/play_arrow:")
go_pretrained = b2.button("Use the pre-trained model", icon=":material/download_done:",
                          help="The LSTM(16) trained on this task with seed 0 that ships with rnnviz: opens at once.")
st.caption(f"Training runs {SCHEDULES[task_name].epochs} epochs and stops at {MAX_TRAIN_SECONDS} s at "
           "the latest. Touching any control while it runs stops it (the model trained so far is kept).")

if go_train:
    st.button("Stop", icon=":material/stop:", key="train_stop")
    total = SCHEDULES[task_name].epochs
    progress = st.progress(0.0, text="Starting…")
    live = st.empty()  # redrawn after every epoch; empty axes at once, so the browser is ready for epoch 1
    chart(training_curve([], [], [], total), where=live, name="training")
    records: list[EpochRecord] = []

    def show(record: EpochRecord) -> None:
        records.append(record)
        progress.progress(record.epoch / total, text=f"Epoch {record.epoch} of {total} · loss {record.loss:.3f} · "
                                                      f"accuracy {100 * record.accuracy:.1f} % · {record.seconds:.1f} s")
        chart(training_curve([r.epoch for r in records], [r.loss for r in records], [r.accuracy for r in records],
                             total), where=live, name="training")
        time.sleep(_SEND_S)  # let the server's event loop send this epoch before the next one starts

    with st.spinner("Training…"):
        st.session_state[keys.TRAIN_MESSAGE] = trained.train(task_name, cell, units, seed, show)
    st.rerun()  # the sidebar, drawn before this page, names the new model
elif go_pretrained:
    trained.use_pretrained(task_name)
    st.session_state[keys.TRAIN_MESSAGE] = None
    st.rerun()

if st.session_state.get(keys.TRAIN_MESSAGE):
    st.info(st.session_state[keys.TRAIN_MESSAGE])
current = trained.current_trained()
if current is None:
    st.info("No trained model yet: press **Train**, or use the pre-trained model.")
    st.stop()
st.success(f"The current model is the {current.cell}({current.units}) **{current.label}** "
           f"(test accuracy on {TEST_SAMPLES} held-out samples). Open **States** to watch it read the task's samples.")
if current.history:
    h = current.history
    chart(training_curve([r.epoch for r in h], [r.loss for r in h], [r.accuracy for r in h],
                                   SCHEDULES[current.task].epochs), key="curve")
    st.caption(f"{len(h)} epochs in {h[-1].seconds:.1f} s. {current.stopped.capitalize()}")
st.download_button("Download the model (.keras)", data=lambda: trained.keras_bytes(current.model),
                   file_name=f"{current.task}_{current.cell.lower()}{current.units}_seed{current.seed}.keras",
                   mime="application/zip", icon=":material/download:")
find_unit_section(current)

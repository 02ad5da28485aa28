"""Train: a small recurrent model learns a toy task in seconds; then find the unit that learned it."""

import time

import streamlit as st

from rnnviz.i18n import _
from rnnviz.limits import MAX_TRAIN_SECONDS, MAX_TRAIN_UNITS
from rnnviz.figures.training import training_curve
from rnnviz.tasks import make_task, task_names
from rnnviz.training import CELLS, SCHEDULES, TEST_SAMPLES, EpochRecord
from rnnviz.ui import keys, trained
from rnnviz.ui.charts import chart
from rnnviz.ui.find_unit import find_unit_section
from rnnviz.ui import link_params, links

_SEND_S = 0.05  # a pause after each epoch's drawing, so the browser sees every epoch (epochs take ~0.3 s)

st.title(_("Train it here"))
st.markdown(_("Pick a toy task and train a small network on it, live. Every other page then shows **this** model, "
              "fed with the task's own samples, so the states you watch mean something."))

links.bind(link_params.TRAIN)  # the URL carries these settings (rnnviz/ui/links.py)
c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
task_name = c1.selectbox(_("Task"), task_names(), key=keys.TRAIN_TASK,
                         format_func={n: _(make_task(n).title) for n in task_names()}.__getitem__)
cell = c2.selectbox(_("Cell"), CELLS, key=keys.TRAIN_CELL)
units = int(c3.number_input(_("Units"), 1, MAX_TRAIN_UNITS, 16, key=keys.TRAIN_UNITS,
                            help=_("1 to {most}.").format(most=MAX_TRAIN_UNITS)))
seed = int(c4.number_input(_("Seed"), 0, 1_000_000, 0, key=keys.TRAIN_SEED,
                           help=_("The same seed gives the same weights.")))
task = make_task(task_name)
st.markdown(_("**{title}.** {description}").format(title=_(task.title), description=task.description))

stopped = trained.finish_interrupted()  # a run the Stop button (or a touched control) interrupted
if stopped:
    st.session_state[keys.TRAIN_MESSAGE] = stopped
    st.rerun()
b1, b2, __ = st.columns([1, 2, 3])
go_train = b1.button(_("Train"), type="primary", icon=":material/play_arrow:")
go_pretrained = b2.button(_("Use the pre-trained model"), icon=":material/download_done:",
                          help=_("The LSTM(16) trained on this task with seed 0 that ships with rnnviz: opens at once."))
st.caption(_("Training runs {epochs} epochs and stops at {seconds} s at "
             "the latest. Touching any control while it runs stops it (the model trained so far is kept).")
           .format(epochs=SCHEDULES[task_name].epochs, seconds=MAX_TRAIN_SECONDS))

if go_train:
    st.button(_("Stop"), icon=":material/stop:", key="train_stop")
    total = SCHEDULES[task_name].epochs
    progress = st.progress(0.0, text=_("Starting…"))
    live = st.empty()  # redrawn after every epoch; empty axes at once, so the browser is ready for epoch 1
    chart(training_curve([], [], [], total), where=live, name="training")
    records: list[EpochRecord] = []

    def show(record: EpochRecord) -> None:
        records.append(record)
        progress.progress(record.epoch / total, text=_("Epoch {epoch} of {total} · loss {loss:.3f} · "
                                                        "accuracy {accuracy:.1f} % · {seconds:.1f} s").format(
            epoch=record.epoch, total=total, loss=record.loss, accuracy=100 * record.accuracy, seconds=record.seconds))
        chart(training_curve([r.epoch for r in records], [r.loss for r in records], [r.accuracy for r in records],
                             total), where=live, name="training")
        time.sleep(_SEND_S)  # let the server's event loop send this epoch before the next one starts

    with st.spinner(_("Training…")):
        st.session_state[keys.TRAIN_MESSAGE] = trained.train(task_name, cell, units, seed, show)
    st.rerun()  # the sidebar, drawn before this page, names the new model
elif go_pretrained:
    trained.use_pretrained(task_name)
    st.session_state[keys.TRAIN_MESSAGE] = None
    st.rerun()

if st.session_state.get(keys.TRAIN_MESSAGE):
    st.info(str(st.session_state[keys.TRAIN_MESSAGE]))  # a Message: in the language of this run
current = trained.current_trained()
if current is None:
    st.info(_("No trained model yet: press **Train**, or use the pre-trained model."))
    st.stop()
st.success(_("The current model is the {cell}({units}) **{label}** (test accuracy on {samples} held-out samples). "
             "Open **States** to watch it read the task's samples.").format(
    cell=current.cell, units=current.units, label=current.label, samples=TEST_SAMPLES))
if current.history:
    h = current.history
    chart(training_curve([r.epoch for r in h], [r.loss for r in h], [r.accuracy for r in h],
                                   SCHEDULES[current.task].epochs), key="curve")
    st.caption(_("{epochs} epochs in {seconds:.1f} s.").format(epochs=len(h), seconds=h[-1].seconds) if not current.stopped
               else _("{epochs} epochs in {seconds:.1f} s: {stopped}.").format(
                   epochs=len(h), seconds=h[-1].seconds, stopped=current.stopped))
st.download_button(_("Download the model (.keras)"), data=lambda: trained.keras_bytes(current.model),
                   file_name=f"{current.task}_{current.cell.lower()}{current.units}_seed{current.seed}.keras",
                   mime="application/zip", icon=":material/download:")
find_unit_section(current)

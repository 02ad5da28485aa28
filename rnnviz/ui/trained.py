"""This session's model trained on a toy task (or the shipped pre-trained one) as the current model.

A training run takes one of the server's compute slots (the ones traces use, see `traced`), a
session runs at most one at a time, and a run stops when its tab is closed (checked after every
epoch) or when the page reruns (the Stop button, or any control touched meanwhile); the model trained
so far is kept.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import keras
import streamlit as st
from streamlit.runtime import get_instance
from streamlit.runtime.scriptrunner import get_script_run_ctx

from rnnviz import limits
from rnnviz.i18n import N_, Message, _, later
from rnnviz.pretrained import pretrained, pretrained_info
from rnnviz.probe import UnitReport, find_units
from rnnviz.tasks import make_task
from rnnviz.training import EpochRecord, accuracy, build_task_model, test_batch, train_task
from rnnviz.ui import keys, own_link
from rnnviz.ui.model_source import CurrentModel
from rnnviz.ui.traced import compute_slot


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A model trained on task `task`, its untrained twin, and how it was made."""

    task: str
    cell: str
    units: int
    seed: int
    model: keras.Model
    untrained: keras.Model
    history: tuple[EpochRecord, ...]
    test_accuracy: float
    stopped: Message | None = None  # why the run ended early (`str()` it when shown), None when it ran every epoch
    shipped: bool = False  # the pre-trained model shipped with rnnviz

    @property
    def label(self) -> str:
        """E.g. "trained on brackets, seed 0, 99.8 %"."""
        made = _("pre-trained on {task}, seed {seed}, {accuracy:.1f} %") if self.shipped else \
            _("trained on {task}, seed {seed}, {accuracy:.1f} %")
        return made.format(task=self.task, seed=self.seed, accuracy=100 * self.test_accuracy)


def use(trained: TrainedModel, *, token: str | None = None) -> None:
    """Make `trained` this session's current model, on every page, kept for a reload of the page.

    Args:
        trained: the model.
        token: its token in `rnnviz.kept.KEPT` when it was reopened from there (else it is kept anew).
    """
    if token is None:
        own_link.keep("trained", () if trained.shipped else trained.model.get_weights(), kept_meta(trained))
    else:
        st.session_state.setdefault(keys.OWN_TOKENS, {})["trained"] = token
    st.session_state[keys.TRAINED] = trained
    st.session_state[keys.TRAINED_CURRENT] = CurrentModel(("trained", id(trained.model)), trained.label,
                                                          trained.model, None, task=trained.task)
    st.session_state[keys.SOURCE] = "trained"
    st.session_state.pop(keys.UNIT_REPORTS, None)
    st.query_params.pop("preset", None)


def current_trained() -> TrainedModel | None:
    """The trained model when it is the one every page shows, else None."""
    return st.session_state.get(keys.TRAINED) if st.session_state.get(keys.SOURCE) == "trained" else None


def use_pretrained(task: str) -> None:
    """Open the model shipped for `task`."""
    use(pretrained_model(task))


def pretrained_model(task: str) -> TrainedModel:
    """The model shipped for `task`; its twin is rebuilt from the same seed (the same start weights)."""
    info = pretrained_info(task)
    untrained = build_task_model(make_task(task), info["cell"], info["units"], info["seed"])
    return TrainedModel(task, info["cell"], info["units"], info["seed"], pretrained(task), untrained, (),
                        info["test_accuracy"], shipped=True)


def kept_meta(trained: TrainedModel) -> dict:
    """What `rebuild` needs besides the weights: plain values only."""
    return {"task": trained.task, "cell": trained.cell, "units": trained.units, "seed": trained.seed,
            "history": trained.history, "test_accuracy": trained.test_accuracy, "stopped": trained.stopped,
            "shipped": trained.shipped}


def rebuild(meta: Mapping, weights: tuple) -> TrainedModel:
    """A `TrainedModel` for this session alone from what `use` kept (`kept_meta` and the weights)."""
    if meta["shipped"]:
        return pretrained_model(meta["task"])
    task = make_task(meta["task"])
    model = build_task_model(task, meta["cell"], meta["units"], meta["seed"])
    model.set_weights(list(weights))
    untrained = build_task_model(task, meta["cell"], meta["units"], meta["seed"])  # the same start weights
    return TrainedModel(meta["task"], meta["cell"], meta["units"], meta["seed"], model, untrained,
                        meta["history"], meta["test_accuracy"], meta["stopped"])


def _tab_open() -> bool:
    ctx = get_script_run_ctx()
    try:
        return ctx is None or get_instance().is_active_session(ctx.session_id)
    except RuntimeError:  # no runtime (AppTest, a script): nothing to close
        return True


def train(task: str, cell: str, units: int, seed: int,
          on_epoch: Callable[[EpochRecord], None]) -> Message | None:
    """Train in one of the server's compute slots and make the result current; None, or why it did not run
    (a `Message`, shown with `str()` in the language of the moment).

    `on_epoch` draws the progress; a rerun it triggers (Stop) leaves the partial run in session state
    for `finish_interrupted` to keep.
    """
    lock: threading.Lock = st.session_state.setdefault(keys.TRAIN_LOCK, threading.Lock())
    if not lock.acquire(blocking=False):
        return later(N_("This session is already training a model; wait for it or press Stop."))
    try:
        with compute_slot() as got:
            if not got:
                return later(N_("The server is busy with other sessions' runs; try again in a moment."))
            settings = (task, cell, int(units), int(seed))
            history: list[EpochRecord] = []

            def keep(model: keras.Model, untrained: keras.Model) -> None:
                st.session_state[keys.TRAIN_PARTIAL] = (settings, model, untrained, history)

            def epoch_done(record: EpochRecord) -> bool:
                history.append(record)
                on_epoch(record)
                return not _tab_open()

            result = train_task(task, cell, units, seed, max_seconds=limits.MAX_TRAIN_SECONDS,
                                on_epoch=epoch_done, on_start=keep)
            st.session_state.pop(keys.TRAIN_PARTIAL, None)
            use(TrainedModel(task, cell, int(units), int(seed), result.model, result.untrained,
                             result.history, result.test_accuracy, result.stopped))
            return None
    finally:
        lock.release()


def finish_interrupted() -> Message | None:
    """Keep the model of a run a rerun interrupted (Stop); what to say about it, None when there was none."""
    partial = st.session_state.pop(keys.TRAIN_PARTIAL, None)
    if partial is None:
        return None
    (task, cell, units, seed), model, untrained, history = partial
    if not history:
        return later(N_("Stopped before the first epoch ended: nothing to keep."))
    score = accuracy(model, test_batch(make_task(task)))
    use(TrainedModel(task, cell, units, seed, model, untrained, tuple(history), score,
                     later(N_("stopped by you after epoch {epoch}"), epoch=len(history))))
    return later(N_("Stopped after epoch {epoch}; the model trained so far is the current model."), epoch=len(history))


def unit_report(trained: TrainedModel) -> UnitReport:
    """The units of `trained` and of its twin scored against the task's latent, once per model."""
    cached = st.session_state.get(keys.UNIT_REPORTS)
    if cached is None or cached[0] is not trained.model:
        with compute_slot() as got, st.spinner(_("Scoring every unit against the task's hidden variable…")):
            if not got:
                raise ValueError(_("The server is busy with other sessions' runs; try again in a moment."))
            cached = (trained.model, find_units(trained.model, trained.untrained, trained.task))
        st.session_state[keys.UNIT_REPORTS] = cached
    return cached[1]


def keras_bytes(model: keras.Model) -> bytes:
    """`model` saved as a `.keras` file, in bytes, for the download button."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()

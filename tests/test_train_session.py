"""rnnviz.ui.trained's training run in a session: one run per session, and a closed tab stops it.

These call `trained.train` directly, with a plain dict as the session's state (no Streamlit run), a
real (tiny) training run, and a short schedule so each test takes a second or two.
"""

import threading
import types

import numpy as np
import pytest

from rnnviz import training
from rnnviz.training import Schedule
from rnnviz.ui import keys, trained

EPOCHS = 4


@pytest.fixture
def session(monkeypatch):
    """A session's state as a dict, in place of Streamlit's, and a 4-epoch schedule of 2 batches."""
    state: dict = {}
    monkeypatch.setattr(trained, "st", types.SimpleNamespace(session_state=state, query_params={}))
    monkeypatch.setitem(training.SCHEDULES, "sentiment", Schedule(epochs=EPOCHS, batches=2, learning_rate=0.01))
    return state


def _train(on_epoch):
    return trained.train("sentiment", "LSTM", 2, 0, on_epoch)


def test_a_second_run_in_the_same_session_is_refused_while_the_first_runs(session):
    in_epoch, go_on = threading.Event(), threading.Event()
    first: dict = {}

    def held(record):  # the first run waits here, in its first epoch's drawing, until told to go on
        in_epoch.set()
        assert go_on.wait(60), "the test never let the first run go on"

    runner = threading.Thread(target=lambda: first.setdefault("message", _train(held)))
    runner.start()
    try:
        assert in_epoch.wait(120), "the first run never finished an epoch"
        second_epochs = []
        message = _train(second_epochs.append)  # the same session asks again while the first runs
        assert str(message) == "This session is already training a model; wait for it or press Stop."
        assert second_epochs == [] and keys.TRAINED not in session  # nothing of the second run happened
    finally:
        go_on.set()
        runner.join(120)
    assert not runner.is_alive() and first["message"] is None  # the first run went on and finished
    assert len(session[keys.TRAINED].history) == EPOCHS
    # the lock is given back: the session can train again once the first run is over
    epochs = []
    assert _train(epochs.append) is None and len(epochs) == EPOCHS


def test_the_lock_is_given_back_when_a_run_is_interrupted(session):
    class Interrupted(BaseException):  # what Streamlit raises in the script when the page reruns
        pass

    def interrupt(record):
        raise Interrupted

    with pytest.raises(Interrupted):
        _train(interrupt)
    epochs = []
    assert _train(epochs.append) is None and len(epochs) == EPOCHS


class _Runtime:
    """Streamlit's Runtime as `_tab_open` asks it: the tab is open for `open_checks` checks, then closed."""

    def __init__(self, open_checks):
        self.open_checks = open_checks
        self.asked = []

    def is_active_session(self, session_id):
        self.asked.append(session_id)
        return len(self.asked) <= self.open_checks


@pytest.mark.parametrize("open_checks", [0, 2])
def test_a_closed_tab_stops_training_after_the_current_epoch(session, monkeypatch, open_checks):
    runtime = _Runtime(open_checks)
    monkeypatch.setattr(trained, "get_script_run_ctx", lambda: types.SimpleNamespace(session_id="tab-1"))
    monkeypatch.setattr(trained, "get_instance", lambda: runtime)
    epochs = []
    assert _train(lambda r: epochs.append(r.epoch)) is None
    closed_in = open_checks + 1  # the epoch during which the tab was found closed
    assert epochs == list(range(1, closed_in + 1))  # no epoch after the one that saw the closed tab
    assert runtime.asked == ["tab-1"] * closed_in  # asked about this session, once per epoch
    kept = session[keys.TRAINED]
    assert len(kept.history) == closed_in and str(kept.stopped) == f"stopped after epoch {closed_in}"
    assert any(not np.array_equal(a, b) for a, b in zip(kept.model.get_weights(), kept.untrained.get_weights()))


def test_an_open_tab_trains_every_epoch(session, monkeypatch):
    runtime = _Runtime(open_checks=10**6)
    monkeypatch.setattr(trained, "get_script_run_ctx", lambda: types.SimpleNamespace(session_id="tab-1"))
    monkeypatch.setattr(trained, "get_instance", lambda: runtime)
    assert _train(lambda r: None) is None
    assert len(session[keys.TRAINED].history) == EPOCHS and session[keys.TRAINED].stopped is None
    assert runtime.asked == ["tab-1"] * EPOCHS

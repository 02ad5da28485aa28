"""Run the current model on the panel's input and keep the trace for this session.

At most `MAX_CONCURRENT_TRACES` traces run at once in the whole server (about one per core; more
only slows every one of them down). A session that finds them all taken waits, with a spinner, at
most `TRACE_WAIT_S` seconds for one, and is then told the server is busy: however heavy the
requests of others, no session waits longer than that for its turn (a wait of `SHOW_WAIT_S` or
more is stated on the page). Pages that do not trace never wait for a slot.

The trace of an unedited, non-stateful preset depends only on its spec and the input, so it is
computed once for the whole server (`st.cache_data`, plain arrays, a copy per session); every
session still builds its own model.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import keras
import streamlit as st

from rnnviz.feeding import model_arguments, needs_from_model, prepare
from rnnviz.i18n import N_, _, current_language
from rnnviz.inputs import PreparedInput
from rnnviz.spec import ModelSpec
from rnnviz.trace import Trace, estimate_trace_bytes, trace
from rnnviz.ui import keys
from rnnviz.ui.input_panel import input_panel
from rnnviz.ui.model_source import CurrentModel, current_model
from rnnviz.ui.task_input import task_input

_KEEP = 4  # traces kept per session
SHARED_TRACES = 8  # traces of unedited presets shared by all sessions (a few MB each)
SHARED_TRACE_BYTES = 96 * 1024**2  # the largest estimated peak shared (its arrays: a fraction); longer: per session
NO_RECURRENT_LAYER = N_("This model has no SimpleRNN, GRU or LSTM layer to show.")
MAX_CONCURRENT_TRACES = 2  # traces running at once, all sessions together
TRACE_WAIT_S = 60.0  # the longest a session waits for one of them to finish
SHOW_WAIT_S = 0.5  # a wait at least this long is shown under the page's title
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_TRACES)
# One lock per model: two quick reruns of one session (two script threads) trace its model once.
_MODEL_LOCKS: "weakref.WeakKeyDictionary[keras.Model, threading.Lock]" = weakref.WeakKeyDictionary()
_MODEL_LOCKS_GUARD = threading.Lock()


@dataclass(frozen=True)
class TracedRun:
    """What a page draws: the model, the prepared inputs and the trace."""

    current: CurrentModel
    inputs: tuple[PreparedInput, ...]
    trace: Trace

    @property
    def row(self) -> int:
        """The batch row to show."""
        return self.inputs[0].row

    def labels_for(self, layer_name: str) -> tuple[str, ...]:
        """Step labels for a layer: its own input's tokens (first input when unsure)."""
        steps = self.trace[layer_name].input_steps
        for prepared in self.inputs:
            if len(prepared.labels) == steps:
                return prepared.labels
        return tuple(str(t) for t in range(steps))


def traced_run() -> TracedRun | None:
    """Draw the input panel, trace the current model on it (cached for this session), or say why not."""
    current = current_model()
    if not _has_recurrent_layer(current.model):  # an uploaded model may have none
        st.info(_(NO_RECURRENT_LAYER))
        return None
    if current.task is not None:  # a model trained on a toy task reads that task's samples
        prepared, choices = task_input(current.task)
    else:
        needs = needs_from_model(current.model)
        choices = input_panel(needs)
        try:
            prepared = prepare(needs, choices)
        except ValueError as err:
            st.error(_("The input does not suit this model: {problem}").format(problem=err))
            return None
    for p in prepared:
        if p.note:
            st.sidebar.caption(p.note)
    cache: dict = st.session_state.setdefault(keys.TRACES, {})
    key = (current.key, choices, current_language())  # a trace holds its reasons as text, in a language
    result = cache.get(key)
    if result is None:
        try:
            result = _trace_into(cache, key, current.model, prepared)
        except ValueError as err:
            st.error(str(err))
            return None
        if result is None:
            st.warning(_("The server is busy with other sessions' runs (waited {seconds:.0f} s). "
                         "Try again in a moment: change nothing and press R, or touch any control.").format(
                seconds=TRACE_WAIT_S))
            return None
    return TracedRun(current, prepared, result)


def _has_recurrent_layer(model: keras.Model) -> bool:
    return any(isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))
               for layer in model._flatten_layers(include_self=False))


def _trace_into(cache: dict, key: tuple, model: keras.Model, prepared: tuple[PreparedInput, ...]) -> Trace | None:
    """Trace once per key and store it; None when no slot came free in time. A run stopped midway
    (a rerun, an error) stores nothing, so the cache only ever holds whole traces."""
    with _held(_model_lock(model)) as got_model:
        if not got_model:
            return None
        if key in cache:  # the other script thread of this session has just traced it
            return cache[key]
        waited_from = time.monotonic()
        with _trace_slot() as got_slot:
            if not got_slot:
                return None
            waited = time.monotonic() - waited_from
            with st.spinner(_("Running the model and recording every timestep…")):
                arguments = model_arguments(prepared)
                shared = _shareable(key[0], model, arguments)
                result = (_shared_trace(shared, key[1], arguments, model, current_language()) if shared is not None
                          else trace(model, arguments))
        if waited >= SHOW_WAIT_S:
            st.caption(":material/hourglass_top: " + _("Waited {seconds:.1f} s for other sessions' runs "
                                                       "(the server runs {slots} at once).").format(
                seconds=waited, slots=MAX_CONCURRENT_TRACES))
        for old in list(cache)[: max(len(cache) - _KEEP + 1, 0)]:  # list() is atomic; pop(k, None) too
            cache.pop(old, None)
        cache[key] = result
        return result


def _shareable(model_key: tuple, model: keras.Model, arguments: Any) -> ModelSpec | None:
    """The spec when its trace may be shared with every session, else None.

    Only an unedited preset: its weights depend only on its spec (seeded), so every session's
    model of it computes the same trace on the same input. Never a model with a stateful layer
    (its trace depends on what it read before), an upload or a trained model, nor a trace over
    `SHARED_TRACE_BYTES` (estimated): the shared ones stay within `SHARED_TRACES` of those.
    """
    if model_key[0] != "spec" or st.session_state.get(keys.SOURCE) != "preset" or st.session_state.get(keys.EDITED):
        return None
    if any(getattr(layer, "stateful", False) for layer in model._flatten_layers(include_self=False)):
        return None
    try:
        if estimate_trace_bytes(model, arguments) > SHARED_TRACE_BYTES:
            return None
    except ValueError:  # the trace itself will say what is wrong, in this session
        return None
    return model_key[1]


@st.cache_data(show_spinner=False, max_entries=SHARED_TRACES)
def _shared_trace(spec: ModelSpec, choices: tuple, arguments: Any, _model: keras.Model, language: str) -> Trace:
    """The trace of an unedited preset's model, computed by the first session to ask and shared as
    plain arrays (a copy for each session; never the model): `_model` is that session's model of `spec`.
    `language` keys it: a trace holds the kernel's reason and the skipped layers' reasons as text."""
    return trace(_model, arguments)


def _model_lock(model: keras.Model) -> threading.Lock:
    with _MODEL_LOCKS_GUARD:
        return _MODEL_LOCKS.setdefault(model, threading.Lock())


@contextlib.contextmanager
def _trace_slot() -> Iterator[bool]:
    """One of the server's trace slots, waiting with a spinner when all are taken; yields False on timeout."""
    if _SLOTS.acquire(blocking=False):
        got = True
    else:
        with st.spinner(_("Waiting for another session's run…")):
            got = _SLOTS.acquire(timeout=TRACE_WAIT_S)
    try:
        yield got
    finally:
        if got:
            _SLOTS.release()


compute_slot = _trace_slot  # a training run (rnnviz.ui.trained) takes one of the same slots


@contextlib.contextmanager
def _held(lock: threading.Lock) -> Iterator[bool]:
    got = lock.acquire(timeout=TRACE_WAIT_S)
    try:
        yield got
    finally:
        if got:
            lock.release()

"""Lesson "Stateful": a long sequence cut into chunks and fed, chunk by chunk, to a stateful layer.

With `stateful=True` a layer keeps its final states after each batch and starts the next batch
from them, so sample i of one batch continues sample i of the batch before: the chunks of a
long sequence, fed in order, give exactly what the whole sequence gives at once. The same layer
without `stateful` restarts from zeros at every chunk, and its states jump at each boundary.
`reset_state()` sets the kept states back to zeros.

`run_stateful` is pure (it builds its own layers, so its result can be cached and shared);
`StatefulSession` keeps one stateful layer for one person, fed a chunk at a time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import keras
import numpy as np

from rnnviz.i18n import _
from rnnviz.lessons.common import (
    STATE_COUNT,
    check_int,
    check_kind,
    check_seed,
    check_shape,
    frozen,
    make_layer,
    max_abs_diff,
    random_input,
    run,
)
from rnnviz.limits import MAX_CHUNKS

GUIDE_LENGTH = 1548  # the guide's s = [t0, t1, ... t1547]
GUIDE_CHUNK = 100
LENGTH_CHOICES = (300, 600, 1000, GUIDE_LENGTH)


@dataclass(frozen=True)
class StatefulSetup:
    """What the lesson runs: the layer, the sequence and how it is cut. The guide's sizes by default."""

    kind: str = "LSTM"
    units: int = 64
    batch: int = 20
    features: int = 50
    length: int = GUIDE_LENGTH
    chunk: int = GUIDE_CHUNK
    seed: int = 0

    def __post_init__(self) -> None:
        check_kind(self.kind)
        check_shape(self.batch, self.length, self.features, self.units)
        check_int("chunk", self.chunk, 1, self.length)
        check_chunks(self.length, self.chunk)
        check_seed(self.seed)

    @property
    def bounds(self) -> tuple[tuple[int, int], ...]:
        """(start, stop) of every chunk; the last may be shorter."""
        return chunk_bounds(self.length, self.chunk)


def check_chunks(length: int, chunk: int) -> None:
    """Refuse a chunk length that cuts `length` steps into more than MAX_CHUNKS batches (one forward pass each).

    Raises:
        ValueError: naming the number of batches, the limit and the smallest chunk length allowed.
    """
    batches = -(-length // chunk)
    if batches > MAX_CHUNKS:
        smallest = -(-length // MAX_CHUNKS)
        raise ValueError(_(
            "a chunk length of {chunk} cuts {length} steps into {batches} batches, more than the limit of "
            "{limit} (one forward pass each): choose a chunk length of at least {smallest}, or a shorter sequence"
        ).format(chunk=chunk, length=f"{length:,}", batches=f"{batches:,}", limit=MAX_CHUNKS, smallest=smallest))


def chunk_bounds(length: int, chunk: int) -> tuple[tuple[int, int], ...]:
    """Cut steps 0..length-1 into chunks of `chunk` steps (the last may be shorter).

    Args:
        length: steps of the whole sequence.
        chunk: steps of each chunk.

    Returns:
        (start, stop) of each chunk, stop exclusive.
    """
    check_int("length", length, 1, 10**9)
    check_int("chunk", chunk, 1, length)
    return tuple((start, min(start + chunk, length)) for start in range(0, length, chunk))


def make_sequence(setup: StatefulSetup) -> np.ndarray:
    """The long sequence: seeded uniform values.  # (batch, length, features)"""
    return random_input((setup.batch, setup.length, setup.features), setup.seed)


def _stateful_model(setup: StatefulSetup) -> tuple[keras.Model, keras.layers.Layer]:
    """A stateful layer on a fixed batch (Keras 3: keras.Input(batch_shape=...)), any chunk length."""
    inp = keras.Input(batch_shape=(setup.batch, None, setup.features))
    layer = make_layer(setup.kind, setup.units, setup.seed, stateful=True, return_sequences=True)
    return keras.Model(inp, layer(inp)), layer


def _stateless_model(setup: StatefulSetup) -> keras.Model:
    inp = keras.Input(shape=(None, setup.features))
    layer = make_layer(setup.kind, setup.units, setup.seed, return_sequences=True)
    return keras.Model(inp, layer(inp))


@dataclass(frozen=True)
class StatefulLesson:
    """The hidden state over the whole sequence, three ways, and how far they are apart."""

    setup: StatefulSetup
    bounds: tuple[tuple[int, int], ...]  # (start, stop) of each chunk
    stateful: np.ndarray  # (batch, length, units) h, chunks fed in order to the stateful layer
    stateless: np.ndarray  # (batch, length, units) h, each chunk alone from zeros
    whole: np.ndarray  # (batch, length, units) h, the whole sequence at once
    states_after: tuple[np.ndarray, ...]  # per state (h, then c for LSTM): (chunks, batch, units) kept after each chunk
    max_difference: float  # max |stateful - whole|: 0 up to float32 rounding
    stateless_difference: float  # max |stateless - whole|: the restarts
    distance_stateful: np.ndarray  # (length,) max over batch and units of |stateful - whole| at each step
    distance_stateless: np.ndarray  # (length,) the same for stateless


def run_stateful(setup: StatefulSetup) -> StatefulLesson:
    """Feed the sequence chunk by chunk to a stateful layer, and compare with two stateless runs.

    Args:
        setup: the layer, the sequence length and the chunk length.

    Returns:
        The hidden states of the stateful run, the stateless run restarted at each chunk, and
        the whole-sequence run, all with the same weights, with their differences.
    """
    x = make_sequence(setup)
    model, layer = _stateful_model(setup)
    stateless = _stateless_model(setup)
    stateless.set_weights(model.get_weights())
    kept: list[list[np.ndarray]] = [[] for __ in range(STATE_COUNT[setup.kind])]
    chunks_stateful, chunks_stateless = [], []
    for start, stop in setup.bounds:  # at most MAX_CHUNKS (StatefulSetup checks it)
        chunks_stateful.append(run(model, x[:, start:stop])[0])
        chunks_stateless.append(run(stateless, x[:, start:stop])[0])
        for store, state in zip(kept, layer.states):
            store.append(np.asarray(state))
    whole = run(stateless, x)[0]
    chained, restarted = np.concatenate(chunks_stateful, axis=1), np.concatenate(chunks_stateless, axis=1)
    return StatefulLesson(
        setup=setup,
        bounds=setup.bounds,
        stateful=frozen(chained),
        stateless=frozen(restarted),
        whole=frozen(whole),
        states_after=tuple(frozen(np.stack(s)) for s in kept),
        max_difference=max_abs_diff(chained, whole),
        stateless_difference=max_abs_diff(restarted, whole),
        distance_stateful=frozen(np.abs(chained - whole).max(axis=(0, 2))),
        distance_stateless=frozen(np.abs(restarted - whole).max(axis=(0, 2))),
    )


def batch_mismatch_message(index: int, samples: int, built_for: int) -> str:
    """Why a stateful layer refuses a batch of another size, and what to do."""
    return _(
        "batch {index} has {samples} samples but the layer was built for {built_for}; a stateful layer "
        "needs the same batch size every time (sample i continues sample i). Feed "
        "{built_for} samples, or build the layer with keras.Input(batch_shape=({samples}, ...)) and start over"
    ).format(index=index, samples=samples, built_for=built_for)


@dataclass(frozen=True)
class FedChunk:
    """One chunk fed to a `StatefulSession`."""

    index: int  # which chunk of the sequence
    start: int  # first step
    stop: int  # one past the last step
    after_reset: bool  # reset_state() was called just before this chunk
    initial: tuple[np.ndarray, ...]  # states the chunk started from, each (batch, units)
    h: np.ndarray  # (batch, stop - start, units)


class StatefulSession:
    """One person's stateful layer, fed one chunk at a time (never share it between sessions).

    A lock keeps two quick reruns of the same page from feeding the layer at once.
    """

    def __init__(self, setup: StatefulSetup) -> None:
        self.setup = setup
        self._x = make_sequence(setup)
        self._model, self._layer = _stateful_model(setup)
        self._lock = threading.Lock()
        self._fed: list[FedChunk] = []
        self._reset_pending = False

    @property
    def fed(self) -> tuple[FedChunk, ...]:
        """The chunks fed so far, in order."""
        return tuple(self._fed)

    @property
    def next_index(self) -> int:
        """The chunk the next `feed` reads; len(bounds) when every chunk has been fed."""
        return len(self._fed)

    @property
    def done(self) -> bool:
        """Whether every chunk has been fed."""
        return self.next_index >= len(self.setup.bounds)

    def states(self) -> tuple[np.ndarray, ...]:
        """The states the layer keeps now, each (batch, units): h (and c for LSTM)."""
        with self._lock:
            return tuple(frozen(s) for s in self._layer.states)

    def feed(self, samples: int | None = None) -> FedChunk:
        """Feed the next chunk; it starts from the states the layer kept.

        Args:
            samples: how many samples the batch holds; None for the size the layer was built for.
                Any other size is refused, as sample i must continue sample i.

        Returns:
            The chunk fed, with the states it started from and its hidden states.

        Raises:
            ValueError: if the batch size differs from the layer's, or every chunk was fed.
        """
        with self._lock:
            index = len(self._fed)
            if index >= len(self.setup.bounds):
                raise ValueError(_(
                    "all {chunks} chunks have been fed; press start over to feed the sequence again"
                ).format(chunks=len(self.setup.bounds)))
            if samples is not None and samples != self.setup.batch:
                raise ValueError(batch_mismatch_message(index + 1, samples, self.setup.batch))
            start, stop = self.setup.bounds[index]
            initial = tuple(frozen(s) for s in self._layer.states)
            h = run(self._model, self._x[:, start:stop])[0]
            chunk = FedChunk(index, start, stop, self._reset_pending, initial, frozen(h))
            self._fed.append(chunk)
            self._reset_pending = False
            return chunk

    def reset_state(self) -> None:
        """Set the kept states to zeros (Keras's `layer.reset_state()`); the next chunk starts from them."""
        with self._lock:
            self._layer.reset_state()
            self._reset_pending = True

    def start_over(self) -> None:
        """Reset the state and go back to the first chunk."""
        with self._lock:
            self._layer.reset_state()
            self._fed.clear()
            self._reset_pending = False

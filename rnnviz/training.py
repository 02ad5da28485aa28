"""Train a small recurrent model on a toy task in seconds: `train_task(name, ...)`.

The same seed gives the same weights: every initializer is seeded, batches come from the task's
numpy sampler in a fixed order (no shuffling, no dropout), and nothing reads a global random state,
so a run in one thread does not disturb, nor is disturbed by, another. A run lasts a fixed number of
epochs of fixed batches, stopped early by `max_seconds` or by the `on_epoch` callback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from rnnviz import limits
from rnnviz.i18n import N_, Message, _, later
from rnnviz.tasks import Task, TaskBatch, make_task

CELLS = ("LSTM", "GRU", "SimpleRNN")
EMBEDDING_DIM = 8
BATCH_SIZE = 64
TEST_SAMPLES = 1000
_TEST_SEED = 1_000_003  # held-out samples: a seed no training batch uses (those are seed * 1000 + epoch)


@dataclass(frozen=True)
class Schedule:
    """How long a task trains: `epochs` of `batches` batches, at `learning_rate`."""

    epochs: int
    batches: int
    learning_rate: float


SCHEDULES = {
    "sentiment": Schedule(epochs=8, batches=16, learning_rate=0.01),
    "brackets": Schedule(epochs=11, batches=16, learning_rate=0.02),
    "quotes": Schedule(epochs=8, batches=16, learning_rate=0.01),
    "parity": Schedule(epochs=10, batches=16, learning_rate=0.01),
}


@dataclass(frozen=True)
class EpochRecord:
    """One epoch's training loss and accuracy (mean over its batches) and seconds since the start."""

    epoch: int  # 1, 2, ...
    loss: float
    accuracy: float
    seconds: float


@dataclass(frozen=True, eq=False)
class TrainResult:
    """A trained model, its twin before any step, and how training went."""

    task: str
    cell: str
    units: int
    seed: int
    model: keras.Model
    untrained: keras.Model  # the same architecture and initial weights, before any training step
    history: tuple[EpochRecord, ...]
    test_accuracy: float  # on TEST_SAMPLES held-out samples of another seed
    stopped: Message | None  # None when every epoch ran, else why it stopped early (`str()` it)

    @property
    def label(self) -> str:
        """E.g. "trained on brackets, seed 0, 99.8 %"."""
        return f"trained on {self.task}, seed {self.seed}, {100 * self.test_accuracy:.1f} %"


def build_task_model(task: Task, cell: str = "LSTM", units: int = 16, seed: int = 0) -> keras.Model:
    """Embedding -> `cell`(units) -> Dense softmax for `task`, every initializer seeded from `seed`.

    Raises:
        ValueError: for an unknown cell or a number of units outside 1..MAX_TRAIN_UNITS.
    """
    if cell not in CELLS:
        raise ValueError(_("cell={cell!r}: choose one of {join}").format(cell=cell, join=', '.join(CELLS)))
    if not isinstance(units, (int, np.integer)) or not 1 <= units <= limits.MAX_TRAIN_UNITS:
        raise ValueError(_(
            "units={units!r}: train with 1 to {MAX_TRAIN_UNITS} units"
        ).format(units=units, MAX_TRAIN_UNITS=limits.MAX_TRAIN_UNITS))
    init = keras.initializers
    s = 7919 * int(seed)
    inputs = keras.Input(shape=(task.timesteps,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(len(task.vocab), EMBEDDING_DIM, name="embedding",
                               embeddings_initializer=init.RandomUniform(-0.05, 0.05, seed=s + 1))(inputs)
    layer = getattr(keras.layers, cell)
    x = layer(int(units), return_sequences=task.per_step, name=cell.lower(),
              kernel_initializer=init.GlorotUniform(seed=s + 2),
              recurrent_initializer=init.Orthogonal(seed=s + 3))(x)
    outputs = keras.layers.Dense(task.classes, activation="softmax", name="output",
                                 kernel_initializer=init.GlorotUniform(seed=s + 4))(x)
    return keras.Model(inputs, outputs, name=f"{task.name}_{cell.lower()}{units}")


def twin(model: keras.Model) -> keras.Model:
    """A copy of `model` with its current weights, for keeping the untrained state."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def accuracy(model: keras.Model, batch: TaskBatch) -> float:
    """The share of targets `model` gets right on `batch` (every step of a per-step task)."""
    probs = model.predict(batch.inputs, batch_size=500, verbose=0)
    return float(np.mean(np.argmax(probs, axis=-1) == batch.targets))


def test_batch(task: Task) -> TaskBatch:
    """The held-out samples every trained model of `task` is scored on."""
    return task.sample(TEST_SAMPLES, _TEST_SEED)


def train_task(name: str, cell: str = "LSTM", units: int = 16, seed: int = 0,
               max_seconds: float = limits.MAX_TRAIN_SECONDS,
               on_epoch: Callable[[EpochRecord], bool | None] | None = None,
               on_start: Callable[[keras.Model, keras.Model], None] | None = None) -> TrainResult:
    """Train a fresh `cell` model with `units` units on task `name`, deterministically per `seed`.

    Args:
        name: a task name, see `task_names()`.
        cell: "LSTM", "GRU" or "SimpleRNN".
        units: units of the recurrent layer, 1 to MAX_TRAIN_UNITS.
        seed: seeds the initial weights and the training batches.
        max_seconds: training stops after the batch that passes this many seconds (at most
            MAX_TRAIN_SECONDS).
        on_epoch: called after each epoch with its record; returning True stops training.
        on_start: called with (model, untrained twin) before the first step, so a caller that is
            interrupted (a page's rerun) still holds the model trained so far.

    Returns:
        The trained model, its untrained twin, the history and the held-out accuracy.

    Raises:
        ValueError: for an unknown task or cell, units out of range, a negative seed or a time cap
            that is not positive or above MAX_TRAIN_SECONDS.
    """
    task = make_task(name)
    if not 0 < float(max_seconds) <= limits.MAX_TRAIN_SECONDS:
        raise ValueError(_(
            "max_seconds={max_seconds!r}: give more than 0 and at most {MAX_TRAIN_SECONDS} s"
        ).format(max_seconds=max_seconds, MAX_TRAIN_SECONDS=limits.MAX_TRAIN_SECONDS))
    if int(seed) < 0 or int(seed) > 1_000_000:
        raise ValueError(_("seed={seed!r}: use a seed from 0 to 1000000").format(seed=seed))
    model = build_task_model(task, cell, units, seed)
    untrained = twin(model)
    if on_start is not None:
        on_start(model, untrained)
    schedule = SCHEDULES[name]
    model.compile(optimizer=keras.optimizers.Adam(schedule.learning_rate, clipnorm=1.0),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=False)
    history, stopped = _fit(model, task, schedule, int(seed), float(max_seconds), on_epoch)
    return TrainResult(name, cell, int(units), int(seed), model, untrained, tuple(history),
                       accuracy(model, test_batch(task)), stopped)


def _fit(model: keras.Model, task: Task, schedule: Schedule, seed: int, max_seconds: float,
         on_epoch: Callable[[EpochRecord], bool | None] | None) -> tuple[list[EpochRecord], Message | None]:
    start = time.monotonic()
    history: list[EpochRecord] = []
    for epoch in range(1, schedule.epochs + 1):
        data = task.sample(schedule.batches * BATCH_SIZE, seed * 1000 + epoch)
        losses, accuracies, out_of_time = [], [], False
        for b in range(schedule.batches):
            rows = slice(b * BATCH_SIZE, (b + 1) * BATCH_SIZE)
            loss, acc = model.train_on_batch(data.inputs[rows], data.targets[rows])
            losses.append(float(loss))
            accuracies.append(float(acc))
            if time.monotonic() - start > max_seconds:
                out_of_time = True
                break
        record = EpochRecord(epoch, float(np.mean(losses)), float(np.mean(accuracies)), time.monotonic() - start)
        history.append(record)
        if on_epoch is not None and on_epoch(record):
            return history, later(N_("stopped after epoch {epoch}"), epoch=epoch)
        if out_of_time:
            return history, later(N_("stopped at the {seconds:g} s cap in epoch {epoch}"), seconds=max_seconds,
                                  epoch=epoch)
    return history, None

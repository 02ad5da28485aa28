"""Toy tasks that a small RNN learns in seconds, each with the hidden variable it has to carry.

Every task is generated with numpy (nothing is downloaded). `make_task(name).sample(n, seed)`
returns a `TaskBatch`: the token ids the task's model reads, the targets, the latent (the quantity a
unit may learn to follow: depth so far, positive minus negative so far, inside a quote or not,
parity so far) and the tokens as text for the time axis. The same seed gives the same batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnnviz.i18n import _

MAX_SAMPLES = 100_000  # rows one `sample` call may make


@dataclass(frozen=True, eq=False)
class TaskBatch:
    """Samples of one task. Arrays are numpy; `tokens[i][t]` is the text of `inputs[i, t]`."""

    inputs: np.ndarray  # (batch, timesteps) int32 token ids
    targets: np.ndarray  # (batch,) or (batch, timesteps) int32 class ids
    latent: np.ndarray  # (batch, timesteps) float32, the hidden variable after reading step t
    tokens: tuple[tuple[str, ...], ...]  # (batch, timesteps) the step labels


@dataclass(frozen=True, eq=False)
class Task:
    """A toy sequence task: what it asks, what the model must carry, and a sampler."""

    name: str
    title: str
    description: str  # the task in plain words
    latent_name: str  # a short name for the latent, e.g. "depth so far"
    latent_description: str  # the latent in plain words
    vocab: tuple[str, ...]  # token id -> text
    timesteps: int
    classes: int  # target classes
    per_step: bool  # a target at every step (True) or one per sequence (False)
    _sampler: Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray, np.ndarray]]

    def sample(self, n: int, seed: int) -> TaskBatch:
        """`n` samples drawn with `seed`; the same seed gives the same samples.

        Raises:
            ValueError: when `n` is not between 1 and MAX_SAMPLES or `seed` is negative.
        """
        if not 1 <= int(n) <= MAX_SAMPLES:
            raise ValueError(_("n={n!r} samples: ask for 1 to {MAX_SAMPLES}").format(n=n, MAX_SAMPLES=MAX_SAMPLES))
        if int(seed) < 0:
            raise ValueError(_("seed={seed!r}: use a seed of 0 or more").format(seed=seed))
        ids, targets, latent = self._sampler(np.random.default_rng(int(seed)), int(n))
        vocab = np.array(self.vocab, dtype=object)
        tokens = tuple(tuple(row) for row in vocab[ids].tolist())
        return TaskBatch(ids.astype(np.int32), targets.astype(np.int32), latent.astype(np.float32), tokens)


# sentiment: count positive against negative words -------------------------------------------------
_POSITIVE = ("good", "great", "love", "fine")
_NEGATIVE = ("bad", "awful", "hate", "poor")
_NEUTRAL = ("the", "movie", "was", "a", "plot", "it", "and", "actor", "film", "story", "scene", "but")
SENTIMENT_VOCAB = _NEUTRAL + _POSITIVE + _NEGATIVE
SENTIMENT_STEPS = 20


def _sentiment(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = rng.integers(0, len(_NEUTRAL), size=(n, SENTIMENT_STEPS))
    # An odd number of sentiment words, so positive and negative never tie.
    count = rng.choice(np.array([1, 3, 5, 7]), size=n)
    sign = np.zeros((n, SENTIMENT_STEPS), dtype=np.int64)
    for i in range(n):
        where = rng.choice(SENTIMENT_STEPS, size=count[i], replace=False)
        positive = rng.random(count[i]) < 0.5
        words = np.where(positive, rng.integers(0, 4, count[i]), 4 + rng.integers(0, 4, count[i]))
        ids[i, where] = len(_NEUTRAL) + words
        sign[i, where] = np.where(positive, 1, -1)
    latent = np.cumsum(sign, axis=1)
    return ids, (latent[:, -1] > 0).astype(np.int64), latent


# brackets: the depth of nesting after every bracket ------------------------------------------------
BRACKETS_VOCAB = ("(", ")")
BRACKETS_STEPS = 40
BRACKETS_MAX_DEPTH = 6


def _brackets(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = np.zeros((n, BRACKETS_STEPS), dtype=np.int64)
    depth = np.zeros((n, BRACKETS_STEPS), dtype=np.int64)
    d = np.zeros(n, dtype=np.int64)
    for t in range(BRACKETS_STEPS):
        close = rng.random(n) < 0.5
        close = np.where(d == 0, False, np.where(d == BRACKETS_MAX_DEPTH, True, close))
        d = d + np.where(close, -1, 1)
        ids[:, t] = close
        depth[:, t] = d
    return ids, depth, depth


# quotes: words inside quotes are upper case -------------------------------------------------------
_QUOTE_WORDS = ("the", "cat", "said", "hi", "no", "we", "go", "run", "yes", "dog", "sat", "on")
QUOTES_VOCAB = (" ", '"') + tuple("abcdefghijklmnopqrstuvwxyz")
QUOTES_STEPS = 40


def _quotes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    index = {ch: i for i, ch in enumerate(QUOTES_VOCAB)}
    ids = np.zeros((n, QUOTES_STEPS), dtype=np.int64)
    for i in range(n):
        text, inside = "", False
        while len(text) < QUOTES_STEPS:
            if not inside and rng.random() < 0.3:
                text, inside = text + '"', True
            text += _QUOTE_WORDS[rng.integers(len(_QUOTE_WORDS))]
            if inside and rng.random() < 0.4:
                text, inside = text + '"', False
            text += " "
        ids[i] = [index[ch] for ch in text[:QUOTES_STEPS]]
    inside = np.cumsum(ids == index['"'], axis=1) % 2  # after reading step t: 1 inside a quote
    upper = inside * (ids >= 2)  # a letter inside a quote is written upper case
    return ids, upper, inside


# parity: is the number of ones so far odd? (the counter-example) ----------------------------------
PARITY_STEPS = 20


def _parity(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = rng.integers(0, 2, size=(n, PARITY_STEPS))
    parity = np.cumsum(ids, axis=1) % 2
    return ids, parity, parity


_TASKS = {
    "sentiment": Task(
        "sentiment", "Sentiment counting",
        f"A review of {SENTIMENT_STEPS} words: most are neutral, a few are positive ({', '.join(_POSITIVE)}) or "
        f"negative ({', '.join(_NEGATIVE)}). Say whether it has more positive than negative words.",
        "positive minus negative so far",
        "The number of positive words read so far minus the number of negative ones.",
        SENTIMENT_VOCAB, SENTIMENT_STEPS, 2, False, _sentiment),
    "brackets": Task(
        "brackets", "Bracket depth",
        f"A string of {BRACKETS_STEPS} brackets that never closes more than it opened (and nests at most "
        f"{BRACKETS_MAX_DEPTH} deep). After every bracket, say how deep the nesting is.",
        "depth so far",
        "How many brackets are open after reading this one.",
        BRACKETS_VOCAB, BRACKETS_STEPS, BRACKETS_MAX_DEPTH + 1, True, _brackets),
    "quotes": Task(
        "quotes", "Quote case",
        f"Text of {QUOTES_STEPS} characters, read in lower case. After every character, say whether it is "
        "written upper case: letters inside quotation marks are.",
        "inside a quote",
        "1 after an opening quotation mark, 0 again after the closing one.",
        QUOTES_VOCAB, QUOTES_STEPS, 2, True, _quotes),
    "parity": Task(
        "parity", "Running parity",
        f"A string of {PARITY_STEPS} bits. After every bit, say whether the number of ones so far is odd.",
        "parity so far",
        "1 when an odd number of ones has been read, else 0. A task to test the search for a unit with: the "
        "untrained network carries none of it (its linear probe's R² is near 0), unlike bracket depth.",
        ("0", "1"), PARITY_STEPS, 2, True, _parity),
}


def task_names() -> tuple[str, ...]:
    """The names of the toy tasks, e.g. ("sentiment", "brackets", "quotes", "parity")."""
    return tuple(_TASKS)


def make_task(name: str) -> Task:
    """The task called `name`.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if name not in _TASKS:
        raise ValueError(_(
            "no task called {name!r}; choose one of: {join}"
        ).format(name=name, join=', '.join(_TASKS)))
    return _TASKS[name]

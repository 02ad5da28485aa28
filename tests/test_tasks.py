"""The toy tasks: every latent recomputed from the tokens' text, independently of the generators."""

import numpy as np
import pytest

import rnnviz

POSITIVE = {"good", "great", "love", "fine"}
NEGATIVE = {"bad", "awful", "hate", "poor"}


def _running(tokens, step):
    """The running total of step(token) along each row, in plain Python."""
    out = []
    for row in tokens:
        total, values = 0, []
        for token in row:
            total = step(total, token)
            values.append(total)
        out.append(values)
    return np.array(out, dtype=np.float32)


def test_names_and_descriptions():
    assert {"sentiment", "brackets", "quotes", "parity"} <= set(rnnviz.task_names())
    for name in rnnviz.task_names():
        task = rnnviz.make_task(name)
        assert task.name == name and len(task.description) > 40 and len(task.latent_description) > 20


@pytest.mark.parametrize("name", ["sentiment", "brackets", "quotes", "parity"])
def test_shapes_tokens_and_determinism(name):
    task = rnnviz.make_task(name)
    batch = task.sample(50, seed=3)
    assert batch.inputs.shape == batch.latent.shape == (50, task.timesteps)
    assert batch.latent.dtype == np.float32 and batch.inputs.dtype == np.int32
    assert [[task.vocab[i] for i in row] for row in batch.inputs] == [list(r) for r in batch.tokens]
    again = task.sample(50, seed=3)
    assert np.array_equal(batch.inputs, again.inputs) and np.array_equal(batch.targets, again.targets)
    assert not np.array_equal(batch.inputs, task.sample(50, seed=4).inputs)
    assert batch.targets.min() >= 0 and batch.targets.max() < task.classes


def test_sentiment_latent_is_positive_minus_negative():
    batch = rnnviz.make_task("sentiment").sample(300, seed=1)
    expected = _running(batch.tokens, lambda s, w: s + (w in POSITIVE) - (w in NEGATIVE))
    assert np.array_equal(batch.latent, expected)
    assert np.array_equal(batch.targets, (expected[:, -1] > 0).astype(int))
    assert np.all(expected[:, -1] != 0)  # never a tie
    assert 0.3 < batch.targets.mean() < 0.7


def test_brackets_latent_is_depth():
    batch = rnnviz.make_task("brackets").sample(300, seed=2)
    expected = _running(batch.tokens, lambda s, b: s + (1 if b == "(" else -1))
    assert np.array_equal(batch.latent, expected)
    assert np.array_equal(batch.targets, expected.astype(int))
    assert expected.min() == 0 and expected.max() == 6  # never closes more than it opened


def test_quotes_latent_is_inside_a_quote_and_targets_the_case():
    batch = rnnviz.make_task("quotes").sample(300, seed=5)
    inside = _running(batch.tokens, lambda s, ch: 1 - s if ch == '"' else s)
    assert np.array_equal(batch.latent, inside)
    upper = [[int(q == 1 and ch.isalpha()) for ch, q in zip(row, qs)] for row, qs in zip(batch.tokens, inside)]
    assert np.array_equal(batch.targets, np.array(upper))
    assert 0.1 < inside.mean() < 0.9


def test_parity_latent():
    batch = rnnviz.make_task("parity").sample(300, seed=6)
    expected = _running(batch.tokens, lambda s, bit: (s + int(bit)) % 2)
    assert np.array_equal(batch.latent, expected) and np.array_equal(batch.targets, expected.astype(int))


def test_bad_requests_are_named():
    with pytest.raises(ValueError, match="choose one of: sentiment"):
        rnnviz.make_task("sentimant")
    with pytest.raises(ValueError, match="samples"):
        rnnviz.make_task("brackets").sample(0, seed=0)
    with pytest.raises(ValueError, match="seed"):
        rnnviz.make_task("brackets").sample(5, seed=-1)

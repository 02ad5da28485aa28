"""train_task: deterministic per seed, stoppable, capped in time, and it learns (checked on fresh samples)."""

import json

import numpy as np
import pytest

import rnnviz
from rnnviz.pretrained import HERE
from rnnviz.training import build_task_model


def _stop_after(n):
    return lambda record: record.epoch >= n


def _accuracy(model, batch):
    """Right answers on `batch`, from the model's own call (not rnnviz's scoring)."""
    predicted = np.argmax(np.asarray(model(batch.inputs)), axis=-1)
    return float(np.mean(predicted == batch.targets))


def test_same_seed_same_weights_and_untrained_twin_is_the_start():
    a = rnnviz.train_task("sentiment", units=4, seed=3, on_epoch=_stop_after(2))
    b = rnnviz.train_task("sentiment", units=4, seed=3, on_epoch=_stop_after(2))
    c = rnnviz.train_task("sentiment", units=4, seed=4, on_epoch=_stop_after(2))
    for wa, wb in zip(a.model.get_weights(), b.model.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert [h.loss for h in a.history] == [h.loss for h in b.history]
    assert any(not np.array_equal(wa, wc) for wa, wc in zip(a.model.get_weights(), c.model.get_weights()))
    start = build_task_model(rnnviz.make_task("sentiment"), "LSTM", 4, seed=3).get_weights()
    for w0, wu, wt in zip(start, a.untrained.get_weights(), a.model.get_weights()):
        np.testing.assert_array_equal(w0, wu)
        assert not np.array_equal(wu, wt)


def test_on_epoch_stops_and_history_is_per_epoch():
    seen = []
    result = rnnviz.train_task("brackets", units=4, seed=0, on_epoch=lambda r: seen.append(r) or r.epoch == 2)
    assert [r.epoch for r in result.history] == [1, 2] and seen == list(result.history)
    assert result.history[0].seconds <= result.history[1].seconds
    assert "epoch 2" in str(result.stopped)


def test_time_cap_stops_training():
    result = rnnviz.train_task("brackets", units=4, seed=0, max_seconds=0.01)
    assert len(result.history) == 1 and "cap" in str(result.stopped)


@pytest.mark.parametrize("cell", ["SimpleRNN", "GRU", "LSTM"])
def test_every_cell_trains(cell):
    result = rnnviz.train_task("parity", cell=cell, units=3, seed=1, on_epoch=_stop_after(1))
    assert result.model.get_layer(cell.lower()).__class__.__name__ == cell
    assert 0 <= result.test_accuracy <= 1 and np.isfinite(result.history[0].loss)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="choose one of LSTM"):
        rnnviz.train_task("sentiment", cell="Transformer")
    with pytest.raises(ValueError, match="units"):
        rnnviz.train_task("sentiment", units=100_000)
    with pytest.raises(ValueError, match="max_seconds"):
        rnnviz.train_task("sentiment", max_seconds=10_000)
    with pytest.raises(ValueError, match="choose one of"):
        rnnviz.train_task("nope")


def test_sentiment_learns_on_held_out_samples():
    result = rnnviz.train_task("sentiment", seed=0)
    fresh = rnnviz.make_task("sentiment").sample(500, seed=424242)
    assert _accuracy(result.model, fresh) >= 0.97
    assert result.test_accuracy >= 0.97
    assert _accuracy(result.untrained, fresh) < 0.8


@pytest.mark.parametrize("name", ["sentiment", "brackets", "quotes", "parity"])
def test_shipped_model_reaches_its_stated_accuracy_on_fresh_samples(name):
    info = json.loads((HERE / f"{name}.json").read_text())
    model = rnnviz.pretrained(name)
    fresh = rnnviz.make_task(name).sample(500, seed=777)
    assert info["test_accuracy"] >= 0.97
    assert _accuracy(model, fresh) >= info["test_accuracy"] - 0.01
    r = rnnviz.unit_correlations(_state(model, fresh, info["best_unit"]["state"]), fresh.latent)
    assert abs(r[info["best_unit"]["unit"]]) >= info["best_unit"]["abs_r"] - 0.03


def _state(model, batch, which):
    """h or c of the model's recurrent layer at every step, by running its LSTM cell by hand in numpy."""
    embedded = model.get_layer("embedding").get_weights()[0][batch.inputs]
    kernel, recurrent, bias = model.get_layer("lstm").get_weights()
    units = recurrent.shape[0]
    h = np.zeros((len(embedded), units))
    c = np.zeros_like(h)
    out = []
    sigmoid = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    for t in range(embedded.shape[1]):
        z = embedded[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        out.append(h if which == "h" else c)
    return np.stack(out, axis=1)

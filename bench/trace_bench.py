"""How much a trace costs next to a plain forward pass, for the guide's LSTM model.

Run: `.venv/bin/python bench/trace_bench.py` (or `make bench`). For batch 64 and 100 / 1000 timesteps
it measures, side by side in one run: a warm `model.predict_on_batch`, a warm `rnnviz.trace`, the
first (cold) trace of a fresh model, and a per-timestep eager loop over the layer's cell. Warm timings
are interleaved round by round and reported as medians, so load from other processes hits both.
Targets: trace <= 1.3x the forward pass (2x at most), >= 5x faster than the eager loop, cold < 2 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from rnnviz.trace import trace  # noqa: E402

BATCH = 64
STEPS = (100, 1000)
ROUNDS = {100: 15, 1000: 5}
TARGET_RATIO, MAX_RATIO, EAGER_SPEEDUP, COLD_SECONDS = 1.3, 2.0, 5.0, 2.0


def guide_model(seed: int = 0) -> keras.Model:
    """Embedding(1000, 64) -> LSTM(128) -> Dense(10), as in the Keras RNN guide."""
    keras.utils.set_random_seed(seed)
    inp = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(1000, 64)(inp)
    x = keras.layers.LSTM(128, name="lstm")(x)
    return keras.Model(inp, keras.layers.Dense(10)(x))


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def both(fn) -> tuple[float, float]:
    """Wall-clock and process CPU seconds (CPU time is steadier on a machine shared with others)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def eager_loop(model: keras.Model, ids: np.ndarray) -> list:
    """The naive way: call the layer's cell step by step in eager mode, keeping h and c."""
    cell = model.get_layer("lstm").cell
    x = model.layers[1](ids)
    states = [tf.zeros((ids.shape[0], cell.units)), tf.zeros((ids.shape[0], cell.units))]
    kept = []
    for t in range(ids.shape[1]):
        _, states = cell(x[:, t], states)
        kept.append([s.numpy() for s in states])
    return kept


def measure(steps: int) -> dict:
    ids = np.random.default_rng(steps).integers(0, 1000, (BATCH, steps)).astype("int32")
    model = guide_model()
    cold = seconds(lambda: trace(model, ids))  # first trace of a fresh model: plan, compile, run
    model.predict_on_batch(ids)  # warm Keras's own compiled function
    trace(model, ids)
    tr = trace(model, ids)
    assert np.allclose(tr.model_outputs[0], model.predict_on_batch(ids), atol=1e-5)
    forward, traced = [], []
    for _ in range(ROUNDS[steps]):
        forward.append(both(lambda: model.predict_on_batch(ids)))
        traced.append(both(lambda: trace(model, ids)))
    eager = min(seconds(lambda: eager_loop(model, ids)) for _ in range(2 if steps <= 100 else 1))
    return {
        "steps": steps,
        "forward": statistics.median(w for w, _ in forward),
        "trace": statistics.median(w for w, _ in traced),
        "cpu_ratio": statistics.median(c for _, c in traced) / statistics.median(c for _, c in forward),
        "cold": cold,
        "eager": eager,
    }


def main() -> int:
    print(f"rnnviz trace benchmark: TensorFlow {tf.__version__}, Keras {keras.__version__}, {os.cpu_count()} CPUs, "
          f"GPU: {bool(tf.config.list_logical_devices('GPU'))}, load average {os.getloadavg()[0]:.2f}")
    print(f"model: Embedding(1000, 64) -> LSTM(128) -> Dense(10), batch {BATCH}; warm times are medians of "
          "interleaved rounds; ratio = trace / predict wall time, cpu ratio = the same in process CPU time")
    header = (f"{'steps':>6} {'predict':>10} {'trace':>10} {'ratio':>7} {'cpu ratio':>10} {'cold':>9} "
              f"{'eager loop':>11} {'eager/trace':>12}")
    print(header)
    ok = True
    for steps in STEPS:
        r = measure(steps)
        ratio, speedup = r["trace"] / r["forward"], r["eager"] / r["trace"]
        print(f"{steps:>6} {r['forward'] * 1e3:>8.1f}ms {r['trace'] * 1e3:>8.1f}ms {ratio:>6.2f}x {r['cpu_ratio']:>9.2f}x "
              f"{r['cold']:>8.2f}s {r['eager'] * 1e3:>9.0f}ms {speedup:>11.1f}x")
        verdict = [
            f"ratio {'ok' if ratio <= TARGET_RATIO else ('acceptable' if ratio <= MAX_RATIO else 'FAIL')} (<= {TARGET_RATIO}x, max {MAX_RATIO}x)",
            f"eager speedup {'ok' if speedup >= EAGER_SPEEDUP else 'FAIL'} (>= {EAGER_SPEEDUP}x)",
            f"cold {'ok' if r['cold'] < COLD_SECONDS else 'FAIL'} (< {COLD_SECONDS} s)",
        ]
        print("       " + "; ".join(verdict))
        ok &= ratio <= MAX_RATIO and speedup >= EAGER_SPEEDUP and r["cold"] < COLD_SECONDS
    print("all targets met" if ok else "some target missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

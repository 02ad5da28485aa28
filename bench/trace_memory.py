"""Peak memory of traces of several sizes against rnnviz's estimate (`rnnviz.trace_cost`).

    .venv/bin/python bench/trace_memory.py

Each size runs in a fresh process: the model is built, its peak resident memory (VmHWM) is reset
(/proc/self/clear_refs), one trace runs (compiling included, as a first trace does), and the growth of
the peak over the memory before is printed beside the estimate. Sizes past `MAX_TIMESTEPS` lift that
limit in their own process only, to measure the per-step cost the estimate counts. The module's
`SIZES` are also what tests/test_trace_cost.py measures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (label, kind, units, batch, timesteps, features, bidirectional)
SIZES = [
    ("LSTM(2), 1 x 2,000 steps", "LSTM", 2, 1, 2000, 1, False),
    ("LSTM(2), 1 x 100,000 steps", "LSTM", 2, 1, 100_000, 1, False),
    ("GRU(4), 2 x 50,000 steps", "GRU", 4, 2, 50_000, 3, False),
    ("LSTM(256), 64 x 1,000 steps", "LSTM", 256, 64, 1000, 32, False),
    ("Bidirectional GRU(128), 32 x 2,000", "GRU", 128, 32, 2000, 16, True),
    ("SimpleRNN(512), 256 x 500", "SimpleRNN", 512, 256, 500, 8, False),
]

CHILD = r"""
import json, sys
import numpy as np
import keras
import importlib
trace_module = importlib.import_module("rnnviz.trace")
from rnnviz import limits

kind, units, batch, steps, features, bidirectional = json.loads(sys.argv[1])
limits.MAX_TIMESTEPS = max(limits.MAX_TIMESTEPS, steps)
trace_module.MAX_TRACE_BYTES = 64 * 1024**3
layer = getattr(keras.layers, kind)(units)
inp = keras.Input((None, features))
model = keras.Model(inp, (keras.layers.Bidirectional(layer) if bidirectional else layer)(inp))
x = np.random.default_rng(0).normal(size=(batch, steps, features)).astype("float32")
estimate = trace_module.estimate_trace_bytes(model, x)

def status(key):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith(key + ":"))

with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # the peak (VmHWM) starts again from the memory now
before = status("VmRSS")
tr = trace_module.trace(model, x)
print(json.dumps({"estimate": estimate, "peak_growth": status("VmHWM") - before}))
"""


def measure(kind: str, units: int, batch: int, steps: int, features: int, bidirectional: bool) -> dict:
    """Estimate and measured peak growth of one trace, in a fresh process."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT), CUDA_VISIBLE_DEVICES="")
    args = json.dumps([kind, units, batch, steps, features, bidirectional])
    done = subprocess.run([sys.executable, "-c", CHILD, args], env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"measuring {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"{'trace':38} {'estimate':>11} {'peak growth':>12} {'ratio':>6}")
    for label, *size in SIZES:
        r = measure(*size)
        print(f"{label:38} {r['estimate'] / 2**20:9.1f} MB {r['peak_growth'] / 2**20:10.1f} MB "
              f"{r['estimate'] / max(r['peak_growth'], 1):6.2f}")


if __name__ == "__main__":
    main()

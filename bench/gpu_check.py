"""On a GPU: does rnnviz trace the same numbers as on the CPU, name the right kernel, and at what cost?

Run: `.venv/bin/python bench/gpu_check.py` on a machine where TensorFlow sees a GPU (the CUDA build:
`pip install "tensorflow[and-cuda]==<the version in requirements.txt>"`). It
1. builds each model below twice with the same weights, one on the CPU (`tf.device("/CPU:0")`) and one
   where TensorFlow puts it (the GPU), traces both on the same input, and checks that every traced
   quantity (`Trace.arrays()`: h, c, every gate, initial and final states, the layer's outputs, the
   model's outputs) is equal to 1e-4, and that the GPU trace ran on the GPU. No model masks: at padded
   steps cuDNN outputs zeros where the generic loop carries the last output (docs: DESIGN.md), a real
   difference between the devices, not a fault;
2. checks the kernel each trace reports: "cudnn" for the layers whose settings allow cuDNN (LSTM and GRU
   with Keras's defaults, in a Bidirectional too), "generic" for the others (SimpleRNN,
   `RNN(LSTMCell)`, an LSTM with activation="relu");
3. prints the trace's time against the plain forward pass (`predict_on_batch`) on the GPU for the
   guide's LSTM (Embedding(1000, 64) -> LSTM(128) -> Dense(10)), batch 64, at 100 and 1,000 steps
   (warm medians, interleaved round by round).
Exit status 1 if a check fails. Without a GPU it says so and exits 0; `--on-cpu` runs the same checks
on the CPU alone (the eligible layers then report "generic": no GPU), to try the script itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from rnnviz.device import configure_gpus  # noqa: E402
from rnnviz.trace import trace  # noqa: E402

ATOL = 1e-4
BATCH, TIMING_STEPS, ROUNDS = 64, (100, 1000), {100: 15, 1000: 5}


def _tokens():
    inp = keras.Input((None,), dtype="int32")
    return inp, keras.layers.Embedding(1000, 64)(inp)


def guide_lstm() -> keras.Model:
    """The guide's LSTM classifier: Embedding(1000, 64) -> LSTM(128) -> Dense(10)."""
    inp, x = _tokens()
    return keras.Model(inp, keras.layers.Dense(10)(keras.layers.LSTM(128, name="lstm")(x)))


def _stack(layers):
    def build() -> keras.Model:
        inp, x = _tokens()
        for layer in layers():
            x = layer(x)
        return keras.Model(inp, x)
    return build


# name -> (builder, {layer name: the kernel it must report on a GPU})
MODELS = {
    "guide LSTM": (guide_lstm, {"lstm": "cudnn"}),
    "GRU, return_sequences and return_state": (
        _stack(lambda: [keras.layers.GRU(32, return_sequences=True, return_state=True, name="gru")]), {"gru": "cudnn"}),
    "Bidirectional LSTM": (
        _stack(lambda: [keras.layers.Bidirectional(keras.layers.LSTM(16, return_sequences=True), name="bi")]),
        {"bi": "cudnn"}),
    "LSTM with activation='relu'": (
        _stack(lambda: [keras.layers.LSTM(16, activation="relu", return_sequences=True, name="relu_lstm")]),
        {"relu_lstm": "generic"}),
    "RNN(LSTMCell)": (_stack(lambda: [keras.layers.RNN(keras.layers.LSTMCell(16), return_sequences=True, name="cell")]),
                      {"cell": "generic"}),
    "SimpleRNN": (_stack(lambda: [keras.layers.SimpleRNN(16, return_sequences=True, name="simple")]), {"simple": "generic"}),
}


def inputs(steps: int = 40, seed: int = 0) -> np.ndarray:
    """(8, steps) token ids in 1..999, two rows ending in zeros (token 0, as padding looks)."""
    ids = np.random.default_rng(seed).integers(1, 1000, (8, steps)).astype("int32")
    ids[5, steps // 2:] = 0
    ids[6, steps - 3:] = 0
    return ids


def same_model_twice(build) -> tuple[keras.Model, keras.Model]:
    """The model on the CPU, and a copy with the same weights where TensorFlow places it (the GPU)."""
    keras.utils.set_random_seed(0)
    with tf.device("/CPU:0"):
        on_cpu = build()
    keras.utils.set_random_seed(0)
    on_gpu = build()
    on_gpu.set_weights(on_cpu.get_weights())
    return on_cpu, on_gpu


def check_model(name: str, build, kernels: dict[str, str], gpu: bool) -> list[str]:
    """Every failure of one model's checks, as sentences."""
    failures = []
    on_cpu, on_gpu = same_model_twice(build)
    ids = inputs()
    with tf.device("/CPU:0"):
        cpu_trace = trace(on_cpu, ids)
    gpu_trace = trace(on_gpu, ids)
    if gpu and not gpu_trace.device.startswith("GPU"):
        failures.append(f"{name}: the trace ran on {gpu_trace.device}, not on the GPU")
    if cpu_trace.device != "CPU":
        failures.append(f"{name}: the CPU trace ran on {cpu_trace.device}")
    expected, got = cpu_trace.arrays(), gpu_trace.arrays()
    if set(expected) != set(got):
        failures.append(f"{name}: the traces hold different quantities: {sorted(set(expected) ^ set(got))}")
    worst = 0.0
    for key in sorted(set(expected) & set(got)):
        a, b = np.asarray(expected[key]), np.asarray(got[key])
        if a.shape != b.shape:
            failures.append(f"{name}: {key} is {b.shape} on the GPU, {a.shape} on the CPU")
            continue
        diff = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)), initial=0.0))
        worst = max(worst, diff)
        if not diff <= ATOL:  # also fails on nan
            failures.append(f"{name}: {key} differs by {diff:.2e} (more than {ATOL:g})")
    for layer, want in kernels.items():
        want = want if gpu else "generic"  # without a GPU every layer runs the generic loop
        have = gpu_trace[layer].kernel
        if have != want:
            failures.append(f"{name}: layer {layer} reports kernel {have!r} ({gpu_trace[layer].kernel_reason}); "
                            f"expected {want!r}")
    kinds = ", ".join(f"{layer}: {gpu_trace[layer].kernel}" for layer in kernels)
    print(f"  {name:50s} {len(expected):3d} quantities, largest |GPU - CPU| {worst:.1e}; kernel {kinds}"
          f"{'' if not failures else '  FAILED'}")
    return failures


def timing(steps: int) -> tuple[float, float]:
    """Warm medians, seconds: (predict_on_batch, trace) for the guide's LSTM, batch 64, `steps` steps."""
    keras.utils.set_random_seed(0)
    model = guide_lstm()
    ids = np.random.default_rng(steps).integers(0, 1000, (BATCH, steps)).astype("int32")
    for _ in range(2):  # compile both
        model.predict_on_batch(ids)
        trace(model, ids)
    forward, traced = [], []
    for _ in range(ROUNDS[steps]):
        for kept, fn in ((forward, lambda: model.predict_on_batch(ids)), (traced, lambda: trace(model, ids))):
            started = time.perf_counter()
            fn()
            kept.append(time.perf_counter() - started)
    return statistics.median(forward), statistics.median(traced)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--on-cpu", action="store_true", help="without a GPU, run the checks on the CPU alone")
    args = parser.parse_args()
    tf.get_logger().setLevel("ERROR")  # each model here is traced once: retracing warnings say nothing
    configure_gpus()  # memory growth, before TensorFlow first touches a GPU
    gpus = tf.config.list_physical_devices("GPU")
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}; built with CUDA: {tf.test.is_built_with_cuda()}; "
          f"GPUs: {', '.join(g.name for g in gpus) or 'none'}")
    if not gpus and not args.on_cpu:
        print("TensorFlow sees no GPU here: nothing to check. Run this on a GPU machine with the CUDA build of "
              "TensorFlow (pip install \"tensorflow[and-cuda]==" + tf.__version__ + "\"); --on-cpu tries the script itself.")
        return 0
    where = "GPU" if gpus else "CPU (no GPU: both traces on the CPU, every kernel 'generic')"
    print(f"1-2. each model traced on the CPU and on the {where}, every quantity compared (to {ATOL:g}), kernels:")
    failures = [f for name, (build, kernels) in MODELS.items() for f in check_model(name, build, kernels, bool(gpus))]
    print(f"3. the guide's LSTM, batch {BATCH}, on the {'GPU' if gpus else 'CPU'}: warm medians")
    for steps in TIMING_STEPS:
        forward, traced = timing(steps)
        print(f"  {steps:5d} steps: forward pass (predict_on_batch) {forward * 1000:8.1f} ms, trace {traced * 1000:8.1f} ms, "
              f"ratio {traced / forward:.2f}x")
    for failure in failures:
        print(f"FAILED: {failure}")
    print("all checks passed" if not failures else f"{len(failures)} checks failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

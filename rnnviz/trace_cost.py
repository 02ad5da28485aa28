"""What a trace will cost, known from shapes alone, checked before any work.

A trace's memory grows with timesteps x batch x units of every traced layer, plus a fixed cost per
timestep: the tracing loop keeps every step's states and gates as separate small tensors until it
stacks them, and each of those costs a buffer and its bookkeeping whatever its size (a trace of 10^7
steps of a 2-unit LSTM holds 60 million of them). `estimate_bytes` counts both, and the inputs'
copies, and every other layer's output; `check_input` refuses inputs past `MAX_TIMESTEPS` or
`MAX_BATCH` before anything reads their values. The constants were measured as peak resident memory
of traces of several sizes (`bench/trace_memory.py`); `tests/test_trace_cost.py` checks that the
estimate stays above what a trace really takes, and not far above.
"""

from __future__ import annotations

import math
import keras
import numpy as np

from rnnviz import limits, trace_cells, trace_graph
from rnnviz.i18n import _

MAX_TRACE_BYTES = limits.MAX_TRACE_BYTES
# Measured (bench/trace_memory.py, CPU): a 2-unit LSTM over 100,000 steps of one sequence peaked 133 MB above
# the same over 2,000 steps, about 1.3 KB a step for its 6 kept series, the input and the mask: ~190 B each.
STEP_OVERHEAD_BYTES = 256  # per kept step tensor, beyond its values
FIXED_BYTES = 32 * 1024**2  # compiling the traced twin and TensorFlow's per-run allocations (14 MB measured)


def check_input(label: str, shape: tuple[int, ...]) -> None:
    """Refuse an input past the batch or timestep limit, before its values are read.

    Args:
        label: how messages name the input, e.g. "input 'tokens'".
        shape: its shape, (batch, timesteps, ...).

    Raises:
        ValueError: naming the size, the limit and the fix.
    """
    if shape and shape[0] > limits.MAX_BATCH:
        raise ValueError(_(
            "{label} has a batch of {value:,} sequences; rnnviz traces at most {MAX_BATCH:,} at once: pass "
            "fewer rows"
        ).format(label=label, value=shape[0], MAX_BATCH=limits.MAX_BATCH))
    if len(shape) > 1 and shape[1] > limits.MAX_TIMESTEPS:
        raise ValueError(_(
            "{label} has {value:,} timesteps; rnnviz traces at most {MAX_TIMESTEPS:,}: shorten the sequence"
        ).format(label=label, value=shape[1], MAX_TIMESTEPS=limits.MAX_TIMESTEPS))
    values = math.prod(shape)
    if 4 * values > MAX_TRACE_BYTES:
        raise ValueError(_(
            "{label} holds {values:,} values ({size} as float32), over the limit of {size2} for one trace; "
            "pass fewer rows, steps or features"
        ).format(label=label, values=values, size=size_text(4 * values), size2=size_text(MAX_TRACE_BYTES)))


def estimate_bytes(model: keras.Model, plan: trace_graph.Plan, arrays: list[np.ndarray]) -> int:
    """Bytes a trace of `model` on `arrays` allocates at its peak, from shapes alone.

    Args:
        model: the model being traced.
        plan: its trace plan.
        arrays: the standardized inputs (one per model input).

    Returns:
        The estimate: every traced layer's kept steps and their stacked copies, the inputs' copies,
        every other layer's output, and `FIXED_BYTES`.

    Raises:
        ValueError: a traced layer would run more than `MAX_TIMESTEPS` steps (a RepeatVector, say).
    """
    shapes = [a.shape for a in arrays]
    try:
        calls, others = trace_graph.symbolic_shapes(model, shapes, [str(a.dtype) for a in arrays])
    except Exception:  # a layer without shape inference: fall back to the longest input
        calls, others = None, 0
    batch = shapes[0][0]
    steps_guess = max((s[1] for s in shapes if len(s) > 1), default=1)
    total = FIXED_BYTES + 3 * sum(int(a.nbytes) for a in arrays) + others  # the inputs: given, converted, cast
    for layer_id, layer_plan in plan.layers.items():
        per_call = calls.get(layer_id, []) if calls is not None else [((batch, steps_guess, 1), [])]
        for seq_shape, out_shapes in per_call:
            b, t = seq_shape[0] or batch, seq_shape[1] or steps_guess
            if t > limits.MAX_TIMESTEPS:
                raise ValueError(_(
                    "layer '{name}' would run {t:,} timesteps; rnnviz traces at most {MAX_TIMESTEPS:,}: shorten the "
                    "sequence"
                ).format(name=layer_plan.layer.name, t=t, MAX_TIMESTEPS=limits.MAX_TIMESTEPS))
            features = int(np.prod([d or 1 for d in seq_shape[2:]])) if len(seq_shape) > 2 else 1
            for half in layer_plan.directions:
                total += _direction_bytes(trace_cells.cell_kind(half), b, t, half.cell.units, features)
            total += sum(4 * int(np.prod([d or 1 for d in s])) for s in out_shapes)
    return int(total)


def _direction_bytes(kind: str, b: int, t: int, units: int, features: int) -> int:
    """One pass of a cell: its kept steps, their stacked copy, its inputs and mask read step by step,
    the output Keras returns (and its batch-major copy)."""
    series = trace_cells.series_count(kind)
    step = 4 * b * units
    kept = series * t * (2 * step + STEP_OVERHEAD_BYTES)  # each step's tensor, then stack()'s copy
    inputs = t * (3 * 4 * b * features + b + 2 * STEP_OVERHEAD_BYTES)  # time-major, reversed, unstacked; the mask
    outputs = 3 * t * step  # the masked output sequence and its batch-major transpose
    return kept + inputs + outputs + 2 * 2 * step * trace_cells.STATE_COUNT[kind]


def size_text(n: int) -> str:
    """1.23 GiB or 45.6 MiB."""
    return f"{n / 1024**3:.2f} GiB" if n >= 1024**3 else f"{n / 1024**2:.1f} MiB"


def check_bytes(needed: int, limit: int) -> None:
    """Refuse a trace whose estimate passes `limit`, naming both and the fix."""
    if needed > limit:
        raise ValueError(
            _(
                "this trace would hold about {size} of arrays ({needed:,} bytes), over the limit of {size2}; "
                "trace fewer sequences or fewer timesteps"
            ).format(size=size_text(needed), needed=needed, size2=size_text(limit))
        )

"""Lesson "Cells and layers": RNN(LSTMCell(n)) computes what LSTM(n) computes; only the layer can use cuDNN.

A cell is the inside of the loop (one step); `keras.layers.RNN(cell)` is the loop. The built-in
`LSTM` and `GRU` layers run the same maths, but on a GPU, with their default settings, Keras
hands the whole loop to NVIDIA's cuDNN kernel, which is much faster. `kernel_choice` says which
kernel a configuration gets and every setting that rules cuDNN out; it asks the trace engine's
`trace_cells.kernel_choice`, which follows Keras's own checks, so the two never disagree.
The lesson ends with a custom cell of two equations, wrapped by `RNN`.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, fields, replace

import keras
import numpy as np

from rnnviz import trace_cells
from rnnviz.i18n import N_, _
from rnnviz.lessons.common import (
    check_int,
    check_kind,
    check_seed,
    check_shape,
    frozen,
    make_cell,
    make_layer,
    max_abs_diff,
    random_input,
    run,
)
from rnnviz.spec import ACTIVATIONS

# The guide's MNIST model: batch 64, 28 rows of 28 pixels as 28 steps of 28 features, LSTM(64).
GUIDE_SIZES = {"batch": 64, "timesteps": 28, "features": 28, "units": 64}
MAX_REPEATS = 50
NO_GPU = N_("TensorFlow sees no GPU, and cuDNN runs only on an NVIDIA GPU")
# The reasons `trace_cells.kernel_choice` gives, as templates ({name}: the activation a layer has). A lesson
# keeps them in English (its result is cached for everyone); `kernel_reason_text` shows them in the session's.
KERNEL_REASONS = (
    N_("SimpleRNN has no cuDNN kernel; Keras runs its generic loop"),
    N_("keras.layers.RNN around a cell always runs the generic loop; only LSTM and GRU layers use cuDNN"),
    N_("the layer has use_cudnn=False"),
    N_("cuDNN needs activation='tanh'; this layer has '{name}'"),
    N_("cuDNN needs recurrent_activation='sigmoid'; this layer has '{name}'"),
    N_("cuDNN needs unroll=False"),
    N_("cuDNN needs use_bias=True"),
    N_("cuDNN needs reset_after=True for a GRU"),
    N_("cuDNN needs recurrent_dropout=0"),
    N_("TensorFlow sees no GPU; on a GPU this layer would use cuDNN"),
    N_("a GPU is visible and the layer's settings allow cuDNN (at padded steps cuDNN outputs zeros)"),
    NO_GPU,
)


@dataclass(frozen=True)
class CellSettings:
    """The settings cuDNN cares about, at Keras's defaults (which allow it)."""

    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"  # GRU and LSTM only
    recurrent_dropout: float = 0.0
    unroll: bool = False
    use_bias: bool = True
    reset_after: bool = True  # GRU only

    def __post_init__(self) -> None:
        for name in ("activation", "recurrent_activation"):
            if getattr(self, name) not in ACTIVATIONS:
                raise ValueError(_("{name} must be one of {choices}; got {value}").format(
                    name=name, choices=", ".join(ACTIVATIONS), value=repr(getattr(self, name))))
        dropout = self.recurrent_dropout
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(_("recurrent_dropout must be from 0 up to (not including) 1; got {value}").format(
                value=repr(self.recurrent_dropout)))

    def cell_args(self, kind: str) -> dict:
        """Constructor arguments of a cell (or layer) of this kind."""
        args = {"activation": self.activation, "recurrent_dropout": self.recurrent_dropout, "use_bias": self.use_bias}
        if kind != "SimpleRNN":
            args["recurrent_activation"] = self.recurrent_activation
        if kind == "GRU":
            args["reset_after"] = self.reset_after
        return args


def _unbuilt(kind: str, settings: CellSettings, wrapped_in_rnn: bool) -> keras.layers.Layer:
    """A layer with these settings; its constructor holds all that the kernel choice reads."""
    if wrapped_in_rnn:
        return keras.layers.RNN(make_cell(kind, 1, 0, **settings.cell_args(kind)), unroll=settings.unroll)
    return make_layer(kind, 1, 0, unroll=settings.unroll, **settings.cell_args(kind))


def kernel_choice(
    cell_kind: str,
    *,
    activation: str = "tanh",
    recurrent_activation: str = "sigmoid",
    recurrent_dropout: float = 0.0,
    unroll: bool = False,
    use_bias: bool = True,
    reset_after: bool = True,
    wrapped_in_rnn: bool = False,
    gpu_available: bool = False,
) -> tuple[str, list[str]]:
    """Which kernel Keras runs for this configuration, and why.

    Args:
        cell_kind: "SimpleRNN", "GRU" or "LSTM".
        activation: the layer's activation (cuDNN: "tanh").
        recurrent_activation: GRU and LSTM gates (cuDNN: "sigmoid").
        recurrent_dropout: cuDNN needs 0.
        unroll: cuDNN needs False.
        use_bias: cuDNN needs True.
        reset_after: GRU only; cuDNN needs True.
        wrapped_in_rnn: `RNN(LSTMCell(n))` instead of `LSTM(n)`: never cuDNN.
        gpu_available: whether TensorFlow sees a GPU.

    Returns:
        ("cudnn", [why]) or ("generic", [every reason that rules cuDNN out, one sentence each]).
    """
    check_kind(cell_kind)
    settings = CellSettings(activation, recurrent_activation, recurrent_dropout, unroll, use_bias, reset_after)
    kernel, reason = trace_cells.kernel_choice(_unbuilt(cell_kind, settings, wrapped_in_rnn), gpu_available)
    if kernel == "cudnn":
        return "cudnn", [reason]
    reasons = []
    if wrapped_in_rnn or cell_kind == "SimpleRNN":
        reasons.append(trace_cells.kernel_choice(_unbuilt(cell_kind, CellSettings(), wrapped_in_rnn), True)[1])
    if cell_kind != "SimpleRNN":
        # Each changed setting alone, on a built-in layer on a GPU: the ones that break cuDNN say why.
        for f in fields(CellSettings):
            value = getattr(settings, f.name)
            if value != f.default:
                one = replace(CellSettings(), **{f.name: value})
                k, r = trace_cells.kernel_choice(_unbuilt(cell_kind, one, False), True)
                if k == "generic":
                    reasons.append(r)
    if not gpu_available:
        reasons.append(NO_GPU)
    return "generic", reasons


def kernel_reason_text(reason: str) -> str:
    """A reason `kernel_choice` gave (in English) in the current language; an unknown one as it is."""
    for template in KERNEL_REASONS:
        found = re.fullmatch(re.escape(template).replace(re.escape("{name}"), "(?P<name>.+)"), reason)
        if found:
            return _(template).format(**found.groupdict())
    return reason


@dataclass(frozen=True)
class CellVsLayerLesson:
    """The built-in layer and RNN(cell) with the same weights, on the same input."""

    kind: str
    units: int
    settings: CellSettings
    inputs: np.ndarray  # (batch, timesteps, features)
    layer_output: np.ndarray  # (batch, timesteps, units) e.g. LSTM(n, return_sequences=True)
    cell_output: np.ndarray  # (batch, timesteps, units) RNN(LSTMCell(n), return_sequences=True)
    difference: float  # max |layer_output - cell_output|
    params: int  # each of the two has this many
    layer_kernel: tuple[str, tuple[str, ...]]  # kernel_choice here, for the layer
    cell_kernel: tuple[str, tuple[str, ...]]  # kernel_choice here, for RNN(cell)
    layer_kernel_on_gpu: tuple[str, tuple[str, ...]]  # what the layer would get on a GPU
    device: str  # "GPU" or "CPU"


def _pair(kind: str, units: int, settings: CellSettings, timesteps: int, features: int, seed: int):
    """The layer and RNN(cell) as models, with the same weights."""
    inp = keras.Input(shape=(timesteps, features))
    layer = make_layer(kind, units, seed, return_sequences=True, unroll=settings.unroll, **settings.cell_args(kind))
    wrapped = keras.layers.RNN(make_cell(kind, units, seed, **settings.cell_args(kind)), return_sequences=True,
                               unroll=settings.unroll)
    layer_model, cell_model = keras.Model(inp, layer(inp)), keras.Model(inp, wrapped(inp))
    wrapped.set_weights(layer.get_weights())
    return layer_model, cell_model


def _choice(kind: str, settings: CellSettings, wrapped: bool, gpu: bool) -> tuple[str, tuple[str, ...]]:
    kernel, reasons = kernel_choice(kind, **{f.name: getattr(settings, f.name) for f in fields(CellSettings)},
                                    wrapped_in_rnn=wrapped, gpu_available=gpu)
    return kernel, tuple(reasons)


def compare_cell_and_layer(
    kind: str = "LSTM",
    units: int = GUIDE_SIZES["units"],
    *,
    settings: CellSettings = CellSettings(),
    batch: int = GUIDE_SIZES["batch"],
    timesteps: int = GUIDE_SIZES["timesteps"],
    features: int = GUIDE_SIZES["features"],
    seed: int = 0,
) -> CellVsLayerLesson:
    """Run kind(units) and RNN(kindCell(units)) with the same weights on the same seeded input.

    Args:
        kind: "SimpleRNN", "GRU" or "LSTM".
        units: units of both.
        settings: activation, recurrent_activation, recurrent_dropout, unroll, use_bias,
            reset_after, given to both (recurrent_dropout acts only in training).
        batch: samples (the guide: 64).
        timesteps: steps (the guide: 28 rows of an MNIST digit).
        features: values at each step (the guide: 28 pixels).
        seed: fixes the weights and the input.

    Returns:
        Both outputs, their difference, and the kernel each would use here and on a GPU.
    """
    check_kind(kind)
    check_shape(batch, timesteps, features, units)
    check_seed(seed)
    x = random_input((batch, timesteps, features), seed)
    layer_model, cell_model = _pair(kind, units, settings, timesteps, features, seed)
    layer_out, cell_out = run(layer_model, x)[0], run(cell_model, x)[0]
    gpu = trace_cells.gpu_available()
    return CellVsLayerLesson(
        kind=kind,
        units=units,
        settings=settings,
        inputs=frozen(x),
        layer_output=frozen(layer_out),
        cell_output=frozen(cell_out),
        difference=max_abs_diff(layer_out, cell_out),
        params=layer_model.count_params(),
        layer_kernel=_choice(kind, settings, False, gpu),
        cell_kernel=_choice(kind, settings, True, gpu),
        layer_kernel_on_gpu=_choice(kind, settings, False, True),
        device="GPU" if gpu else "CPU",
    )


@dataclass(frozen=True)
class Timing:
    """How long one forward pass over a batch took, every repeat kept so the spread can be shown."""

    device: str  # "GPU" or "CPU"
    layer_times: tuple[float, ...]  # ms of each forward pass of the built-in layer
    cell_times: tuple[float, ...]  # ms of each forward pass of RNN(cell), timed in turn with the layer's
    layer_kernel: str  # "cudnn" or "generic", as run here
    cell_kernel: str  # always "generic"

    @property
    def repeats(self) -> int:
        """Forward passes timed of each."""
        return len(self.layer_times)

    @property
    def layer_ms(self) -> float:
        """Median ms of the built-in layer."""
        return statistics.median(self.layer_times)

    @property
    def cell_ms(self) -> float:
        """Median ms of RNN(cell)."""
        return statistics.median(self.cell_times)


def quartiles(times: tuple[float, ...]) -> tuple[float, float]:
    """The first and third quartiles (the interquartile range's ends) of some times; both the value for one."""
    if len(times) < 2:
        return (times[0], times[0])
    q = statistics.quantiles(times, n=4, method="inclusive")
    return (q[0], q[2])


def timing_verdict(timing: Timing) -> str:
    """What the times show, and no more: which is faster only when their interquartile ranges do not overlap."""
    (l1, l3), (c1, c3) = quartiles(timing.layer_times), quartiles(timing.cell_times)
    if l3 < c1:
        return _("Here the built-in layer is faster: {ratio}× by the medians, and the middle halves of the times "
                 "(the bars' whiskers) do not overlap (over {repeats} forward passes each, taken in turn).").format(
            ratio=f"{timing.cell_ms / timing.layer_ms:.1f}", repeats=timing.repeats)
    if c3 < l1:
        return _("Here RNN(cell) is faster: {ratio}× by the medians, and the middle halves of the times "
                 "(the bars' whiskers) do not overlap (over {repeats} forward passes each, taken in turn).").format(
            ratio=f"{timing.layer_ms / timing.cell_ms:.1f}", repeats=timing.repeats)
    return _("Here the two cannot be told apart: the middle halves of their times (the bars' whiskers) overlap "
             "(over {repeats} forward passes each, taken in turn), so the difference of the medians is noise.").format(
        repeats=timing.repeats)


def time_cell_and_layer(
    kind: str = "LSTM",
    units: int = GUIDE_SIZES["units"],
    *,
    settings: CellSettings = CellSettings(),
    batch: int = GUIDE_SIZES["batch"],
    timesteps: int = GUIDE_SIZES["timesteps"],
    features: int = GUIDE_SIZES["features"],
    repeats: int = 15,
    seed: int = 0,
) -> Timing:
    """Time forward passes of the layer and of RNN(cell) on the device TensorFlow uses here.

    Each model is called twice first (to compile and warm up), then both are timed in turn,
    `repeats` times each, so a slow moment of the machine falls on both alike.

    Returns:
        Milliseconds of every forward pass of each, and the kernel each ran.
    """
    check_kind(kind)
    check_shape(batch, timesteps, features, units)
    check_int("repeats", repeats, 1, MAX_REPEATS)
    x = random_input((batch, timesteps, features), seed)
    models = _pair(kind, units, settings, timesteps, features, seed)
    for model in models:
        for __ in range(2):
            model.predict_on_batch(x)
    times: tuple[list[float], list[float]] = ([], [])
    for __ in range(repeats):
        for model, store in zip(models, times):
            start = time.perf_counter()
            np.asarray(model.predict_on_batch(x))
            store.append((time.perf_counter() - start) * 1000)
    gpu = trace_cells.gpu_available()
    return Timing("GPU" if gpu else "CPU", tuple(times[0]), tuple(times[1]), _choice(kind, settings, False, gpu)[0],
                  "generic")


class MinimalRNNCell(keras.layers.Layer):
    """A custom cell: h_t = tanh(x_t W + h_{t-1} U). One state, two weights, no bias."""

    def __init__(self, units, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units  # RNN needs the size of each state
        self.seed = seed

    def build(self, input_shape):
        self.kernel = self.add_weight(  # W: (features, units)
            shape=(input_shape[-1], self.units), name="kernel",
            initializer=keras.initializers.GlorotUniform(seed=self.seed))
        self.recurrent_kernel = self.add_weight(  # U: (units, units)
            shape=(self.units, self.units), name="recurrent_kernel",
            initializer=keras.initializers.Orthogonal(seed=self.seed + 1))

    def call(self, inputs, states):
        h_tm1 = states[0]  # the state after the step before
        x_w = keras.ops.matmul(inputs, self.kernel)
        h_u = keras.ops.matmul(h_tm1, self.recurrent_kernel)
        h = keras.ops.tanh(x_w + h_u)
        return h, [h]  # the output, and the new states


CUSTOM_EQUATIONS = r"h_t = \tanh\left(x_t W + h_{t-1} U\right), \qquad h_{-1} = 0"


@dataclass(frozen=True)
class CustomCellLesson:
    """`RNN(MinimalRNNCell(units))` on seeded input, with the cell's weights."""

    inputs: np.ndarray  # (batch, timesteps, features)
    outputs: np.ndarray  # (batch, timesteps, units) h_t at every step
    kernel: np.ndarray  # (features, units) W
    recurrent_kernel: np.ndarray  # (units, units) U
    equation_difference: float  # max |outputs - the equation stepped in numpy from W and U|


def run_custom_cell(units: int = 8, *, batch: int = 2, timesteps: int = 20, features: int = 3,
                    seed: int = 0) -> CustomCellLesson:
    """Wrap `MinimalRNNCell` in `keras.layers.RNN` and run it.

    Returns:
        Its output at every step, and its weights W and U.
    """
    check_shape(batch, timesteps, features, units)
    check_seed(seed)
    x = random_input((batch, timesteps, features), seed)
    inp = keras.Input(shape=(timesteps, features))
    layer = keras.layers.RNN(MinimalRNNCell(units, seed=seed), return_sequences=True)
    out = run(keras.Model(inp, layer(inp)), x)[0]
    w, u = layer.cell.kernel.numpy(), layer.cell.recurrent_kernel.numpy()
    h, by_hand = np.zeros((batch, units)), []
    for t in range(timesteps):  # the equation, by hand
        h = np.tanh(x[:, t] @ w + h @ u)
        by_hand.append(h)
    return CustomCellLesson(frozen(x), frozen(out), frozen(w), frozen(u),
                            max_abs_diff(out, np.stack(by_hand, axis=1)))


__all__ = [
    "CUSTOM_EQUATIONS", "CellSettings", "CellVsLayerLesson", "CustomCellLesson", "MinimalRNNCell", "Timing",
    "compare_cell_and_layer", "kernel_choice", "kernel_reason_text", "run_custom_cell", "time_cell_and_layer",
]

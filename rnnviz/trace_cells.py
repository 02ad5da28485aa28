"""The recurrences of Keras's three cells, written again so that every step also hands back its gates.

Each step repeats the operations of Keras's own cell `call` (implementation 2) in the same order, on
the layer's own weight variables, so the states it produces are Keras's to the last bit on the
generic path. `run_direction` loops them over a sequence with `tf.while_loop` and keeps, step by
step, the states and then the gates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import keras
import tensorflow as tf

from rnnviz.i18n import _

GATE_NAMES: dict[str, tuple[str, ...]] = {
    "LSTM": ("input", "forget", "candidate", "output"),  # Keras's order i, f, c, o
    "GRU": ("update", "reset", "candidate"),  # Keras's order z, r, h
    "SimpleRNN": (),
}
STATE_COUNT = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1}
_CELL_KINDS = {
    keras.layers.LSTMCell: "LSTM",
    keras.layers.GRUCell: "GRU",
    keras.layers.SimpleRNNCell: "SimpleRNN",
}
_LAYER_CLASSES = (keras.layers.LSTM, keras.layers.GRU, keras.layers.SimpleRNN, keras.layers.RNN)


def series_count(kind: str) -> int:
    """How many (batch, units) series one step keeps: the states, then the gates."""
    return STATE_COUNT[kind] + len(GATE_NAMES[kind])


def untraceable_reason(layer: keras.layers.Layer) -> str | None:
    """Why a recurrent layer cannot be traced exactly, or None when it can."""
    cls = type(layer).__name__
    if type(layer) not in _LAYER_CLASSES:
        return (
            _("layer '{name}' is a {cls}; rnnviz traces only Keras's LSTM, GRU and SimpleRNN layers "
              "and keras.layers.RNN around an LSTMCell, GRUCell or SimpleRNNCell").format(name=layer.name, cls=cls)
        )
    cell = layer.cell
    if type(cell) not in _CELL_KINDS:
        return (
            _("layer '{name}' runs a custom cell ({cell}); rnnviz traces only Keras's "
              "LSTMCell, GRUCell and SimpleRNNCell, whose equations it knows").format(name=layer.name,
                                                                                     cell=type(cell).__name__)
        )
    if cell.compute_dtype != "float32":
        return (
            _("layer '{name}' computes in {dtype}; rnnviz traces float32 layers only "
              "(load or build the model under the 'float32' dtype policy)").format(name=layer.name,
                                                                                   dtype=cell.compute_dtype)
        )
    if not cell.built:
        return _("layer '{name}' is not built; call the model once before tracing it").format(name=layer.name)
    return None


def cell_kind(layer: keras.layers.Layer) -> str:
    """"LSTM", "GRU" or "SimpleRNN" for a traceable recurrent layer."""
    return _CELL_KINDS[type(layer.cell)]


def gpu_available() -> bool:
    """Whether TensorFlow sees a GPU, as Keras decides it for cuDNN."""
    return bool(tf.config.list_logical_devices("GPU"))


def kernel_choice(layer: keras.layers.Layer, has_gpu: bool) -> tuple[str, str]:
    """The kernel the layer itself runs ("cudnn" or "generic") and why, following Keras's own checks."""
    if isinstance(layer, keras.layers.SimpleRNN):
        return "generic", _("SimpleRNN has no cuDNN kernel; Keras runs its generic loop")
    if type(layer) not in (keras.layers.LSTM, keras.layers.GRU):
        return "generic", _("keras.layers.RNN around a cell always runs the generic loop; only LSTM and GRU layers use cuDNN")
    cell = layer.cell
    tanh = (keras.activations.tanh, tf.tanh, keras.ops.tanh)
    sigmoid = (keras.activations.sigmoid, tf.sigmoid, keras.ops.sigmoid)
    if layer.use_cudnn is False:
        return "generic", _("the layer has use_cudnn=False")
    if cell.activation not in tanh:
        return "generic", _("cuDNN needs activation='tanh'; this layer has '{name}'").format(name=_name(cell.activation))
    if cell.recurrent_activation not in sigmoid:
        return "generic", _("cuDNN needs recurrent_activation='sigmoid'; this layer has '{name}'").format(
            name=_name(cell.recurrent_activation))
    if layer.unroll:
        return "generic", _("cuDNN needs unroll=False")
    if not cell.use_bias:
        return "generic", _("cuDNN needs use_bias=True")
    if isinstance(layer, keras.layers.GRU) and not cell.reset_after:
        return "generic", _("cuDNN needs reset_after=True for a GRU")
    if cell.recurrent_dropout:
        return "generic", _("cuDNN needs recurrent_dropout=0")
    if not has_gpu:
        return "generic", _("TensorFlow sees no GPU; on a GPU this layer would use cuDNN")
    return "cudnn", _("a GPU is visible and the layer's settings allow cuDNN (at padded steps cuDNN outputs zeros)")


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", repr(fn))


@dataclass(frozen=True)
class DirectionRun:
    """What one pass over the sequence returns, time-major, in the order the steps were read."""

    steps: tuple[tf.Tensor, ...]  # each (timesteps, batch, units): the states, then the gates
    final_state: tuple[tf.Tensor, ...]  # each (batch, units)


def _lstm_step(cell) -> Callable:
    kernel = cell.kernel.value
    recurrent = cell.recurrent_kernel.value
    bias = cell.bias.value if cell.use_bias else None
    act, rec_act = cell.activation, cell.recurrent_activation

    def step(x, states):
        h_tm1, c_tm1 = states
        z = tf.matmul(x, kernel)
        z = tf.add(z, tf.matmul(h_tm1, recurrent))
        if bias is not None:
            z = tf.add(z, bias)
        z0, z1, z2, z3 = tf.split(z, 4, axis=1)
        i = rec_act(z0)
        f = rec_act(z1)
        g = act(z2)
        o = rec_act(z3)
        c = f * c_tm1 + i * g
        h = o * act(c)
        return (h, c), (i, f, g, o)

    return step


def _gru_step(cell) -> Callable:
    units = cell.units
    kernel = cell.kernel.value
    recurrent = cell.recurrent_kernel.value
    act, rec_act = cell.activation, cell.recurrent_activation
    input_bias = recurrent_bias = None
    if cell.use_bias:
        bias = cell.bias.value
        if cell.reset_after:
            input_bias, recurrent_bias = bias[0], bias[1]  # (2, 3u): input row, recurrent row
        else:
            input_bias = bias
    reset_after = cell.reset_after

    def step(x, states):
        (h_tm1,) = states
        matrix_x = tf.matmul(x, kernel)
        if input_bias is not None:
            matrix_x = tf.add(matrix_x, input_bias)
        x_z, x_r, x_h = tf.split(matrix_x, 3, axis=-1)
        if reset_after:
            matrix_inner = tf.matmul(h_tm1, recurrent)
            if recurrent_bias is not None:
                matrix_inner = matrix_inner + recurrent_bias
        else:
            matrix_inner = tf.matmul(h_tm1, recurrent[:, : 2 * units])
        recurrent_z = matrix_inner[:, :units]
        recurrent_r = matrix_inner[:, units : units * 2]
        z = rec_act(x_z + recurrent_z)
        r = rec_act(x_r + recurrent_r)
        if reset_after:
            recurrent_h = r * matrix_inner[:, units * 2 :]
        else:
            recurrent_h = tf.matmul(r * h_tm1, recurrent[:, 2 * units :])
        hh = act(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return (h,), (z, r, hh)

    return step


def _simple_step(cell) -> Callable:
    kernel = cell.kernel.value
    recurrent = cell.recurrent_kernel.value
    bias = cell.bias.value if cell.bias is not None else None
    act = cell.activation

    def step(x, states):
        (h_tm1,) = states
        h = tf.matmul(x, kernel)
        if bias is not None:
            h = tf.add(h, bias)
        output = h + tf.matmul(h_tm1, recurrent)
        if act is not None:
            output = act(output)
        return (output,), ()

    return step


_STEPS = {"LSTM": _lstm_step, "GRU": _gru_step, "SimpleRNN": _simple_step}


def run_direction(
    layer: keras.layers.Layer,
    sequences: tf.Tensor,
    initial_state: tuple[tf.Tensor, ...],
    mask: tf.Tensor | None,
) -> DirectionRun:
    """Run one recurrent layer's cell over `sequences` as Keras's generic loop does, keeping every step.

    Args:
        layer: a traceable LSTM, GRU, SimpleRNN or RNN(cell) layer; its `go_backwards` sets the order.
        sequences: (batch, timesteps, features) input, batch-major as the layer receives it.
        initial_state: the layer's starting states, each (batch, units).
        mask: (batch, timesteps) bool, or None. At a masked step the states carry over unchanged and
            the gates are written as zeros.

    Returns:
        Every step's states and gates, time-major in reading order, and the final states.
    """
    kind = cell_kind(layer)
    dtype = sequences.dtype
    steps = tf.shape(sequences)[1]
    inputs_ta = tf.TensorArray(dtype, size=steps).unstack(_reading_order(sequences, layer.go_backwards))
    mask_ta = None
    if mask is not None:
        mask_ta = tf.TensorArray(tf.bool, size=steps).unstack(_reading_order(tf.cast(mask, tf.bool), layer.go_backwards))
    # One TensorArray per series: a write keeps a reference, so each value is copied once, by stack().
    shape = tf.TensorShape([sequences.shape[0], layer.cell.units])
    series = tuple(tf.TensorArray(dtype, size=steps, element_shape=shape) for _unused in range(series_count(kind)))
    result = tf.while_loop(
        lambda t, *_: t < steps,
        _loop_body(_STEPS[kind](layer.cell), inputs_ta, mask_ta),
        (tf.constant(0), series) + tuple(initial_state),
        parallel_iterations=32,
        swap_memory=True,
    )
    return DirectionRun(steps=tuple(ta.stack() for ta in result[1]), final_state=tuple(result[2:]))


def _reading_order(batch_major: tf.Tensor, go_backwards: bool) -> tf.Tensor:
    """(batch, timesteps, ...) -> (timesteps, batch, ...), reversed in time for go_backwards."""
    time_major = tf.transpose(batch_major, [1, 0] + list(range(2, batch_major.shape.rank)))
    return tf.reverse(time_major, [0]) if go_backwards else time_major


def _loop_body(step: Callable, inputs_ta: tf.TensorArray, mask_ta: tf.TensorArray | None) -> Callable:
    """The while-loop body: one cell step, the mask applied as Keras's generic loop applies it."""

    def body(t, tas, *states_tm1):
        states_t, gates = step(inputs_ta.read(t), states_tm1)
        if mask_ta is not None:
            keep = tf.expand_dims(mask_ta.read(t), -1)  # (batch, 1)
            states_t = tuple(tf.where(keep, new, old) for new, old in zip(states_t, states_tm1))
            gates = tuple(tf.where(keep, g, tf.zeros_like(g)) for g in gates)
        _keep_shapes(states_t, states_tm1)
        tas = tuple(ta.write(t, v) for ta, v in zip(tas, tuple(states_t) + tuple(gates)))
        return (t + 1, tas) + tuple(states_t)

    return body


def _keep_shapes(new: tuple, old: tuple) -> None:
    # A stateful layer's states have a static batch that the step's outputs may have lost.
    for n, o in zip(new, old):
        n.set_shape(o.shape)


def keras_outputs(layer: keras.layers.Layer, run: DirectionRun, mask: tf.Tensor | None) -> tuple[tf.Tensor, ...]:
    """What the layer's own call returns (output, then the states if return_state), from a traced run.

    Keras's generic loop writes, at a masked step, the previous output (zeros before the first
    unmasked step) or zeros when `zero_output_for_mask` is on; the states carry over.
    """
    out_tm = run.steps[0]  # (timesteps, batch, units) hidden states, reading order
    if mask is not None:
        keep_tm = _reading_order(tf.cast(mask, tf.bool), layer.go_backwards)
        if not layer.zero_output_for_mask:
            keep_tm = tf.cumsum(tf.cast(keep_tm, tf.int32), axis=0) > 0
        out_tm = tf.where(tf.expand_dims(keep_tm, -1), out_tm, tf.zeros_like(out_tm))
    output = tf.transpose(out_tm, (1, 0, 2)) if layer.return_sequences else out_tm[-1]
    if layer.return_state:
        return (output,) + run.final_state
    return (output,)

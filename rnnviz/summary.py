"""A model's layers with output shapes and parameter counts, as Keras's `model.summary()` has them."""

from __future__ import annotations

from dataclasses import dataclass

import keras

from rnnviz.i18n import N_

SEVERAL_OUTPUTS = N_("(several)")  # a layer called more than once; the app shows it translated

@dataclass(frozen=True)
class SummaryRow:
    """One layer. `parent` names the Bidirectional layer a half belongs to, else None."""

    name: str
    kind: str
    output_shape: str
    params: int
    parent: str | None = None


@dataclass(frozen=True)
class ModelSummary:
    """Rows in model order (a Bidirectional's halves follow it) and the totals."""

    rows: tuple[SummaryRow, ...]
    total_params: int
    trainable_params: int
    non_trainable_params: int


def summarize_model(model: keras.Model) -> ModelSummary:
    """Summarize a built model.

    Args:
        model: a built `keras.Model` (functional or Sequential).

    Returns:
        A `ModelSummary` whose counts equal `model.summary()`'s.
    """
    rows = []
    for layer in model.layers:
        rows.append(SummaryRow(layer.name, _kind(layer), _output_shape(layer), layer.count_params()))
        if isinstance(layer, keras.layers.Bidirectional):
            for half in (layer.forward_layer, layer.backward_layer):
                rows.append(SummaryRow(half.name, _kind(half), "", half.count_params(), parent=layer.name))
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    non_trainable = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    return ModelSummary(tuple(rows), trainable + non_trainable, trainable, non_trainable)


def format_summary(summary: ModelSummary) -> str:
    """Plain-text table of a summary, for the command line."""
    header = ("Layer", "Type", "Output shape", "Params")
    lines = [(("  " if r.parent else "") + r.name, r.kind, r.output_shape, f"{r.params:,}") for r in summary.rows]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(4)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths[:3]) + f"  {{:>{widths[3]}}}"
    out = [fmt.format(*header), "-" * (sum(widths) + 6)]
    out += [fmt.format(*line) for line in lines]
    out += [
        "-" * (sum(widths) + 6),
        f"Total params: {summary.total_params:,}",
        f"Trainable params: {summary.trainable_params:,}",
        f"Non-trainable params: {summary.non_trainable_params:,}",
    ]
    return "\n".join(out)


def _kind(layer: keras.layers.Layer) -> str:
    if isinstance(layer, keras.layers.Bidirectional):
        return f"Bidirectional({_kind(layer.forward_layer)})"
    name = type(layer).__name__
    if name == "RNN":
        return f"RNN({type(layer.cell).__name__})"
    return name


def _output_shape(layer: keras.layers.Layer) -> str:
    try:
        output = layer.output
    except (AttributeError, ValueError):  # shared layers have one output per call
        return SEVERAL_OUTPUTS
    if isinstance(output, (list, tuple)):
        return "[" + ", ".join(_shape_text(t.shape) for t in output) + "]"
    return _shape_text(output.shape)


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"

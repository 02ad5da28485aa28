"""The current model at a glance: totals, the summary table, and the stack diagram."""

from __future__ import annotations

import streamlit as st

from rnnviz.build import layer_names
from rnnviz.diagram import model_diagram
from rnnviz.figures.diagram import diagram_figure
from rnnviz.i18n import _
from rnnviz.spec import ModelSpec
from rnnviz.summary import SEVERAL_OUTPUTS, ModelSummary
from rnnviz.ui.charts import chart


def show_summary(summary: ModelSummary) -> None:
    """Totals and a per-layer table, a Bidirectional's halves indented under it."""
    st.metric(_("Total params"), f"{summary.total_params:,}")
    st.caption(_("Trainable {trainable} · non-trainable {frozen}").format(
        trainable=f"{summary.trainable_params:,}", frozen=f"{summary.non_trainable_params:,}"))
    rows = [
        {
            # As Keras prints it: "name (type)"; plain leading spaces would start a code block.
            _("layer (type)"): ("\u00a0\u00a0↳ " if r.parent else "") + f"{r.name} ({r.kind})",
            _("output shape"): _(r.output_shape) if r.output_shape == SEVERAL_OUTPUTS else r.output_shape,
            _("params"): f"{r.params:,}",
        }
        for r in summary.rows
    ]
    st.table(rows)  # a plain table wraps long shapes instead of hiding columns


def show_diagram(spec: ModelSpec, summary: ModelSummary | None = None) -> None:
    """The stack diagram with the tensor shape on every arrow, downloadable as a PNG.

    Args:
        spec: the model; a draft that cannot be built shows its layers to fix in red.
        summary: the built model's summary, for the parameters of each layer (none for a draft).
    """
    params = None if summary is None else {r.name: r.params for r in summary.rows if r.parent is None}
    chart(diagram_figure(model_diagram(spec, layer_names(spec), params)), key="build.fig.diagram")

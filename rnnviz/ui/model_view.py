"""The current model at a glance: totals, the summary table, and the stack diagram."""

from __future__ import annotations

import streamlit as st

from rnnviz.build import layer_names
from rnnviz.diagram import model_dot
from rnnviz.spec import ModelSpec
from rnnviz.summary import ModelSummary
from rnnviz.validate import validate


def show_summary(summary: ModelSummary) -> None:
    """Totals and a per-layer table, a Bidirectional's halves indented under it."""
    st.metric("Total params", f"{summary.total_params:,}")
    st.caption(f"Trainable {summary.trainable_params:,} · non-trainable {summary.non_trainable_params:,}")
    rows = [
        {
            # As Keras prints it: "name (type)"; plain leading spaces would start a code block.
            "layer (type)": ("\u00a0\u00a0↳ " if r.parent else "") + f"{r.name} ({r.kind})",
            "output shape": r.output_shape,
            "params": f"{r.params:,}",
        }
        for r in summary.rows
    ]
    st.table(rows)  # a plain table wraps long shapes instead of hiding columns


def show_diagram(spec: ModelSpec) -> None:
    """The stack diagram with the tensor shape on every arrow."""
    st.graphviz_chart(model_dot(spec, validate(spec), layer_names(spec)))

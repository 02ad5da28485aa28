"""The input of a model trained on a toy task: that task's own samples, picked in the sidebar."""

from __future__ import annotations

import streamlit as st

from rnnviz.i18n import _
from rnnviz.inputs import PreparedInput
from rnnviz.tasks import TaskBatch, make_task
from rnnviz.ui import keys, link_params, links

SAMPLES_SHOWN = 8  # task samples fed to the model at once
_SEED_OFFSET = 5_000_000  # away from the training, test and unit-finding seeds


def task_batch(task: str, seed: int) -> TaskBatch:
    """The samples the pages feed a model trained on `task`, drawn with the sidebar's `seed`."""
    return make_task(task).sample(SAMPLES_SHOWN, int(seed) + _SEED_OFFSET)


def task_input(task: str) -> tuple[tuple[PreparedInput, ...], tuple]:
    """Draw the sidebar's sample choice; return the model's input and a hashable key of the choice."""
    links.bind(link_params.TASK_INPUT)  # the URL carries the samples' seed and row
    st.sidebar.subheader(_("Input"))
    st.sidebar.caption(_("Samples of the task **{task}**: {description}").format(
        task=task, description=make_task(task).description))
    seed = int(st.sidebar.number_input(_("Samples drawn with seed"), 0, 1_000_000, 0, key=keys.TASK_SEED))
    row = int(st.sidebar.number_input(_("Sample to show"), 0, SAMPLES_SHOWN - 1, 0, key=keys.TASK_ROW,
                                      help=_("One of the {count} samples drawn with this seed.").format(
                                          count=SAMPLES_SHOWN)))
    batch = task_batch(task, seed)
    return (PreparedInput(batch.inputs, batch.tokens[row], row=row),), ("task", task, seed, row)

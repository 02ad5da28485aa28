"""The model a link names: `model=` (an edited stack, encoded), `weights=`, `train=` (the Train page's model).

`preset=` is `model_source`'s. A new link's model opens once; every run the URL names the current one.
"""

from __future__ import annotations

import streamlit as st

from rnnviz import limits
from rnnviz.i18n import _
from rnnviz.link_state import Param, decode_spec, encode_spec
from rnnviz.pretrained import pretrained_info
from rnnviz.spec import WEIGHT_STYLES
from rnnviz.tasks import task_names
from rnnviz.training import CELLS
from rnnviz.ui import keys, links, model_source, trained

# --- The model ------------------------------------------------------------------------------------

TRAIN_PARAM = "train"  # task,cell,units,seed of the Train page's model


def sync_model() -> None:
    """Open the model a new link names (`model=`, `weights=`, `train=`); keep the URL naming the current one.

    Call it after `model_source.sync_with_url`, which opens `preset=`.
    """
    raw = links.fresh("weights")
    if raw is not None:
        try:
            st.session_state[keys.WEIGHTS] = Param("weights", "choice", WEIGHT_STYLES).parse(raw)
            model_source._change_weights()
        except ValueError as err:
            links.refuse("weights", str(err))
    raw = links.fresh("model")
    if raw is not None:
        try:
            _open_spec(decode_spec(raw))
        except ValueError as err:
            links.refuse("model", str(err))
    raw = links.fresh(TRAIN_PARAM)
    if raw is not None:
        try:
            wanted = parse_trained(raw)
            current = trained.current_trained()  # already open (reopened by own= after a reload): not trained again
            if current is None or (current.task, current.cell, current.units, current.seed) != wanted:
                _open_trained(*wanted)
        except ValueError as err:
            links.refuse(TRAIN_PARAM, str(err))
    write_model()


def _open_spec(spec) -> None:
    st.session_state[keys.WEIGHTS] = spec.weights
    st.session_state[keys.DRAFT_SPEC] = spec
    st.session_state[keys.GOOD_SPEC] = spec
    st.session_state[keys.EDITED] = True
    st.session_state[keys.SOURCE] = "preset"
    st.session_state[keys.EDITOR_GENERATION] = st.session_state.get(keys.EDITOR_GENERATION, 0) + 1


def parse_trained(raw: str) -> tuple[str, str, int, int]:
    """`task,cell,units,seed` of a `train=` parameter, checked.

    Raises:
        ValueError: naming the part that is wrong and what it may be.
    """
    parts = raw.split(",")
    if len(parts) != 4:
        raise ValueError(_("`train` must be task,cell,units,seed (e.g. brackets,LSTM,16,0); the link has "
                           "`{value}`").format(value=raw[:60]))
    task = Param("train task", "choice", tuple(task_names())).parse(parts[0])
    cell = Param("train cell", "choice", tuple(CELLS)).parse(parts[1])
    units = Param("train units", "int", low=1, high=limits.MAX_TRAIN_UNITS).parse(parts[2])
    seed = Param("train seed", "int", low=0, high=1_000_000).parse(parts[3])
    return task, cell, units, seed


def shipped_settings(task: str) -> tuple[str, str, int, int]:
    """The settings the pre-trained model shipped for `task` was trained with."""
    info = pretrained_info(task)
    return task, info["cell"], int(info["units"]), int(info["seed"])


def _open_trained(task: str, cell: str, units: int, seed: int) -> None:
    """The shipped model when the settings are its own, else the same training run again."""
    st.session_state.update({keys.TRAIN_TASK: task, keys.TRAIN_CELL: cell, keys.TRAIN_UNITS: units,
                             keys.TRAIN_SEED: seed})
    if (task, cell, units, seed) == shipped_settings(task):
        trained.use_pretrained(task)
        return
    with st.spinner(_("Training the link's model again ({task}, {cell}({units}), seed {seed})…").format(
            task=task, cell=cell, units=units, seed=seed)):
        failed = trained.train(task, cell, units, seed, lambda record: None)
    if failed:
        raise ValueError(failed.rstrip("."))


def write_model() -> None:
    """`model=` for an edited stack, `train=` for a trained model, `weights=` when not the default."""
    source = st.session_state.get(keys.SOURCE)
    spec = st.session_state.get(keys.GOOD_SPEC)
    edited = source == "preset" and st.session_state.get(keys.EDITED) and spec is not None
    links.put("model", encode_spec(spec) if edited else None)
    weights = st.session_state.get(keys.WEIGHTS, model_source.DEFAULT_WEIGHTS)
    links.put("weights", weights if source == "preset" and not edited and weights != model_source.DEFAULT_WEIGHTS
           else None)
    current = trained.current_trained()
    links.put(TRAIN_PARAM, ",".join(map(str, (current.task, current.cell, current.units, current.seed)))
           if current is not None else None)

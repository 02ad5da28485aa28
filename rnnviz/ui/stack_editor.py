"""The Build page's editor: every input, stack and layer of a spec as widgets.

`edit_spec` draws the widgets for a draft and returns the spec they now describe, plus the
structural edit (add, remove, move) the user asked for, if any. Widget keys carry a generation
number that changes on every structural edit, so widgets start again from the new draft.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import streamlit as st

from rnnviz import edit, limits
from rnnviz.i18n import N_, _
from rnnviz.spec import (
    ACTIVATIONS,
    MERGE_MODES,
    RECURRENT_KINDS,
    BidirectionalSpec,
    DenseSpec,
    EmbeddingSpec,
    InputSpec,
    LayerSpec,
    ModelSpec,
    RecurrentSpec,
    layer_label,
)
from rnnviz.ui import keys

Key = Callable[[str], str]
INPUT_KINDS = {"tokens": N_("tokens"), "vectors": N_("vectors")}  # what an input gives, as the editor names it
ZEROS = N_("(zeros)")  # the initial-state choice "no earlier stack": zeros
FLAG_HELPS = {  # the layer options' help texts; the options' names are Keras's and stay untranslated
    "return_sequences": N_("Hand on the hidden state of every timestep, not only the last."),
    "return_state": N_("Also return the final states (h, and c for an LSTM)."),
    "stateful": N_("Carry the final state into the next batch."),
    "go_backwards": N_("Read the sequence from the last step to the first."),
    "wrap_cell": N_("Build keras.layers.RNN around the cell: same maths, never the cuDNN kernel."),
    "reset_after": N_("Keras's default GRU form (the one cuDNN runs)."),
}


@dataclass(frozen=True)
class StructuralEdit:
    """A change of structure the user clicked: apply it to the spec the widgets describe."""

    apply: Callable[[ModelSpec], ModelSpec]


def _key_maker(*parts: object) -> Key:
    generation = st.session_state.get(keys.EDITOR_GENERATION, 0)
    prefix = ".".join(str(p) for p in (keys.EDITOR_PREFIX, generation, *parts))
    return lambda name: f"{prefix}.{name}"


def edit_spec(draft: ModelSpec) -> tuple[ModelSpec, StructuralEdit | None]:
    """Draw the editor for `draft`; return the spec the widgets describe and any structural edit."""
    inputs = tuple(_input_controls(inp, _key_maker("input", i)) for i, inp in enumerate(draft.inputs))
    stacks, action = [], None
    for s, stack in enumerate(draft.stacks):
        if len(draft.stacks) > 1:
            st.markdown(_("**Stack `{stack}`** — reads input `{input}`").format(stack=stack.name, input=stack.input))
        stack = _initial_state_control(draft, s, _key_maker("stack", s))
        layers = []
        for i, layer in enumerate(stack.layers):
            layer, clicked = _layer_card(layer, s, i, len(stack.layers), _key_maker("layer", s, i))
            layers.append(layer)
            action = action or clicked
        action = action or _add_layer_control(s, _key_maker("add", s))
        stacks.append(replace(stack, layers=tuple(layers)))
    return replace(draft, inputs=inputs, stacks=tuple(stacks)), action


def _input_controls(inp: InputSpec, key: Key) -> InputSpec:
    with st.container(border=True):
        st.markdown(_("**Input `{name}`**").format(name=inp.name))
        c1, c2 = st.columns(2)
        c3, c4 = st.columns(2)
        kind = c1.selectbox(_("gives"), ("tokens", "vectors"), index=("tokens", "vectors").index(inp.kind),
                            key=key("kind"), help=_("Token ids (for an Embedding) or real-valued vectors."),
                            format_func={k: _(label) for k, label in INPUT_KINDS.items()}.__getitem__)
        features = None
        if kind == "vectors":
            features = c2.number_input(_("features"), 1, limits.MAX_FEATURES, inp.features or 8, key=key("features"),
                                       help=_("Numbers per timestep, 1 to {most}.").format(most=limits.MAX_FEATURES))
        timesteps = c3.number_input(_("timesteps (0 = any)"), 0, limits.MAX_TIMESTEPS, inp.timesteps or 0,
                                    key=key("timesteps"),
                                    help=_("Fixed length 1 to {most}, or 0.").format(most=limits.MAX_TIMESTEPS))
        batch = c4.number_input(_("batch size (0 = any)"), 0, limits.MAX_BATCH, inp.batch_size or 0, key=key("batch"),
                                help=_("Fixed batch 1 to {most}, or 0. Stateful layers need one.").format(
                                    most=limits.MAX_BATCH))
        return replace(inp, kind=kind, features=features, timesteps=timesteps or None, batch_size=batch or None)


def _initial_state_control(spec: ModelSpec, index: int, key: Key):
    stack = spec.stacks[index]
    earlier = [s.name for s in spec.stacks[:index]]
    if not earlier:
        return stack
    options = ["(zeros)", *earlier]
    current = stack.initial_state_from if stack.initial_state_from in earlier else "(zeros)"
    chosen = st.selectbox(_("first recurrent layer starts from the final states of"), options,
                          index=options.index(current), key=key("initial_state_from"),
                          format_func={o: _(ZEROS) if o == "(zeros)" else o for o in options}.__getitem__)
    return replace(stack, initial_state_from=None if chosen == "(zeros)" else chosen)


def _layer_card(layer: LayerSpec, s: int, i: int, count: int, key: Key) -> tuple[LayerSpec, StructuralEdit | None]:
    with st.container(border=True):
        title, up, down, remove = st.columns([3, 1, 1, 1], vertical_alignment="center", gap="small")
        clicked = None
        if up.button("", icon=":material/arrow_upward:", key=key("up"), help=_("Move up"), width="stretch", disabled=i == 0):
            clicked = StructuralEdit(lambda spec: edit.move_layer(spec, s, i, -1))
        if down.button("", icon=":material/arrow_downward:", key=key("down"), help=_("Move down"), width="stretch", disabled=i == count - 1):
            clicked = StructuralEdit(lambda spec: edit.move_layer(spec, s, i, +1))
        if remove.button("", icon=":material/delete:", key=key("remove"), help=_("Remove this layer"), width="stretch", disabled=count == 1):
            clicked = StructuralEdit(lambda spec: edit.remove_layer(spec, s, i))
        edited = _layer_controls(layer, key)
        title.markdown("**{n} · {label}**".format(n=i + 1, label=layer_label(edited)))  # after the controls: the title names what they say now
        return edited, clicked


def _layer_controls(layer: LayerSpec, key: Key) -> LayerSpec:
    if isinstance(layer, EmbeddingSpec):
        c1, c2 = st.columns(2)
        c3 = st.container()
        return replace(
            layer,
            input_dim=c1.number_input(_("vocabulary (input_dim)"), 1, limits.MAX_VOCAB, layer.input_dim,
                                      key=key("input_dim"),
                                      help=_("1 to {most} token ids.").format(most=f"{limits.MAX_VOCAB:,}")),
            output_dim=c2.number_input(_("output_dim"), 1, limits.MAX_UNITS, layer.output_dim, key=key("output_dim"),
                                       help=_("Vector size, 1 to {most}.").format(most=limits.MAX_UNITS)),
            mask_zero=c3.checkbox(_("mask_zero"), layer.mask_zero, key=key("mask_zero"),
                                  help=_("Token 0 is padding: recurrent layers skip it.")),
        )
    if isinstance(layer, DenseSpec):
        c1, c2 = st.columns(2)
        options = ("none", *ACTIVATIONS)
        activation = c2.selectbox(_("activation"), options, index=options.index(layer.activation or "none"),
                                  key=key("activation"))
        return replace(layer, units=c1.number_input(_("units"), 1, limits.MAX_UNITS, layer.units, key=key("units"),
                                                    help=_("1 to {most}.").format(most=limits.MAX_UNITS)),
                       activation=None if activation == "none" else activation)
    if isinstance(layer, BidirectionalSpec):
        labels = [str(m) for m in MERGE_MODES]
        merge = st.selectbox(_("merge_mode"), labels, index=labels.index(str(layer.merge_mode)), key=key("merge"),
                             help=_("How the forward and backward outputs combine; None returns both."))
        inner = _recurrent_controls(layer.layer, key)
        return replace(layer, layer=inner, merge_mode=None if merge == "None" else merge)
    return _recurrent_controls(layer, key)


def _recurrent_controls(layer: RecurrentSpec, key: Key) -> RecurrentSpec:
    c1, c2 = st.columns(2)
    c3, c4 = st.columns(2)
    cell_kind = c1.selectbox(_("cell"), RECURRENT_KINDS, index=RECURRENT_KINDS.index(layer.cell_kind), key=key("cell"))
    units = c2.number_input(_("units"), 1, limits.MAX_UNITS, layer.units, key=key("units"),
                            help=_("1 to {most}.").format(most=limits.MAX_UNITS))
    activation = c3.selectbox(_("activation"), ACTIVATIONS, index=ACTIVATIONS.index(layer.activation),
                              key=key("activation"))
    recurrent_activation = layer.recurrent_activation
    if cell_kind != "SimpleRNN":
        recurrent_activation = c4.selectbox(_("recurrent_activation"), ACTIVATIONS,
                                            index=ACTIVATIONS.index(layer.recurrent_activation),
                                            key=key("recurrent_activation"), help=_("The gates' activation."))
    flags = {}
    columns = st.columns(2)
    shown = ["return_sequences", "return_state", "stateful", "go_backwards", "wrap_cell"]
    if cell_kind == "GRU":
        shown.append("reset_after")
    labels = {"wrap_cell": _("as RNN({kind}Cell)").format(kind=cell_kind)}
    for n, flag in enumerate(shown):
        flags[flag] = columns[n % 2].checkbox(labels.get(flag, flag), getattr(layer, flag), key=key(flag),
                                             help=_(FLAG_HELPS[flag]))
    return replace(layer, cell_kind=cell_kind, units=units, activation=activation,
                   recurrent_activation=recurrent_activation, **flags)


def _add_layer_control(s: int, key: Key) -> StructuralEdit | None:
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    kind = c1.selectbox(_("New layer"), edit.NEW_LAYER_KINDS, key=key("kind"))
    if c2.button(":material/add: " + _("Add layer"), key=key("button")):
        return StructuralEdit(lambda spec: edit.add_layer(spec, s, kind))
    return None

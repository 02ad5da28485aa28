"""A stack diagram in Graphviz DOT: one box per layer, the tensor shape on every arrow."""

from __future__ import annotations

from rnnviz.i18n import _
from rnnviz.spec import BidirectionalSpec, ModelSpec, RecurrentSpec, layer_label
from rnnviz.validate import StackShapes, consumed_stacks


def shape_text(shape) -> str:
    """A shape as Keras prints it, e.g. "(None, 100, 64)"; two tensors as "2 × (None, 32)"."""
    if isinstance(shape, list):
        return f"{len(shape)} × {shape_text(shape[0])}"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def model_dot(spec: ModelSpec, shapes: list[StackShapes], names: dict[tuple[str, int], str]) -> str:
    """DOT text for the whole model.

    Args:
        spec: a valid model description.
        shapes: its shapes, from `validate(spec)`.
        names: Keras layer names, from `build.layer_names(spec)`.
    """
    lines = [
        "digraph model {",
        '  rankdir=TB; bgcolor="transparent";',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#4a6fa5", '
        'fontname="Helvetica", fontsize=13];',
        '  edge [fontname="Helvetica", fontsize=12, color="#555555"];',
    ]
    by_stack = {s.stack: s.shapes for s in shapes}
    consumed = consumed_stacks(spec)
    for inp in spec.inputs:
        gives = _("token ids") if inp.kind == "tokens" else _("{features} features a step").format(features=inp.features)
        title = _("input {name}").format(name=inp.name)
        lines.append(f'  "in:{inp.name}" [label="{title}\\n{gives}", fillcolor="#f4f4f4", color="#888888"];')
    for stack in spec.stacks:
        stack_shapes = by_stack.get(stack.name, ())
        previous = f"in:{stack.input}"
        for index, layer in enumerate(stack.layers):
            node = f"{stack.name}:{index}"
            fill = "#fdf1e4" if isinstance(layer, (RecurrentSpec, BidirectionalSpec)) else "#eef3fb"
            label = f"{names[(stack.name, index)]}\\n{_describe(layer)}"
            lines.append(f'  "{node}" [label="{label}", fillcolor="{fill}"];')
            shape = shape_text(stack_shapes[index]) if index < len(stack_shapes) else ""
            lines.append(f'  "{previous}" -> "{node}" [label=" {shape}"];')
            previous = node
        if stack.name not in consumed and stack_shapes:
            output = _("output")
            lines.append(f'  "out:{stack.name}" [label="{output}", shape=plaintext, style=""];')
            lines.append(f'  "{previous}" -> "out:{stack.name}" [label=" {shape_text(stack_shapes[-1])}"];')
        if stack.initial_state_from:
            source = spec.stack_named(stack.initial_state_from)
            target = next(i for i, layer in enumerate(stack.layers) if isinstance(layer, RecurrentSpec))
            handed = _("final states")
            lines.append(f'  "{source.name}:{len(source.layers) - 1}" -> "{stack.name}:{target}" '
                         f'[label=" {handed}", style=dashed, color="#c0392b", fontcolor="#c0392b"];')
    lines.append("}")
    return "\n".join(lines)


def _describe(layer) -> str:
    inner = layer.layer if isinstance(layer, BidirectionalSpec) else layer
    if isinstance(inner, RecurrentSpec):
        flags = [f for f in ("return_sequences", "return_state", "stateful", "go_backwards") if getattr(inner, f)]
        text = f"{layer_label(layer)}({inner.units})"
        if isinstance(layer, BidirectionalSpec):
            flags.append(_("merge {mode}").format(mode=layer.merge_mode))
        return text + ("\\n" + ", ".join(flags) if flags else "")
    if layer.kind == "Embedding":
        return f"Embedding({layer.input_dim}, {layer.output_dim})" + ("\\nmask_zero" if layer.mask_zero else "")
    return f"Dense({layer.units}{', ' + layer.activation if layer.activation else ''})"

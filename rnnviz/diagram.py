"""A stack diagram as plain data: one node per input, layer and model output, the tensor shape on every edge.

`rnnviz.figures.diagram.diagram_figure` draws it. The spec may be a draft that cannot be built yet:
its broken layers come back with `invalid` set and their messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.i18n import _
from rnnviz.spec import BidirectionalSpec, ModelSpec, RecurrentSpec
from rnnviz.validate import consumed_stacks, walk_layers

NODE_KINDS = ("input", "recurrent", "layer", "output")
EDGE_KINDS = ("tensor", "states")


@dataclass(frozen=True)
class DiagramNode:
    """One box. `lines[0]` is its title (the Keras name); `column` is its stack's (or input's) column."""

    id: str
    lines: tuple[str, ...]
    kind: str  # one of NODE_KINDS
    column: float
    shape: str = ""  # the tensor it gives, as Keras prints it; "" for an output marker
    params: int | None = None  # None where unknown (a draft) or not a layer
    invalid: bool = False
    message: str = ""  # every problem of the layer, one per line


@dataclass(frozen=True)
class DiagramEdge:
    """An arrow: a tensor from one node into the next, or an encoder's final states into a decoder."""

    source: str
    target: str
    label: str
    kind: str  # one of EDGE_KINDS


@dataclass(frozen=True)
class Diagram:
    """Nodes in model order (inputs first) and edges; `columns` is how many columns they take."""

    nodes: tuple[DiagramNode, ...]
    edges: tuple[DiagramEdge, ...]
    columns: int


def shape_text(shape) -> str:
    """A shape as Keras prints it, e.g. "(None, 100, 64)"; two tensors as "2 × (None, 32)"."""
    if isinstance(shape, list):
        return f"{len(shape)} × {shape_text(shape[0])}"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def model_diagram(spec: ModelSpec, names: dict[tuple[str, int], str],
                  params: dict[str, int] | None = None) -> Diagram:
    """The diagram of a model description, valid or not.

    Args:
        spec: the model (a draft with problems is fine: its broken layers are marked).
        names: Keras layer names, from `build.layer_names(spec)`.
        params: parameters per layer name (from the model's summary), or None to leave them out.

    Returns:
        A `Diagram`: a column per stack, each input above the stacks that read it.
    """
    shapes, problems = walk_layers(spec)
    by_stack = {s.stack: s.shapes for s in shapes}
    walked = [stack for stack in spec.stacks if stack.name in by_stack]
    columns = {stack.name: float(i) for i, stack in enumerate(walked)}
    nodes, edges = _input_nodes(spec, walked, columns), []
    consumed = consumed_stacks(spec)
    for stack in walked:
        stack_shapes = by_stack[stack.name]
        previous = f"in:{stack.input}"
        for index, layer in enumerate(stack.layers):
            node = f"{stack.name}:{index}"
            name = names[(stack.name, index)]
            found = problems.get((stack.name, index), [])
            nodes.append(DiagramNode(
                node, (name, *_describe(layer)),
                "recurrent" if isinstance(layer, (RecurrentSpec, BidirectionalSpec)) else "layer",
                columns[stack.name], shape_text(stack_shapes[index + 1]),
                None if params is None else params.get(name), bool(found), "\n".join(found)))
            edges.append(DiagramEdge(previous, node, shape_text(stack_shapes[index]), "tensor"))
            previous = node
        if stack.name not in consumed and stack.layers:
            nodes.append(DiagramNode(f"out:{stack.name}", (_("output"),), "output", columns[stack.name]))
            edges.append(DiagramEdge(previous, f"out:{stack.name}", shape_text(stack_shapes[-1]), "tensor"))
        edges += _state_edge(spec, stack, columns)
    width = max([int(n.column) + 1 for n in nodes], default=1)
    return Diagram(tuple(nodes), tuple(edges), width)


def _input_nodes(spec: ModelSpec, walked, columns: dict[str, float]) -> list[DiagramNode]:
    """Each input centred above the stacks that read it; one read by none gets a column of its own."""
    nodes, taken, spare = [], set(), float(len(walked))
    for inp in spec.inputs:
        readers = [columns[s.name] for s in walked if s.input == inp.name]
        if readers:
            column = sum(readers) / len(readers)
            column = readers[0] if column in taken else column  # readers differ between inputs
        else:
            column, spare = spare, spare + 1
        taken.add(column)
        gives = _("token ids") if inp.kind == "tokens" else _("{features} features a step").format(
            features=inp.features)
        nodes.append(DiagramNode(f"in:{inp.name}", (_("input {name}").format(name=inp.name), gives), "input", column))
    return nodes


def _state_edge(spec: ModelSpec, stack, columns: dict[str, float]) -> list[DiagramEdge]:
    """The encoder's final states into the decoder's first recurrent layer, where both exist."""
    source = spec.stack_named(stack.initial_state_from) if stack.initial_state_from else None
    target = next((i for i, layer in enumerate(stack.layers) if isinstance(layer, RecurrentSpec)), None)
    if source is None or target is None or not source.layers or source.name not in columns:
        return []
    if spec.stacks.index(source) >= spec.stacks.index(stack):  # only an earlier stack can hand on states
        return []
    return [DiagramEdge(f"{source.name}:{len(source.layers) - 1}", f"{stack.name}:{target}", _("final states"),
                        "states")]


def _describe(layer) -> tuple[str, ...]:
    """The layer's type and sizes, then its switches that are on (a line each, when there are any)."""
    inner = layer.layer if isinstance(layer, BidirectionalSpec) else layer
    if isinstance(inner, RecurrentSpec):
        flags = [f for f in ("return_sequences", "return_state", "stateful", "go_backwards") if getattr(inner, f)]
        if isinstance(layer, BidirectionalSpec):
            flags.append(_("merge {mode}").format(mode=layer.merge_mode))
        sized = f"RNN({inner.cell_kind}Cell({inner.units}))" if inner.wrap_cell else f"{inner.cell_kind}({inner.units})"
        if isinstance(layer, BidirectionalSpec):
            sized = f"Bidirectional({sized})"
        return (sized, *([", ".join(flags)] if flags else []))
    if layer.kind == "Embedding":
        return (f"Embedding({layer.input_dim}, {layer.output_dim})", *(["mask_zero"] if layer.mask_zero else []))
    return (f"Dense({layer.units}{', ' + layer.activation if layer.activation else ''})",)

"""Check a `ModelSpec` before Keras sees it, and work out the tensor shape after every layer.

Every message names the layer (position and type) and says how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz import limits
from rnnviz.i18n import _
from rnnviz.spec import (
    ACTIVATIONS,
    INPUT_KINDS,
    MERGE_MODES,
    RECURRENT_KINDS,
    WEIGHT_STYLES,
    BidirectionalSpec,
    DenseSpec,
    EmbeddingSpec,
    InputSpec,
    LayerSpec,
    ModelSpec,
    RecurrentSpec,
    StackSpec,
    layer_label,
)

Shape = tuple  # e.g. (None, 100, 64); None stands for a size known only at run time


class SpecError(ValueError):
    """A model description that cannot be built; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class StackShapes:
    """Tensor shapes through one stack: `shapes[0]` is the input, `shapes[i]` follows layer i."""

    stack: str
    shapes: tuple[Shape, ...]


def state_count(layer: RecurrentSpec) -> int:
    """How many state tensors the layer carries (LSTM: h and c; others: h)."""
    return 2 if layer.cell_kind == "LSTM" else 1


def recurrent_of(layer: LayerSpec) -> RecurrentSpec | None:
    """The recurrent layer inside `layer` (itself, or a Bidirectional's), or None."""
    if isinstance(layer, BidirectionalSpec):
        return layer.layer
    return layer if isinstance(layer, RecurrentSpec) else None


def consumed_stacks(spec: ModelSpec) -> set[str]:
    """Names of stacks whose final states start another stack (so they are not model outputs)."""
    return {s.initial_state_from for s in spec.stacks if s.initial_state_from}


def validate(spec: ModelSpec) -> list[StackShapes]:
    """Check a model description and return the shapes through each stack.

    Args:
        spec: the model to check.

    Returns:
        One `StackShapes` per stack, in order.

    Raises:
        SpecError: (a ValueError) listing every problem found, each naming the layer and the fix.
    """
    problems: list[str] = []
    if spec.weights not in WEIGHT_STYLES:
        problems.append(_("weights {weights!r} is unknown; use 'keras' or 'vivid'").format(weights=spec.weights))
    problems += _check_inputs(spec.inputs)
    problems += _check_stacks(spec)
    shapes, by_layer = walk_layers(spec)
    for stack in spec.stacks:
        if spec.input_named(stack.input) is None:
            continue
        problems += [p for index in range(len(stack.layers)) for p in by_layer.get((stack.name, index), [])]
        problems += _check_initial_state(spec, stack, _where(spec, stack))
    if problems:
        raise SpecError(problems)
    return shapes


def walk_layers(spec: ModelSpec) -> tuple[list[StackShapes], dict[tuple[str, int], list[str]]]:
    """The shapes through each stack and the problems of each layer, without raising.

    A diagram of a draft that cannot be built yet uses it to mark the layers to fix.

    Args:
        spec: the model to walk (valid or not); a stack whose input does not exist is left out.

    Returns:
        One `StackShapes` per walked stack, and each layer's problems keyed by (stack name, index);
        a layer without problems has no key.
    """
    shapes, by_layer = [], {}
    for stack in spec.stacks:
        source = spec.input_named(stack.input)
        if source is None:
            continue
        stack_shapes, stack_problems = _walk(stack, source, _where(spec, stack))
        shapes.append(StackShapes(stack.name, tuple(stack_shapes)))
        by_layer.update({(stack.name, index): found for index, found in enumerate(stack_problems) if found})
    return shapes, by_layer


def _where(spec: ModelSpec, stack: StackSpec) -> str:
    """The stack a message is about, as a prefix ("stack 'decoder', "), when the model has several."""
    return _("stack '{name}', ").format(name=stack.name) if len(spec.stacks) > 1 else ""


def _in_range(what: str, param: str, value: object, low: int, high: int, open_ok: bool = False) -> list[str]:
    """[a message] when `what`'s `param` is not a whole number from `low` to `high` (or None, when `open_ok`)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        if open_ok:
            message = _("{what} {param} is {value!r}; it must be a whole number from {low} to {high:,} "
                        "(or leave it open)")
        else:
            message = _("{what} {param} is {value!r}; it must be a whole number from {low} to {high:,}")
        return [message.format(what=what, param=param, value=value, low=low, high=high)]
    return []


def _check_inputs(inputs: tuple[InputSpec, ...]) -> list[str]:
    problems = []
    if not inputs:
        problems.append(_("the model has no input; add one"))
    names = [i.name for i in inputs]
    if len(set(names)) != len(names):
        problems.append(_("input names must differ, got {names}; rename one").format(names=names))
    for inp in inputs:
        what = _("input '{name}'").format(name=inp.name)
        if inp.kind not in INPUT_KINDS:
            problems.append(_("{what} has kind {kind!r}; use 'tokens' or 'vectors'").format(what=what, kind=inp.kind))
        if inp.kind == "vectors":
            problems += _in_range(what, "features", inp.features, 1, limits.MAX_FEATURES)
        if inp.timesteps is not None:
            problems += _in_range(what, "timesteps", inp.timesteps, 1, limits.MAX_TIMESTEPS, open_ok=True)
        if inp.batch_size is not None:
            problems += _in_range(what, _("batch size"), inp.batch_size, 1, limits.MAX_BATCH, open_ok=True)
    return problems


def _check_stacks(spec: ModelSpec) -> list[str]:
    problems = []
    if not 1 <= len(spec.stacks) <= limits.MAX_STACKS:
        problems.append(_("the model has {count} stacks; it needs 1 to {limit}").format(
            count=len(spec.stacks), limit=limits.MAX_STACKS))
    names = [s.name for s in spec.stacks]
    if len(set(names)) != len(names):
        problems.append(_("stack names must differ, got {names}; rename one").format(names=names))
    given = [layer.name for s in spec.stacks for layer in s.layers if layer.name]
    repeated = sorted({n for n in given if given.count(n) > 1})
    if repeated:
        problems.append(_("layer names must differ; {repeated} is used twice; rename or clear one").format(
            repeated=repeated))
    for stack in spec.stacks:
        where = _where(spec, stack)
        if spec.input_named(stack.input) is None:
            known = [i.name for i in spec.inputs]
            problems.append(_("{where}the stack reads input '{input}', which does not exist; use one of {known}")
                            .format(where=where, input=stack.input, known=known))
        if not 1 <= len(stack.layers) <= limits.MAX_LAYERS:
            problems.append(_("{where}the stack has {count} layers; it needs 1 to {limit}").format(
                where=where, count=len(stack.layers), limit=limits.MAX_LAYERS))
    return problems


def _walk(stack: StackSpec, source: InputSpec, where: str) -> tuple[list[Shape], list[list[str]]]:
    """Shapes after each layer of a stack, and the problems of each layer."""
    if source.kind == "tokens":
        shape: Shape = (source.batch_size, source.timesteps)
    else:
        shape = (source.batch_size, source.timesteps, source.features)
    shapes, problems = [shape], []
    last = len(stack.layers) - 1
    for index, layer in enumerate(stack.layers):
        what = _("{where}layer {number} ({label})").format(where=where, number=index + 1, label=layer_label(layer))
        if index:
            previous = _("layer {number} ({label})").format(number=index, label=layer_label(stack.layers[index - 1]))
        else:
            previous = _("input '{name}'").format(name=source.name)
        layer_problems, shape = _layer_shape(layer, shape, what, previous, source, index == 0)
        layer_problems += _check_position(stack, index, layer, what, source)
        if index != last and isinstance(shape, list):
            layer_problems.append(_("{what} has merge_mode None, so it returns two tensors (forward and backward) "
                                    "that the next layer cannot take; choose concat, sum, mul or ave, or make it the "
                                    "last layer").format(what=what))
        problems.append(layer_problems)
        shapes.append(shape)
    return shapes, problems


def _layer_shape(layer: LayerSpec, shape: Shape, what: str, previous: str,
                 source: InputSpec, first: bool) -> tuple[list[str], Shape]:
    if isinstance(shape, list):  # after merge_mode None; reported by the caller
        shape = shape[0]
    if isinstance(layer, EmbeddingSpec):
        problems = _in_range(what, _("input_dim (vocabulary size)"), layer.input_dim, 1, limits.MAX_VOCAB)
        problems += _in_range(what, "output_dim", layer.output_dim, 1, limits.MAX_UNITS)
        return problems, (*shape[:2], layer.output_dim)
    if isinstance(layer, DenseSpec):
        problems = _in_range(what, "units", layer.units, 1, limits.MAX_UNITS)
        if layer.activation not in (None, *ACTIVATIONS):
            problems.append(_("{what} activation {activation!r} is unknown; use one of {choices} or none").format(
                what=what, activation=layer.activation, choices=list(ACTIVATIONS)))
        return problems, (*shape[:-1], layer.units)
    inner = recurrent_of(layer)
    problems = _check_recurrent(inner, what)
    if len(shape) != 3:
        if source.kind == "tokens" and first:
            problems.append(_("{what} receives token ids (a 2-D input) from {previous}; add an Embedding before it, "
                              "or make the input vectors").format(what=what, previous=previous))
        else:
            problems.append(_("{what} receives a {rank}-D input because {previous} has return_sequences off; turn it "
                              "on").format(what=what, rank=len(shape), previous=previous))
        shape = (shape[0], None, shape[-1])
    units = inner.units
    if isinstance(layer, BidirectionalSpec):
        if layer.merge_mode not in MERGE_MODES:
            problems.append(_("{what} merge_mode {merge_mode!r} is unknown; use concat, sum, mul, ave or None").format(
                what=what, merge_mode=layer.merge_mode))
        if inner.go_backwards:
            problems.append(_("{what} wraps a layer with go_backwards on; turn it off, Bidirectional already runs a "
                              "backward copy").format(what=what))
        units = 2 * units if layer.merge_mode == "concat" else units
    out = (shape[0], shape[1], units) if inner.return_sequences else (shape[0], units)
    if isinstance(layer, BidirectionalSpec) and layer.merge_mode is None:
        return problems, [out, out]
    return problems, out


def _check_recurrent(layer: RecurrentSpec, what: str) -> list[str]:
    problems = []
    if layer.cell_kind not in RECURRENT_KINDS:
        problems.append(_("{what} has cell kind {kind!r}; use one of {choices}").format(
            what=what, kind=layer.cell_kind, choices=list(RECURRENT_KINDS)))
    problems += _in_range(what, "units", layer.units, 1, limits.MAX_UNITS)
    for arg in ("activation", "recurrent_activation"):
        value = getattr(layer, arg)
        if value not in ACTIVATIONS:
            problems.append(_("{what} {arg} {value!r} is unknown; use one of {choices}").format(
                what=what, arg=arg, value=value, choices=list(ACTIVATIONS)))
    return problems


def _check_position(stack: StackSpec, index: int, layer: LayerSpec, what: str,
                    source: InputSpec) -> list[str]:
    problems = []
    last = index == len(stack.layers) - 1
    if isinstance(layer, EmbeddingSpec):
        if index != 0:
            problems.append(_("{what} must be the first layer of its stack (it reads token ids); move it to the top")
                            .format(what=what))
        elif source.kind != "tokens":
            problems.append(_("{what} reads token ids but input '{input}' gives vectors; make the input tokens, or "
                              "remove the Embedding").format(what=what, input=source.name))
    if isinstance(layer, DenseSpec) and not last and not isinstance(stack.layers[index + 1], DenseSpec):
        problems.append(_("{what} sits in the middle of the sequence, before a recurrent layer; move Dense layers to "
                          "the end of the stack").format(what=what))
    inner = recurrent_of(layer)
    if inner is None:
        return problems
    if inner.stateful and source.batch_size is None:
        problems.append(_("{what} is stateful, which needs a fixed batch size (sample i of one batch continues "
                          "sample i of the last); set a batch size on input '{input}'").format(
                              what=what, input=source.name))
    if inner.return_state and not last:
        if inner.return_sequences:
            message = _("{what} has return_state on, but only the last layer of a stack can hand on its states: here "
                        "the next layer would get just its output (the whole sequence); turn return_state off, or "
                        "end the stack with this layer")
        else:
            message = _("{what} has return_state on, but only the last layer of a stack can hand on its states: here "
                        "the next layer would get just its output (the last hidden state); turn return_state off, or "
                        "end the stack with this layer")
        problems.append(message.format(what=what))
    return problems


def _check_initial_state(spec: ModelSpec, stack: StackSpec, where: str) -> list[str]:
    name = stack.initial_state_from
    if not name:
        return []
    earlier = [s.name for s in spec.stacks[: spec.stacks.index(stack)]]
    if name not in earlier:
        return [_("{where}initial_state_from names '{name}', which is not an earlier stack; use one of {earlier} or "
                  "clear it").format(where=where, name=name, earlier=earlier)]
    source = spec.stack_named(name)
    encoder = source.layers[-1] if source.layers else None
    if not isinstance(encoder, RecurrentSpec) or not encoder.return_state:
        return [_("{where}initial_state_from '{name}' needs that stack to end with a SimpleRNN, GRU or LSTM layer with "
                  "return_state on; turn return_state on there").format(where=where, name=name)]
    target = next((layer for layer in stack.layers if isinstance(layer, RecurrentSpec)), None)
    if target is None:
        return [_("{where}the stack takes states from '{name}' but has no SimpleRNN, GRU or LSTM layer to start from "
                  "them; add one").format(where=where, name=name)]
    if state_count(target) != state_count(encoder) or target.units != encoder.units:
        return [_("{where}the first recurrent layer ({kind}, {units} units) cannot start from the states of '{name}' "
                  "({source_kind}, {source_units} units); use the same number of units and an LSTM on both sides or "
                  "no LSTM on either").format(where=where, kind=target.cell_kind, units=target.units, name=name,
                                              source_kind=encoder.cell_kind, source_units=encoder.units)]
    return []

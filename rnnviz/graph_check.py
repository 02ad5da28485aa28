"""Bound a Functional model's node graph, read as data from config.json: calls, inputs, references, depth."""

from __future__ import annotations

from typing import Any

from rnnviz import limits
from rnnviz.i18n import _


def check_graph(layers: list, label: str, model: str) -> None:
    """Refuse a graph Keras would spend too long ordering or rebuilding, before Keras sees it.

    Args:
        layers: the Functional config's `layers` list (each with `name` and `inbound_nodes`).
        label: the file's name, for the messages.
        model: the Functional model's name, for the messages.

    Raises:
        ValueError: more than `MAX_GRAPH_NODES` layer calls, a call with more than `MAX_NODE_INPUTS`
            tensors, a reference to a layer or call that does not exist, a cycle, or a path longer than
            `MAX_GRAPH_DEPTH`.
    """
    _outputs, inputs = _calls(layers, label, model)
    depth: dict[tuple[str, int], int] = {}
    for start in inputs:
        if start not in depth:
            _longest_path(start, inputs, depth, label, model)


def _calls(layers: list, label: str, model: str) -> tuple[dict[str, int], dict[tuple[str, int], list]]:
    """Calls per layer, and the (layer, call) each call reads from."""
    calls: dict[str, int] = {}
    inputs: dict[tuple[str, int], list] = {}
    total = 0
    for layer in layers:
        if not isinstance(layer, dict):
            raise ValueError(_(
                "{label} could not be loaded as a Keras model: model '{model}' lists a layer that is not an "
                "object"
            ).format(label=label, model=model))
        name = layer.get("name")
        nodes = layer.get("inbound_nodes", [])
        if not isinstance(name, str) or not isinstance(nodes, list) or name in calls:
            raise ValueError(_(
                "{label} could not be loaded as a Keras model: model '{model}' lists a layer without a name, a "
                "repeated name or inbound_nodes that are not a list"
            ).format(label=label, model=model))
        total += max(1, len(nodes))
        if total > limits.MAX_GRAPH_NODES:
            raise ValueError(_(
                "{label}: model '{model}' makes more than {MAX_GRAPH_NODES} layer calls; rnnviz opens graphs of "
                "up to {MAX_GRAPH_NODES}"
            ).format(label=label, model=model, MAX_GRAPH_NODES=limits.MAX_GRAPH_NODES))
        calls[name] = max(1, len(nodes))  # an InputLayer has no inbound node but makes one
        for index, node in enumerate(nodes):
            refs = _references(node)
            if len(refs) > limits.MAX_NODE_INPUTS:
                raise ValueError(_(
                    "{label}: layer '{name}' is called on {count:,} tensors; rnnviz opens models whose layers take up"
                    " to {MAX_NODE_INPUTS}"
                ).format(label=label, name=name[:80], count=len(refs), MAX_NODE_INPUTS=limits.MAX_NODE_INPUTS))
            inputs[(name, index)] = refs
        if not nodes:
            inputs[(name, 0)] = []
    for (name, _call), refs in inputs.items():
        for source, index in refs:
            if calls.get(source, 0) <= index:
                raise ValueError(_(
                    "{label} could not be loaded as a Keras model: layer '{name}' reads from '{text}' call {index}, "
                    "which model '{model}' does not make"
                ).format(label=label, name=name[:80], text=str(source)[:80], index=index, model=model))
    return calls, inputs


def _references(node: Any) -> list[tuple[str, int]]:
    """(layer, call) of every tensor a node reads: each `keras_history` in its args and kwargs."""
    found, stack = [], [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            history = value.get("keras_history")
            if isinstance(history, list) and len(history) == 3 and isinstance(history[0], str) \
                    and type(history[1]) is int:
                found.append((history[0], history[1]))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _longest_path(start: tuple, inputs: dict, depth: dict, label: str, model: str) -> None:
    """Depth of every call reachable from `start`, without recursion; refuses cycles and long paths."""
    on_path, stack = {start}, [(start, iter(inputs[start]))]
    while stack:
        node, pending = stack[-1]
        child = next(pending, None)
        if child is None:
            stack.pop()
            on_path.discard(node)
            depth[node] = 1 + max((depth[c] for c in inputs[node]), default=0)
            if depth[node] > limits.MAX_GRAPH_DEPTH:
                raise ValueError(_(
                    "{label}: model '{model}' has a path of more than {MAX_GRAPH_DEPTH} layer calls (at layer "
                    "'{value}'); rnnviz opens graphs up to that depth"
                ).format(label=label, model=model, MAX_GRAPH_DEPTH=limits.MAX_GRAPH_DEPTH, value=node[0][:80]))
            continue
        if child in on_path:
            raise ValueError(_(
                "{label} could not be loaded as a Keras model: layer '{value}' reads its own output (a cycle in "
                "the graph)"
            ).format(label=label, value=child[0][:80]))
        if child not in depth:
            on_path.add(child)
            stack.append((child, iter(inputs[child])))

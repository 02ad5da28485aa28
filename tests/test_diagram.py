"""The stack diagram's data (rnnviz/diagram.py): nodes, edges and shapes checked against the model Keras builds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rnnviz.build import build_model, layer_names
from rnnviz.diagram import model_diagram, shape_text
from rnnviz.presets import get_preset, preset_names
from rnnviz.summary import summarize_model
from rnnviz.validate import SpecError, validate


def _keras_shape(tensor) -> str:
    """A Keras tensor's shape written out here, not with the code under test."""
    return "(" + ", ".join("None" if d is None else str(d) for d in tensor.shape) + ")"


@pytest.mark.parametrize("name", preset_names())
def test_every_layer_input_and_output_is_a_node_with_keras_shapes_and_params(name):
    spec = get_preset(name).spec
    model = build_model(spec)
    names = layer_names(spec)
    params = {r.name: r.params for r in summarize_model(model).rows if r.parent is None}
    diagram = model_diagram(spec, names, params)
    nodes = {n.id: n for n in diagram.nodes}
    layers = [n for n in diagram.nodes if n.kind in ("recurrent", "layer")]
    assert len(layers) == sum(len(s.layers) for s in spec.stacks)
    assert len([n for n in diagram.nodes if n.kind == "input"]) == len(spec.inputs)
    for stack in spec.stacks:
        for index, layer_spec in enumerate(stack.layers):
            node = nodes[f"{stack.name}:{index}"]
            layer = model.get_layer(names[(stack.name, index)])
            output = layer.output[0] if isinstance(layer.output, (list, tuple)) else layer.output
            assert node.lines[0] == layer.name
            assert node.shape == _keras_shape(output)
            assert node.params == layer.count_params()
            assert not node.invalid and node.message == ""
            assert node.kind == ("recurrent" if "Dense" not in node.lines[1] and "Embedding" not in node.lines[1]
                                 else "layer")
    outputs = [n for n in diagram.nodes if n.kind == "output"]
    assert len(outputs) == len(model.outputs)
    tensor_edges = [e for e in diagram.edges if e.kind == "tensor"]
    assert len(tensor_edges) == len(layers) + len(outputs)  # into every layer, and out to every model output
    for edge in tensor_edges:  # an arrow carries the tensor its source gives
        source = nodes[edge.source]
        if source.kind != "input":
            assert edge.label == source.shape
    assert diagram.columns == len(spec.stacks)


def test_the_encoder_hands_its_final_states_to_the_decoders_first_recurrent_layer():
    spec = get_preset("guide-encoder-decoder").spec
    diagram = model_diagram(spec, layer_names(spec))
    states = [e for e in diagram.edges if e.kind == "states"]
    assert [(e.source, e.target, e.label) for e in states] == [("encoder:1", "decoder:1", "final states")]
    assert [n.id for n in diagram.nodes if n.kind == "output"] == ["out:decoder"]  # the encoder's states are used
    assert all(e.kind == "tensor" for e in model_diagram(get_preset("guide-lstm").spec,
                                                         layer_names(get_preset("guide-lstm").spec)).edges)


def test_bidirectional_and_two_stacks_on_one_input():
    spec = get_preset("guide-bidirectional").spec
    nodes = model_diagram(spec, layer_names(spec)).nodes
    assert nodes[1].lines[1:] == ("Bidirectional(LSTM(64))", "return_sequences, merge concat")
    assert nodes[1].shape == "(None, 5, 128)"  # concat: both directions' 64 units
    spec = get_preset("guide-cell-vs-layer").spec
    diagram = model_diagram(spec, layer_names(spec))
    assert [(e.source, e.target) for e in diagram.edges if e.source == "in:vectors"] == [
        ("in:vectors", "cell:0"), ("in:vectors", "layer:0")]
    assert diagram.nodes[0].column == 0.5  # the input sits between the two stacks that read it


def test_a_draft_marks_its_broken_layer_with_the_validators_message():
    spec = get_preset("guide-gru-simplernn").spec
    stack = spec.stacks[0]
    gru = replace(stack.layers[1], return_sequences=False)
    draft = replace(spec, stacks=(replace(stack, layers=(stack.layers[0], gru, *stack.layers[2:])),))
    with pytest.raises(SpecError) as err:
        validate(draft)
    diagram = model_diagram(draft, layer_names(draft))
    broken = [n for n in diagram.nodes if n.invalid]
    assert [n.id for n in broken] == ["main:2"]
    assert broken[0].message == "\n".join(err.value.problems)
    assert "return_sequences off" in broken[0].message and broken[0].params is None


def test_a_broken_state_hand_over_draws_no_state_edge_into_a_later_stack():
    spec = get_preset("guide-encoder-decoder").spec
    decoder = replace(spec.stacks[1], initial_state_from="nowhere")
    draft = replace(spec, stacks=(spec.stacks[0], decoder))
    diagram = model_diagram(draft, layer_names(draft))
    assert not [e for e in diagram.edges if e.kind == "states"]
    assert {n.id for n in diagram.nodes if n.kind == "output"} == {"out:encoder", "out:decoder"}


def test_shape_text_writes_none_and_two_tensors():
    assert shape_text((None, 100, 64)) == "(None, 100, 64)"
    assert shape_text([(None, 32), (None, 32)]) == "2 × (None, 32)"


def test_the_cell_wrapped_layer_is_written_as_keras_writes_it():
    spec = get_preset("guide-cell-vs-layer").spec
    lines = {n.id: n.lines for n in model_diagram(spec, layer_names(spec)).nodes}
    assert lines["cell:0"][1] == "RNN(LSTMCell(10))"
    assert lines["layer:0"][1] == "LSTM(10)"

import json

import pytest

from rnnviz.presets import get_preset, preset_names
from rnnviz.spec import BidirectionalSpec, DenseSpec, ModelSpec, RecurrentSpec, layer_from_dict, layer_label


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_round_trips_through_json(name):
    spec = get_preset(name).spec
    text = spec.to_json()
    assert json.loads(text)["name"] == spec.name
    assert ModelSpec.from_json(text) == spec
    assert hash(ModelSpec.from_json(text)) == hash(spec)


def test_bidirectional_with_merge_none_round_trips():
    spec = get_preset("guide-bidirectional").spec
    stack = spec.stacks[0]
    layers = (BidirectionalSpec(RecurrentSpec("GRU", 8, reset_after=False), merge_mode=None),)
    changed = ModelSpec(spec.inputs, (type(stack)(stack.name, stack.input, layers),))
    assert ModelSpec.from_dict(json.loads(json.dumps(changed.to_dict()))) == changed


def test_unknown_layer_kind_is_a_clear_value_error():
    with pytest.raises(ValueError, match="unknown layer kind 'Conv1D'"):
        layer_from_dict({"kind": "Conv1D"})


def test_unknown_field_names_the_field():
    with pytest.raises(ValueError, match="no field"):
        layer_from_dict({"kind": "Dense", "units": 3, "colour": "red"})


def test_bad_json_is_a_value_error():
    with pytest.raises(ValueError, match="not valid JSON"):
        ModelSpec.from_json("{nope")
    with pytest.raises(ValueError, match="JSON object"):
        ModelSpec.from_dict([1, 2])


def test_layer_labels_read_like_keras():
    assert layer_label(RecurrentSpec("LSTM", 4, wrap_cell=True)) == "RNN(LSTMCell)"
    assert layer_label(BidirectionalSpec(RecurrentSpec("GRU", 4))) == "Bidirectional(GRU)"
    assert layer_label(DenseSpec(3)) == "Dense"

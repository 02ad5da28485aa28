import pytest

from rnnviz.edit import add_layer, move_layer, new_layer, remove_layer
from rnnviz.presets import get_preset
from rnnviz.spec import DenseSpec, EmbeddingSpec, RecurrentSpec

SPEC = get_preset("guide-lstm").spec


def kinds(spec):
    return [type(layer).__name__ for layer in spec.stacks[0].layers]


def test_recurrent_layer_goes_before_the_dense_head():
    assert kinds(add_layer(SPEC, 0, "GRU")) == ["EmbeddingSpec", "RecurrentSpec", "RecurrentSpec", "DenseSpec"]
    assert add_layer(SPEC, 0, "GRU").stacks[0].layers[2] == RecurrentSpec("GRU", 32)


def test_embedding_first_dense_last():
    assert isinstance(add_layer(SPEC, 0, "Embedding").stacks[0].layers[0], EmbeddingSpec)
    assert isinstance(add_layer(SPEC, 0, "Dense").stacks[0].layers[-1], DenseSpec)


def test_move_and_remove():
    moved = move_layer(SPEC, 0, 1, +1)
    assert kinds(moved) == ["EmbeddingSpec", "DenseSpec", "RecurrentSpec"]
    assert move_layer(SPEC, 0, 0, -1) == SPEC
    assert kinds(remove_layer(SPEC, 0, 2)) == ["EmbeddingSpec", "RecurrentSpec"]


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown layer kind 'Conv'"):
        new_layer("Conv")

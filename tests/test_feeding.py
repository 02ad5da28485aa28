import numpy as np
import pytest

from rnnviz.feeding import InputNeeds, model_arguments, needs_from_model, needs_from_spec, prepare
from rnnviz.inputs import InputChoice
from rnnviz.presets import build_preset, get_preset


def test_needs_of_the_presets():
    assert needs_from_spec(get_preset("guide-lstm").spec) == (InputNeeds("tokens", 1000, None, None, None),)
    assert needs_from_spec(get_preset("guide-stateful").spec) == (InputNeeds("vectors", None, 50, 20, None),)
    enc, dec = needs_from_spec(get_preset("guide-encoder-decoder").spec)
    assert (enc.vocab_size, dec.vocab_size) == (1000, 2000)


@pytest.mark.parametrize("name", ["guide-lstm", "guide-encoder-decoder", "guide-bidirectional", "guide-stateful"])
def test_needs_from_a_built_model_match_the_spec(name):
    assert needs_from_model(build_preset(name)) == needs_from_spec(get_preset(name).spec)


def test_prepared_inputs_run_through_the_model():
    spec = get_preset("guide-encoder-decoder").spec
    needs = needs_from_spec(spec)
    prepared = prepare(needs, (InputChoice(source="text", text="hello", batch=3),
                               InputChoice(source="random", batch=3, timesteps=4)))
    args = model_arguments(prepared)
    assert [a.shape for a in args] == [(3, 5), (3, 4)]
    assert args[1].max() < 2000 and args[0].dtype == np.int32
    assert build_preset("guide-encoder-decoder")(args).shape == (3, 10)


def test_fixed_batch_wins_and_a_bad_choice_names_the_input():
    needs = needs_from_spec(get_preset("guide-stateful").spec)
    (prepared,) = prepare(needs, (InputChoice(source="signal", batch=4, timesteps=10, features=3),))
    assert prepared.array.shape == (20, 10, 50)
    with pytest.raises(ValueError, match="input 'vectors': text becomes token ids"):
        prepare(needs, (InputChoice(source="text"),))
    with pytest.raises(ValueError, match="2 input choices"):
        prepare(needs, (InputChoice(), InputChoice()))

"""The link's encodings: a model round-trips, a bad or oversized one is refused with a message; typed parameters."""

import base64
import json
import zlib
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rnnviz.link_state import MAX_MODEL_JSON, MAX_MODEL_PARAM, MAX_TEXT_PARAM, Param, decode_spec, encode_spec
from rnnviz.presets import get_preset, preset_names
from rnnviz.spec import (
    ACTIVATIONS,
    MERGE_MODES,
    BidirectionalSpec,
    DenseSpec,
    EmbeddingSpec,
    InputSpec,
    ModelSpec,
    RecurrentSpec,
    StackSpec,
)
from rnnviz.validate import SpecError, validate

recurrent = st.builds(
    RecurrentSpec, cell_kind=st.sampled_from(["LSTM", "GRU", "SimpleRNN"]), units=st.integers(1, 1024),
    activation=st.sampled_from(ACTIVATIONS), recurrent_activation=st.sampled_from(ACTIVATIONS),
    return_sequences=st.just(True), return_state=st.just(False), go_backwards=st.booleans(),
    reset_after=st.booleans(), wrap_cell=st.booleans(), name=st.one_of(st.none(), st.sampled_from(["my_rnn", "é 層"])),
)
middle = st.one_of(recurrent, st.builds(BidirectionalSpec, layer=recurrent.map(lambda r: replace(r, go_backwards=False)),
                                        merge_mode=st.sampled_from(MERGE_MODES[:4])))
valid_specs = st.builds(
    lambda kind, features, steps, seed, weights, rnns, dense: ModelSpec(
        inputs=(InputSpec("x", kind, features if kind == "vectors" else None, steps),),
        stacks=(StackSpec("main", "x", ((EmbeddingSpec(50, 8),) if kind == "tokens" else ()) + tuple(rnns)
                          + ((DenseSpec(dense, "softmax"),) if dense else ())),),
        seed=seed, weights=weights, name="edited"),
    st.sampled_from(["tokens", "vectors"]), st.integers(1, 1024), st.one_of(st.none(), st.integers(1, 2000)),
    st.integers(0, 2**31), st.sampled_from(["keras", "vivid"]), st.lists(middle, min_size=1, max_size=4),
    st.one_of(st.none(), st.integers(1, 1024)),
)


def _packed(data) -> str:
    text = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(zlib.compress(text)).decode().rstrip("=")


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_round_trips_in_a_few_hundred_characters(name):
    spec = get_preset(name).spec
    text = encode_spec(spec)
    assert decode_spec(text) == spec
    assert len(text) < 400 and text.replace("-", "").replace("_", "").isalnum()  # URL-safe, no escaping needed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_specs)
def test_any_buildable_spec_round_trips(spec):
    try:
        validate(spec)
    except SpecError:
        assume(False)  # e.g. two layers given the same name: the link carries models that can be built
    text = encode_spec(spec)
    assert decode_spec(text) == spec
    assert len(text) <= MAX_MODEL_PARAM


def test_a_model_longer_than_the_bound_is_refused_before_it_is_read():
    with pytest.raises(ValueError, match=f"at most {MAX_MODEL_PARAM:,}"):
        decode_spec("A" * (MAX_MODEL_PARAM + 1))


@pytest.mark.parametrize("text", ["", "not base64 at all!", "AAAA", encode_spec(get_preset("guide-lstm").spec)[:-9]])
def test_a_cut_or_foreign_text_is_named_as_such(text):
    with pytest.raises(ValueError, match="not one rnnviz wrote"):
        decode_spec(text)


def test_a_small_text_that_unpacks_to_a_huge_one_is_refused():
    bomb = _packed(b"[" + b" " * (20 * MAX_MODEL_JSON) + b"]")
    assert len(bomb) < MAX_MODEL_PARAM  # small in the link ...
    with pytest.raises(ValueError, match=f"more than {MAX_MODEL_JSON:,} bytes"):
        decode_spec(bomb)  # ... but not unpacked past the bound


def test_not_json_and_not_a_model_are_told_apart():
    with pytest.raises(ValueError, match="not JSON"):
        decode_spec(_packed(b"{nope"))
    with pytest.raises(ValueError, match="JSON object"):
        decode_spec(_packed([1, 2]))
    with pytest.raises(ValueError, match="no field"):
        decode_spec(_packed({"inputs": [{"name": "x", "colour": "red"}]}))


def test_a_model_that_cannot_be_built_says_why():
    bad = ModelSpec(inputs=(InputSpec("x", "vectors", 4),),
                    stacks=(StackSpec("main", "x", (RecurrentSpec("LSTM", 8), RecurrentSpec("GRU", 4))),))
    with pytest.raises(SpecError):
        validate(bad)
    with pytest.raises(ValueError, match="cannot be built: .*return_sequences"):
        decode_spec(encode_spec(bad))


def test_a_field_of_the_wrong_type_is_a_message_not_a_traceback():
    with pytest.raises(ValueError, match="model in the link"):
        decode_spec(_packed({"inputs": [{"name": "x", "kind": "vectors", "features": 4}],
                             "stacks": [{"name": "main", "input": "x",
                                         "layers": [{"kind": "Recurrent", "units": [8]}]}]}))


@settings(max_examples=200, deadline=None)
@given(st.integers(-5, 300))
def test_whole_numbers_round_trip_within_bounds_and_name_them_outside(value):
    param = Param("units", "int", low=1, high=256)
    if 1 <= value <= 256:
        assert param.parse(param.format(value)) == value
    else:
        with pytest.raises(ValueError, match="`units` must be a whole number from 1 to 256; the link has"):
            param.parse(str(value))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["hidden", "cell", "forget gate f"]), unique=True))
def test_several_choices_round_trip(values):
    param = Param("of", "choices", ("hidden", "cell", "forget gate f"))
    assert param.parse(param.format(values)) == values


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=MAX_TEXT_PARAM))
def test_text_round_trips_up_to_its_bound(text):
    assert Param("text", "text").parse(text) == text


def test_parameters_refuse_what_they_cannot_hold_naming_what_is_allowed():
    with pytest.raises(ValueError, match="`merge_mode` must be one of concat, sum, mul, ave, None; the link has `max`"):
        Param("merge_mode", "choice", ("concat", "sum", "mul", "ave", "None")).parse("max")
    with pytest.raises(ValueError, match="`unroll` must be 1 or 0"):
        Param("unroll", "bool").parse("yes")
    with pytest.raises(ValueError, match="`noise` must be a number from 0 to 2"):
        Param("noise", "float", low=0.0, high=2.0).parse("3")
    with pytest.raises(ValueError, match="`rows` must be some of"):
        Param("rows", "choices", ("h", "c")).parse("h,z")
    with pytest.raises(ValueError, match="text of at most"):
        Param("text", "text").parse("a" * (MAX_TEXT_PARAM + 1))
    assert Param("unroll", "bool").parse("1") is True and Param("unroll", "bool").parse("0") is False
    assert Param("noise", "float", low=0.0, high=2.0).parse("0.25") == 0.25

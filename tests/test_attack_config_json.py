"""config.json itself as the attack: size, values, depth, 4,000-digit integers, arrays declaring huge dtypes.

Each crafted file is loaded in one measured child (tests/attack_helpers.py): a ValueError naming the file
and the fix, under 5 s and 500 MB.
"""

from __future__ import annotations

import zipfile
import zlib

import pytest

from tests.attack_helpers import (assert_refused, deflated, good_archive, good_config, measure, members, raw_zip,
                                  repeated, with_config)


def node_kwargs(config: dict, **kwargs) -> dict:
    """The good config with extra keyword arguments in the LSTM's call (where Keras writes call arguments)."""
    lstm = next(item for item in config["config"]["layers"] if item["name"] == "lstm")
    lstm["inbound_nodes"][0]["kwargs"].update(kwargs)
    return config


def numpy_array(value, dtype: str) -> dict:
    return {"class_name": "__numpy__", "config": {"value": value, "dtype": dtype}}


def big_int_text(digits: int) -> bytes:
    text = with_config(good_config())
    config = members(text)["config.json"]
    return config.replace(b'"units": 3', b'"units": ' + b"9" * digits, 1)


def deflated_config(size: int) -> bytes:
    """The good archive with a config.json of `size` bytes of `[{},{},...]` that deflates to about size / 1000."""
    stream, crc, inflated = deflated([b"[", *repeated(b"{},", size), b"{}]"])
    files = members(good_archive())
    return raw_zip([("config.json", zipfile.ZIP_DEFLATED, stream, crc, inflated),
                    ("model.weights.h5", zipfile.ZIP_STORED, files["model.weights.h5"],
                     zlib.crc32(files["model.weights.h5"]), len(files["model.weights.h5"]))])


def deep_and_wide() -> dict:
    """Just under the value and depth limits, every value an object: the slowest config the checks accept to walk."""
    config, inner = good_config(), {}
    for _ in range(95):
        inner = {"next": inner, "pad": [{"class_name": "Z"} for _ in range(900)]}
    config["config"]["extra"] = inner
    config["config"]["layers"][2]["config"]["units"] = 5000  # then refused by the layer check
    return config


CASES = {
    "config-198MB-of-empty-objects": (lambda: deflated_config(198 * 1024**2),
                                      r"config\.json of more than 2 MB, the most rnnviz reads"),
    "config-1.9MB-of-empty-objects": (lambda: deflated_config(1_900_000),
                                      r"config\.json of more than 200,000 values"),
    "integer-of-5000-digits": (lambda: with_config(big_int_text(5000)),
                               r"holds a number of more than 4,300 digits in config\.json, .* Save the model again"),
    "integer-of-4000-digits": (lambda: with_config(big_int_text(4000)),
                               r"layer 'lstm' \(LSTM\) declares units=a number of about 4000 digits"),
    "config-170k-values-95-deep": (lambda: with_config(deep_and_wide()),
                                   r"layer 'lstm' \(LSTM\) declares units=5,000"),
    "json-nested-150-deep": (lambda: with_config(b'{"a": ' * 150 + b"1" + b"}" * 150),
                             r"config\.json nested too deeply to be a Keras model \(more than 100 levels\)"),
    "numpy-2GB-string-dtype": (lambda: with_config(node_kwargs(good_config(), mask=numpy_array("x", "<U500000000"))),
                               r"an array in config\.json of dtype \"<U500000000\""),
    "numpy-void-dtype": (lambda: with_config(node_kwargs(good_config(), mask=numpy_array([], "V2000000000"))),
                         r"an array in config\.json of dtype \"V2000000000\""),
    "numpy-20000-values": (lambda: with_config(node_kwargs(good_config(), mask=numpy_array([0.0] * 20_000, "float32"))),
                           r"with 20,000 values; rnnviz accepts arrays of numbers up to 10,000"),
    "tensor-object-dtype": (lambda: with_config(node_kwargs(good_config(), mask={
        "class_name": "__tensor__", "config": {"value": "x", "dtype": "object"}})), r"array in config\.json of dtype"),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return measure({name: make() for name, (make, _) in CASES.items()}, tmp_path_factory.mktemp("config-json"))


@pytest.mark.parametrize("name", CASES)
def test_config_json_attack_is_refused_fast_and_small(results, name):
    assert_refused(results[name], CASES[name][1])


"""Configs that declare huge layers or graphs (Keras would build them before reading a weight): refused first.

Every case is a small crafted .keras file; all are loaded in one child process that measures each load's
time and peak memory (tests/attack_helpers.py): a ValueError naming the layer and the number, under 5 s
and 500 MB.
"""

from __future__ import annotations

import copy
import io

import h5py
import pytest

from tests.attack_helpers import MAX_EXTRA_MB, assert_refused, good_config, measure, members, with_config


def layer(config: dict, name: str) -> dict:
    return next(item for item in config["config"]["layers"] if item["name"] == name)


def edited(edit) -> bytes:
    config = good_config()
    edit(config)
    return with_config(config)


def tensor(source: str, index: int = 0, shape=(None, 3)) -> dict:
    return {"class_name": "__keras_tensor__", "config": {"shape": list(shape), "dtype": "float32",
                                                         "keras_history": [source, index, 0]}}


def plain(cls: str, name: str, sources: list[str], **config) -> dict:
    """A layer object as Keras writes it into a Functional's layers, called once on `sources`."""
    return {"module": "keras.layers", "class_name": cls, "registered_name": None, "name": name,
            "config": {"name": name, **config},
            "inbound_nodes": [{"args": [tensor(s) for s in sources] if len(sources) != 1 else [tensor(sources[0])],
                               "kwargs": {}}] if sources else []}


def functional(layers: list[dict], output: str) -> bytes:
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "crafted", "trainable": True, "layers": layers,
                         "input_layers": [["input", 0, 0]], "output_layers": [[output, 0, 0]]}}
    return with_config(config)


def input_layer() -> dict:
    return plain("InputLayer", "input", [], batch_shape=[None, 3], dtype="float32")


def chain(count: int, prefix: str = "d", start: str = "input") -> list[dict]:
    names = [start] + [f"{prefix}{i}" for i in range(count)]
    return [plain("Dropout", names[i + 1], [names[i]], rate=0.1) for i in range(count)]


def deep_chains(chains: int) -> bytes:
    """Chains of 400 layers listed output-first: quadratic ordering in Keras (40 of them: minutes of a core)."""
    layers = [input_layer()]
    for c in range(chains):
        layers.extend(reversed(chain(400, prefix=f"c{c}_")))
    return functional(layers, "c0_399")


def nested_sequential(depth: int) -> bytes:
    inner = {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "config": {"name": "dense", "units": 2}, "build_config": {"input_shape": [None, 3]}}
    for level in range(depth):
        inner = {"module": "keras.src.models.sequential", "class_name": "Sequential", "registered_name": None,
                 "config": {"name": f"seq{level}", "layers": [inner]}}
    return with_config(inner)


def stacked_cells(count: int) -> dict:
    cell = {"module": "keras.layers", "class_name": "LSTMCell", "registered_name": None,
            "config": {"name": "cell", "units": 3}, "build_config": {"input_shape": [None, 4]}}
    stacked = {"module": "keras.layers", "class_name": "StackedRNNCells", "registered_name": None,
               "config": {"name": "stack", "cells": [copy.deepcopy(cell) for _ in range(count)]}}
    rnn = {"module": "keras.layers", "class_name": "RNN", "registered_name": None,
           "config": {"name": "rnn", "cell": stacked}, "build_config": {"input_shape": [None, None, 4]}}
    return rnn


def bidirectional_over_stack(config: dict) -> None:
    lstm = layer(config, "lstm")
    lstm.update(class_name="Bidirectional",
                config={"name": "lstm", "layer": stacked_cells(1000), "merge_mode": "concat"})


def cycle() -> bytes:
    a = plain("Dense", "a", ["b"], units=3)
    b = plain("Dense", "b", ["a"], units=3)
    for item in (a, b):
        item["build_config"] = {"input_shape": [None, 3]}
    return functional([input_layer(), a, b], "b")


def many_inputs(count: int) -> bytes:
    concat = plain("Concatenate", "concat", ["input"] * count, axis=-1)
    return functional([input_layer(), concat], "concat")


def dense_inputs(config: dict, size: int) -> None:
    layer(config, "dense")["build_config"] = {"input_shape": [None, size]}


def dense_without_build_config(config: dict) -> None:
    del layer(config, "dense")["build_config"]


CASES = {
    "lstm-5000-units": (lambda: edited(lambda c: layer(c, "lstm")["config"].update(units=5000)),
                        r"layer 'lstm' \(LSTM\) declares units=5,000; rnnviz opens models with units from 1 to 1,024"),
    "embedding-300M-vocab": (lambda: edited(lambda c: layer(c, "embedding")["config"].update(input_dim=300_000_000)),
                             r"layer 'embedding' \(Embedding\) declares input_dim=300,000,000; .* 1 to 100,000"),
    "embedding-100M-weights": (lambda: edited(lambda c: layer(c, "embedding")["config"].update(
        input_dim=100_000, output_dim=1024)),
        r"layer 'embedding' \(Embedding\) declares 102,400,000 parameters .* at most 16,000,000"),
    "dense-100M-inputs": (lambda: edited(lambda c: dense_inputs(c, 10**8)),
                          r"layer 'dense' \(Dense\) declares 200,000,002 parameters \(variables 100,000,000 x 2, 2\)"),
    "dense-orthogonal-3000": (lambda: edited(lambda c: (dense_inputs(c, 3000), layer(c, "dense")["config"].update(
        units=3000, kernel_initializer="orthogonal"))),
        r"layer 'dense' \(Dense\) uses the Orthogonal initializer on a matrix whose shorter side "
        r"is 3,000; rnnviz opens such layers up to 2,048"),
    "float64-over-64MB": (lambda: edited(lambda c: layer(c, "embedding")["config"].update(
        input_dim=100_000, output_dim=100, dtype="float64")), r"brings the model's variables to 76 MB; .* at most 64 MB"),
    "dense-huge-dim": (lambda: edited(lambda c: dense_inputs(c, 10**12)),
                       r"layer 'dense' \(Dense\) declares the input shape \[null, 1000000000000\]"),
    "bidirectional-over-1000-cells": (lambda: edited(bidirectional_over_stack),
                                      r"layer 'stack' \(StackedRNNCells\) stacks 1,000 cells; .* up to 8"),
    "sequential-of-5000-layers": (lambda: edited(lambda c: c.update(
        class_name="Sequential", config={"name": "seq", "layers": [
            {"module": "keras.layers", "class_name": "Dropout", "config": {"name": f"d{i}", "rate": 0.1}}
            for i in range(5000)]})), r"'seq' \(Sequential\) stacks 5,000 layers; rnnviz opens up to 200"),
    "graph-40-chains-of-400-output-first": (lambda: deep_chains(40), r"config\.json of more than 2 MB"),
    "graph-4-chains-of-400-output-first": (lambda: deep_chains(4), r"model 'crafted' makes more than 400 layer calls"),
    "graph-depth-300": (lambda: functional([input_layer()] + chain(300), "d299"),
                        r"model 'crafted' has a path of more than 200 layer calls"),
    "graph-cycle": (cycle, r"layer '[ab]' reads its own output \(a cycle"),
    "call-on-10000-tensors": (lambda: many_inputs(10_000), r"layer 'concat' is called on 10,000 tensors"),
    "models-nested-20-deep": (lambda: nested_sequential(20), r"is nested 9 levels deep .* up to 8"),
    "dense-without-build-config": (lambda: edited(dense_without_build_config),
                                   r"layer 'dense' \(Dense\) does not state the size of its input"),
    "int8-dtype-policy": (lambda: edited(lambda c: layer(c, "dense")["config"].update(
        dtype={"module": "keras", "class_name": "DTypePolicy", "config": {"name": "int8"}})),
        r"layer 'dense' \(Dense\) has the dtype policy"),
    "conv1d-disguised-as-op": (lambda: edited(lambda c: layer(c, "dense").update(class_name="Conv1D",
                                                                                 module="keras.src.ops.nn")),
                               r"holds a layer of class 'Conv1D' \('dense'\), which rnnviz does not open"),
    "conv1d-not-allowed": (lambda: edited(lambda c: layer(c, "dense").update(class_name="Conv1D")),
                           r"holds a layer of class 'Conv1D' \('dense'\), which rnnviz does not open"),
}


def at_the_limit() -> bytes:
    """The costliest model the checks accept: an Embedding of 100,000 x 83 float64 (64 MB, MAX_WEIGHT_BYTES)
    whose weights file stores nothing (a fill value), so Keras allocates, initializes and reads all of it."""
    config = good_config()
    layer(config, "embedding")["config"].update(input_dim=100_000, output_dim=83, dtype="float64")
    files = members(with_config(config))
    buffer = io.BytesIO(files["model.weights.h5"])
    with h5py.File(buffer, "r+") as h5:
        del h5["layers/embedding/vars/0"]
        h5.create_dataset("layers/embedding/vars/0", shape=(100_000, 83), dtype="f8", fillvalue=0.5)
    return with_config(config, buffer.getvalue())


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    cases = {name: make() for name, (make, _) in CASES.items()} | {"at-the-limit": at_the_limit()}
    return measure(cases, tmp_path_factory.mktemp("declared"))


@pytest.mark.parametrize("name", CASES)
def test_declared_cost_is_refused_fast_and_small(results, name):
    assert_refused(results[name], CASES[name][1])


def test_the_costliest_accepted_model_stays_under_500_MB(results):
    """What the limits buy: the most a config can make Keras allocate loads within the 500 MB an upload may cost
    (measured about 320 MB: about five times the variables). No time bound here: it builds a real model."""
    result = results["at-the-limit"]
    assert result["raised"] is None, result["message"]
    assert result["extra_mb"] < MAX_EXTRA_MB, f"peak {result['extra_mb']:.0f} MB above the resident size"

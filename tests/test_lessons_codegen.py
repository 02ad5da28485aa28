"""The Keras code the lessons print reads well: it compiles, and no line is too long to see whole."""

import pytest

from rnnviz.lessons import codegen
from rnnviz.lessons.bidirectional import run_bidirectional
from rnnviz.lessons.cells import CellSettings
from rnnviz.lessons.seq2seq import CHANGES
from rnnviz.lessons.stateful import StatefulSetup

MAX_LINE = 90  # wider lines scroll inside the page's code box
EVERY_SETTING = CellSettings(activation="relu", recurrent_activation="hard_sigmoid", recurrent_dropout=0.25,
                             unroll=True, use_bias=False, reset_after=False)


def snippets():
    yield "outputs", codegen.outputs_code("LSTM", 1024, return_sequences=True, return_state=True, batch=256,
                                          timesteps=2000, features=1024, seed=2**31 - 2)
    for change in CHANGES:
        yield f"seq2seq {change}", codegen.seq2seq_code(change=change, noise=1.25, batch=16, encoder_steps=200,
                                                        decoder_steps=200, seed=123)
    yield "stateful", codegen.stateful_code(StatefulSetup(kind="GRU", units=1024, batch=16, length=2000, chunk=999))
    yield "cells", codegen.cells_code("GRU", 512, settings=EVERY_SETTING, batch=64, timesteps=28, features=28, seed=0)
    yield "custom", codegen.custom_cell_code(8, batch=2, timesteps=20, features=3, seed=0)
    yield "guide bidirectional", codegen.GUIDE_BIDIRECTIONAL_CODE


@pytest.mark.parametrize(("name", "code"), list(snippets()), ids=lambda v: v if len(v) < 30 else "")
def test_snippet_compiles_and_fits(name, code):
    compile(code, name, "exec")
    long = [line for line in code.splitlines() if len(line) > MAX_LINE]
    assert not long, f"{name}: lines longer than {MAX_LINE}: {long}"


@pytest.mark.parametrize("mode", ["concat", None])
def test_bidirectional_snippet_fits(mode):
    code = codegen.bidirectional_code(run_bidirectional("SimpleRNN", 2, merge_mode=mode, batch=2, timesteps=3,
                                                        features=2), batch=256, timesteps=2000, features=1024, seed=9)
    assert all(len(line) <= MAX_LINE for line in code.splitlines())

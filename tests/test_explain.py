"""Tests for rnnviz.explain: every quantity explained, in Keras's conventions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rnnviz import explain
from rnnviz.explain import EXPLANATIONS, FORMULAS, NAMES, QUANTITIES, SYMBOLS, explanation, value_range

ALL_KEYS = [(kind, q) for kind, qs in QUANTITIES.items() for q in qs]


def test_every_quantity_has_a_paragraph_formula_symbol_and_name():
    assert set(EXPLANATIONS) == set(FORMULAS) == set(SYMBOLS) == set(NAMES) == set(ALL_KEYS)
    assert len(ALL_KEYS) == 11


@pytest.mark.parametrize("key", ALL_KEYS)
def test_latex_is_balanced_and_formula_is_in_the_text(key):
    text, formula = EXPLANATIONS[key], FORMULAS[key]
    assert formula in text
    assert text.count("$") % 2 == 0
    assert formula.count("{") == formula.count("}") and formula.count("(") == formula.count(")")
    assert formula.startswith(SYMBOLS[key] + " = ")
    assert text.startswith("**")  # the quantity's name in bold leads the paragraph


@pytest.mark.parametrize(
    "key, expected",
    [
        (("SimpleRNN", "hidden"), r"h_t = \tanh(W x_t + U h_{t-1} + b)"),
        (("LSTM", "input"), r"i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i)"),
        (("LSTM", "forget"), r"f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f)"),
        (("LSTM", "candidate"), r"g_t = \tanh(W_g x_t + U_g h_{t-1} + b_g)"),
        (("LSTM", "output"), r"o_t = \sigma(W_o x_t + U_o h_{t-1} + b_o)"),
        (("LSTM", "cell"), r"c_t = f_t \odot c_{t-1} + i_t \odot g_t"),
        (("LSTM", "hidden"), r"h_t = o_t \odot \tanh(c_t)"),
        (("GRU", "update"), r"z_t = \sigma(W_z x_t + b_z + U_z h_{t-1} + b_{rz})"),
        (("GRU", "reset"), r"r_t = \sigma(W_r x_t + b_r + U_r h_{t-1} + b_{rr})"),
        (("GRU", "candidate"), r"\hat{h}_t = \tanh(W_h x_t + b_h + r_t \odot (U_h h_{t-1} + b_{rh}))"),
        # Keras: z near 1 keeps the past (h = z * h_tm1 + (1 - z) * hh in GRUCell.call).
        (("GRU", "hidden"), r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \hat{h}_t"),
    ],
)
def test_formulas_match_keras(key, expected):
    assert FORMULAS[key] == expected


def test_gru_candidate_also_gives_the_reset_before_form():
    text = EXPLANATIONS[("GRU", "candidate")]
    assert "reset_after=False" in text
    assert r"U_h (r_t \odot h_{t-1})" in text


def test_cell_state_is_said_to_be_unbounded():
    assert "not bounded by 1" in EXPLANATIONS[("LSTM", "cell")]


@pytest.mark.parametrize(
    "args, expected",
    [
        (("LSTM", "cell"), "free"),
        (("LSTM", "hidden"), "tanh"),
        (("LSTM", "forget"), "gate"),
        (("LSTM", "candidate"), "tanh"),
        (("GRU", "update", "tanh", "hard_sigmoid"), "gate"),
        (("GRU", "hidden", "tanh", "linear"), "free"),
        (("SimpleRNN", "hidden", "relu"), "free"),
        (("SimpleRNN", "hidden", "sigmoid"), "gate"),
        (("LSTM", "input", "tanh", "relu"), "free"),
    ],
)
def test_value_range(args, expected):
    assert value_range(*args) == expected


def test_explanation_notes_non_default_activations():
    assert explanation("LSTM", "forget") == EXPLANATIONS[("LSTM", "forget")]
    relu = explanation("SimpleRNN", "hidden", activation="relu")
    assert "`relu` where the formula says tanh" in relu and "not bounded" in relu
    hard = explanation("GRU", "reset", recurrent_activation="hard_sigmoid")
    assert "`hard_sigmoid` where the formulas say" in hard
    assert "hard_sigmoid" not in explanation("SimpleRNN", "hidden", recurrent_activation="hard_sigmoid")


def test_unknown_keys_are_named():
    with pytest.raises(ValueError, match="a GRU layer has no quantity 'cell'; it has hidden, update"):
        explanation("GRU", "cell")
    with pytest.raises(ValueError, match="kind must be one of SimpleRNN, GRU, LSTM; got 'RNN'"):
        value_range("RNN", "hidden")


def test_explain_is_core_and_imports_only_the_standard_library():
    tree = ast.parse(Path(explain.__file__).read_text())
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert imported <= {"__future__", "rnnviz.i18n"}  # i18n: the standard library's gettext

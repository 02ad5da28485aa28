"""Tests for rnnviz.inputs: tokenizer, generated vectors, and the panel's choice."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnviz import inputs
from rnnviz.inputs import (
    InputChoice,
    default_choice,
    make_inputs,
    random_normal,
    signal,
    stable_id,
    token_batch,
    tokenize,
)
from rnnviz.limits import MAX_TIMESTEPS

ROOT = Path(__file__).resolve().parents[1]


# --- tokenizer ----------------------------------------------------------------------------------


def test_char_round_trip_and_first_appearance_order():
    tok = tokenize("hello", "char", 100)
    assert tok.tokens == ("h", "e", "l", "l", "o")
    assert tok.ids.tolist() == [2, 3, 4, 4, 5]
    assert tok.vocabulary == {"h": 2, "e": 3, "l": 4, "o": 5}
    assert tok.ids.dtype == np.int32 and tok.ids.shape == (5,)
    assert "".join(tok.tokens) == "hello"
    assert [tok.vocabulary[t] for t in tok.tokens] == tok.ids.tolist()
    assert tok.overflow == () and tok.note == ""


def test_ids_are_read_only():
    with pytest.raises(ValueError):
        tokenize("ab", "char", 10).ids[0] = 7


def test_word_mode_keeps_punctuation_and_drops_whitespace():
    tok = tokenize("Hello,  world!\nbye.", "word", 100)
    assert tok.tokens == ("Hello", ",", "world", "!", "bye", ".")
    assert tok.ids.tolist() == [2, 3, 4, 5, 6, 7]


def test_char_mode_shows_spaces_in_labels():
    tok = tokenize("a b\tc\nd", "char", 100)
    assert tok.tokens == ("a", " ", "b", "\t", "c", "\n", "d")
    assert tok.labels == ("a", "␣", "b", "⇥", "c", "↵", "d")


def test_korean_syllables_and_words():
    tok = tokenize("안녕 세계", "char", 100)
    assert tok.tokens == ("안", "녕", " ", "세", "계")
    words = tokenize("안녕하세요, 세계!", "word", 100)
    assert words.tokens == ("안녕하세요", ",", "세계", "!")


def test_decomposed_hangul_and_accents_normalize_to_the_same_ids():
    composed = tokenize("한글 café", "char", 100)
    decomposed = tokenize(unicodedata.normalize("NFD", "한글 café"), "char", 100)
    assert decomposed.tokens == composed.tokens
    assert decomposed.ids.tolist() == composed.ids.tolist()


def test_emoji_sequences_stay_whole():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    thumbs = "\U0001f44d\U0001f3fd"  # thumbs up, medium skin tone
    flag = "\U0001f1f0\U0001f1f7"  # KR
    tok = tokenize(f"{family}{thumbs}{flag}!", "char", 100)
    assert tok.tokens == (family, thumbs, flag, "!")
    assert tokenize(f"hi{thumbs}there", "word", 100).tokens == ("hi", thumbs, "there")


def test_combining_mark_without_precomposed_form_stays_on_its_base():
    text = "q\u0307\u0323x"  # q with two marks: no single code point exists
    tokens = tokenize(text, "char", 100).tokens
    assert len(tokens) == 2 and tokens[0].startswith("q") and tokens[1] == "x"
    lone = tokenize("\u0301a", "char", 100)
    assert lone.labels[0].startswith("◌")


def test_word_with_marks_is_one_token():
    hindi = "हिन्दी भाषा"
    assert tokenize(hindi, "word", 100).tokens == ("हिन्दी", "भाषा")


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
@pytest.mark.parametrize("mode", ["char", "word"])
def test_empty_text_asks_for_input(text, mode):
    with pytest.raises(ValueError, match="empty: type something"):
        tokenize(text, mode, 100)


def test_too_long_text_names_limit_and_length():
    with pytest.raises(ValueError, match=r"2001 characters long, but the limit is 2000 timesteps"):
        tokenize("a" * 2001, "char", 100)
    with pytest.raises(ValueError, match=r"11 tokens .* limit is 10 timesteps"):
        tokenize("w " * 11, "word", 100, max_timesteps=10)
    assert tokenize("a" * MAX_TIMESTEPS, "char", 100).ids.size == MAX_TIMESTEPS
    with pytest.raises(ValueError, match="characters"):
        tokenize("a" * (inputs.MAX_TEXT_CHARS + 1), "char", 100)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"mode": "byte"}, "mode must be one of 'char', 'word'; got 'byte'"),
        ({"vocab_size": 1}, "vocab_size must be from 2 to 100000; got 1"),
        ({"vocab_size": 2.5}, "vocab_size must be a whole number"),
        ({"max_timesteps": 0}, "max_timesteps must be from 1 to 2000; got 0"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tokenize("abc", **{"mode": "char", "vocab_size": 10, **kwargs})


def test_overflow_shares_ids_by_stable_hash():
    tok = tokenize("abcdef", "char", 5)  # room for 3 tokens: ids 2, 3, 4
    assert tok.ids[:3].tolist() == [2, 3, 4]
    assert tok.overflow == ("d", "e", "f")
    for token in tok.overflow:
        # Independent reference: BLAKE2b-64 of the UTF-8 bytes, mapped into [2, 5).
        digest = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")
        assert tok.vocabulary[token] == 2 + digest % 3
    assert "3 of 6 distinct tokens did not fit the vocabulary of 5" in tok.note
    assert tok.ids.max() < 5


def test_vocab_of_two_maps_everything_to_unknown():
    tok = tokenize("ab", "char", 2)
    assert tok.ids.tolist() == [1, 1]
    assert "unknown id 1" in tok.note


def test_ids_are_the_same_in_another_process_with_another_hash_seed():
    # A stub package keeps the child from importing TensorFlow through rnnviz/__init__.py.
    code = (
        "import sys, types, json; m = types.ModuleType('rnnviz'); m.__path__ = [sys.argv[1]];"
        "sys.modules['rnnviz'] = m; from rnnviz.inputs import tokenize;"
        "print(json.dumps(tokenize('the cat 고양이 sat on the mat 🐈 !', 'word', 5).ids.tolist()))"
    )
    here = tokenize("the cat 고양이 sat on the mat 🐈 !", "word", 5).ids.tolist()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code, str(ROOT / "rnnviz")], env=env, capture_output=True, text=True, check=True
        )
        assert json.loads(out.stdout) == here


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=60), mode=st.sampled_from(["char", "word"]), vocab=st.integers(2, 50))
def test_any_text_gives_ids_in_range_or_a_value_error(text, mode, vocab):
    try:
        tok = tokenize(text, mode, vocab)
    except ValueError as err:
        assert "empty" in str(err)
        assert not text.strip()
        return
    assert tok.ids.dtype == np.int32
    assert 1 <= tok.ids.min() and tok.ids.max() < vocab
    assert len(tok.tokens) == len(tok.labels) == tok.ids.size
    assert [tok.vocabulary[t] for t in tok.tokens] == tok.ids.tolist()
    assert tokenize(text, mode, vocab).ids.tolist() == tok.ids.tolist()
    if mode == "char":
        assert "".join(tok.tokens) == unicodedata.normalize("NFC", text)


# --- vectors ------------------------------------------------------------------------------------


def test_token_batch_repeats_the_sequence():
    out = token_batch(np.array([2, 3, 4]), 4)
    assert out.shape == (4, 3) and out.dtype == np.int32
    assert (out == [2, 3, 4]).all()
    with pytest.raises(ValueError, match="batch must be from 1 to 256; got 0"):
        token_batch(np.array([2]), 0)
    with pytest.raises(ValueError, match="1-D"):
        token_batch(np.zeros((2, 2), int), 2)


def test_random_normal_guide_shape_and_seed():
    a = random_normal(64, 100, 64, seed=3)
    assert a.shape == (64, 100, 64) and a.dtype == np.float32
    assert np.array_equal(a, random_normal(64, 100, 64, seed=3))
    assert not np.array_equal(a, random_normal(64, 100, 64, seed=4))
    assert abs(float(a.mean())) < 0.02 and abs(float(a.std()) - 1) < 0.02


@pytest.mark.parametrize(
    "args, match",
    [
        ((0, 10, 4, 0), "batch must be from 1 to 256; got 0"),
        ((2, 2001, 4, 0), "timesteps must be from 1 to 2000; got 2001"),
        ((2, 10, 1025, 0), "features must be from 1 to 1024; got 1025"),
        ((2, 10, 4, -1), "seed must be from 0 to 4294967295; got -1"),
        ((256, 2000, 1024, 0), "values, more than the limit"),
    ],
)
def test_random_normal_rejects_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        random_normal(*args)


def test_sine_per_feature_period_and_phase():
    x = signal("sine", 3, 40, 2, seed=0, period=8)
    assert x.shape == (3, 40, 2) and x.dtype == np.float32
    t = np.arange(40)
    np.testing.assert_allclose(x[0, :, 0], np.sin(2 * np.pi * t / 8), atol=1e-6)
    np.testing.assert_allclose(x[0, :, 1], np.sin(2 * np.pi * t / 16 + np.pi), atol=1e-6)
    assert not np.allclose(x[1], x[0])  # other rows get their own phase
    assert np.array_equal(x, signal("sine", 3, 40, 2, seed=0, period=8))


def test_step_impulse_count():
    step = signal("step", 2, 10, 3)
    assert (step[:, :5] == 0).all() and (step[:, 5:] == 1).all()
    imp = signal("impulse", 1, 6, 1, at=2, amplitude=3)
    assert imp[0, :, 0].tolist() == [0, 0, 3, 0, 0, 0]
    assert signal("impulse", 1, 4, 1)[0, :, 0].tolist() == [1, 0, 0, 0]
    count = signal("count", 1, 4, 2)
    np.testing.assert_allclose(count[0, :, 1], [0, 0.25, 0.5, 0.75])
    noisy = signal("count", 1, 50, 1, seed=1, noise=0.1)
    assert 0 < np.abs(noisy - signal("count", 1, 50, 1)).max() < 1


def test_signal_rejects_unknown_kind_and_parameters():
    with pytest.raises(ValueError, match="kind must be one of"):
        signal("square", 1, 4, 1)
    with pytest.raises(ValueError, match="signal 'count' takes no parameter at"):
        signal("count", 1, 4, 1, at=2)
    with pytest.raises(ValueError, match="at must be from 0 to 3; got 4"):
        signal("step", 1, 4, 1, at=4)
    with pytest.raises(ValueError, match="amplitude must be from"):
        signal("step", 1, 4, 1, amplitude=float("nan"))


# --- the panel's choice -------------------------------------------------------------------------


def test_choice_round_trip_and_hash():
    choice = InputChoice(source="signal", signal="step", batch=8, row=3)
    assert InputChoice.from_dict(json.loads(json.dumps(choice.to_dict()))) == choice
    assert hash(choice) == hash(InputChoice(source="signal", signal="step", batch=8, row=3))
    with pytest.raises(ValueError, match="no field colour"):
        InputChoice.from_dict({"colour": 1})
    with pytest.raises(ValueError, match="row must be from 0 to 7; got 8"):
        InputChoice(batch=8, row=8)
    with pytest.raises(ValueError, match="source must be one of"):
        InputChoice(source="disk")


def test_defaults_are_the_guides_batch_and_a_sample_text():
    vec = make_inputs(default_choice("vectors"))
    assert vec.array.shape == (64, 100, 64) and vec.array.dtype == np.float32
    assert vec.labels[:3] == ("0", "1", "2") and vec.note == "" and vec.kind == "vectors"
    tok = make_inputs(default_choice("tokens"), vocab_size=1000)
    assert tok.kind == "tokens" and tok.array.dtype == np.int32
    assert tok.array.shape == (64, len(inputs.DEFAULT_TEXT))
    assert tok.labels[:4] == ("t", "h", "e", "␣")
    assert tok.tokenized is not None and tok.tokenized.vocabulary["t"] == 2


def test_fixed_timesteps_pad_and_cut_text():
    padded = make_inputs(InputChoice(source="text", text="abc"), vocab_size=10, timesteps=5, batch=2)
    assert padded.array.tolist() == [[2, 3, 4, 0, 0]] * 2
    assert padded.labels == ("a", "b", "c", "<pad>", "<pad>")
    assert "padded with 2 steps of id 0" in padded.note and "fixed batch of 2" in padded.note
    cut = make_inputs(InputChoice(source="text", text="abcdef"), vocab_size=10, timesteps=4)
    assert cut.array.shape == (64, 4) and "cut from 6 to the model's 4" in cut.note


def test_model_shape_wins_and_row_moves_inside_the_batch():
    out = make_inputs(InputChoice(source="signal", row=10), features=3, batch=4, timesteps=7)
    assert out.array.shape == (4, 7, 3) and out.row == 3
    assert "Row 10 does not exist in a batch of 4; showing row 3." in out.note
    assert "exactly 7 timesteps" in out.note and "3 features per step" in out.note


def test_random_token_ids_for_a_token_model():
    out = make_inputs(InputChoice(source="random", timesteps=20, batch=3, seed=5), vocab_size=30)
    assert out.array.shape == (3, 20) and out.array.dtype == np.int32
    assert out.array.min() >= 2 and out.array.max() < 30


def test_sources_that_do_not_suit_the_model_say_what_to_pick():
    with pytest.raises(ValueError, match="choose random or signal"):
        make_inputs(InputChoice(source="text"), features=8)
    with pytest.raises(ValueError, match="choose text or random"):
        make_inputs(InputChoice(source="signal"), vocab_size=100)
    with pytest.raises(ValueError, match="not both"):
        make_inputs(InputChoice(), vocab_size=100, features=8)


def test_inputs_module_imports_no_ui_or_model_library():
    text = (ROOT / "rnnviz" / "inputs.py").read_text()
    for name in ("streamlit", "plotly", "keras", "tensorflow"):
        assert f"import {name}" not in text and f"from {name}" not in text

"""Core messages (refusals of bad models, inputs and uploads, and notes) come out in the language in force:
English by default (the API's), Korean under `use_language("ko")`, each the catalogue's own entry filled
with the same fields; an upload opened in the load worker's child process speaks the uploading session's."""

from __future__ import annotations

import ast
from pathlib import Path

import keras
import pytest
from babel.messages.pofile import read_po

from rnnviz import i18n, limits, load_worker
from rnnviz.i18n import use_language
from rnnviz.inputs import InputChoice, make_inputs, tokenize
from rnnviz.load_worker import check_load
from rnnviz.loading import load_model_bytes
from rnnviz.own_data import load_array
from rnnviz.spec import InputSpec, ModelSpec, RecurrentSpec, StackSpec
from rnnviz.trace_cells import kernel_choice
from rnnviz.validate import SpecError, validate

HANGUL = range(0xAC00, 0xD7A4)


@pytest.fixture(scope="module")
def ko():
    """msgid -> its Korean in the catalogue (failing when there is none)."""
    po, _mo = i18n.catalogue_paths("ko")
    with po.open("rb") as f:
        catalogue = read_po(f, locale="ko", domain=i18n.DOMAIN)

    def korean(msgid: str) -> str:
        message = catalogue.get(msgid)
        assert message is not None and message.string and message.string != msgid, msgid
        return message.string
    return korean


def _hangul(text: str) -> bool:
    return any(ord(ch) in HANGUL for ch in text)


def _spec_problems(spec: ModelSpec) -> list[str]:
    with pytest.raises(SpecError) as info:
        validate(spec)
    return info.value.problems


BAD_UNITS = ModelSpec(inputs=(InputSpec("x", "vectors", features=3),),
                      stacks=(StackSpec("main", "x", (RecurrentSpec("LSTM", 0),)),))
UNITS_MSG = "{what} {param} is {value!r}; it must be a whole number from {low} to {high:,}"
LAYER_MSG = "{where}layer {number} ({label})"


def test_a_spec_error_is_english_by_default_and_korean_in_a_korean_session(ko):
    fields = dict(param="units", value=0, low=1, high=limits.MAX_UNITS)
    english = _spec_problems(BAD_UNITS)
    assert english == [f"layer 1 (LSTM) units is 0; it must be a whole number from 1 to {limits.MAX_UNITS:,}"]
    with use_language("ko"):
        korean = _spec_problems(BAD_UNITS)
    what = ko(LAYER_MSG).format(where="", number=1, label="LSTM")
    assert korean == [ko(UNITS_MSG).format(what=what, **fields)]
    assert _hangul(korean[0]) and "units" in korean[0] and "LSTM" in korean[0]  # Keras names stay English
    assert _spec_problems(BAD_UNITS) == english  # the block ended: English again


def test_a_spec_error_in_a_model_of_two_stacks_names_the_stack_in_korean(ko):
    spec = ModelSpec(inputs=(InputSpec("x", "vectors", features=3),),
                     stacks=(StackSpec("enc", "x", (RecurrentSpec("LSTM", 4, return_state=True),)),
                             StackSpec("dec", "nowhere", (RecurrentSpec("LSTM", 4),))))
    with use_language("ko"):
        problems = _spec_problems(spec)
    where = ko("stack '{name}', ").format(name="dec")
    expected = ko("{where}the stack reads input '{input}', which does not exist; use one of {known}").format(
        where=where, input="nowhere", known=["x"])
    assert expected in problems


def test_input_refusals_and_notes_follow_the_language(ko):
    with pytest.raises(ValueError) as info:
        tokenize("   ")
    assert str(info.value) == "the text is empty: type something for the model to read"
    with use_language("ko"), pytest.raises(ValueError) as info:
        tokenize("   ")
    assert str(info.value) == ko("the text is empty: type something for the model to read")
    choice = InputChoice(source="random", batch=8, timesteps=5, features=2)
    assert make_inputs(choice, features=2, batch=4).note == "The model takes a fixed batch of 4."
    with use_language("ko"):
        note = make_inputs(choice, features=2, batch=4).note
    assert note == ko("The model takes a fixed batch of {rows}.").format(rows=4)


def test_an_upload_refusal_names_the_file_in_korean(ko):
    with use_language("ko"), pytest.raises(ValueError) as info:
        load_array(b"1,2,3", "data.txt")
    msgid = "{name} is not a .npy or .csv file: save the array with numpy.save('x.npy', array)"
    assert str(info.value) == ko(msgid).format(name="data.txt")
    with use_language("ko"), pytest.raises(ValueError) as info:
        load_model_bytes(b"not a model", "old.h5")
    msgid = ("{name} is not a .keras file (the legacy HDF5 format); rnnviz opens only Keras 3 .keras archives. "
             "Load it in your own code and save it again with model.save('model.keras').")
    assert str(info.value) == ko(msgid).format(name="old.h5")


def test_the_kernel_reason_follows_the_language(ko):
    layer = keras.layers.SimpleRNN(2)
    reason = "SimpleRNN has no cuDNN kernel; Keras runs its generic loop"
    assert kernel_choice(layer, has_gpu=True) == ("generic", reason)
    with use_language("ko"):
        assert kernel_choice(layer, has_gpu=True) == ("generic", ko(reason))


NOT_A_ZIP = "{label} is not a Keras archive (a .keras file is a zip); it may be damaged or renamed"


def test_the_load_workers_child_refuses_in_the_uploading_sessions_language(ko):
    """The refusal is made in the child process (which has no session), in the language of the caller."""
    with pytest.raises(ValueError) as info:
        check_load(b"this is not a zip archive", "broken.keras")
    assert str(info.value) == NOT_A_ZIP.format(label="broken.keras")
    with use_language("ko"), pytest.raises(ValueError) as info:
        check_load(b"this is not a zip archive", "broken.keras")
    assert str(info.value) == ko(NOT_A_ZIP).format(label="broken.keras")


def test_the_load_workers_own_refusal_is_korean_too(ko, monkeypatch):
    """The parent's own words for a child stopped over its memory cap (made without the child's message)."""
    monkeypatch.setattr(load_worker, "_run_child", lambda *args: ("memory", ""))
    with use_language("ko"), pytest.raises(ValueError) as info:
        check_load(b"any bytes", "big.keras", max_memory=64 * 1024**2)
    msgid = ("opening {label} needed more than {memory} of memory, the limit for one model; rnnviz refuses it. "
             "Open a smaller model (fewer or smaller layers).")
    assert str(info.value) == ko(msgid).format(label="big.keras", memory="64 MB")


def test_no_module_that_translates_rebinds_the_underscore():
    """`for (name, _), x in ...` in a function that also calls `_()` makes `_` a local: the call then fails."""
    bad = []
    for path in sorted((Path(__file__).resolve().parents[1] / "rnnviz").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(isinstance(n, ast.ImportFrom) and n.module == "rnnviz.i18n" and any(a.name == "_" for a in n.names)
                   for n in ast.walk(tree)):
            continue
        bad += [f"{path.name}:{n.lineno}" for n in ast.walk(tree)
                if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
    assert not bad, "rename these throwaway `_` (to _unused, _node, ...):\n" + "\n".join(bad)


def test_a_models_cached_plan_gives_its_kernel_reason_in_the_language_of_each_trace(ko):
    """The tracer (cached per model) plans once; a later trace in another language still reads its own."""
    import numpy as np

    from rnnviz.trace import trace

    inp = keras.Input((4, 2))
    model = keras.Model(inp, keras.layers.SimpleRNN(3, name="rnn")(inp))
    x = np.zeros((1, 4, 2), np.float32)
    reason = "SimpleRNN has no cuDNN kernel; Keras runs its generic loop"
    assert trace(model, x)["rnn"].kernel_reason == reason
    with use_language("ko"):
        assert trace(model, x)["rnn"].kernel_reason == ko(reason)
    assert trace(model, x)["rnn"].kernel_reason == reason

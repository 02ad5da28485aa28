"""The command line: summary and trace, in-process, plus `python -m rnnviz` for exit codes and stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.summary import format_summary, summarize_model

L = keras.layers
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    inp = keras.Input((None,), dtype="int32", name="tokens")
    x = L.Embedding(50, 4, mask_zero=True)(inp)
    x = L.Bidirectional(L.LSTM(3, return_sequences=True), name="bi")(x)
    x = L.GRU(2, name="gru")(x)
    model = keras.Model(inp, L.Dense(2)(x))
    model.save(folder / "m.keras")
    keras.Sequential([keras.Input((3,)), L.Dense(2)]).save(folder / "dense.keras")
    a, b = keras.Input((4, 2), name="a"), keras.Input((4, 3), name="b")
    two = keras.Model([a, b], L.Concatenate()([L.SimpleRNN(2, name="ra")(a), L.SimpleRNN(2, name="rb")(b)]))
    two.save(folder / "two.keras")
    ids = np.array([[1, 2, 3, 0], [4, 5, 0, 0]])
    np.save(folder / "ids.npy", ids)
    np.save(folder / "bad.npy", np.zeros((2, 3, 4)))
    np.save(folder / "a.npy", np.ones((2, 4, 2), "float32"))
    np.save(folder / "b.npy", np.ones((2, 4, 3), "float32"))
    np.savez(folder / "ab.npz", a=np.ones((2, 4, 2), "float32"), b=np.ones((2, 4, 3), "float32"))
    return folder, model


def test_summary_prints_the_lead_summary_table(files, capsys):
    folder, model = files
    assert main(["summary", str(folder / "m.keras")]) == 0
    out = capsys.readouterr().out
    assert out.strip() == format_summary(summarize_model(model)).strip()
    assert "Total params" in out and "Bidirectional" in out


def test_trace_writes_every_array_under_path_keys(files, capsys):
    folder, model = files
    out_file = folder / "trace.npz"
    assert main(["trace", str(folder / "m.keras"), "--input", str(folder / "ids.npy"), "--out", str(out_file)]) == 0
    printed = capsys.readouterr().out
    assert "bi: Bidirectional(LSTM)" in printed and f"to {out_file}" in printed
    with np.load(out_file) as saved:
        keys = set(saved.files)
        assert {"bi/forward/h", "bi/backward/c", "bi/backward/gates/forget", "gru/gates/update", "gru/h", "gru/mask"} <= keys
        assert saved["bi/backward/c"].shape == (2, 4, 3) and saved["gru/h"].dtype == np.float32
        np.testing.assert_allclose(saved["model_outputs/0"], np.asarray(model(np.load(folder / "ids.npy"))), atol=1e-5)


def test_trace_with_two_inputs_as_two_npy_or_one_npz(files, capsys):
    folder, _ = files
    model = str(folder / "two.keras")
    assert main(["trace", model, "--input", str(folder / "a.npy"), "--input", str(folder / "b.npy")]) == 0
    assert main(["trace", model, "--input", str(folder / "ab.npz")]) == 0
    assert capsys.readouterr().out.count("ra: SimpleRNN") == 2


@pytest.mark.parametrize(
    "args,message",
    [
        (["summary", "{f}/nope.keras"], "no file at"),
        (["trace", "{f}/m.keras", "--input", "{f}/bad.npy"], "has shape (2, 3, 4); the model expects"),
        (["trace", "{f}/dense.keras", "--input", "{f}/a.npy"], "no recurrent layer"),
        (["trace", "{f}/m.keras", "--input", "{f}/missing.npy"], "no input file"),
        (["trace", "{f}/m.keras", "--input", "{f}/m.keras"], "not a numpy"),
    ],
    ids=["missing-model", "bad-shape", "no-rnn", "missing-input", "not-npy"],
)
def test_problems_exit_2_with_a_message_on_stderr(files, capsys, args, message):
    folder, _ = files
    code = main([a.format(f=folder) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("rnnviz: error: ") and message in err and "Traceback" not in err


def test_python_dash_m_exit_code_and_no_traceback(files):
    folder, _ = files
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    run = subprocess.run(
        [sys.executable, "-m", "rnnviz", "trace", str(folder / "m.keras"), "--input", str(folder / "bad.npy")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )
    assert run.returncode == 2
    assert "rnnviz: error: input 'tokens' has shape (2, 3, 4)" in run.stderr
    assert "Traceback" not in run.stderr

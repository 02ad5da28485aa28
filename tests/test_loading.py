"""rnnviz.load_model: .keras only, safe mode, clear ValueErrors; a model saved elsewhere traces correctly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile

import keras
import numpy as np
import pytest

from rnnviz import loading
from rnnviz.loading import MAX_MODEL_BYTES, load_model, load_model_bytes
from rnnviz.trace import trace
from tests import reference

SAVE_ELSEWHERE = textwrap.dedent(
    """
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np, keras
    L = keras.layers
    out_dir = sys.argv[1]
    inp = keras.Input((None,), dtype="int32")
    x = L.Embedding(40, 4, mask_zero=True)(inp)
    x = L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="sum", name="bi")(x)
    x = L.GRU(3, reset_after=False, activation="relu", name="gru")(x)
    model = keras.Model(inp, L.Dense(2)(x))
    rng = np.random.default_rng(0)
    for w in model.trainable_weights:
        w.assign(rng.normal(0, 0.5, w.shape).astype("float32"))
    ids = rng.integers(1, 40, (3, 6)); ids[0, 4:] = 0
    np.save(os.path.join(out_dir, "ids.npy"), ids)
    np.save(os.path.join(out_dir, "out.npy"), np.asarray(model(ids)))
    model.save(os.path.join(out_dir, "model.keras"))
    """
)


def test_model_saved_by_another_program_loads_and_traces_exactly(tmp_path):
    subprocess.run([sys.executable, "-c", SAVE_ELSEWHERE, str(tmp_path)], check=True, capture_output=True, timeout=120)
    model = load_model(tmp_path / "model.keras")
    ids = np.load(tmp_path / "ids.npy")
    tr = trace(model, ids)
    assert tr.names == ("bi", "gru")
    np.testing.assert_allclose(tr.model_outputs[0], np.load(tmp_path / "out.npy"), atol=1e-5, rtol=0)
    mask = ids != 0
    bi = model.get_layer("bi")
    x = layer_input(model, ids, "bi")
    for half, d in ((bi.forward_layer, tr["bi"].forward), (bi.backward_layer, tr["bi"].backward)):
        ref = reference.run_layer(half, x, mask=mask)
        np.testing.assert_allclose(d.h, ref["h"], atol=1e-5, rtol=0)
        np.testing.assert_allclose(d.c, ref["c"], atol=1e-5, rtol=0)
        for name, gate in ref["gates"].items():
            np.testing.assert_allclose(d.gates[name], gate, atol=1e-5, rtol=0)
    gru_in = layer_input(model, ids, "gru")
    ref = reference.run_layer(model.get_layer("gru"), gru_in, mask=mask)
    np.testing.assert_allclose(tr["gru"].h, ref["h"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(tr["gru"].gates["reset"], ref["gates"]["reset"], atol=1e-5, rtol=0)


def layer_input(model, ids, name):
    ins = model.get_layer(name).input
    ins = ins[0] if isinstance(ins, (list, tuple)) else ins
    return np.asarray(keras.Model(model.inputs, ins)([ids]))


def small_model():
    inp = keras.Input((4, 2))
    return keras.Model(inp, keras.layers.GRU(2, name="gru")(inp))


def test_load_model_bytes_round_trip(tmp_path):
    small_model().save(tmp_path / "m.keras")
    model = load_model_bytes((tmp_path / "m.keras").read_bytes(), "upload.keras")
    assert model.get_layer("gru").units == 2


def test_lambda_layer_is_refused_by_name(tmp_path):
    inp = keras.Input((4, 2))
    x = keras.layers.Lambda(lambda t: t * 2, name="double")(inp)
    keras.Model(inp, keras.layers.LSTM(2)(x)).save(tmp_path / "l.keras")
    with pytest.raises(ValueError, match=r"Lambda layer \(double\)"):
        load_model(tmp_path / "l.keras")


def test_unknown_layer_class_gives_a_value_error(tmp_path):
    small_model().save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as src, zipfile.ZipFile(tmp_path / "bad.keras", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "config.json":
                data = data.replace(b'"GRU"', b'"NoSuchLayer"')
            dst.writestr(item, data)
    with pytest.raises(ValueError, match=r"layer of class 'NoSuchLayer' \('gru'\), which rnnviz does not open"):
        load_model(tmp_path / "bad.keras")


def write(path, data=b"not a zip"):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda p: p / "missing.keras", "no file at"),
        (lambda p: write(p / "model.h5"), r"not a \.keras file \(the legacy HDF5"),
        (lambda p: write(p / "model.pt"), r"not a \.keras file"),
        (lambda p: p, "is a folder"),
        (lambda p: write(p / "text.keras"), "not a Keras archive"),
        (lambda p: zip_without_config(p / "z.keras"), "without config.json"),
        (lambda p: sparse(p / "big.keras", MAX_MODEL_BYTES + 1), r"50\.0 MB; rnnviz opens models up to 50 MB"),
    ],
    ids=["missing", "h5", "other-ext", "folder", "not-zip", "no-config", "oversized"],
)
def test_bad_files_raise_value_error(tmp_path, make, match):
    with pytest.raises(ValueError, match=match):
        load_model(make(tmp_path))


def zip_without_config(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", "{}")
    return path


def sparse(path, size):
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def test_archive_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "MAX_UNPACKED_BYTES", 1000)
    with zipfile.ZipFile(tmp_path / "bomb.keras", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", "{}")
        z.writestr("model.weights.h5", b"\0" * 5000)
    with pytest.raises(ValueError, match="unpacks to"):
        load_model(tmp_path / "bomb.keras")


def test_old_keras_is_refused(tmp_path, monkeypatch):
    small_model().save(tmp_path / "m.keras")
    monkeypatch.setattr(keras, "__version__", "3.13.2")
    with pytest.raises(ValueError, match=r"keras>=3\.14"):
        load_model(tmp_path / "m.keras")


def test_oversized_bytes_are_refused_before_writing():
    with pytest.raises(ValueError, match="up to 50 MB"):
        load_model_bytes(b"\0" * (MAX_MODEL_BYTES + 1), "big.keras")


def same_weights(loaded: keras.Model, model: keras.Model) -> None:
    """Every variable, in order, bit for bit (Keras renames a Bidirectional's halves on loading, so not by path)."""
    assert [tuple(w.shape) for w in loaded.weights] == [tuple(w.shape) for w in model.weights]
    for saved, opened in zip(model.weights, loaded.weights):
        assert opened.dtype == saved.dtype, saved.path
        np.testing.assert_array_equal(np.asarray(opened), np.asarray(saved), err_msg=saved.path)


def test_an_uploaded_trained_model_loads_with_exactly_its_weights(tmp_path):
    """Embedding -> LSTM -> Dense, compiled and trained (so the file also holds optimizer state)."""
    inp = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(500, 16, mask_zero=True)(inp)
    x = keras.layers.LSTM(32)(x)
    model = keras.Model(inp, keras.layers.Dense(5, activation="softmax")(x))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(1)
    ids, labels = rng.integers(1, 500, (64, 12)), rng.integers(0, 5, 64)
    model.fit(ids, labels, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "trained.keras")
    loaded = load_model_bytes((tmp_path / "trained.keras").read_bytes(), "trained.keras")
    same_weights(loaded, model)
    np.testing.assert_array_equal(np.asarray(loaded(ids[:4])), np.asarray(model(ids[:4])))


def test_wrappers_cells_and_nesting_load_with_exactly_their_weights(tmp_path):
    """Bidirectional (own backward layer), RNN over stacked cells, TimeDistributed, a nested Sequential, float64."""
    L = keras.layers
    inp = keras.Input((6, 3))
    x = L.Masking()(inp)
    x = L.Bidirectional(L.LSTM(4, return_sequences=True), backward_layer=L.GRU(4, return_sequences=True,
                                                                              go_backwards=True, reset_after=False))(x)
    x = L.Dropout(0.2)(x)
    x = L.RNN([L.GRUCell(3), L.SimpleRNNCell(5)], return_sequences=True)(x)
    x = L.TimeDistributed(L.Dense(2, dtype="float64"))(x)
    inner = keras.Sequential([keras.Input((6, 2)), L.SimpleRNN(3), L.Dense(2)], name="inner")
    model = keras.Model(inp, inner(x))
    rng = np.random.default_rng(2)
    for w in model.weights:
        w.assign(rng.normal(0, 0.5, w.shape).astype(w.dtype))
    model.save(tmp_path / "wrappers.keras")
    loaded = load_model(tmp_path / "wrappers.keras")
    same_weights(loaded, model)
    data = rng.normal(size=(2, 6, 3)).astype("float32")
    np.testing.assert_array_equal(np.asarray(loaded(data)), np.asarray(model(data)))

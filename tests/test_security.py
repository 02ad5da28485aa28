"""Crafted .keras files: nothing from a file ever runs, and each is refused with a message that says why.

Each crafted archive is a real Keras save (config.json + metadata.json + model.weights.h5) whose
config.json is rewritten to carry a payload that would write a marker file if it ever ran. Every
file goes through both doors: `load_model(path)` (the API) and `load_model_bytes` (the upload).
"""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
from keras.src.utils import python_utils

from rnnviz import loading
from rnnviz.build import build_model
from rnnviz.loading import load_model, load_model_bytes
from rnnviz.presets import get_preset, preset_names


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Path]:
    """Real Keras saves to rewrite: Dense then LSTM; and Lambda then LSTM."""
    folder = tmp_path_factory.mktemp("saved")
    inp = keras.Input((4, 2))
    x = keras.layers.Dense(3, activation="relu", name="dense")(inp)
    keras.Model(inp, keras.layers.LSTM(2, name="lstm")(x)).save(folder / "base.keras")
    inp = keras.Input((4, 2))
    x = keras.layers.Lambda(lambda t: t, name="lam")(inp)
    keras.Model(inp, keras.layers.LSTM(2, name="lstm")(x)).save(folder / "lambda.keras")
    return {"base": folder / "base.keras", "lambda": folder / "lambda.keras"}


def marker_code(marker: Path) -> tuple:
    """Marshalled bytecode (Keras's func_dump) of a function that writes `marker` when called."""
    fn = eval(f"lambda *a, **k: (open({str(marker)!r}, 'w').write('ran'), a[0] if a else None)[1]")  # noqa: S307
    return python_utils.func_dump(fn)


def rewrite(src: Path, dst: Path, edit) -> Path:
    """Copy a .keras archive, changing its config.json with `edit(config)`."""
    with zipfile.ZipFile(src) as s, zipfile.ZipFile(dst, "w") as d:
        for item in s.infolist():
            data = s.read(item)
            if item.filename == "config.json":
                config = json.loads(data)
                edit(config)
                data = json.dumps(config).encode()
            d.writestr(item, data)
    return dst


def dense(config: dict) -> dict:
    return config["config"]["layers"][1]["config"]


def function(module: str, name: str, registered=None) -> dict:
    return {"module": module, "class_name": "function", "config": name, "registered_name": registered}


# name -> (which save, how to rewrite its config given the marker path, what the message says)
PAYLOADS = {
    "lambda-layer-bytecode": ("lambda", lambda c, m: c["config"]["layers"][1]["config"].__setitem__(
        "function", {"class_name": "__lambda__", "config": {"code": marker_code(m)[0], "defaults": None,
                                                              "closure": None}}), r"Lambda layer \(lam\)"),
    "lambda-as-activation": ("base", lambda c, m: dense(c).__setitem__(
        "activation", {"class_name": "__lambda__", "config": {"value": marker_code(m)}}),
        r"Python bytecode .* in Dense 'dense'"),
    "lambda-as-initializer-old-format": ("base", lambda c, m: dense(c).__setitem__(
        "kernel_initializer", {"class_name": "__lambda__", "config": {"code": marker_code(m)[0], "defaults": None,
                                                                      "closure": None}}),
        r"Python bytecode .* in Dense 'dense'"),
    "os-system-activation": ("base", lambda c, m: dense(c).__setitem__("activation", function("os", "system", "system")),
                             r"names 'os\.system' in Dense 'dense', which is not part of Keras"),
    "builtins-exec-initializer": ("base", lambda c, m: dense(c).__setitem__(
        "kernel_initializer", function("builtins", "exec", "function")), r"names 'builtins\.exec'"),
    "builtins-eval-activation": ("base", lambda c, m: dense(c).__setitem__(
        "activation", function("builtins", "eval", "function")), r"names 'builtins\.eval'"),
    "subprocess-popen-class": ("base", lambda c, m: dense(c).__setitem__(
        "kernel_initializer", {"module": "subprocess", "class_name": "Popen", "registered_name": None,
                               "config": {"args": ["sh", "-c", f"touch {m}"]}}), r"names 'subprocess\.Popen'"),
    "registered-custom-name": ("base", lambda c, m: dense(c).__setitem__(
        "activation", function("builtins", "system", "os>system")), r"custom object registered as 'os>system'"),
    "keras-enable-unsafe": ("base", lambda c, m: dense(c).__setitem__(
        "activation", function("keras.config", "enable_unsafe_deserialization")),
        r"Keras function 'keras\.config\.enable_unsafe_deserialization' .* not a modeling function"),
    "keras-func-load": ("base", lambda c, m: dense(c).__setitem__(
        "activation", function("keras.src.utils.python_utils", "func_load")), r"not a modeling function"),
    "keras-deserialize-helper": ("base", lambda c, m: dense(c).__setitem__(
        "activation", function("keras.activations", "deserialize")), r"not a modeling function"),
    "model-class-from-builtins": ("base", lambda c, m: c.update(module="builtins", class_name="exec"),
                                  r"names 'builtins\.exec' .* not part of Keras"),
    "layer-class-from-os": ("base", lambda c, m: c["config"]["layers"][1].update(module="os", class_name="system"),
                            r"names 'os\.system'"),
}


def test_the_payload_is_live(tmp_path):
    """The bytecode really writes the marker when something calls it (so its absence below means something)."""
    marker = tmp_path / "marker"
    python_utils.func_load(marker_code(marker))("x")
    assert marker.read_text() == "ran"


@pytest.mark.parametrize("name", PAYLOADS)
def test_crafted_file_is_refused_and_runs_nothing(saved, tmp_path, name):
    base, edit, message = PAYLOADS[name]
    marker = tmp_path / "MARKER"
    path = rewrite(saved[base], tmp_path / f"{name}.keras", lambda c: edit(c, marker))
    with pytest.raises(ValueError, match=message):
        load_model(path)
    with pytest.raises(ValueError, match=message):
        load_model_bytes(path.read_bytes(), "upload.keras")
    assert not marker.exists(), "code from the file ran"


# Keras alone accepts keras.activations.deserialize as an activation (a Keras helper, not code from the
# file); only rnnviz's check refuses it.
KERAS_ALSO_REFUSES = [name for name in PAYLOADS if name != "keras-deserialize-helper"]


@pytest.mark.parametrize("name", KERAS_ALSO_REFUSES)
def test_keras_safe_mode_alone_also_refuses(saved, tmp_path, monkeypatch, name):
    """Defence in depth: with rnnviz's own config checks switched off, Keras's safe mode still refuses."""
    base, edit, _ = PAYLOADS[name]
    marker = tmp_path / "MARKER"
    path = rewrite(saved[base], tmp_path / f"{name}.keras", lambda c: edit(c, marker))
    monkeypatch.setattr(loading, "_find_classes", lambda config, class_name: [])
    monkeypatch.setattr(loading, "_refuse_foreign_objects", lambda config, filename: None)
    monkeypatch.setattr(loading, "_check_cost", lambda config, weights, label: weights)  # its allow-list too
    with pytest.raises(ValueError, match="could not be loaded"):
        load_model(path)
    assert not marker.exists(), "code from the file ran"


def test_payload_in_compile_config_is_never_read(saved, tmp_path):
    """compile=False: Keras drops compile_config unread, so a payload there cannot run (and is not refused)."""
    marker = tmp_path / "MARKER"
    path = rewrite(saved["base"], tmp_path / "compiled.keras", lambda c: c.__setitem__(
        "compile_config", {"loss": {"class_name": "__lambda__", "config": {"value": marker_code(marker)}}}))
    model = load_model(path)
    assert model.get_layer("lstm").units == 2
    assert not marker.exists()


def test_keras_functions_passed_as_objects_still_load(tmp_path):
    """No false refusals: Keras writes `activation=keras.ops.tanh` as a builtins function, and a compiled
    model's loss function into compile_config."""
    inp = keras.Input((4, 2))
    x = keras.layers.Dense(3, activation=keras.ops.tanh, name="ops_tanh")(inp)
    x = keras.layers.Dense(3, activation=keras.activations.gelu, name="gelu")(x)
    x = keras.layers.GRU(2, activation=keras.activations.relu, name="gru")(x)
    model = keras.Model(inp, x)
    model.compile(loss=keras.losses.mean_squared_error, optimizer="adam")
    model.save(tmp_path / "fn.keras")
    loaded = load_model(tmp_path / "fn.keras")
    data = np.random.default_rng(0).random((2, 4, 2), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(loaded(data)), np.asarray(model(data)), atol=1e-6)


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_saved_and_opened_passes_the_checks(tmp_path, preset):
    model = build_model(get_preset(preset).spec)
    model.save(tmp_path / f"{preset}.keras")
    loaded = load_model(tmp_path / f"{preset}.keras")
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert [tuple(w.shape) for w in loaded.weights] == [tuple(w.shape) for w in model.weights]  # paths: renamed
    for saved, opened in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(np.asarray(opened), np.asarray(saved), err_msg=saved.path)


# --- Damaged and disguised archives ---------------------------------------------------------------


def zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def patched(path: Path, edit) -> Path:
    """A one-member zip whose raw bytes `edit` changes (local and central headers)."""
    zip_of(path, {"config.json": b"{}"})
    data = bytearray(path.read_bytes())
    edit(data)
    path.write_bytes(bytes(data))
    return path


def set_flag(data: bytearray, bits: int) -> None:
    """Set general-purpose flag bits in the local header (offset 6) and the central header (offset 8)."""
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    for at in (local + 6, central + 8):
        struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | bits)


def set_method(data: bytearray, method: int) -> None:
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    for at in (local + 8, central + 10):
        struct.pack_into("<H", data, at, method)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: zip_of(p, {}), "zip without config.json"),
        (lambda p: written(p, b"print('hello')\nimport os\n"), "not a Keras archive"),
        (lambda p: written(p, b""), "not a Keras archive"),
        (lambda p: written(p, b"\x89HDF\r\n\x1a\n" + bytes(200)), "not a Keras archive"),
        (lambda p: zip_of(p, {"config.json": b"not json"}), "damaged Keras archive"),
        (lambda p: zip_of(p, {"config.json": "\ud800".encode("utf-8", "surrogatepass")}), "damaged Keras archive"),
        (lambda p: zip_of(p, {"config.json": b"[" * 200_000 + b"]" * 200_000}), "nested too deeply|damaged"),
        (lambda p: zip_of(p, {"config.json": nested(3000)}), "nested too deeply"),
        (lambda p: zip_of(p, {"config.json": b"[1, 2, 3]"}), "could not be loaded"),
        (lambda p: zip_of(p, {"config.json": b"{}", "metadata.json": b"{}"}), "could not be loaded"),
        (lambda p: patched(p, lambda d: set_flag(d, 0x1)), "damaged Keras archive"),
        (lambda p: patched(p, lambda d: set_method(d, 99)), "damaged Keras archive"),
    ],
    ids=["empty-archive", "text-renamed", "empty-file", "h5-renamed", "config-not-json", "config-bad-utf8",
         "config-json-too-deep", "config-nested-objects", "config-a-list", "config-empty", "encrypted-member",
         "unknown-compression"],
)
def test_damaged_or_disguised_archives_give_a_message(tmp_path, make, message):
    path = make(tmp_path / "model.keras")
    with pytest.raises(ValueError, match=message):
        load_model(path)
    with pytest.raises(ValueError, match=message):
        load_model_bytes(path.read_bytes(), "model.keras")


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def nested(depth: int) -> bytes:
    """config.json text of `depth` wrappers around a Dense: valid JSON, deeper than Python's recursion limit."""
    head = b'{"class_name": "Wrapper", "config": {"layer": ' * depth
    return head + b'{"class_name": "Dense", "config": {}}' + b"}}" * depth


def test_weights_of_another_model_give_a_message(saved, tmp_path):
    """A valid config with the weights file of a different model: refused, not half-loaded."""
    inp = keras.Input((4, 2))
    keras.Model(inp, keras.layers.GRU(7)(inp)).save(tmp_path / "other.keras")
    with zipfile.ZipFile(tmp_path / "other.keras") as other:
        weights = other.read("model.weights.h5")
    with zipfile.ZipFile(saved["base"]) as base:
        members = {name: base.read(name) for name in base.namelist()}
    members["model.weights.h5"] = weights
    path = zip_of(tmp_path / "mixed.keras", members)
    with pytest.raises(ValueError, match=r"model\.weights\.h5 holds a dataset of shape \(2, 21\) that no variable"):
        load_model(path)

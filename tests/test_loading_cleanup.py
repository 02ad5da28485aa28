"""Loading leaves no temporary folder behind whatever fails, and every failure is a ValueError with a message."""

from __future__ import annotations

import io
import tempfile
import zipfile
import zlib
from pathlib import Path

import h5py
import keras
import pytest

from rnnviz import archive_check, config_check, weights_check
from rnnviz.loading import load_model, load_model_bytes
from tests.attack_helpers import good_archive, members, with_config


@pytest.fixture
def temp_root(tmp_path, monkeypatch) -> Path:
    """A private temporary root (what tempfile.gettempdir() returns), so other tests' files do not count."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def swapped() -> bytes:
    """Keras fails part-way: every variable is in the weights file (so rnnviz's checks pass), but the Dense bias
    and the LSTM bias have traded places, so Keras builds the model and fails while assigning."""
    files = members(good_archive())
    buffer = io.BytesIO(files["model.weights.h5"])
    with h5py.File(buffer, "r+") as h5:
        h5.move("layers/dense/vars/1", "layers/dense/vars/tmp")
        h5.move("layers/lstm/cell/vars/2", "layers/dense/vars/1")
        h5.move("layers/dense/vars/tmp", "layers/lstm/cell/vars/2")
    return with_config(files["config.json"], buffer.getvalue())


def test_keras_failing_part_way_leaves_nothing(temp_root):
    with pytest.raises(ValueError, match=r"partial\.keras could not be loaded as a Keras model"):
        load_model_bytes(swapped(), "partial.keras")
    assert list(temp_root.iterdir()) == []


@pytest.mark.parametrize("error", [MemoryError(), RuntimeError("boom"), OSError(28, "No space left on device"),
                                   RecursionError()])
def test_any_failure_inside_keras_is_a_value_error_and_leaves_nothing(temp_root, monkeypatch, error):
    """Keras writes next to the archive (its extraction folder), then fails: the folder goes with ours."""
    def fail(path, **kwargs):
        extract = Path(path).parent / "tmp-extract"
        extract.mkdir()
        (extract / "model.weights.h5").write_bytes(b"\0" * 1000)
        raise error

    monkeypatch.setattr(keras.saving, "load_model", fail)
    message = r"^m\.keras (needs more memory|could not be loaded|holds a config\.json nested)"
    with pytest.raises(ValueError, match=message):
        load_model_bytes(good_archive(), "m.keras")
    assert list(temp_root.iterdir()) == []


CHECKS = {"read_members": archive_check, "parse_config": config_check, "check_config": config_check,
          "check_weights": weights_check}


@pytest.mark.parametrize("where", CHECKS)
def test_memory_error_in_any_check_is_the_pages_message(monkeypatch, where):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(CHECKS[where], where, out_of_memory)
    with pytest.raises(ValueError, match=r"^m\.keras needs more memory to open than rnnviz allows a model; "
                                         r"open a smaller model$"):
        load_model_bytes(good_archive(), "m.keras")


def test_members_keras_would_extract_are_never_written(temp_root, tmp_path):
    """A symlink member and a later member with a bad CRC: Keras extracted such archives (and left the folder
    behind when a member failed); rnnviz reads config and weights only, so the model loads and nothing stays."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members(good_archive()).items():
            z.writestr(name, data)
        link = zipfile.ZipInfo("link")
        link.create_system, link.external_attr = 3, 0o120777 << 16  # a Unix symlink to /etc/passwd
        z.writestr(link, "/etc/passwd")
        z.writestr("zz-bad-crc", b"x" * 100)
    crc = zlib.crc32(b"x" * 100).to_bytes(4, "little")
    data = out.getvalue().replace(crc, (int.from_bytes(crc, "little") ^ 1).to_bytes(4, "little"))
    path = tmp_path / "extra.keras"
    path.write_bytes(bytes(data))
    model = load_model(path)
    assert model.get_layer("lstm").units == 3
    assert list(temp_root.iterdir()) == []


def test_a_refused_upload_writes_nothing(temp_root):
    with pytest.raises(ValueError):
        load_model_bytes(with_config(b'{"class_name": "Functional", "config": {"layers": 3}}'), "bad.keras")
    assert list(temp_root.iterdir()) == []

"""Shared by the tests/test_attack_*.py modules: a good archive to craft from, raw zips, and a measured child.

Each attack module crafts its files here in the test process, then loads all of them in ONE child
process (`measure`), one after the other, recording for each: what was raised, the message, the
seconds, and the peak memory above the resident size just before (the kernel's VmHWM, reset
through /proc/self/clear_refs before each file). The child first loads a good model once, so the
imports and first-call costs of Keras are not counted against an attack.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import keras
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MAX_SECONDS = 5.0  # the bound for refusing any crafted file
MAX_EXTRA_MB = 500.0

CHILD = r"""
import json, os, re, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from rnnviz.loading import load_model_bytes

def status(key):
    return int(re.search(key + r":\s+(\d+)", open("/proc/self/status").read()).group(1))

def run(path, filename):
    data = open(path, "rb").read()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current resident size
    base, start = status("VmRSS"), time.perf_counter()
    try:
        load_model_bytes(data, filename)
        raised, message = None, ""
    except BaseException as err:
        raised, message = type(err).__name__, str(err)
    return {"raised": raised, "message": message[:2000], "seconds": time.perf_counter() - start,
            "extra_mb": (status("VmHWM") - base) / 1024}

results = {name: run(path, filename) for name, path, filename in json.loads(sys.argv[1])}
print("RESULTS " + json.dumps(results))
"""


@functools.lru_cache(maxsize=1)
def good_archive() -> bytes:
    """A real Keras save: Embedding(40, 4) -> LSTM(3) -> Dense(2), functional, trained-looking weights."""
    inp = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(40, 4, name="embedding")(inp)
    x = keras.layers.LSTM(3, name="lstm")(x)
    model = keras.Model(inp, keras.layers.Dense(2, name="dense")(x))
    rng = np.random.default_rng(0)
    for w in model.weights:
        w.assign(rng.normal(0, 0.5, w.shape).astype("float32"))
    with tempfile.TemporaryDirectory(prefix="rnnviz-test-") as folder:
        model.save(Path(folder) / "good.keras")
        return (Path(folder) / "good.keras").read_bytes()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def good_config() -> dict:
    return json.loads(members(good_archive())["config.json"])


def zipped(files: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def with_config(config: dict | bytes, weights: bytes | None = None) -> bytes:
    """The good archive with config.json (and optionally model.weights.h5) replaced."""
    files = members(good_archive())
    files["config.json"] = config if isinstance(config, bytes) else json.dumps(config).encode()
    if weights is not None:
        files["model.weights.h5"] = weights
    return zipped(files)


@functools.lru_cache(maxsize=4)
def deflated_repeat(piece: bytes, size: int) -> tuple[bytes, int, int]:
    """`deflated(repeated(piece, size))`, made once per test run (the bombs share their streams)."""
    return deflated(repeated(piece, size))


def deflated(pieces) -> tuple[bytes, int, int]:
    """A raw deflate stream of the concatenated `pieces` (never all in memory), its CRC and inflated size."""
    packer, crc, size, parts = zlib.compressobj(6, zlib.DEFLATED, -15), 0, 0, []
    for piece in pieces:
        parts.append(packer.compress(piece))
        crc, size = zlib.crc32(piece, crc), size + len(piece)
    parts.append(packer.flush())
    return b"".join(parts), crc, size


def repeated(piece: bytes, size: int):
    """`piece` repeated to about `size` bytes, in 1 MB steps."""
    block = piece * max(1, (1024 * 1024) // len(piece))
    for _ in range(max(1, size // len(block))):
        yield block


def raw_zip(entries: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """A zip written by hand: (name, method, stored bytes, crc, DECLARED size) per member, so a header can lie."""
    out, central = bytearray(), bytearray()
    for name, method, data, crc, declared in entries:
        encoded, offset = name.encode(), len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), declared,
                           len(encoded), 0) + encoded + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(data), declared,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    count = min(len(entries), 0xFFFF)  # 0xFFFF: "see the zip64 record", as zipfile writes past 65,535 members
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + end)


def measure(cases: dict[str, bytes], folder: Path) -> dict[str, dict]:
    """Load every crafted archive in one child process; per case: raised, message, seconds, extra_mb."""
    listed = [["warm-up", str(_write(folder / "warm-up.keras", good_archive())), "good.keras"]]
    for name, data in cases.items():
        listed.append([name, str(_write(folder / f"{name}.keras", data)), f"{name}.keras"])
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(listed)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)
    found = re.search(r"^RESULTS (.*)$", done.stdout, re.M)
    assert found, f"the child failed (rc {done.returncode}): {done.stderr[-3000:]}"
    results = json.loads(found.group(1))
    assert results.pop("warm-up")["raised"] is None, "the good model did not load in the child"
    return results


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def assert_refused(result: dict, message: str) -> None:
    """A ValueError whose message matches `message`, in under 5 s and 500 MB above the child's resident size."""
    assert result["raised"] == "ValueError", f"{result['raised']}: {result['message'][:500]}"
    assert re.search(message, result["message"]), result["message"]
    assert result["seconds"] < MAX_SECONDS, f"took {result['seconds']:.1f} s"
    assert result["extra_mb"] < MAX_EXTRA_MB, f"peak {result['extra_mb']:.0f} MB above the resident size"

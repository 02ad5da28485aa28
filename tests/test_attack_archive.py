"""The zip itself as the attack: bombs with lying headers, refused methods, member counts, asset and npz bombs.

Every case is loaded in one measured child (tests/attack_helpers.py): a ValueError with a clear message,
under 5 s and 500 MB, whatever the headers declare.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest

from tests.attack_helpers import assert_refused, deflated_repeat, good_archive, measure, members, raw_zip, zipped


def good_entries(skip: str = "") -> list[tuple]:
    return [(name, zipfile.ZIP_STORED, data, zlib.crc32(data), len(data))
            for name, data in members(good_archive()).items() if name != skip]


def lying(name: str, size: int, piece: bytes = b"\0", declared: int = 2048) -> bytes:
    """The good archive with `name` replaced by a deflate stream of `size` bytes whose headers declare `declared`."""
    stream, crc, _ = deflated_repeat(piece, size)
    return raw_zip(good_entries(skip=name) + [(name, zipfile.ZIP_DEFLATED, stream, crc, declared)])


def with_member(name: str, size: int, piece: bytes) -> bytes:
    """The good archive plus a member `name` deflating from a small stream to `size` bytes, header honest."""
    stream, crc, inflated = deflated_repeat(piece, size)
    return raw_zip(good_entries() + [(name, zipfile.ZIP_DEFLATED, stream, crc, inflated)])


def compressed_with(method: int) -> bytes:
    return zipped(members(good_archive()), method)


def many_members(count: int) -> bytes:
    return raw_zip(good_entries() + [(f"m{i}", zipfile.ZIP_STORED, b"", 0, 0) for i in range(count)])


def bad_crc() -> bytes:
    entries = good_entries()
    entries = [(n, m, d, (crc ^ 1) if n == "model.weights.h5" else crc, s) for n, m, d, crc, s in entries]
    return raw_zip(entries)


CASES = {
    # zipfile stops at the size a header declares, so a stream longer than its header fails its CRC ...
    "weights-inflate-300MB-header-says-2KB": (lambda: lying("model.weights.h5", 300 * 1024**2),
                                              r"is a damaged Keras archive: Bad CRC-32 for file 'model\.weights\.h5'"),
    # ... and one whose header declares enough is stopped by the running budget, not by the header
    "weights-inflate-300MB-header-says-4GB": (lambda: lying("model.weights.h5", 300 * 1024**2, declared=2**32 - 1),
                                              r"unpacks to more than 200 MB \(model\.weights\.h5 inflates past the "
                                              r"limit, whatever its header says\)"),
    "weights-inflate-300MB-header-honest": (lambda: lying("model.weights.h5", 300 * 1024**2, declared=300 * 1024**2),
                                            r"unpacks to more than 200 MB"),
    "config-inflate-100MB-header-honest": (lambda: lying("config.json", 100 * 1024**2, b"[{}," * 256,
                                                         declared=100 * 1024**2),
                                           r"holds a config\.json of more than 2 MB"),
    "weights-bzip2": (lambda: compressed_with(zipfile.ZIP_BZIP2),
                      r"stores \S+ compressed with bzip2; rnnviz reads members stored or compressed with deflate"),
    "weights-lzma": (lambda: compressed_with(zipfile.ZIP_LZMA), r"compressed with lzma"),
    "members-1000": (lambda: many_members(1000), r"holds 1,003 files; a Keras archive holds 3 .* at most 32"),
    "members-70000": (lambda: many_members(70_000), r"holds more than 65,535 files"),
    "members-65000": (lambda: many_members(65_000), r"holds 65,003 files"),
    "asset-190MB-deflates-to-190KB": (lambda: with_member("assets/vocabulary.txt", 190 * 1024**2, b"token\n"),
                                      r"holds assets \('assets/vocabulary\.txt', 1 in all\); rnnviz's layers use none"),
    "npz-weights-300MB": (lambda: raw_zip(good_entries(skip="model.weights.h5") + [
        ("model.weights.npz", zipfile.ZIP_DEFLATED, *deflated_repeat(b"\0", 300 * 1024**2))]),
        r"holds its weights as model\.weights\.npz; rnnviz reads the model\.weights\.h5"),
    "weights-bad-crc": (bad_crc, r"is a damaged Keras archive: Bad CRC-32"),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return measure({name: make() for name, (make, _) in CASES.items()}, tmp_path_factory.mktemp("archive"))


@pytest.mark.parametrize("name", CASES)
def test_archive_attack_is_refused_fast_and_small(results, name):
    assert_refused(results[name], CASES[name][1])


def test_the_crafted_bombs_are_small_files():
    """What makes them attacks: a file far under the 50 MB upload cap that declares or inflates to far more."""
    data = lying("model.weights.h5", 300 * 1024**2)
    assert len(data) < 1024**2
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.getinfo("model.weights.h5").file_size == 2048  # the header's claim

"""model.weights.h5 as the attack: datasets that declare more than they store, links out, filters, odd dtypes.

The good archive's weights file is edited with h5py (one dataset replaced, a link or attribute added);
all cases are loaded in one measured child (tests/attack_helpers.py): a ValueError naming the object,
under 5 s and 500 MB.
"""

from __future__ import annotations

import io

import h5py
import numpy as np
import pytest

from tests.attack_helpers import assert_refused, good_archive, measure, members, with_config

TARGET = "layers/dense/vars/0"  # a (3, 2) float32 kernel in the good model


def edited(edit) -> bytes:
    """The good archive with its weights file changed by `edit(h5_file)`, `TARGET` deleted first.

    New objects get the latest object headers, which can hold attributes past 64 KB (dense storage)."""
    files = members(good_archive())
    buffer = io.BytesIO(files["model.weights.h5"])
    with h5py.File(buffer, "r+", libver="latest") as h5:
        del h5[TARGET]
        edit(h5)
    return with_config(files["config.json"], buffer.getvalue())


def gzip_bomb(h5: h5py.File) -> None:
    ds = h5.create_dataset(TARGET, shape=(8192, 4096), dtype="f4", chunks=(512, 4096), compression="gzip")
    for row in range(0, 8192, 512):
        ds[row:row + 512] = 0.0  # 128 MB of zeros stored in well under 1 MB


def virtual(h5: h5py.File) -> None:
    layout = h5py.VirtualLayout(shape=(3, 2), dtype="f4")
    layout[:] = h5py.VirtualSource("/etc/other.h5", "data", shape=(3, 2))
    h5.create_virtual_dataset(TARGET, layout, fillvalue=0)


def hard_link_loop(h5: h5py.File) -> None:
    h5.create_dataset(TARGET, data=np.zeros((3, 2), "f4"))
    h5["layers/dense/loop"] = h5["layers"]  # a group that holds its own ancestor


def many_groups(h5: h5py.File) -> None:
    h5.create_dataset(TARGET, data=np.zeros((3, 2), "f4"))
    for i in range(11_000):
        h5.create_group(f"layers/dense/g{i}")


def not_hdf5() -> bytes:
    files = members(good_archive())
    return with_config(files["config.json"], b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 40)


CASES = {
    "fill-value-10G-values": (lambda: edited(lambda h5: h5.create_dataset(
        TARGET, shape=(100_000, 100_000), dtype="f4", chunks=(1000, 1000), fillvalue=1.0)),
        r"model\.weights\.h5 holds a dataset of shape \(100000, 100000\) that no variable of the model's config has "
        r".* at '/layers/dense/vars/0'"),
    "gzip-bomb-128MB": (lambda: edited(gzip_bomb), r"holds a dataset with filters \(gzip\); Keras writes weights "
                                                   r"uncompressed"),
    "fixed-string-256MB-per-element": (lambda: edited(lambda h5: h5.create_dataset(
        TARGET, shape=(3, 2), dtype=np.dtype("S268435456"))), r"holds a dataset of dtype \|S268435456, not float16"),
    "int32-kernel": (lambda: edited(lambda h5: h5.create_dataset(TARGET, data=np.zeros((3, 2), "i4"))),
                     r"holds a dataset of dtype int32"),
    "external-link": (lambda: edited(lambda h5: h5.__setitem__(TARGET, h5py.ExternalLink("/etc/passwd", "/x"))),
                      r"holds an external link at '/layers/dense/vars/0'"),
    "soft-link": (lambda: edited(lambda h5: h5.__setitem__(TARGET, h5py.SoftLink("/layers/lstm/cell/vars/1"))),
                  r"holds a soft or user-defined link"),
    "virtual-dataset": (lambda: edited(virtual), r"holds a virtual dataset"),
    "external-storage": (lambda: edited(lambda h5: h5.create_dataset(
        TARGET, shape=(3, 2), dtype="f4", external=[("/dev/zero", 0, 24)])),
        r"holds a dataset stored in external files"),
    "attribute-1MB": (lambda: edited(lambda h5: h5.create_dataset(TARGET, data=np.zeros((3, 2), "f4")).attrs.create(
        "big", np.zeros(300_000, "f4"))), r"holds an attribute 'big' larger than 64 KB"),
    "one-dataset-too-many": (lambda: edited(lambda h5: (h5.create_dataset(TARGET, data=np.zeros((3, 2), "f4")),
                                                        h5.create_dataset("layers/dense/vars/2",
                                                                          data=np.zeros((3, 2), "f4")))),
                             r"shape \(3, 2\) .*or more of them than the config declares"),
    "hard-link-loop": (lambda: edited(hard_link_loop), r"nests groups more than 32 deep"),
    "11000-groups": (lambda: edited(many_groups), r"holds 11,00\d objects in one group"),
    "not-hdf5": (not_hdf5, r"holds a model\.weights\.h5 that is not a readable HDF5 file"),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return measure({name: make() for name, (make, _) in CASES.items()}, tmp_path_factory.mktemp("weights"))


@pytest.mark.parametrize("name", CASES)
def test_weights_attack_is_refused_fast_and_small(results, name):
    assert_refused(results[name], CASES[name][1])


def test_the_crafted_weights_files_are_small():
    """What makes them attacks: kilobytes that declare gigabytes."""
    for make in (CASES["fill-value-10G-values"][0], CASES["gzip-bomb-128MB"][0]):
        assert len(make()) < 2 * 1024**2

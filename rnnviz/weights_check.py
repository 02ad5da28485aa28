"""Check model.weights.h5 before Keras reads it: links, storage, filters, dtypes and shapes, read-only from memory.

A dataset's header declares its shape, dtype and filters; HDF5 fills what is not stored (a fill value),
inflates gzip chunks, follows external links and files and maps virtual datasets. None of that is read
here: only the declarations are, and each dataset must be one of the float variables the checked config
declares, stored plainly in this file (as Keras writes them: no filters, no links out).
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import h5py

from rnnviz import limits
from rnnviz.i18n import _

_MAX_DEPTH = 32  # groups inside groups; Keras's layout is a few levels per nested layer
_KEPT = ("layers", "vars")  # what Keras reads of an uncompiled model; "optimizer" it never opens


def check_weights(data: bytes, label: str, expected: Counter) -> bytes:
    """Refuse a weights file whose datasets are not the variables the config declares, before Keras reads it.

    Only the groups Keras reads for an uncompiled model (`layers`, `vars`) are checked and kept: the
    returned file is a copy of those, so Keras never sees anything unchecked (an optimizer's state, say).

    Args:
        data: the bytes of model.weights.h5.
        label: the archive's name, for the messages.
        expected: variable shape -> how many variables of that shape the checked config declares.

    Returns:
        The bytes of a new HDF5 file holding the checked groups only.

    Raises:
        ValueError: not HDF5; a soft or external link, virtual dataset, external storage or filter
            (compression) anywhere; a dataset not of float16/32/64; a dataset whose shape is not one of
            the declared variables' (or more of a shape than declared); a declared variable missing; an
            attribute larger than `MAX_H5_ATTRIBUTE_BYTES`; more than `MAX_H5_OBJECTS` objects.
    """
    try:
        out = io.BytesIO()
        with h5py.File(io.BytesIO(data), "r") as h5:
            walk = _Walk(label, Counter(expected))
            kept = walk.group(h5, "", 0, only=_KEPT)
            missing = +walk.left
            if missing:
                shape = next(iter(missing))
                raise ValueError(_(
                    "{label}: model.weights.h5 lacks {count} of the variables the model's config declares (one: shape"
                    " {shape}); it was saved from another model or damaged. Save the model again with "
                    "model.save('model.keras')."
                ).format(label=label, count=sum(missing.values()), shape=shape))
            with h5py.File(out, "w") as clean:
                for name in kept:
                    h5.copy(h5[name], clean, name)
        return out.getvalue()
    except ValueError:
        raise
    except Exception as err:  # h5py raises OSError, KeyError, RuntimeError, TypeError for a damaged file
        text = (str(err).strip() or type(err).__name__).splitlines()[0][:200]
        raise ValueError(_(
            "{label} holds a model.weights.h5 that is not a readable HDF5 file: {text}"
        ).format(label=label, text=text)) from None


class _Walk:
    def __init__(self, label: str, expected: Counter):
        self.label, self.left, self.objects, self.bytes = label, expected, 0, 0

    def refuse(self, path: str, message: str, **fields: Any) -> ValueError:
        """A refusal: `message` (translated, naming {label} and {path}) filled with the file, the path and `fields`."""
        return ValueError(message.format(label=self.label, path=path[:120], **fields))

    def group(self, group: h5py.Group, path: str, depth: int, only: tuple[str, ...] | None = None) -> list[str]:
        """Check a group and everything under it (at the top, only the names in `only`); returns the names seen."""
        if depth > _MAX_DEPTH:
            raise self.refuse(path, _(
                "{label}: model.weights.h5 nests groups more than {depth} deep at '/{path}'; rnnviz reads "
                "weights files as Keras writes them. Save the model again with model.save('model.keras')."
            ), depth=_MAX_DEPTH)
        self.attributes(group, path)
        if len(group) > limits.MAX_H5_OBJECTS:
            raise self.refuse(path, _(
                "{label}: model.weights.h5 holds {count:,} objects in one group at '/{path}'; rnnviz reads "
                "weights files as Keras writes them. Save the model again with model.save('model.keras')."
            ), count=len(group))
        seen = []
        for name in group.keys():
            if only is not None and name not in only:
                continue
            seen.append(name)
            self.objects += 1
            if self.objects > limits.MAX_H5_OBJECTS:
                raise self.refuse(path, _(
                    "{label}: model.weights.h5 holds more than {MAX_H5_OBJECTS:,} objects at '/{path}'; rnnviz reads "
                    "weights files as Keras writes them. Save the model again with model.save('model.keras')."
                ), MAX_H5_OBJECTS=limits.MAX_H5_OBJECTS)
            child = f"{path}/{name}" if path else name
            link = group.get(name, getlink=True)
            if not isinstance(link, h5py.HardLink):
                if isinstance(link, h5py.ExternalLink):
                    raise self.refuse(child, _(
                        "{label}: model.weights.h5 holds an external link at '/{path}'; rnnviz reads weights files "
                        "as Keras writes them. Save the model again with model.save('model.keras')."
                    ))
                raise self.refuse(child, _(
                    "{label}: model.weights.h5 holds a soft or user-defined link at '/{path}'; rnnviz reads weights "
                    "files as Keras writes them. Save the model again with model.save('model.keras')."
                ))
            item = group.get(name)
            if isinstance(item, h5py.Group):
                self.group(item, child, depth + 1)
            elif isinstance(item, h5py.Dataset):
                self.dataset(item, child)
            else:
                raise self.refuse(child, _(
                    "{label}: model.weights.h5 holds an object that is neither a group nor a dataset at '/{path}'; "
                    "rnnviz reads weights files as Keras writes them. Save the model again with "
                    "model.save('model.keras')."
                ))
        return seen

    def dataset(self, ds: h5py.Dataset, path: str) -> None:
        plist = ds.id.get_create_plist()
        if plist.get_layout() == h5py.h5d.VIRTUAL:
            raise self.refuse(path, _(
                "{label}: model.weights.h5 holds a virtual dataset (one mapped from other files) at '/{path}'; "
                "rnnviz reads weights files as Keras writes them. Save the model again with "
                "model.save('model.keras')."
            ))
        if plist.get_external_count():
            raise self.refuse(path, _(
                "{label}: model.weights.h5 holds a dataset stored in external files at '/{path}'; rnnviz reads "
                "weights files as Keras writes them. Save the model again with model.save('model.keras')."
            ))
        if plist.get_nfilters():
            raise self.refuse(path, _(
                "{label}: model.weights.h5 holds a dataset with filters ({compression}); Keras writes weights "
                "uncompressed, and a compressed dataset may inflate far past its size at '/{path}'; rnnviz reads "
                "weights files as Keras writes them. Save the model again with model.save('model.keras')."
            ), compression=ds.compression or _("a filter"))
        dtype = ds.dtype
        if dtype.kind != "f" or dtype.itemsize not in (2, 4, 8):
            raise self.refuse(path, _(
                "{label}: model.weights.h5 holds a dataset of dtype {text}, not float16, float32 or float64 at "
                "'/{path}'; rnnviz reads weights files as Keras writes them. Save the model again with "
                "model.save('model.keras')."
            ), text=str(dtype)[:40])
        shape = tuple(ds.shape) if ds.shape is not None else ()
        if self.left[shape] <= 0:
            raise self.refuse(path, _(
                "{label}: model.weights.h5 holds a dataset of shape {shape} that no variable of the model's "
                "config has (or more of them than the config declares) at '/{path}'; rnnviz reads weights files "
                "as Keras writes them. Save the model again with model.save('model.keras')."
            ), shape=shape)
        self.left[shape] -= 1
        size = dtype.itemsize
        for dim in shape:
            size *= dim
        self.bytes += size
        if self.bytes > limits.MAX_WEIGHT_BYTES:
            raise self.refuse(path, _(
                "{label}: model.weights.h5 declares more than {value} MB of datasets at '/{path}'; rnnviz reads "
                "weights files as Keras writes them. Save the model again with model.save('model.keras')."
            ), value=limits.MAX_WEIGHT_BYTES // 1024**2)
        self.attributes(ds, path)

    def attributes(self, obj: h5py.HLObject, path: str) -> None:
        names = list(obj.attrs.keys())
        if len(names) > 16:
            raise self.refuse(path, _(
                "{label}: model.weights.h5 holds {count} attributes on one object at '/{path}'; rnnviz reads "
                "weights files as Keras writes them. Save the model again with model.save('model.keras')."
            ), count=len(names))
        for name in names:
            attr = h5py.h5a.open(obj.id, name.encode())
            largest = max(attr.get_storage_size(), attr.dtype.itemsize)
            if largest > limits.MAX_H5_ATTRIBUTE_BYTES:
                raise self.refuse(path, _(
                    "{label}: model.weights.h5 holds an attribute {name!r} larger than {value} KB at '/{path}'; "
                    "rnnviz reads weights files as Keras writes them. Save the model again with "
                    "model.save('model.keras')."
                ), name=name[:40], value=limits.MAX_H5_ATTRIBUTE_BYTES // 1024)

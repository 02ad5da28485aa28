"""Read a `.keras` archive by what is really inside it: member count, methods, and bytes as they inflate.

Nothing is extracted to disk and only the members Keras needs are decompressed, each through a running
byte budget that stops at the limit whatever the member's header declares.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from rnnviz import limits
from rnnviz.i18n import _

CONFIG = "config.json"
WEIGHTS = "model.weights.h5"
_NPZ = "model.weights.npz"
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_REFUSED_METHODS = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
_EOCD = b"PK\x05\x06"
_CHUNK = 1024 * 1024
_ZIP64_COUNT = 2**32  # stands for "more than 65,535": the real count sits in a zip64 record rnnviz never reads


def read_members(data: bytes, label: str, budget: int = limits.MAX_UNPACKED_BYTES) -> dict[str, bytes | None]:
    """The decompressed `config.json` and `model.weights.h5` of a `.keras` archive held in memory.

    Args:
        data: the archive's bytes.
        label: the file's name, for the messages.
        budget: the most bytes the members read may inflate to, all together.

    Returns:
        {"config.json": bytes, "model.weights.h5": bytes, or None when the archive has none}.

    Raises:
        ValueError: not a zip; too many members; a member encrypted, compressed other than stored or
            deflate, or inflating past the budget (whatever its header says); assets or `.npz` weights;
            no config.json; a damaged member (bad CRC, truncated stream).
    """
    count = _member_count(data, label)
    if count > limits.MAX_ARCHIVE_MEMBERS:
        if count == _ZIP64_COUNT:
            message = _("{label} holds more than 65,535 files; a Keras archive holds 3 and rnnviz opens archives of "
                        "at most {limit}. Save the model again with model.save('model.keras').")
        else:
            message = _("{label} holds {count:,} files; a Keras archive holds 3 and rnnviz opens archives of at most "
                        "{limit}. Save the model again with model.save('model.keras').")
        raise ValueError(message.format(label=label, count=count, limit=limits.MAX_ARCHIVE_MEMBERS))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = _check_infos(archive.infolist(), label)
            left = [budget, budget]  # [what is left, the whole budget]
            config = _read(archive, infos[CONFIG], label, left, limits.MAX_CONFIG_BYTES)
            weights = _read(archive, infos[WEIGHTS], label, left, budget) if WEIGHTS in infos else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError,
            OSError, struct.error) as err:
        raise ValueError(_(
            "{label} is a damaged Keras archive: {error}"
        ).format(label=label, error=_first_line(err))) from None
    return {CONFIG: config, WEIGHTS: weights}


def _member_count(data: bytes, label: str) -> int:
    """Entries the central directory declares, read from its end record before zipfile lists them all."""
    at = data.rfind(_EOCD, max(0, len(data) - 22 - 65535))
    if data[:4] not in (b"PK\x03\x04", b"PK\x05\x06") or at < 0 or len(data) < at + 22:
        raise ValueError(_(
            "{label} is not a Keras archive (a .keras file is a zip); it may be damaged or renamed"
        ).format(label=label))
    entries = struct.unpack_from("<H", data, at + 10)[0]
    return _ZIP64_COUNT if entries == 0xFFFF else entries  # 0xFFFF: a zip64 count, never needed by a Keras save


def _check_infos(infos: list[zipfile.ZipInfo], label: str) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > limits.MAX_ARCHIVE_MEMBERS:
        raise ValueError(_(
            "{label} holds {count:,} files; rnnviz opens archives of at most {MAX_ARCHIVE_MEMBERS}. Save the "
            "model again with model.save('model.keras')."
        ).format(label=label, count=len(infos), MAX_ARCHIVE_MEMBERS=limits.MAX_ARCHIVE_MEMBERS))
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise ValueError(_(
            "{label} is a damaged Keras archive: it holds two files of the same name"
        ).format(label=label))
    assets = [n for n in names if n.startswith("assets/") and not n.endswith("/")]
    if assets:
        raise ValueError(_(
            "{label} holds assets ({value!r}, {count} in all); rnnviz's layers use none (text vectorization "
            "and lookup layers are not shown). Remove those layers and save again."
        ).format(label=label, value=assets[0], count=len(assets)))
    by_name = {info.filename: info for info in infos}
    if CONFIG not in by_name:
        raise ValueError(_("{label} is a zip without config.json, so not a Keras archive").format(label=label))
    if WEIGHTS not in by_name and _NPZ in by_name:
        raise ValueError(_(
            "{label} holds its weights as model.weights.npz; rnnviz reads the model.weights.h5 Keras writes "
            "by default. Save again with model.save('model.keras')."
        ).format(label=label))
    return by_name


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, left: list[int], cap: int) -> bytes:
    """One member, inflated in chunks; stops past `cap` or the archive's remaining budget `left[0]`."""
    _check_method(info, label)
    limit = min(cap, left[0])
    parts, size = [], 0
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise _too_big(info.filename, label, limit == cap and cap < left[1], left[1])
            parts.append(chunk)
    left[0] -= size
    return b"".join(parts)


def _check_method(info: zipfile.ZipInfo, label: str) -> None:
    if info.flag_bits & 0x1:
        raise ValueError(_(
            "{label} is a damaged Keras archive: {filename} is encrypted"
        ).format(label=label, filename=info.filename))
    if info.compress_type in _REFUSED_METHODS:
        raise ValueError(_(
            "{label} stores {filename} compressed with {value}; rnnviz reads members stored or compressed "
            "with deflate, as Keras writes them. Save the model again with model.save('model.keras')."
        ).format(label=label, filename=info.filename, value=_REFUSED_METHODS[info.compress_type]))
    if info.compress_type not in _METHODS:
        raise ValueError(_(
            "{label} is a damaged Keras archive: {filename} uses unknown compression method {compress_type}"
        ).format(label=label, filename=info.filename, compress_type=info.compress_type))


def _too_big(name: str, label: str, own_cap: bool, budget: int) -> ValueError:
    if own_cap:
        return ValueError(_(
            "{label} holds a {name} of more than {value} MB, the most rnnviz reads; a model's config takes a "
            "few KB per layer. Save a smaller model."
        ).format(label=label, name=name, value=limits.MAX_CONFIG_BYTES // 1024**2))
    return ValueError(_(
        "{label} unpacks to more than {value:.0f} MB ({name} inflates past the limit, whatever its header"
        " says); rnnviz opens models that unpack to at most that. Save a smaller model."
    ).format(label=label, value=budget / 1024**2, name=name))


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0][:300]

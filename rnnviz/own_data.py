"""A person's own sequences: typed token ids, `.npy`/`.csv` uploads and a vocabulary file.

Everything is checked against what the model's input needs (`rnnviz.feeding.InputNeeds` fields,
passed as plain numbers so this module needs no model), and every refusal names the problem and
its fix. Numpy and the standard library only.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field

import numpy as np

from rnnviz.i18n import _
from rnnviz.limits import MAX_BATCH, MAX_DATA_BYTES, MAX_FEATURES, MAX_TIMESTEPS, MAX_VOCAB, MAX_VOCAB_FILE_BYTES

DATA_SUFFIXES = (".npy", ".csv")
TOP_CLASSES = 5


@dataclass(frozen=True)
class OwnArray:
    """An uploaded array; equal (and hashed) by file name and content digest, so it can key a cache."""

    name: str
    digest: str
    array: np.ndarray = field(compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Vocabulary:
    """Tokens by id (line i of the file is id i); equal by file name and digest."""

    name: str
    digest: str
    tokens: tuple[str, ...] = field(compare=False, hash=False, repr=False)

    def label(self, token_id: int) -> str:
        """The token of an id, or the id itself when the file has no line for it."""
        return self.tokens[token_id] if 0 <= token_id < len(self.tokens) else str(token_id)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _check_size(what: str, size: int, limit: int) -> None:
    if size > limit:
        raise ValueError(_(
            "{what} is {size:,} bytes, more than the limit of {limit:,} bytes: send fewer rows or shorter "
            "sequences"
        ).format(what=what, size=size, limit=limit))


def parse_token_ids(text: str) -> np.ndarray:
    """Typed or pasted token ids: numbers split by spaces or commas, rows by new lines or ';'.

    Args:
        text: e.g. "3 14 15 9" or "1 2 3; 4 5 6".

    Returns:
        The ids.  # (rows, timesteps) int64

    Raises:
        ValueError: on an empty text, a word that is not a whole number >= 0, or rows of
            different lengths.
    """
    _check_size(_("the typed ids"), len(text.encode("utf-8", "surrogatepass")), MAX_DATA_BYTES)
    lines = [ln.strip() for ln in re.split(r"[;\n\r]+", text) if ln.strip()]
    if not lines:
        raise ValueError(_("no token ids were typed: type whole numbers such as 3 14 15 9 (rows split by ';')"))
    rows = []
    for i, line in enumerate(lines):
        words = [w for w in re.split(r"[\s,]+", line) if w]
        bad = [w for w in words if not w.isdigit()]
        if bad:
            raise ValueError(_(
                "row {i} holds {value!r}, which is not a token id: use whole numbers >= 0 only"
            ).format(i=i, value=bad[0]))
        rows.append([int(w) for w in words])
    _check_ragged([len(r) for r in rows])
    return np.array(rows, dtype=np.int64)


def _check_ragged(lengths: list[int]) -> None:
    if len(set(lengths)) > 1:
        i = next(i for i, n in enumerate(lengths) if n != lengths[0])
        raise ValueError(_(
            "rows differ in length: row 0 has {value} values but row {i} has {value2}; give every row the "
            "same number of steps (pad with 0)"
        ).format(value=lengths[0], i=i, value2=lengths[i]))


def load_array(data: bytes, name: str) -> OwnArray:
    """Read an uploaded `.npy` (numpy.save, no pickles) or `.csv` (one row per sequence).

    A `.csv` holds numbers split by commas, one sequence per line: token ids for a token model,
    or one feature per step (a model reading 1 feature) for a vector model.

    Raises:
        ValueError: on another suffix, a file past `MAX_DATA_BYTES`, or one that does not parse.
    """
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    if suffix not in DATA_SUFFIXES:
        raise ValueError(_(
            "{name} is not a .npy or .csv file: save the array with numpy.save('x.npy', array)"
        ).format(name=name))
    _check_size(name, len(data), MAX_DATA_BYTES)
    return OwnArray(name, _digest(data), _read_npy(data, name) if suffix == ".npy" else _read_csv(data, name))


def _read_npy(data: bytes, name: str) -> np.ndarray:
    if not data.startswith(b"\x93NUMPY"):
        raise ValueError(_(
            "{name} is not a readable .npy file (no numpy header): save it with numpy.save"
        ).format(name=name))
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as err:
        if "pickle" in str(err):
            raise ValueError(_(
                "{name} holds Python objects, which are not read (they could run code): save a plain numeric "
                "array"
            ).format(name=name)) from None
        raise ValueError(_(
            "{name} is not a readable .npy file ({err}): save it with numpy.save"
        ).format(name=name, err=err)) from None
    except (OSError, EOFError) as err:
        raise ValueError(_(
            "{name} is not a readable .npy file ({err}): save it with numpy.save"
        ).format(name=name, err=err)) from None
    if not isinstance(array, np.ndarray):
        raise ValueError(_("{name} holds several arrays: upload one array per .npy file").format(name=name))
    return array


def _read_csv(data: bytes, name: str) -> np.ndarray:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_("{name} is not UTF-8 text: save it as a plain .csv of numbers").format(name=name)) from None
    rows = []
    for i, line in enumerate(ln for ln in text.splitlines() if ln.strip()):
        try:
            rows.append([float(w) for w in line.split(",")])
        except ValueError:
            raise ValueError(_(
                "row {i} of {name} holds something that is not a number: keep only numbers split by commas"
            ).format(i=i, name=name)) from None
    if not rows:
        raise ValueError(_("{name} is empty: put one sequence per line, numbers split by commas").format(name=name))
    _check_ragged([len(r) for r in rows])
    array = np.array(rows, dtype=np.float64)
    if np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        return array.astype(np.int64)  # whole numbers: token ids, or integer-valued signals
    return array


def fit_tokens(array: np.ndarray, vocab_size: int, batch: int | None, timesteps: int | None) -> np.ndarray:
    """Check an array of token ids against a token input and give it as int32.

    A 1-D array is one sequence. Ids must be whole numbers in [0, vocab_size).

    Returns:
        The ids.  # (batch, timesteps) int32

    Raises:
        ValueError: naming the problem (dimensions, dtype, NaN, id range, a fixed size) and the fix.
    """
    array = np.asarray(array)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2:
        raise ValueError(_(
            "this model reads token ids shaped (batch, timesteps), but the data has shape {shape}: give one "
            "row of ids per sequence"
        ).format(shape=array.shape))
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)):
            raise ValueError(_("the token ids hold NaN or infinity: every step needs a whole-number id"))
        if not np.all(array == np.round(array)):
            raise ValueError(_(
                "this model reads whole-number token ids, but the data holds fractions (dtype {dtype}): save the "
                "ids as integers"
            ).format(dtype=array.dtype))
    elif array.dtype.kind not in "iub":
        raise ValueError(_(
            "this model reads integer token ids, but the data has dtype {dtype}: save the ids as integers"
        ).format(dtype=array.dtype))
    _check_sizes(array.shape, batch, timesteps)
    if array.min() < 0 or array.max() >= vocab_size:
        bad = array.min() if array.min() < 0 else array.max()
        raise ValueError(_(
            "token id {value} is outside this model's vocabulary of {vocab_size} (ids 0 to {value2}): use ids"
            " in that range"
        ).format(value=int(bad), vocab_size=vocab_size, value2=vocab_size - 1))
    return array.astype(np.int32)


def fit_vectors(array: np.ndarray, features: int, batch: int | None, timesteps: int | None) -> np.ndarray:
    """Check an array of vectors against a vector input and give it as float32.

    A 2-D array is (batch, timesteps) when the model reads 1 feature, else one sequence
    (timesteps, features).

    Returns:
        The vectors.  # (batch, timesteps, features) float32

    Raises:
        ValueError: naming the problem (dimensions, dtype, NaN, features, a fixed size) and the fix.
    """
    array = np.asarray(array)
    if array.dtype.kind not in "fiub":
        raise ValueError(_(
            "this model reads numbers, but the data has dtype {dtype}: save a float array"
        ).format(dtype=array.dtype))
    if array.ndim == 2:
        array = array[:, :, None] if features == 1 else array[None]
    if array.ndim != 3:
        raise ValueError(_(
            "this model reads vectors shaped (batch, timesteps, {features}), but the data has shape {shape}: "
            "reshape it to three dimensions"
        ).format(features=features, shape=array.shape))
    if array.shape[2] != features:
        raise ValueError(_(
            "this model reads {features} features per step, but the data has {value} (shape {shape}): give "
            "(batch, timesteps, {features})"
        ).format(features=features, value=array.shape[2], shape=array.shape))
    if not np.all(np.isfinite(array)):
        raise ValueError(_("the data holds NaN or infinity: replace them with numbers before uploading"))
    _check_sizes(array.shape, batch, timesteps)
    return array.astype(np.float32)


def _check_sizes(shape: tuple[int, ...], batch: int | None, timesteps: int | None) -> None:
    rows, steps = shape[0], shape[1]
    if rows < 1 or steps < 1:
        raise ValueError(_("the data has shape {shape}: it needs at least one row and one step").format(shape=shape))
    if batch is not None and rows != batch:
        raise ValueError(_(
            "this model takes a fixed batch of {batch} rows, but the data has {rows}: give exactly {batch} "
            "rows"
        ).format(batch=batch, rows=rows))
    if timesteps is not None and steps != timesteps:
        raise ValueError(_(
            "this model takes exactly {timesteps} timesteps, but the data has {steps}: cut or pad every row "
            "to {timesteps}"
        ).format(timesteps=timesteps, steps=steps))
    if rows > MAX_BATCH or steps > MAX_TIMESTEPS or (len(shape) > 2 and shape[2] > MAX_FEATURES):
        raise ValueError(_(
            "the data has shape {shape}; the limits are {MAX_BATCH} rows, {MAX_TIMESTEPS} timesteps and "
            "{MAX_FEATURES} features: send less"
        ).format(shape=shape, MAX_BATCH=MAX_BATCH, MAX_TIMESTEPS=MAX_TIMESTEPS, MAX_FEATURES=MAX_FEATURES))


def load_vocabulary(data: bytes, name: str) -> Vocabulary:
    """A vocabulary file: UTF-8 text, one token per line, line i naming token id i.

    Raises:
        ValueError: on a file past `MAX_VOCAB_FILE_BYTES` or `MAX_VOCAB` lines, one that is not
            UTF-8, or an empty one.
    """
    _check_size(name, len(data), MAX_VOCAB_FILE_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_(
            "{name} is not UTF-8 text: save the vocabulary as UTF-8, one token per line"
        ).format(name=name)) from None
    tokens = text.splitlines()
    while tokens and not tokens[-1].strip():
        tokens.pop()
    if not tokens:
        raise ValueError(_("{name} is empty: put one token per line, line 0 naming id 0").format(name=name))
    if len(tokens) > MAX_VOCAB:
        raise ValueError(_(
            "{name} has {count:,} lines, more than the limit of {MAX_VOCAB:,} tokens: keep the tokens the "
            "model's Embedding knows"
        ).format(name=name, count=len(tokens), MAX_VOCAB=MAX_VOCAB))
    return Vocabulary(name, _digest(data), tuple(tokens))


@dataclass(frozen=True)
class OutputReading:
    """A model output for one batch row at one step (or its only value).

    Attributes:
        values: the output's values there.  # (classes,) float32
        per_step: whether the output has one value per timestep.
        step: the step read (the last when the output is not per step).
        top: (class index, value) of the largest values, largest first.
    """

    values: np.ndarray
    per_step: bool
    step: int
    top: tuple[tuple[int, float], ...]


def read_output(output: np.ndarray, row: int, step: int, timesteps: int) -> OutputReading:
    """The model's output for batch row `row` at `step` when it gives one per step, else at the end.

    Args:
        output: one model output.  # (batch, timesteps, classes) or (batch, classes) or (batch,)
        row: the batch row.
        step: the step wanted, 0..timesteps-1.
        timesteps: the input's timesteps (an output with this second axis is per step).
    """
    output = np.asarray(output)
    per_step = output.ndim == 3 and output.shape[1] == timesteps
    values = output[row, step] if per_step else output[row].reshape(-1)
    values = np.asarray(values, dtype=np.float32).reshape(-1)
    order = np.argsort(-values, kind="stable")[:TOP_CLASSES]
    return OutputReading(values, per_step, step if per_step else timesteps - 1,
                         tuple((int(i), float(values[i])) for i in order))

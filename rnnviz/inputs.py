"""What a model is fed: text as token ids, seeded random vectors, or simple signals.

Everything here is numpy and the standard library, so the input panel and its tests need no
model. `make_inputs` is the one call a page makes: it turns an `InputChoice` (what the person
picked) into a `PreparedInput` (the array, one label per timestep, and a note saying what was
adjusted to fit the model).

Token ids follow one convention: 0 is padding (what `Embedding(mask_zero=True)` masks), 1 is
"unknown", and real tokens get 2, 3, ... in order of first appearance. Tokens that do not fit
the vocabulary share ids chosen by a stable hash (BLAKE2b), so the same text always gives the
same ids, in every process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnviz import own_data
from rnnviz.i18n import _
from rnnviz.limits import MAX_BATCH, MAX_FEATURES, MAX_TIMESTEPS, MAX_VOCAB
from rnnviz.own_data import OwnArray, Vocabulary

PAD_ID = 0
UNK_ID = 1
FIRST_TOKEN_ID = 2
PAD_LABEL = "<pad>"
MODES = ("char", "word")
SOURCES = ("text", "random", "signal", "ids", "file")  # ids: typed token ids; file: an uploaded array
SIGNAL_KINDS = ("sine", "step", "impulse", "count")
MAX_SEED = 2**32 - 1
MAX_TEXT_CHARS = 200_000  # refused before tokenizing, so a pasted book cannot stall the page
MAX_INPUT_VALUES = 2**25  # batch x timesteps x features of one generated input (128 MiB float32)
MAX_LABEL_CHARS = 16
DEFAULT_TEXT = "the quick brown fox jumps over the lazy dog."

# Optional keyword parameters of `signal`, with their defaults (None: computed from the shape).
_SIGNAL_PARAMS: dict[str, dict[str, Any]] = {
    "sine": {"amplitude": 1.0, "period": None, "noise": 0.0},
    "step": {"amplitude": 1.0, "at": None, "noise": 0.0},
    "impulse": {"amplitude": 1.0, "at": 0, "noise": 0.0},
    "count": {"amplitude": 1.0, "noise": 0.0},
}


# ---------------------------------------------------------------------------------------------
# Argument checks: every message names the argument, the bad value and what is allowed.


def _check_int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(_(
            "{name} must be a whole number from {low} to {high}; got {value!r}"
        ).format(name=name, low=low, high=high, value=value))
    if not low <= value <= high:
        raise ValueError(_(
            "{name} must be from {low} to {high}; got {value}"
        ).format(name=name, low=low, high=high, value=value))
    return int(value)


def _check_float(name: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(_(
            "{name} must be a number from {low} to {high}; got {value!r}"
        ).format(name=name, low=low, high=high, value=value))
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(_(
            "{name} must be from {low} to {high}; got {value}"
        ).format(name=name, low=low, high=high, value=value))
    return float(value)


def _check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(_(
            "{name} must be one of {allowed}; got {value!r}"
        ).format(name=name, allowed=', '.join(map(repr, allowed)), value=value))
    return value


def _check_shape(batch: int, timesteps: int, features: int) -> tuple[int, int, int]:
    batch = _check_int("batch", batch, 1, MAX_BATCH)
    timesteps = _check_int("timesteps", timesteps, 1, MAX_TIMESTEPS)
    features = _check_int("features", features, 1, MAX_FEATURES)
    if batch * timesteps * features > MAX_INPUT_VALUES:
        raise ValueError(
            _(
                "batch x timesteps x features = {batch} x {timesteps} x {features} = {values:,} values, more than "
                "the limit of {limit:,}: lower one of them"
            ).format(
                batch=batch,
                timesteps=timesteps,
                features=features,
                values=batch * timesteps * features,
                limit=MAX_INPUT_VALUES,
            )
        )
    return batch, timesteps, features


# ---------------------------------------------------------------------------------------------
# Text to tokens.


def _is_extend(ch: str) -> bool:
    """Whether `ch` attaches to the character before it (marks, variation selectors, ...)."""
    cp = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0x1F3FB <= cp <= 0x1F3FF  # emoji skin tones
        or 0xE0020 <= cp <= 0xE007F  # emoji tag sequences (subdivision flags)
        or cp == 0x200C
    )


def _is_pictograph(ch: str) -> bool:
    cp = ord(ch)
    return unicodedata.category(ch) == "So" or 0x1F000 <= cp <= 0x1FAFF


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _hangul_type(ch: str) -> str:
    cp = ord(ch)
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97F:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


_HANGUL_JOINS = {"L": ("L", "V", "LV", "LVT"), "V": ("V", "T"), "LV": ("V", "T"), "T": ("T",), "LVT": ("T",)}


def graphemes(text: str) -> list[str]:
    """Split text into user-perceived characters (a simplified Unicode grapheme segmentation).

    A base character keeps its combining marks, variation selectors and emoji modifiers; emoji
    joined by a zero-width joiner, flag pairs, old Hangul jamo syllables and CR LF stay whole.

    Args:
        text: any string.

    Returns:
        The clusters, in order; joining them gives back `text`.
    """
    clusters: list[str] = []
    i, n = 0, len(text)
    while i < n:
        start, ch = i, text[i]
        i += 1
        if ch == "\r" and i < n and text[i] == "\n":
            i += 1
        elif unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            pass  # control characters never join anything
        elif _is_regional(ch) and i < n and _is_regional(text[i]):
            i += 1
        else:
            while i < n and _hangul_type(text[i]) in _HANGUL_JOINS.get(_hangul_type(text[i - 1]), ()):
                i += 1
        while ch not in "\r\n" and i < n:
            nxt = text[i]
            if _is_extend(nxt):
                i += 1
            elif nxt == "\u200d":  # zero-width joiner: glue the next pictograph on
                i += 1
                if i < n and _is_pictograph(text[i]):
                    i += 1
            else:
                break
        clusters.append(text[start:i])
    return clusters


def _is_word_char(cluster: str) -> bool:
    ch = cluster[0]
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


def split_tokens(text: str, mode: str) -> list[str]:
    """Split text (already NFC) into tokens: characters, or words and punctuation marks.

    Args:
        text: the text.
        mode: "char" (every character, spaces included) or "word" (runs of letters, digits and
            underscores; each punctuation mark, symbol or emoji is a token of its own;
            whitespace separates and is dropped).

    Returns:
        The tokens in order.
    """
    _check_choice("mode", mode, MODES)
    clusters = graphemes(text)
    if mode == "char":
        return clusters
    tokens: list[str] = []
    word: list[str] = []
    for cluster in clusters:
        if _is_word_char(cluster):
            word.append(cluster)
            continue
        if word:
            tokens.append("".join(word))
            word = []
        if not cluster[0].isspace():
            tokens.append(cluster)
    if word:
        tokens.append("".join(word))
    return tokens


def stable_id(token: str, vocab_size: int) -> int:
    """The id an out-of-vocabulary token shares: a BLAKE2b hash mapped into [2, vocab_size).

    Python's `hash()` is salted per process, so it would give other ids after a restart.

    Args:
        token: the token.
        vocab_size: the model's Embedding input_dim.

    Returns:
        An id in [2, vocab_size), or 1 (unknown) when the vocabulary has no room for tokens.
    """
    room = vocab_size - FIRST_TOKEN_ID
    if room <= 0:
        return UNK_ID
    digest = hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return FIRST_TOKEN_ID + int.from_bytes(digest, "big") % room


def display_label(token: str) -> str:
    """A token as a readable axis label: visible whitespace, named controls, short."""
    names = {" ": "␣", "\n": "↵", "\r\n": "↵", "\r": "↵", "\t": "⇥", "\u3000": "␣"}
    if token in names:
        return names[token]
    if token.isspace():
        return "␣"
    if unicodedata.category(token[0]) in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return "".join(f"U+{ord(c):04X}" for c in token[:2])
    if unicodedata.category(token[0]).startswith("M"):
        token = "◌" + token  # a lone combining mark needs a base to be seen
    return token if len(token) <= MAX_LABEL_CHARS else token[: MAX_LABEL_CHARS - 1] + "…"


@dataclass(frozen=True, eq=False)
class TokenizedText:
    """Text turned into token ids for an Embedding.

    Attributes:
        ids: token id of each step, in [0, vocab_size).  # (timesteps,) int32, read-only
        tokens: the token of each step, exactly as it appears in the (NFC-normalized) text.
        vocabulary: every distinct token -> its id, in order of first appearance; ids 0 (pad)
            and 1 (unknown) are reserved and never appear here.
        overflow: distinct tokens that did not fit the vocabulary and share a hashed id.
        mode: "char" or "word".
        vocab_size: the vocabulary size the ids fit.
        note: one sentence for people when tokens had to share ids, else "".
    """

    ids: np.ndarray  # (timesteps,) int32
    tokens: tuple[str, ...]
    vocabulary: dict[str, int]
    overflow: tuple[str, ...]
    mode: str
    vocab_size: int
    note: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        """One readable label per timestep (spaces shown as ␣), for the time axis."""
        return tuple(display_label(t) for t in self.tokens)


def tokenize(text: str, mode: str = "char", vocab_size: int = 1000, *, max_timesteps: int = MAX_TIMESTEPS) -> TokenizedText:
    """Turn typed text into token ids that fit an Embedding of `vocab_size` rows.

    The text is NFC-normalized first, so the same visible text gives the same ids however it
    was typed. Ids start at 2 in order of first appearance; tokens past the vocabulary's room
    share ids by a stable hash (see `stable_id`) and are listed in `overflow`.

    Args:
        text: the text; must hold something besides whitespace.
        mode: "char" or "word" (see `split_tokens`).
        vocab_size: the Embedding's input_dim, 2 to MAX_VOCAB.
        max_timesteps: the most tokens accepted, 1 to MAX_TIMESTEPS.

    Returns:
        The ids, the tokens and the vocabulary.

    Raises:
        ValueError: on empty or too long text, or an argument out of range.
    """
    if not isinstance(text, str):
        raise ValueError(_("text must be a string; got {type_name}").format(type_name=type(text).__name__))
    _check_choice("mode", mode, MODES)
    vocab_size = _check_int("vocab_size", vocab_size, 2, MAX_VOCAB)
    max_timesteps = _check_int("max_timesteps", max_timesteps, 1, MAX_TIMESTEPS)
    if not text or text.isspace():
        raise ValueError(_("the text is empty: type something for the model to read"))
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(
            _(
                "the text is {count:,} characters long; the limit is {max_timesteps} timesteps (and "
                "{MAX_TEXT_CHARS:,} characters): shorten it"
            ).format(count=len(text), max_timesteps=max_timesteps, MAX_TEXT_CHARS=MAX_TEXT_CHARS)
        )
    tokens = split_tokens(unicodedata.normalize("NFC", text), mode)
    if len(tokens) > max_timesteps:
        if mode == "char":
            message = _("the text is {count} characters long, but the limit is {limit} timesteps: "
                        "shorten it by {excess}")
        else:
            message = _("the text is {count} tokens (words and punctuation) long, but the limit is {limit} "
                        "timesteps: shorten it by {excess}")
        raise ValueError(message.format(count=len(tokens), limit=max_timesteps, excess=len(tokens) - max_timesteps))
    vocabulary: dict[str, int] = {}
    overflow: list[str] = []
    for token in tokens:
        if token not in vocabulary:
            next_id = FIRST_TOKEN_ID + len(vocabulary) - len(overflow)
            if next_id < vocab_size:
                vocabulary[token] = next_id
            else:
                vocabulary[token] = stable_id(token, vocab_size)
                overflow.append(token)
    ids = np.array([vocabulary[t] for t in tokens], dtype=np.int32)
    ids.setflags(write=False)
    note = ""
    if overflow:
        room = max(vocab_size - FIRST_TOKEN_ID, 0)
        if room:
            note = _("{count} of {distinct} distinct tokens did not fit the vocabulary of {vocab_size} (ids 0 and 1 "
                     "are reserved, {room} left); they share ids 2..{last} by a stable hash.")
        else:
            note = _("{count} of {distinct} distinct tokens did not fit the vocabulary of {vocab_size} (ids 0 and 1 "
                     "are reserved, {room} left); they share the unknown id 1.")
        note = note.format(count=len(overflow), distinct=len(vocabulary), vocab_size=vocab_size, room=room,
                           last=vocab_size - 1)
    return TokenizedText(ids, tuple(tokens), vocabulary, tuple(overflow), mode, vocab_size, note)


def token_batch(ids: np.ndarray, batch: int) -> np.ndarray:
    """Repeat one sequence of token ids over a batch (stateful models need a fixed batch).

    Args:
        ids: token ids.  # (timesteps,)
        batch: rows wanted, 1 to MAX_BATCH.

    Returns:
        The same ids in every row.  # (batch, timesteps) int32
    """
    batch = _check_int("batch", batch, 1, MAX_BATCH)
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size == 0:
        raise ValueError(_(
            "ids must be a non-empty 1-D array of token ids; got shape {shape}"
        ).format(shape=ids.shape))
    if not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0:
        raise ValueError(_(
            "ids must be non-negative integers; got dtype {dtype}, min {min}"
        ).format(dtype=ids.dtype, min=ids.min()))
    _check_int("timesteps", ids.size, 1, MAX_TIMESTEPS)
    return np.tile(ids.astype(np.int32), (batch, 1))


# ---------------------------------------------------------------------------------------------
# Vectors.


def random_normal(batch: int = 64, timesteps: int = 100, features: int = 64, seed: int = 0) -> np.ndarray:
    """Standard normal vectors, the same for the same seed (the Keras guide feeds 64 x 100 x 64).

    Args:
        batch: rows, 1 to MAX_BATCH.
        timesteps: steps, 1 to MAX_TIMESTEPS.
        features: features per step, 1 to MAX_FEATURES.
        seed: 0 to 2**32 - 1.

    Returns:
        The values.  # (batch, timesteps, features) float32
    """
    batch, timesteps, features = _check_shape(batch, timesteps, features)
    seed = _check_int("seed", seed, 0, MAX_SEED)
    return np.random.default_rng(seed).standard_normal((batch, timesteps, features), dtype=np.float32)


def signal(kind: str, batch: int, timesteps: int, features: int, seed: int = 0, **params: Any) -> np.ndarray:
    """A simple signal to watch a layer respond to; the same for every feature unless noted.

    Kinds (t is the step, T the number of steps, A the amplitude):

    - "sine": A·sin(2π t / p_f + φ_f + ψ_b). Feature f has period p_f = period · 2^(f/(F-1))
      (from `period` to twice it) and phase φ_f = 2π f / F; row 0 has ψ_0 = 0 and other rows a
      seeded random phase ψ_b. `period` defaults to max(4, T/5) steps.
    - "step": 0 before step `at` (default T // 2), A from it on.
    - "impulse": A at step `at` (default 0), 0 elsewhere.
    - "count": a ramp A·t/T, from 0 at the first step to A·(T-1)/T at the last.

    Every kind takes `noise` (default 0): the standard deviation of seeded normal noise added.

    Args:
        kind: "sine", "step", "impulse" or "count".
        batch: rows, 1 to MAX_BATCH.
        timesteps: steps, 1 to MAX_TIMESTEPS.
        features: features per step, 1 to MAX_FEATURES.
        seed: 0 to 2**32 - 1; sets the row phases of "sine" and the noise.
        **params: `amplitude` (-100..100), `period` (sine, 1..100000 steps), `at` (step and
            impulse, 0..timesteps-1), `noise` (0..100).

    Returns:
        The signal.  # (batch, timesteps, features) float32

    Raises:
        ValueError: on an unknown kind or parameter, or a value out of range.
    """
    _check_choice("kind", kind, SIGNAL_KINDS)
    batch, timesteps, features = _check_shape(batch, timesteps, features)
    seed = _check_int("seed", seed, 0, MAX_SEED)
    allowed = _SIGNAL_PARAMS[kind]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(
            _(
                "signal {kind!r} takes no parameter {unknown}; it takes {allowed}"
            ).format(kind=kind, unknown=', '.join(unknown), allowed=', '.join(allowed))
        )
    p = {**allowed, **params}
    amplitude = _check_float("amplitude", p["amplitude"], -100.0, 100.0)
    noise = _check_float("noise", p["noise"], 0.0, 100.0)
    rng = np.random.default_rng(seed)
    t = np.arange(timesteps, dtype=np.float64)
    if kind == "sine":
        period = max(4.0, timesteps / 5) if p["period"] is None else p["period"]
        period = _check_float("period", period, 1.0, 100_000.0)
        f = np.arange(features, dtype=np.float64)
        periods = period * 2.0 ** (f / max(features - 1, 1))
        row_phase = rng.uniform(0.0, 2 * math.pi, size=batch)
        row_phase[0] = 0.0
        angle = 2 * math.pi * t[None, :, None] / periods + 2 * math.pi * f / features + row_phase[:, None, None]
        values = amplitude * np.sin(angle)
    else:
        if kind == "count":
            wave = t / timesteps
        else:
            default_at = timesteps // 2 if kind == "step" else 0
            at = _check_int("at", default_at if p["at"] is None else p["at"], 0, timesteps - 1)
            wave = (t >= at) if kind == "step" else (t == at)
        values = np.broadcast_to(amplitude * wave.astype(np.float64)[None, :, None], (batch, timesteps, features))
    out = values.astype(np.float32)
    if noise:
        out += noise * rng.standard_normal(out.shape, dtype=np.float32)
    return out


# ---------------------------------------------------------------------------------------------
# The input panel's choice, and what it prepares.


@dataclass(frozen=True)
class InputChoice:
    """What the person picked in the input panel; hashable, so it can key a cache.

    Attributes:
        source: "text" (token ids, for a model starting with an Embedding), "random" (normal
            vectors, or random token ids for a token model) or "signal" (vectors).
        text: the typed text (source "text").
        mode: "char" or "word" tokens (source "text").
        seed: seed of "random" and of a signal's phases and noise.
        signal: "sine", "step", "impulse" or "count" (source "signal").
        batch: rows, unless the model fixes its batch.
        timesteps: steps of "random" and "signal", unless the model fixes them.
        features: features of "random" and "signal", unless the model fixes them.
        row: which batch row the pages show.
        own: the uploaded array (source "file").
        vocab: a vocabulary file naming the ids of a token model (sources "ids", "file", "random").
    """

    source: str = "random"
    text: str = DEFAULT_TEXT
    mode: str = "char"
    seed: int = 0
    signal: str = "sine"
    batch: int = 64
    timesteps: int = 100
    features: int = 64
    row: int = 0
    own: OwnArray | None = None
    vocab: Vocabulary | None = None

    def __post_init__(self) -> None:
        _check_choice("source", self.source, SOURCES)
        _check_choice("mode", self.mode, MODES)
        _check_choice("signal", self.signal, SIGNAL_KINDS)
        if not isinstance(self.text, str):
            raise ValueError(_("text must be a string; got {type_name}").format(type_name=type(self.text).__name__))
        _check_int("seed", self.seed, 0, MAX_SEED)
        _check_shape(self.batch, self.timesteps, self.features)
        _check_int("row", self.row, 0, self.batch - 1)

    def to_dict(self) -> dict[str, Any]:
        """The fields, by name (JSON-ready unless an uploaded array or vocabulary is set)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputChoice:
        """Rebuild from `to_dict` output; missing fields take their defaults."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(_(
                "InputChoice has no field {unknown}; fields: {fields}"
            ).format(unknown=', '.join(unknown), fields=', '.join(sorted(names))))
        return cls(**data)


def default_choice(input_kind: str) -> InputChoice:
    """The panel's first choice for a model input: the sample text for token ids, else the
    guide's random batch (64 x 100 x 64).

    Args:
        input_kind: "tokens" or "vectors".
    """
    _check_choice("input_kind", input_kind, ("tokens", "vectors"))
    return InputChoice(source="text" if input_kind == "tokens" else "random")


@dataclass(frozen=True, eq=False)
class PreparedInput:
    """An input ready for the model.

    Attributes:
        array: token ids  # (batch, timesteps) int32
            or vectors  # (batch, timesteps, features) float32
        labels: one label per timestep: the tokens, or "0", "1", ...
        note: what was adjusted to fit the model, in sentences; "" when nothing was.
        row: the batch row to show (the chosen one, moved inside a smaller fixed batch).
        tokenized: the tokenizer's result when the source is text (for the vocabulary).
    """

    array: np.ndarray
    labels: tuple[str, ...]
    note: str = ""
    row: int = 0
    tokenized: TokenizedText | None = field(default=None)

    @property
    def kind(self) -> str:
        """"tokens" or "vectors"."""
        return "tokens" if self.array.ndim == 2 else "vectors"


def _fit_steps(ids: np.ndarray, tokens: tuple[str, ...], timesteps: int) -> tuple[np.ndarray, tuple[str, ...], str]:
    """Pad with id 0 at the end (right padding keeps cuDNN usable) or cut to `timesteps`."""
    n = ids.size
    if n == timesteps:
        return ids, tokens, ""
    if n > timesteps:
        return ids[:timesteps], tokens[:timesteps], _("The text was cut from {n} to the model's {timesteps} timesteps.").format(
            n=n, timesteps=timesteps)
    pad = timesteps - n
    ids = np.concatenate([ids, np.full(pad, PAD_ID, dtype=np.int32)])
    note = _("The text was padded with {pad} steps of id 0 to the model's {timesteps} timesteps.").format(
        pad=pad, timesteps=timesteps)
    return ids, tokens + (PAD_LABEL,) * pad, note


def make_inputs(
    choice: InputChoice,
    *,
    vocab_size: int | None = None,
    features: int | None = None,
    batch: int | None = None,
    timesteps: int | None = None,
) -> PreparedInput:
    """Turn the panel's choice into the array a model takes, fitted to what the model fixes.

    Pass `vocab_size` for a model that reads token ids (its Embedding's input_dim); otherwise it
    reads vectors of `features` (or the choice's features when the model leaves them free).
    A fixed `batch` or `timesteps` of the model wins over the choice; the note says so.

    Args:
        choice: what the person picked.
        vocab_size: Embedding input_dim, for a token model.
        features: the model's feature count, for a vector model.
        batch: the model's fixed batch size, if any.
        timesteps: the model's fixed sequence length, if any.

    Returns:
        The array, the step labels, the note and the row to show.

    Raises:
        ValueError: when the source does not suit the model (text for a vector model, a signal
            for a token model), or a value is out of range.
    """
    if vocab_size is not None and features is not None:
        raise ValueError(_("pass vocab_size (a model reading token ids) or features (vectors), not both"))
    if choice.source in ("ids", "file"):
        return _own_input(choice, vocab_size=vocab_size, features=features, batch=batch, timesteps=timesteps)
    notes: list[str] = []
    rows = choice.batch if batch is None else _check_int("batch", batch, 1, MAX_BATCH)
    if rows != choice.batch:
        notes.append(_("The model takes a fixed batch of {rows}.").format(rows=rows))
    row = min(choice.row, rows - 1)
    if row != choice.row:
        notes.append(_("Row {wanted} does not exist in a batch of {rows}; showing row {row}.").format(
            wanted=choice.row, rows=rows, row=row))
    steps = choice.timesteps if timesteps is None else _check_int("timesteps", timesteps, 1, MAX_TIMESTEPS)
    if steps != choice.timesteps and choice.source != "text":
        notes.append(_("The model takes exactly {steps} timesteps.").format(steps=steps))
    if vocab_size is not None:
        array, labels, tokenized = _token_input(choice, vocab_size, rows, steps, timesteps is not None, notes)
    else:
        n_features = choice.features if features is None else _check_int("features", features, 1, MAX_FEATURES)
        if n_features != choice.features:
            notes.append(_("The model reads {features} features per step.").format(features=n_features))
        array, labels, tokenized = _vector_input(choice, rows, steps, n_features), None, None
    array.setflags(write=False)
    if labels is None and choice.vocab is not None and array.ndim == 2:
        labels = tuple(display_label(choice.vocab.label(int(i))) for i in array[row])
    return PreparedInput(array, labels or tuple(str(t) for t in range(steps)), " ".join(notes), row, tokenized)


def _own_input(choice: InputChoice, *, vocab_size: int | None, features: int | None, batch: int | None,
               timesteps: int | None) -> PreparedInput:
    """Typed token ids or an uploaded array, checked against the model's input (see rnnviz.own_data)."""
    if choice.source == "ids":
        data = own_data.parse_token_ids(choice.text)
    elif choice.own is None:
        raise ValueError(_("no file is uploaded yet: upload a .npy or .csv file of sequences"))
    else:
        data = choice.own.array
    if vocab_size is not None:
        array = own_data.fit_tokens(data, vocab_size, batch, timesteps)
    elif choice.source == "ids":
        raise ValueError(_(
            "token ids need a model that starts with an Embedding, but this one reads vectors of {features} "
            "features: upload a .npy file of vectors instead"
        ).format(features=features))
    else:
        free = np.ndim(data) == 3 and features is None  # a model with free features takes the data's own
        array = own_data.fit_vectors(data, np.shape(data)[-1] if free else (features or 1), batch, timesteps)
    _check_shape(*array.shape[:2], array.shape[2] if array.ndim == 3 else 1)  # the bound on values fed at once
    row = min(choice.row, array.shape[0] - 1)
    note = ""
    if row != choice.row:
        note = _("Row {wanted} does not exist in {rows} rows; showing row {row}.").format(
            wanted=choice.row, rows=array.shape[0], row=row)
    if array.ndim == 2 and choice.vocab is not None:
        labels = tuple(display_label(choice.vocab.label(int(i))) for i in array[row])
    else:
        labels = tuple(str(t) for t in range(array.shape[1]))
    array.setflags(write=False)
    return PreparedInput(array, labels, note, row)


def _token_input(
    choice: InputChoice, vocab_size: int, rows: int, steps: int, fixed_steps: bool, notes: list[str]
) -> tuple[np.ndarray, tuple[str, ...] | None, TokenizedText | None]:
    """Token ids for a model starting with an Embedding: the typed text, or random ids."""
    vocab_size = _check_int("vocab_size", vocab_size, 2, MAX_VOCAB)
    if choice.source == "signal":
        raise ValueError(
            _(
                "a signal is a vector input, but this model reads token ids (it starts with an Embedding): choose"
                " text or random"
            )
        )
    if choice.source == "random":
        _check_shape(rows, steps, 1)
        low = min(FIRST_TOKEN_ID, vocab_size - 1)  # ids 0 (padding) and 1 (unknown) are not drawn
        return np.random.default_rng(choice.seed).integers(low, vocab_size, (rows, steps), dtype=np.int32), None, None
    tokenized = tokenize(choice.text, choice.mode, vocab_size)
    ids, labels = tokenized.ids, tokenized.labels
    notes.extend([tokenized.note] if tokenized.note else [])
    if fixed_steps:
        ids, labels, fit_note = _fit_steps(ids, labels, steps)
        notes.extend([fit_note] if fit_note else [])
    return token_batch(ids, rows), labels, tokenized


def _vector_input(choice: InputChoice, rows: int, steps: int, features: int) -> np.ndarray:
    """Vectors for a model without an Embedding: seeded random normal values or a signal."""
    if choice.source == "text":
        raise ValueError(
            _(
                "text becomes token ids, but this model reads vectors of {features} features (it has no Embedding"
                " first): choose random or signal"
            ).format(features=features)
        )
    if choice.source == "random":
        return random_normal(rows, steps, features, choice.seed)
    return signal(choice.signal, rows, steps, features, choice.seed)

"""Models kept in the server's memory so that a reload of the page reopens them (the `?own=` link).

A reload starts a new Streamlit session, so whatever the old one held is gone. What a person opened
(an uploaded `.keras` file) or trained (on the Train page) is kept here as plain data: the file's
bytes, or the weights as read-only numpy arrays, never a live Keras model, which is stateful and
must not be shared between sessions. Each session rebuilds its own model from it.

An entry is found by an unguessable random token (`secrets.token_urlsafe`), carried in the page's
URL. The store is bounded: an entry is dropped `ttl_seconds` after its last use, and the least
recently used go first when there are more than `max_entries` or they hold more than `max_bytes`.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from rnnviz import limits

TOKEN_BYTES = 24  # 192 random bits
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")  # what token_urlsafe(24) gives, and nothing else


@dataclass(frozen=True, eq=False)
class KeptModel:
    """One kept model: `kind` ("upload" or "trained"), its data and what else rebuilding it needs."""

    kind: str
    data: bytes | tuple[np.ndarray, ...]  # the file's bytes, or the weights (read-only arrays)
    meta: Mapping[str, Any]  # read-only: the file's name, or the trained model's task, cell, units, seed...
    nbytes: int


def new_token() -> str:
    """A fresh token: 32 characters of A-Z a-z 0-9 _ -, 192 random bits."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def valid_token(token: object) -> bool:
    """Whether `token` has the form `new_token` gives (anything else is not looked up)."""
    return isinstance(token, str) and TOKEN_PATTERN.fullmatch(token) is not None


class ModelStore:
    """A bounded, thread-safe store of `KeptModel`s by token, shared by every session of the process."""

    def __init__(self, *, max_entries: int = limits.KEPT_MODELS, max_bytes: int = limits.KEPT_MODEL_BYTES,
                 ttl_seconds: float = limits.KEPT_MODEL_SECONDS, clock: Callable[[], float] = time.monotonic):
        if max_entries < 1 or max_bytes < 1 or ttl_seconds <= 0:
            raise ValueError(f"a ModelStore needs max_entries, max_bytes and ttl_seconds above 0; got "
                             f"{max_entries!r}, {max_bytes!r}, {ttl_seconds!r}")
        self.max_entries, self.max_bytes, self.ttl_seconds = max_entries, max_bytes, ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[KeptModel, float]] = OrderedDict()  # least recently used first
        self._bytes = 0

    def put(self, kind: str, data: bytes | list | tuple, meta: Mapping[str, Any], *, replaces: str | None = None) -> str:
        """Keep a model and return its new token.

        Args:
            kind: "upload" (data: the `.keras` file's bytes) or "trained" (data: its weights).
            data: the bytes, or a sequence of numpy arrays (copied and made read-only).
            meta: plain values to rebuild it with (copied).
            replaces: a token this one takes the place of (the same session's previous model of that
                kind), dropped now rather than left to expire.

        Raises:
            ValueError: for an unknown kind, or data larger than the whole store may hold.
        """
        if kind not in ("upload", "trained"):
            raise ValueError(f"kind={kind!r}: keep an 'upload' or a 'trained' model")
        if isinstance(data, (bytes, bytearray, memoryview)):
            data = bytes(data)
            size = len(data)
        else:
            data = tuple(_frozen(a) for a in data)
            size = sum(a.nbytes for a in data)
        if size > self.max_bytes:
            raise ValueError(f"this model ({size / 1024**2:,.0f} MB) is larger than the "
                             f"{self.max_bytes / 1024**2:,.0f} MB the server keeps for reloads")
        entry = KeptModel(kind, data, MappingProxyType(dict(meta)), size)
        token = new_token()
        with self._lock:
            if replaces is not None:
                self._drop(replaces)
            self._entries[token] = (entry, self._clock())
            self._bytes += size
            self._trim()
        return token

    def get(self, token: object) -> KeptModel | None:
        """The model kept under `token`, which counts as a use; None when it is unknown, expired or malformed."""
        if not valid_token(token):
            return None
        with self._lock:
            self._trim()
            found = self._entries.get(token)
            if found is None:
                return None
            self._entries[token] = (found[0], self._clock())
            self._entries.move_to_end(token)
            return found[0]

    def touch(self, token: object) -> bool:
        """Count a use of `token` (a session still shows it); whether it is still kept."""
        return self.get(token) is not None

    def __len__(self) -> int:
        with self._lock:
            self._trim()
            return len(self._entries)

    @property
    def nbytes(self) -> int:
        """Bytes the kept models hold now."""
        with self._lock:
            return self._bytes

    def _drop(self, token: str) -> None:
        found = self._entries.pop(token, None)
        if found is not None:
            self._bytes -= found[0].nbytes

    def _trim(self) -> None:
        """Drop the expired entries, then the least recently used until both caps hold (lock held)."""
        now = self._clock()
        for token, (_entry, used) in list(self._entries.items()):
            if now - used >= self.ttl_seconds:
                self._drop(token)
        while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
            self._drop(next(iter(self._entries)))


def _frozen(array: Any) -> np.ndarray:
    copy = np.array(array, copy=True)
    copy.setflags(write=False)
    return copy


KEPT = ModelStore()  # the process's store, shared by every session (it holds no live model)

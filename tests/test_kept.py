"""The store of models kept for a reload (rnnviz/kept.py): tokens, expiry on an injected clock, both caps."""

import re
import secrets

import numpy as np
import pytest

from rnnviz import limits
from rnnviz.kept import KEPT, ModelStore, new_token, valid_token


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def store(**kw):
    clock = Clock()
    return ModelStore(clock=clock, **{"max_entries": 4, "max_bytes": 1000, "ttl_seconds": 60, **kw}), clock


def test_tokens_are_long_random_and_only_that_form_is_looked_up():
    tokens = {new_token() for _unused in range(500)}
    assert len(tokens) == 500
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", t) for t in tokens)
    assert valid_token(new_token())
    for bad in ("", "abc", "a" * 31, "a" * 33, "a" * 31 + "/", "a" * 31 + ".", None, 12, "../" * 11 + "aa"):
        assert not valid_token(bad)
    s, _clock = store()
    token = s.put("upload", b"abc", {"filename": "m.keras"})
    assert s.get(token[:-1]) is None and s.get(token + "A") is None and s.get(None) is None
    assert s.get(secrets.token_urlsafe(24)) is None  # well formed, never handed out


def test_an_entry_expires_after_its_last_use_not_after_it_was_put():
    s, clock = store()
    token = s.put("upload", b"abc", {"filename": "m.keras"})
    clock.now += 59
    assert s.get(token).data == b"abc"  # a use: the 60 s start again
    clock.now += 59
    assert s.touch(token)
    clock.now += 60
    assert s.get(token) is None and len(s) == 0 and s.nbytes == 0


def test_the_count_cap_drops_the_least_recently_used():
    s, clock = store(max_entries=3)
    a, b, c = (s.put("upload", bytes([i]), {"filename": f"{i}"}) for i in range(3))
    clock.now += 1
    s.get(a)  # a is now the most recent
    d = s.put("upload", b"d", {"filename": "d"})
    assert s.get(b) is None and len(s) == 3
    assert [s.get(t).data for t in (a, c, d)] == [b"\x00", b"\x02", b"d"]


def test_the_byte_cap_drops_the_oldest_until_it_holds_and_refuses_one_larger_than_all():
    s, _clock = store(max_bytes=1000)
    a = s.put("upload", b"x" * 400, {"filename": "a"})
    b = s.put("upload", b"y" * 400, {"filename": "b"})
    c = s.put("upload", b"z" * 400, {"filename": "c"})
    assert s.get(a) is None and s.get(b) is not None and s.get(c) is not None and s.nbytes == 800
    with pytest.raises(ValueError, match="larger than"):
        s.put("upload", b"w" * 1001, {"filename": "w"})
    assert s.nbytes == 800


def test_replaces_drops_the_sessions_previous_model_at_once():
    s, _clock = store()
    old = s.put("upload", b"old", {"filename": "a"})
    new = s.put("upload", b"new", {"filename": "b"}, replaces=old)
    assert s.get(old) is None and s.get(new).meta["filename"] == "b" and s.nbytes == 3


def test_weights_are_copied_read_only_and_counted_by_their_bytes():
    s, _clock = store(max_bytes=10_000)
    w = [np.ones((4, 8), np.float32), np.zeros(8, np.float32)]
    token = s.put("trained", w, {"task": "brackets"})
    w[0][0, 0] = 5.0  # the caller's array changes afterwards: the kept copy does not
    kept = s.get(token)
    assert kept.nbytes == 4 * 8 * 4 + 8 * 4 and s.nbytes == kept.nbytes
    assert kept.data[0][0, 0] == 1.0
    with pytest.raises(ValueError):
        kept.data[0][0, 0] = 2.0
    with pytest.raises(TypeError):
        kept.meta["task"] = "other"


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="max_entries"):
        ModelStore(max_entries=0)
    s, _clock = store()
    with pytest.raises(ValueError, match="kind="):
        s.put("preset", b"x", {})


def test_the_servers_store_uses_the_stated_limits():
    assert (KEPT.max_entries, KEPT.max_bytes, KEPT.ttl_seconds) == (
        limits.KEPT_MODELS, limits.KEPT_MODEL_BYTES, limits.KEPT_MODEL_SECONDS)
    assert limits.KEPT_MODEL_SECONDS == 30 * 60 and limits.KEPT_MODEL_BYTES >= limits.MAX_MODEL_BYTES

"""A few costly results kept for one session in `st.session_state`, never shared with another.

For what is made from a session's own objects (its traces, its models): `st.cache_data` would
hash the arrays on every run and share the result with every session, `st.cache_resource` would
share mutable objects. Here each session keeps its last few results under one key.

Results may hold text a person reads (a figure's title, axes, buttons), so the language in force is
part of every key: a session that switches to Korean never gets the English figure it drew before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st

from rnnviz.i18n import current_language

T = TypeVar("T")


def remember(store: str, key: Hashable, make: Callable[[], T], *, keep: int, made_from: object = None) -> T:
    """`make()`'s result for `key` in this session: made once, then kept among the last `keep`.

    Args:
        store: the `st.session_state` key (from `rnnviz.ui.keys`) of this cache.
        key: what the result depends on, besides `made_from` and the language in force.
        make: makes the result.
        keep: how many results to keep; the oldest goes first.
        made_from: an object the result is made from and that `key` cannot describe (a trace):
            the result is found again only for this very object, never for another one with the
            same contents or the same address (it is kept alive with the result).

    Returns:
        The result, from the cache or just made.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1; got {keep!r}")
    cache: dict = st.session_state.setdefault(store, {})
    full_key = (id(made_from), current_language(), key)
    found = cache.get(full_key)
    if found is not None and found[0] is made_from:
        return found[1]
    value = make()
    # Two script threads of one session may share this dict: list() and pop(k, None) are atomic.
    for old in list(cache)[: max(len(cache) - keep + 1, 0)]:
        cache.pop(old, None)
    cache[full_key] = (made_from, value)
    return value

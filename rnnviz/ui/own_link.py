"""The person's own model kept for a reload: `?own=TOKEN` in the URL names it in `rnnviz.kept.KEPT`.

`keep` is called where a model is opened (an upload) or made (the Train page); `show_in_url`, every
run, keeps the URL naming the shown own model (page switches drop query parameters) and counts
that as a use, so the model is kept as long as a tab shows it. Reopening lives in `rnnviz.ui.reopen`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from rnnviz.kept import KEPT
from rnnviz.ui import keys

OWN_PARAM = "own"  # the URL parameter: ?own=TOKEN


def keep(kind: str, data: bytes | list | tuple, meta: Mapping[str, Any]) -> str | None:
    """Keep this session's new model of `kind` ("upload" or "trained") for a reload; its token, or None
    when it is too large to keep (it is still shown, it just does not survive a reload)."""
    tokens: dict = st.session_state.setdefault(keys.OWN_TOKENS, {})
    try:
        token = KEPT.put(kind, data, meta, replaces=tokens.get(kind))
    except ValueError:
        tokens.pop(kind, None)
        return None
    tokens[kind] = token
    st.session_state[keys.OWN_URL] = token  # this session made it: nothing to reopen
    return token


def shown_kind() -> str | None:
    """"upload" or "trained" when the shown model is the person's own, else None."""
    source = st.session_state.get(keys.SOURCE)
    return source if source in ("upload", "trained") else None


def show_in_url() -> None:
    """Name the shown own model in the URL (and count a use of it), or take `own=` out for a preset."""
    kind = shown_kind()
    token = st.session_state.get(keys.OWN_TOKENS, {}).get(kind) if kind else None
    if token is not None and KEPT.touch(token):
        st.query_params[OWN_PARAM] = token
        st.query_params.pop("preset", None)
    else:
        st.query_params.pop(OWN_PARAM, None)

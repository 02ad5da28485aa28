"""Presenter mode (the sidebar's switch and `?present=1`): a page that reads on a projector.

Larger type in the page and in the figures, the sidebar folded away once as the mode turns on,
and on the States page keys that step through time in the browser (left/right arrows one step,
space for Play) with a step bar that stays in view while the figure scrolls, and Play's speed.
Everything a key does runs in the browser on the figure's own Plotly frames: no server run.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from rnnviz.figures.scrub import FRAME_MS
from rnnviz.figures.style import NORMAL, PRESENTER, Style
from rnnviz.i18n import _
from rnnviz.ui import keys

PARAM = "present"  # ?present=1 turns the mode on; ?present=0 or no parameter leaves it off
SPEEDS = {"slow": 1000, "normal": FRAME_MS, "fast": 200}  # Play's time per step, ms
KEYS_BOX = "rnnviz_present_keys"  # the container of the keys' script; the script acts only while it is on the page
_ASSETS = Path(__file__).with_name("presenter_assets")
_CSS = (_ASSETS / "presenter.css").read_text()
_KEYS_JS = (_ASSETS / "keys.js").read_text()
_FOLD_JS = """<script>(() => {
  const fold = () => {
    const button = document.querySelector(
      '[data-testid=stSidebar][data-collapsed=false] [data-testid=stSidebarCollapseButton] button');
    if (button) button.click(); else if (tries-- > 0) setTimeout(fold, 100);
  };
  let tries = 50;  // the sidebar may still be drawing its first run
  fold();
})();</script>"""


class _Here:
    """Writes where the page is now, as `st` does; `with` it changes nothing."""

    def __getattr__(self, name: str):
        return getattr(st, name)

    def __enter__(self) -> "_Here":
        return self

    def __exit__(self, *exc) -> bool:
        return False


def slot() -> DeltaGenerator | _Here:
    """A place for what a projector must show first: in presenter mode a container made here, so what
    the page writes into it later comes before what it writes to the page meanwhile (notes, captions);
    otherwise the page itself, where it is when written to (the order of the code)."""
    return st.container() if is_on() else _Here()


def is_on() -> bool:
    """Whether this session is in presenter mode."""
    return bool(st.session_state.get(keys.PRESENT, False))


def figure_style() -> Style:
    """The figures' type sizes for this session: `PRESENTER` in presenter mode, else `NORMAL`."""
    return PRESENTER if is_on() else NORMAL


def sync_presenter_with_url() -> None:
    """Take the mode from `?present=` when the URL changes it; keep `?present=1` in the URL while it is on.

    Call it at the start of every run: page switches drop query parameters, so they are set again.
    """
    wanted = st.query_params.get(PARAM)
    if wanted is not None and wanted != st.session_state.get(keys.PRESENT_URL):
        _turn(wanted == "1")  # a new link wins over the switch's last position
    st.session_state.setdefault(keys.PRESENT, False)
    _keep_in_url()


def _turn(on: bool) -> None:
    if on and not is_on():
        st.session_state[keys.PRESENT_COLLAPSE] = True
    st.session_state[keys.PRESENT] = on


def _keep_in_url() -> None:
    value = "1" if is_on() else None
    st.session_state[keys.PRESENT_URL] = value
    if value is None:
        st.query_params.pop(PARAM, None)
    else:
        st.query_params[PARAM] = value


def _switched() -> None:
    if is_on():
        st.session_state[keys.PRESENT_COLLAPSE] = True
    _keep_in_url()


def presenter_switch() -> None:
    """The sidebar's switch; turning it on folds the sidebar away (reopen it with its arrow)."""
    st.sidebar.toggle(_("Presenter mode"), key=keys.PRESENT, on_change=_switched,
                      help=_("For a projector: larger type, the sidebar folded away, and on the States page "
                             "the arrow keys step through time and space plays. The link keeps it: ?present=1."))


def presenter_look() -> None:
    """In presenter mode, the page's larger type and tighter margins; fold the sidebar once as the mode turns on."""
    if not is_on():
        st.session_state.pop(keys.PRESENT_COLLAPSE, None)
        return
    st.html(f"<style>{_CSS}</style>")  # style only: Streamlit puts it where it takes no room
    if st.session_state.pop(keys.PRESENT_COLLAPSE, False):
        with st.container(key=f"{KEYS_BOX}_fold"):
            st.html(_FOLD_JS, unsafe_allow_javascript=True)


def play_speed() -> int:
    """Play's time per step in ms: a choice in presenter mode, `FRAME_MS` otherwise."""
    if not is_on():
        return FRAME_MS
    st.session_state.setdefault(keys.PRESENT_SPEED, "normal")
    names = {"slow": _("slow"), "normal": _("normal"), "fast": _("fast")}
    chosen = st.segmented_control(_("Play speed"), tuple(SPEEDS), key=keys.PRESENT_SPEED, format_func=names.get,
                                  help=_("How long Play shows each step: slow 1 s, normal 0.5 s, fast 0.2 s."))
    return SPEEDS[chosen or "normal"]  # a click on the chosen one clears it: keep the usual speed


def step_keys() -> None:
    """In presenter mode, the States figure's keys and its step bar: ← and → one step, space plays or pauses.

    Call it after the step-through chart. The script is installed once per browser tab and acts
    only while this container is on the page, on the page's step-through figure.
    """
    if not is_on():
        return
    texts = {"step": _("Step"), "play": "▶ " + _("Play"), "pause": "❚❚ " + _("Pause"),
             "back": _("One step back (←)"), "forward": _("One step on (→)"), "toggle": _("Play or pause (space)")}
    script = f"<script>window.__rnnvizPresenterTexts = {json.dumps(texts)};\n{_KEYS_JS}</script>"
    with st.container(key=KEYS_BOX):
        st.html(script, unsafe_allow_javascript=True)
    st.caption(_("Presenter keys: **←** and **→** move one step, **space** plays or pauses. Click the page first "
                 "if a box has the keyboard."))

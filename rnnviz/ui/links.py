"""Links that keep the whole setup: session-state keys bound to URL query parameters, and "Copy link".

A page declares its settings once (`bind(PAGE_PARAMS...)`, a line in the page): on a session's
first run, and whenever the URL names another value, the parameter sets the widget's key before the
widget is drawn; on every run the current value is written back to `st.query_params` (a page switch
drops them). The model (`model=`, `weights=`, `train=`) is bound in `link_model`, the input
panel's fields through `linked_input` / `write_input`. A value the link
cannot hold is said in the page, naming the parameter and what is allowed; the rest still applies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import streamlit as st

from rnnviz import inputs, limits
from rnnviz.i18n import _
from rnnviz.inputs import InputChoice
from rnnviz.link_state import Param
from rnnviz.ui import keys


@dataclass(frozen=True)
class Binding:
    """A session-state key and the URL parameter that carries it."""

    key: str
    param: Param


def _seen() -> dict:
    """{parameter: the value last applied or written}: a URL value differing from it is a new link's."""
    return st.session_state.setdefault(keys.LINK_SEEN, {})


def fresh(name: str) -> str | None:
    """The URL's value of `name` when a link brings one not yet applied, else None."""
    raw = st.query_params.get(name)
    return raw if raw is not None and raw != _seen().get(name) else None


def put(name: str, value: str | None) -> None:
    """Keep parameter `name` in the URL at `value` (None: leave it out), and remember it as applied."""
    _seen()[name] = value
    if value is None:
        st.query_params.pop(name, None)
    elif st.query_params.get(name) != value:
        st.query_params[name] = value


def refuse(name: str, message: str) -> None:
    """Say in the page what was wrong with parameter `name`, once; the setting keeps its current value,
    which the URL then names."""
    st.warning(_("This link's parameter **{name}** was not applied: {message}. The rest of the link "
                 "is.").format(name=name, message=message), icon=":material/link_off:")
    _seen()[name] = st.query_params.get(name)


def bind(*tables: Mapping[str, Binding]) -> None:
    """Bind settings to URL parameters: apply a new link's values, then write the current ones.

    Call it before the widgets are drawn.

    Args:
        *tables: {parameter name: Binding}, e.g. `link_params.STATEFUL`.
    """
    for name, binding in {k: v for table in tables for k, v in table.items()}.items():
        raw = fresh(name)
        if raw is not None:
            try:
                st.session_state[binding.key] = binding.param.parse(raw)
            except ValueError as err:
                refuse(name, str(err))
        st.session_state.setdefault(keys.LINK_BOUND, {})[name] = binding
        _write_one(name, binding)


def _write_one(name: str, binding: Binding) -> None:
    if binding.key in st.session_state:
        value = binding.param.format(st.session_state[binding.key])
        if value is not None:
            put(name, value)


def start_run() -> None:
    """Forget the bindings of the last run (another page's): call once per run, before the page."""
    st.session_state[keys.LINK_BOUND] = {}


def finish_run() -> None:
    """Write every bound value again after the page: widgets drawn first in this run now hold theirs."""
    for name, binding in dict(st.session_state.get(keys.LINK_BOUND, {})).items():
        _write_one(name, binding)


# --- The input panel ------------------------------------------------------------------------------

INPUT_PARAMS = {  # InputChoice field: its parameter (an uploaded file cannot travel in a link)
    "source": Param("feed", "choice", ("text", "random", "signal", "ids")),
    "text": Param("text", "text"),
    "mode": Param("tokens", "choice", inputs.MODES),
    "signal": Param("signal", "choice", inputs.SIGNAL_KINDS),
    "seed": Param("seed", "int", low=0, high=inputs.MAX_SEED),
    "batch": Param("batch", "int", low=1, high=limits.MAX_BATCH),
    "timesteps": Param("timesteps", "int", low=1, high=limits.MAX_TIMESTEPS),
    "features": Param("features", "int", low=1, high=limits.MAX_FEATURES),
    "row": Param("row", "int", low=0, high=limits.MAX_BATCH - 1),
}
_FIELDS_OF = {"text": ("source", "text", "mode"), "ids": ("source", "text", "batch", "row"),
              "random": ("source", "seed", "batch", "timesteps", "features", "row"),
              "signal": ("source", "signal", "seed", "batch", "timesteps", "features", "row")}


def input_prefix(index: int, name: str) -> str:
    """The parameters of a model's first input have plain names (`text=`); the others' start with `name.`."""
    return "" if index == 0 else f"{name}."


def linked_input(prefix: str, widget_prefix: str, start: InputChoice) -> InputChoice:
    """`start` with the fields a new link gives; the input's widgets then start again from it."""
    fields = {}
    for field, param in INPUT_PARAMS.items():
        raw = fresh(prefix + param.name)
        if raw is None:
            continue
        try:
            fields[field] = param.parse(raw)
        except ValueError as err:
            refuse(prefix + param.name, str(err).replace(f"`{param.name}`", f"`{prefix}{param.name}`"))
    if not fields:
        return start
    try:
        choice = InputChoice(**{**start.to_dict(), "own": None, **fields})
    except ValueError as err:
        refuse(prefix + "feed", str(err))
        return start
    for key in [k for k in st.session_state if str(k).startswith(widget_prefix + ".")]:
        del st.session_state[key]
    return choice


def write_input(prefix: str, choice: InputChoice) -> None:
    """Keep the URL naming `choice`'s fields (those its source uses; nothing for an uploaded file)."""
    used = _FIELDS_OF.get(choice.source, ())
    for field, param in INPUT_PARAMS.items():
        put(prefix + param.name, param.format(getattr(choice, field)) if field in used else None)


def linked_step() -> int:
    """The step a link opens the States figure at (`step=`, 0 when none); kept in the URL."""
    raw = fresh("step")
    if raw is not None:
        try:
            st.session_state[keys.STATES_STEP] = Param("step", "int", low=0, high=limits.MAX_TIMESTEPS - 1).parse(raw)
        except ValueError as err:
            refuse("step", str(err))
    step = int(st.session_state.get(keys.STATES_STEP, 0))
    put("step", str(step) if step else None)
    return step


# --- Copy link ------------------------------------------------------------------------------------


def current_link(url_path: str) -> str:
    """The address of this page with every parameter the session's URL holds now."""
    parts = urlsplit(st.context.url or "")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    path = "/".join(p for p in ("", base, url_path) if p) or "/"
    query = urlencode(st.query_params.to_dict())
    address = f"{parts.scheme}://{parts.netloc}{path}" if parts.netloc else path
    return f"{address}?{query}" if query else address


_COPY_HTML = """<div style="font-family:'Source Sans Pro',sans-serif;font-size:14px;color:#31333f">
<div style="display:flex;gap:6px"><input id="link" readonly aria-label=LABEL
 style="flex:1;min-width:0;font-size:12px;padding:6px;border:1px solid #ccc;border-radius:6px;background:#f7f7f9">
<button id="copy" style="padding:4px 10px;border:1px solid #ccc;border-radius:6px;background:white;cursor:pointer">
COPY</button></div><div id="said" style="font-size:12px;color:#555;height:16px;margin-top:2px"></div></div>
<script>
const P = window.parent;
function step() {  // the step the States figure's slider shows now: it moves in the browser only
  for (const gd of P.document.querySelectorAll('.js-plotly-plot')) {
    const s = gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
    const at = s && s.steps && s.steps[s.active];
    if (at && at.args && at.args[0] && at.args[0][0] !== undefined) return String(at.args[0][0]);
  }
  return null;
}
function link() {
  const u = new URL(P.location.href);
  const s = step();
  if (s !== null) u.searchParams.set('step', s);
  return u.toString();
}
const box = document.getElementById('link');
function show() { if (document.activeElement !== box) box.value = link(); }
setInterval(show, 300); show();
document.getElementById('copy').onclick = async () => {
  box.value = link(); box.select();
  let ok = false;
  try { await navigator.clipboard.writeText(box.value); ok = true; } catch (e) { ok = document.execCommand('copy'); }
  document.getElementById('said').textContent = ok ? COPIED : SELECTED;
};
</script>"""


def copy_link() -> None:
    """The sidebar's "Copy link": the whole address of what the page shows now, with a button that copies it.

    The address is read in the browser, so it holds what the server last wrote to the URL and the step
    the States figure's slider shows (`step=`), which only the browser knows.
    """
    st.sidebar.markdown(_("**Link to this picture**"), help=_(
        "Opens this page with this model, input and settings in any browser. A file you opened yourself "
        "does not travel in a link."))
    html = (_COPY_HTML.replace("LABEL", json.dumps(_("Link to this picture")))
            .replace("COPY", _("Copy link"))
            .replace("COPIED", json.dumps(_("Copied.")))
            .replace("SELECTED", json.dumps(_("Selected: press Ctrl+C to copy."))))
    st.sidebar.iframe(html, height=64)

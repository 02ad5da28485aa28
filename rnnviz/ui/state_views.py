"""The States page's pieces: one layer's step-through figure and the units followed over time."""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnnviz import explain, figures, own_data
from rnnviz.figures.scrub import Quantity, at_step, step_through, step_window
from rnnviz.figures.style import display_names
from rnnviz.i18n import N_, _, current_language
from rnnviz.trace import DirectionTrace, LayerTrace, Trace
from rnnviz.ui import keys, link_params, links, presenter
from rnnviz.ui.charts import chart
from rnnviz.ui.session_cache import remember

MAX_OUTPUT_ROW_VALUES = 64  # a per-step model output wider than this is read at the end, not drawn per step
FIGURES_KEPT = 3  # step-through figures kept per session (about 3 MB each): back to a layer or preset at once


def _ranges(kind: str, activation: str, recurrent_activation: str) -> dict[str, str]:
    return {q: explain.value_range(kind, q, activation, recurrent_activation) for q in explain.QUANTITIES[kind]}


def _row(direction: DirectionTrace, row: int) -> dict[str, np.ndarray]:
    """The quantities of one batch row by their explain names: hidden, cell, then the gates."""
    values = {"hidden": direction.h[row]}
    if direction.c is not None:
        values["cell"] = direction.c[row]
    values.update({g: v[row] for g, v in direction.gates.items()})
    return values


def _direction(layer: LayerTrace, direction_name: str) -> DirectionTrace:
    return layer.backward if direction_name == "backward" else layer.forward


def quantities(layer: LayerTrace, row: int, ranges: dict[str, str], direction_name: str) -> list[Quantity]:
    """The figure's rows: h (both directions of a Bidirectional layer), then c and the gates of one."""
    direction = _direction(layer, direction_name)
    values = _row(direction, row)
    names = display_names(list(values))
    last = layer.input_steps - 1
    if layer.backward is None:
        rows = [Quantity(names["hidden"], values["hidden"], ranges["hidden"], reverse=direction.go_backwards)]
    else:  # a direction read backwards walks its outline right to left as Play goes on
        rows = [Quantity(_("{name}, forward (reads 0→{last})").format(name=names["hidden"], last=last),
                         layer.forward.h[row], ranges["hidden"], reverse=layer.forward.go_backwards),
                Quantity(_("{name}, backward (reads {last}→0)").format(name=names["hidden"], last=last),
                         layer.backward.h[row], ranges["hidden"], reverse=layer.backward.go_backwards)]
    which = {"forward": N_("{name}, forward"), "backward": N_("{name}, backward")}
    rows += [Quantity(_(which[direction_name]).format(name=names[q]) if layer.backward is not None else names[q], v,
                      ranges[q], reverse=direction.go_backwards)
             for q, v in values.items() if q != "hidden"]
    return rows


def _window_start(steps: int, window: int) -> int:
    """The first step shown: 0, or the window a person picks when the sequence is longer than one."""
    if steps <= window:
        return 0
    starts = list(range(0, steps, window))
    st.session_state[keys.STATES_WINDOW] = min(st.session_state.get(keys.STATES_WINDOW, 0), starts[-1]) // window * window
    return st.selectbox(_("Steps shown"), starts, key=keys.STATES_WINDOW,
                        format_func={s: _("{first}–{last} of {steps}").format(
                            first=s, last=min(s + window, steps) - 1, steps=steps) for s in starts}.__getitem__,
                        help=_("A slider of {window} steps at a time: every step's bars travel to the browser with "
                               "it.").format(window=window))


def output_rows(outputs: tuple[np.ndarray, ...], row: int, steps: int) -> list[Quantity]:
    """The model's outputs that give one value (or one row of classes) per step, as extra figure rows."""
    rows = []
    for i, out in enumerate(outputs):
        if out.ndim == 3 and out.shape[1] == steps and out.shape[2] <= MAX_OUTPUT_ROW_VALUES:
            values = out[row]
            unit = bool(np.all((values >= 0) & (values <= 1)))
            rows.append(Quantity((_("model output {i} (0…1)") if unit else _("model output {i} (unbounded)")).format(i=i),
                                 values, "gate" if unit else "free"))
    return rows


def final_outputs(outputs: tuple[np.ndarray, ...], row: int, steps: int) -> None:
    """The outputs not drawn per step: their top classes (or value) at the end, one line each."""
    for i, out in enumerate(outputs):
        if out.ndim == 3 and out.shape[1] == steps and out.shape[2] <= MAX_OUTPUT_ROW_VALUES:
            continue
        reading = own_data.read_output(out, row, steps - 1, steps)
        if reading.values.size == 1:
            st.markdown((_("**Model output {i}** at step {step}: prediction **{value}**") if reading.per_step else
                         _("**Model output {i}** at the end: prediction **{value}**")).format(
                i=i, step=reading.step, value=f"{reading.values[0]:.4g}"))
        else:
            top = ", ".join(_("class {c}: **{v}**").format(c=c, v=f"{v:.4g}") for c, v in reading.top)
            st.markdown((_("**Model output {i}** at step {step} ({count} values), largest: {top}") if reading.per_step
                         else _("**Model output {i}** at the end ({count} values), largest: {top}")).format(
                i=i, step=reading.step, count=reading.values.size, top=top))


def _chosen_rows(rows: list[Quantity], which: str) -> list[Quantity]:
    """The rows a person keeps: fewer rows get more height where the figure's height is fixed (fullscreen)."""
    names = [r.name for r in rows]
    links.bind(link_params.choices_of("rows", f"{keys.STATES_ROWS}.{which}", names, several=True))
    kept = st.pills(_("Rows"), names, selection_mode="multi", default=names, key=f"{keys.STATES_ROWS}.{which}",
                    help=_("Fullscreen fits the figure to the screen: on a 1280×720 projector keep three rows or "
                           "fewer for rows tall enough to read."))
    return [r for r in rows if r.name in kept]


def _control_places():
    """Where the Rows choice and Play's speed go: side by side in presenter mode (one line of the first
    screen), one under the other otherwise (only Rows: the speed is a presenter control)."""
    if presenter.is_on():
        return st.columns([5, 2], vertical_alignment="bottom")
    return presenter.slot(), presenter.slot()  # the page itself, where it is


def layer_view(layer: LayerTrace, labels: tuple[str, ...], row: int, activation: str,
               recurrent_activation: str, direction_name: str, outputs: tuple[np.ndarray, ...] = ()) -> None:
    """The step-through figure of one layer (its slider and Play run in the browser) with the model's
    per-step outputs beside the states, the other outputs at the end, then unit lines."""
    ranges = _ranges(layer.inner_kind, activation, recurrent_activation)
    rows_place, speed_place = _control_places()
    with rows_place:
        rows = _chosen_rows(quantities(layer, row, ranges, direction_name) + output_rows(outputs, row, layer.input_steps),
                            f"{layer.name}.{direction_name}.{current_language()}")  # the rows' names are in the language
    with speed_place:
        frame_ms = presenter.play_speed()
    style = presenter.figure_style()
    if not rows:
        st.info(_("Pick at least one row to show."))
        return
    first = _window_start(layer.input_steps, step_window(layer.input_steps, max(r.values.shape[1] for r in rows), len(rows)))
    key = (row, direction_name, tuple(ranges.items()), labels, first, tuple(r.name for r in rows), current_language(),
           style.name, frame_ms)
    title = _("Layer {name}: every unit at every step").format(name=layer.name)
    figure = remember(keys.STATES_FIGURES, key, lambda: step_through(rows, title=title, labels=labels, first=first,
                                                                     style=style, frame_ms=frame_ms),
                      keep=FIGURES_KEPT, made_from=layer)  # the frames are the costly part: once per layer and row
    chart_place = presenter.slot()  # presenter mode: the figure first, the caption under it
    st.caption(_("Move the slider under the title, or press **▶ Play**: the outline walks along every heatmap and "
                 "the bars beside it show each unit's value at that step. Hover for exact numbers.")
               + (" " + _("Each direction's outline follows its own reading order: read forwards, left to right; read "
                          "backwards, right to left (the last step first).") if any(r.reverse for r in rows) else ""))
    chart(at_step(figure, links.linked_step()), key="steps", where=chart_place)  # a link's step= opens it there
    presenter.step_keys()  # presenter mode: arrow keys and space drive this figure in the browser
    final_outputs(outputs, row, layer.input_steps)
    st.fragment(unit_lines_view)(layer, labels, row, direction_name, ranges)


def unit_lines_view(layer: LayerTrace, labels: tuple[str, ...], row: int, direction_name: str,
                    ranges: dict[str, str]) -> None:
    """Chosen units over time, of h and any of c and the gates; a fragment, so changing them redraws
    only this chart."""
    values = _row(_direction(layer, direction_name), row)
    names = display_names(list(values))
    c1, c2 = st.columns([3, 2])
    links.bind(link_params.choices_of("units", keys.STATES_UNITS, range(layer.units), several=True),
               link_params.choices_of("of", keys.STATES_LINE_QUANTITIES, list(values), several=True))
    units = c1.multiselect(_("Units to follow"), list(range(layer.units)), default=list(range(min(3, layer.units))),
                           max_selections=figures.MAX_LINES, key=keys.STATES_UNITS)
    shown = c2.multiselect(_("Of"), list(values), default=["hidden"], format_func=names.get, key=keys.STATES_LINE_QUANTITIES,
                           help=_("Add c or a gate: each unit keeps its colour, each quantity has its own dash."))
    if units and shown:
        which = " ({})".format(_(direction_name)) if layer.backward is not None else ""
        short = {q: names[q].split()[-1] for q in shown}  # "forget gate f" -> "f"
        first, rest = shown[0], shown[1:]
        chart(figures.unit_lines(values[first], units, labels=labels, quantity=ranges[first], name=short[first],
                                 title=_("Chosen units of {names}{which} over time").format(
                                     names=", ".join(short.values()), which=which),
                                 more={short[q]: values[q] for q in rest}, style=presenter.figure_style()), key="lines")


def trace_download(tr: Trace) -> None:
    """A button that downloads the whole trace as .npz, with the keys `rnnviz trace --out` writes."""
    megabytes = sum(a.nbytes for a in tr.arrays().values()) / 1024**2
    st.download_button(_("Download this trace (.npz, {mb:.1f} MB)").format(mb=megabytes), tr.npz_bytes, file_name="trace.npz",
                       mime="application/octet-stream", key=keys.STATES_DOWNLOAD, on_click="ignore",
                       icon=":material/download:",
                       help=_("Every layer's h, c, gates, initial and final states and the model's outputs, "
                              "keyed like lstm/h or bi/backward/c: numpy.load('trace.npz')."))


def explanations(kind: str, activation: str, recurrent_activation: str) -> None:
    """One paragraph with its formula per quantity, folded away."""
    with st.expander(_("What these are: the {kind} equations").format(kind=kind)):
        st.markdown(_(explain.NOTATION))
        for quantity in explain.QUANTITIES[kind]:
            st.markdown(explain.explanation(kind, quantity, activation, recurrent_activation))
        st.caption(_(explain.KERAS_LAYOUT[kind]))

"""What every rnnviz figure shares: the classroom theme, colour scales, axes, highlight, notes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from rnnviz.i18n import _

FONT_SIZE = 16
TITLE_SIZE = 20
# Hangul has no glyphs in DejaVu Sans: the browser takes them from the next family that has them
# (Noto Sans CJK KR, Debian's fonts-noto-cjk; the usual Korean fonts of Windows and macOS after it).
FONT_FAMILY = ("'DejaVu Sans', 'Noto Sans CJK KR', 'Noto Sans KR', 'Malgun Gothic', 'Apple SD Gothic Neo', "
               "'Segoe UI', Arial, sans-serif")
AXIS_PX = 560  # the narrowest a full-width time axis is drawn (a 1280-px window, sidebar open)
ROTATE_PX = 2.2 * FONT_SIZE  # tick labels wider than this are tilted by 45°
LINE_PX = 1.7 * FONT_SIZE  # the room a tilted label needs across its axis
HIGHLIGHT = "highlight"  # name of the shapes, or outline traces, that mark the chosen timestep
# Okabe-Ito: colour-blind safe, distinct on a projector.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")



@dataclass(frozen=True)
class Style:
    """The type sizes of a figure, in px: `NORMAL` on a screen, `PRESENTER` on a projector.

    Attributes:
        name: "normal" or "presenter" (a figure cache keys by it).
        font: body text, and the tick labels and titles of the main axes.
        title: the figure's title.
        small: secondary ticks (a bar chart's value axis, colour bars).
        row_title: the title above each row of a figure with several rows.
        hover: the hover label.
        row_px: the least and the most height one row of heatmaps gets; a projector's 720 px need them short.
    """

    name: str
    font: int
    title: int
    small: int
    row_title: int
    hover: int
    row_px: tuple[int, int] = (160, 420)


NORMAL = Style("normal", font=FONT_SIZE, title=TITLE_SIZE, small=12, row_title=15, hover=15)
PRESENTER = Style("presenter", font=22, title=26, small=18, row_title=21, hover=20,  # read from the back of a room
                  row_px=(150, 200))
STYLES = {s.name: s for s in (NORMAL, PRESENTER)}


def template(style: Style = NORMAL) -> go.layout.Template:
    """The classroom theme at a style's type sizes."""
    return go.layout.Template(
        layout=dict(
            font=dict(family=FONT_FAMILY, size=style.font, color="#222"),
            title=dict(font=dict(size=style.title), x=0.0, xanchor="left", xref="paper"),
            paper_bgcolor="white",
            plot_bgcolor="white",
            colorway=list(PALETTE),
            hoverlabel=dict(font=dict(size=style.hover)),
            xaxis=dict(showline=True, linecolor="#555", ticks="outside", zeroline=False, showgrid=False,
                       automargin=True),
            yaxis=dict(showline=True, linecolor="#555", ticks="outside", zeroline=False, showgrid=False,
                       automargin=True),
            margin=dict(l=80, r=40, t=80, b=70),
        )
    )


TEMPLATE = template(NORMAL)
_TEMPLATES = {s.name: template(s) for s in STYLES.values()}


def _names() -> dict[str, str]:
    """Names people read, for the keys the trace uses ("h" and "c" are its field names), in the current language."""
    return {
        "hidden": _("hidden state h"),
        "h": _("hidden state h"),
        "cell": _("cell state c"),
        "c": _("cell state c"),
        "input": _("input gate i"),
        "forget": _("forget gate f"),
        "output": _("output gate o"),
        "update": _("update gate z"),
        "reset": _("reset gate r"),
    }


_GATES = ("input", "forget", "output", "update", "reset")


@dataclass(frozen=True)
class Scale:
    """A fixed colour scale; `title` gives the words its colourbar shows, in the current language."""

    kind: str  # "tanh", "gate" or "free"
    colorscale: str
    zmin: float
    zmax: float

    @property
    def title(self) -> str:
        """"tanh, −1…1", "gate, 0…1" or "unbounded, −m…m"."""
        if self.kind == "tanh":
            return _("tanh, −1…1")
        if self.kind == "gate":
            return _("gate, 0…1")
        return _("unbounded, −{m}…{m}").format(m=f"{self.zmax:.3g}")


TANH = Scale("tanh", "RdBu_r", -1.0, 1.0)
GATE = Scale("gate", "Viridis", 0.0, 1.0)
QUANTITIES = ("tanh", "gate", "free")


def check_quantity(quantity: str) -> str:
    """The quantity, if it is "tanh", "gate" or "free"; else a ValueError naming it."""
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of 'tanh', 'gate', 'free'; got {quantity!r}")
    return quantity


def free_scale(*arrays: np.ndarray) -> Scale:
    """A scale symmetric around 0 that reaches the largest finite |value| (at least 1e-6)."""
    m = 0.0
    for a in arrays:
        finite = np.abs(a[np.isfinite(a)])
        if finite.size:
            m = max(m, float(finite.max()))
    m = m if m > 1e-6 else 1.0
    return Scale("free", "PuOr_r", -m, m)


def scale_for(quantity: str, *arrays: np.ndarray) -> Scale:
    """The colour scale of a quantity: fixed for "tanh" and "gate", from the data for "free"."""
    check_quantity(quantity)
    return {"tanh": TANH, "gate": GATE}.get(quantity) or free_scale(*arrays)


def display_names(keys: Sequence[str]) -> dict[str, str]:
    """Plain names for trace keys; the candidate is g in an LSTM and ĥ in a GRU."""
    gru = any(k in ("update", "reset") for k in keys)
    lstm = any(k in ("input", "forget", "output", "cell", "c") for k in keys)
    candidate = _("candidate ĥ") if gru and not lstm else _("candidate g") if lstm and not gru else _("candidate")
    names = _names()
    return {k: candidate if k == "candidate" else names.get(k, k) for k in keys}


def default_quantity(key: str) -> str:
    """The usual range of a trace key under Keras's default activations."""
    if key in _GATES:
        return "gate"
    return "free" if key in ("cell", "c") else "tanh"


def f32(values: np.ndarray) -> np.ndarray:
    """A C-contiguous float32 copy or view, the form Plotly ships compactly."""
    return np.ascontiguousarray(values, dtype=np.float32)


def as_matrix(values: np.ndarray, name: str) -> np.ndarray:
    """`values` as a (timesteps, units) float array; a ValueError naming `name` otherwise."""
    a = np.asarray(values)
    if a.ndim != 2 or 0 in a.shape:
        raise ValueError(f"{name} must be a (timesteps, units) array for one batch row; got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
        raise ValueError(f"{name} must hold real numbers; got dtype {a.dtype}")
    return a


def check_labels(labels: Sequence[str] | None, timesteps: int) -> tuple[str, ...] | None:
    """Labels as a tuple of strings, one per timestep, or None."""
    if labels is None:
        return None
    labels = tuple(str(label) for label in labels)
    if len(labels) != timesteps:
        raise ValueError(f"labels has {len(labels)} entries but the values have {timesteps} timesteps")
    return labels


def check_step(step: int | None, timesteps: int) -> int | None:
    """The highlighted step, checked to lie in 0..timesteps-1."""
    if step is None:
        return None
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < timesteps:
        raise ValueError(f"highlight_step must be a timestep from 0 to {timesteps - 1}; got {step!r}")
    return int(step)


def apply_theme(fig: go.Figure, title: str, height: int, style: Style = NORMAL) -> go.Figure:
    """Give a figure the shared look: template (at the style's type sizes), left-aligned title, height."""
    fig.update_layout(template=_TEMPLATES[style.name], title_text=title, height=int(height))
    if style != NORMAL:
        enlarge(fig, style)
    return fig


def enlarge(fig: go.Figure, style: Style) -> None:
    """Set a style's type sizes on the figure itself, where the template alone does not reach.

    Streamlit's chart theme (the default of `st.plotly_chart`) brings its own template, fonts
    included, so a template's sizes can be lost in the browser; sizes set on the layout and
    the axes stay. Sizes a builder already set (the bars' smaller ticks) are kept.
    """
    fig.update_layout(font=dict(family=FONT_FAMILY, size=style.font, color="#222"),
                      title_font_size=style.title, hoverlabel_font_size=style.hover)
    for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
        if axis.tickfont.size is None:
            axis.tickfont.size = style.font
        if axis.title.font.size is None:
            axis.title.font.size = style.font


def _label_px(label: str, font: float = FONT_SIZE) -> float:
    """About how wide a tick label is drawn at `font` px: 0.64 em a character, 1 em a wide (CJK, emoji) one."""
    return sum(font if ord(ch) >= 0x1100 else 0.64 * font for ch in label)


def tick_step(labels: Sequence[str], width_px: float, font: float = FONT_SIZE) -> int:
    """Every how many steps a time axis of `len(labels)` steps shows a label, so that none overlap.

    The rule: the smallest of 1, 2, 5, 10, 20, 50, ... for which the labels shown, each given its
    drawn width (the widest label's, plus a gap of half a character height), fit side by side in
    `width_px`, the narrowest the axis is drawn. Labels wider than ROTATE_PX are tilted by 45°, and
    then each needs only LINE_PX across, whatever its length (both in proportion to `font`).
    """
    em = font / FONT_SIZE
    widest = max((_label_px(label, font) for label in labels), default=0.0)
    slot = LINE_PX * em if widest > ROTATE_PX * em else widest + 0.5 * font
    every = 1
    for every in (m * 10**e for e in range(7) for m in (1, 2, 5)):
        if math.ceil(len(labels) / every) * slot <= width_px:
            break
    return every


def time_axis(labels: tuple[str, ...] | None, timesteps: int, with_title: bool = True, width_px: float = AXIS_PX,
              first: int = 0, font: float = FONT_SIZE) -> dict:
    """Settings of an x axis over timesteps first..first+timesteps-1, labelled so no labels overlap.

    Tokens (labels that are not just the step numbers) label their steps; otherwise the step
    numbers do. Either way every `tick_step(...)`-th step is labelled, at multiples of it, and
    the title says "a token shown every k steps" only when there are tokens and some are left out.
    `width_px` is the narrowest the axis is drawn (at a 1280-px-wide window); `font` the labels' size.
    """
    axis: dict = dict(range=[first - 0.5, first + timesteps - 0.5], tickformat="d")
    if with_title:
        axis["title_text"] = _("timestep")
    steps = range(first, first + timesteps)
    tokens = labels is not None and any(label != str(t) for label, t in zip(labels, steps))
    shown = labels if tokens else tuple(str(t) for t in steps)
    every = tick_step(shown, width_px, font)
    at = [t for t in steps if t % every == 0]
    axis.update(tickmode="array", tickvals=at, ticktext=[shown[t - first] for t in at],
                tickangle=-45 if max(_label_px(label, font) for label in shown) > ROTATE_PX * font / FONT_SIZE else 0)
    if tokens and every > 1 and with_title and width_px >= AXIS_PX:  # no room for it under narrow panels
        axis["title_text"] = _("timestep (a token shown every {every} steps)").format(every=every)
    return axis


def unit_axis(units: int, with_title: bool = True) -> dict:
    """Settings of a y axis over units: unit 0 on top, as in a matrix."""
    axis: dict = dict(range=[units - 0.5, -0.5], tickformat="d")
    if with_title:
        axis["title_text"] = _("unit")
    return axis


def add_highlight(fig: go.Figure, start: float, end: float, *, filled: bool = False) -> None:
    """Mark steps start..end (inclusive, in timestep units) on every subplot of the figure.

    Outlined (a black line on a white halo, visible on any colour) over heatmaps, or a grey
    band behind lines. The shapes are named `HIGHLIGHT`.
    """
    where = dict(x0=start - 0.5, x1=end + 0.5, row="all", col="all", name=HIGHLIGHT)
    if filled:
        fig.add_vrect(**where, fillcolor="rgba(0,0,0,0.10)", line_width=0, layer="below")
        return
    for color, width in (("white", 6), ("#111", 2.5)):
        fig.add_vrect(**where, fillcolor="rgba(0,0,0,0)", line=dict(color=color, width=width), layer="above")


def add_note(fig: go.Figure, text: str) -> None:
    """A visible note between the title and the plot, e.g. that a heatmap was averaged to fit."""
    fig.add_annotation(
        text=text, xref="paper", yref="paper", x=0, y=1, xanchor="left", yanchor="bottom", yshift=34,
        showarrow=False, align="left", font=dict(size=14, color="#7a3e00"), bgcolor="#fff3e0",
        bordercolor="#e0a040", borderwidth=1, borderpad=4, name="note",
    )
    fig.update_layout(margin_t=130, title_y=0.98, title_yanchor="top")

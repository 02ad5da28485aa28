"""Figures of the guide lessons: arrays in, `go.Figure` out (plotly and numpy only).

- `handoff_heatmaps`: an encoder's states, then a decoder's, on one time axis, one row per run.
- `boundary_lines`: values over time as lines, with dashed lines at chunk boundaries.
- `boundary_steps`: where `add_boundaries` drew its lines, read back from a figure.
- `add_boundaries`: the same dashed lines on any figure (e.g. a state heatmap).
- `continuation_diagram`: batches as columns, samples as rows; sample i continues sample i.
- `timing_bars`: milliseconds per forward pass, one bar each at the median, whiskers over the middle half.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.figures.style import PALETTE, apply_theme, as_matrix, f32, scale_for, unit_axis
from rnnviz.i18n import _

BOUNDARY = "boundary"  # name of the shapes that mark chunk boundaries
HANDOFF = "handoff"  # name of the shapes that mark where the encoder hands over
DENSE_BOUNDARIES = 60  # more boundaries than this are drawn thin and solid


def add_boundaries(fig: go.Figure, starts: Sequence[int], *, color: str = "#444") -> go.Figure:
    """Vertical lines just before each step in `starts`, on every subplot, named `BOUNDARY`.

    One path shape per subplot holds every line, so the figure is built and drawn in time linear in
    the boundaries (one `add_vline` each grows quadratically: 300 took 30 s). Past `DENSE_BOUNDARIES`
    the lines are drawn thin and solid, so the data still shows between them.
    """
    steps = sorted({int(s) for s in starts})
    if not steps:
        return fig
    dense = len(steps) > DENSE_BOUNDARIES
    line = dict(color=color, width=1.5, dash="dash") if not dense else dict(color="rgba(68,68,68,0.22)", width=0.6)
    path = "".join(f"M{s - 0.5},0V1" for s in steps)
    for axis in fig.select_xaxes():
        suffix = axis.plotly_name[len("xaxis"):]
        fig.add_shape(type="path", path=path, xref=f"x{suffix}", yref=f"{axis.anchor or 'y'} domain", line=line,
                      name=BOUNDARY, layer="above")
    return fig


def boundary_steps(fig: go.Figure) -> list[list[float]]:
    """The x of every boundary line `add_boundaries` drew, one list per subplot (for tests and readers)."""
    return [[float(part.split(",")[0]) for part in s.path.split("M")[1:]] for s in fig.layout.shapes
            if s.name == BOUNDARY]


def handoff_heatmaps(
    encoder: np.ndarray,
    decoders: Mapping[str, np.ndarray],
    *,
    title: str,
    quantity: str = "tanh",
) -> go.Figure:
    """An encoder's state then each decoder run's, on one time axis, one row per run.

    Args:
        encoder: the encoder's state at every step.  # (encoder_steps, units)
        decoders: run name -> the decoder's state at every step.  # each (decoder_steps, units)
        title: the figure title.
        quantity: "tanh" (h, fixed −1..1) or "free" (c, symmetric around 0, one scale for all rows).

    Returns:
        The figure; a solid line (named `HANDOFF`) marks where the decoder starts from the handed state.
    """
    encoder = as_matrix(encoder, "encoder")
    if not decoders:
        raise ValueError("decoders is empty: pass at least one run name -> (decoder_steps, units) array")
    mats = {name: as_matrix(v, name) for name, v in decoders.items()}
    units = encoder.shape[1]
    for name, m in mats.items():
        if m.shape[1] != units:
            raise ValueError(f"decoder run {name!r} has {m.shape[1]} units but the encoder has {units}")
    scale = scale_for(quantity, encoder, *mats.values())
    te = encoder.shape[0]
    fig = make_subplots(rows=len(mats), cols=1, shared_xaxes=True, subplot_titles=list(mats),
                        vertical_spacing=0.14 if len(mats) > 1 else 0.1)
    hover = _("unit %{y}<br>value %{z:.4f}")
    for row, (name, dec) in enumerate(mats.items(), start=1):
        z = np.concatenate([encoder, dec], axis=0)  # (steps, units)
        labels = ([_("encoder step {step}").format(step=t) for t in range(te)]
                  + [_("decoder step {step}").format(step=t) for t in range(dec.shape[0])])
        fig.add_trace(go.Heatmap(
            z=f32(z.T), x=np.arange(z.shape[0]), y=np.arange(units), coloraxis="coloraxis", name=name,
            customdata=np.array([labels] * units), xgap=0, ygap=0,
            hovertemplate=f"<b>{name}</b><br>%{{customdata}}<br>{hover}<extra></extra>",
        ), row=row, col=1)
        fig.update_yaxes(unit_axis(units), row=row, col=1)
        fig.add_vline(x=te - 0.5, line=dict(color="black", width=4), name=HANDOFF, row=row, col=1)
    steps = te + max(m.shape[0] for m in mats.values())
    ticks = list(range(steps))
    every = max(1, steps // 25)
    fig.update_xaxes(range=[-0.5, steps - 0.5], tickmode="array", tickvals=ticks[::every],
                     ticktext=[str(t if t < te else t - te) for t in ticks][::every])
    fig.update_xaxes(title_text=_("encoder steps 0–{last}, then decoder steps from 0").format(last=te - 1),
                     row=len(mats), col=1)
    # Above the first row's title: which steps are the encoder's and which the decoder's.
    fig.add_annotation(text=_("<b>encoder</b>"), x=(te - 1) / 2, y=1.0, xref="x", yref="paper", yanchor="bottom",
                       yshift=30, showarrow=False, name="part")
    fig.add_annotation(text=_("<b>decoder</b>, from the handed h, c →"), x=te - 0.5, xanchor="left", xshift=6,
                       y=1.0, xref="x", yref="paper", yanchor="bottom", yshift=30, showarrow=False, name="part")
    fig.update_layout(coloraxis=dict(colorscale=scale.colorscale, cmin=scale.zmin, cmax=scale.zmax,
                                     colorbar=dict(title=dict(text=scale.title, side="right"), thickness=18)))
    fig.update_annotations(font_size=16)
    apply_theme(fig, title, 190 + len(mats) * max(200, min(420, 60 + 4 * units)))
    return fig.update_layout(margin_t=130)


def boundary_lines(
    series: Mapping[str, np.ndarray],
    *,
    title: str,
    y_title: str,
    boundaries: Sequence[int] = (),
    x_title: str | None = None,
    dashed: Sequence[str] = (),
    y_range: tuple[float, float] | None = None,
    height: int = 420,
) -> go.Figure:
    """Values over time, one line per series, with dashed lines before each step in `boundaries`.

    Args:
        series: name -> values at every step.  # each (steps,)
        title: the figure title.
        y_title: what the values are.
        boundaries: steps where a new chunk starts.
        x_title: the x axis title; "timestep" (in the current language) by default.
        dashed: names of series drawn dashed (e.g. a reference run under the others).
        y_range: fixed y range, or None to follow the data.
        height: pixels.

    Returns:
        The figure; boundary shapes are named `BOUNDARY`.
    """
    if not series:
        raise ValueError("series is empty: pass at least one name -> (steps,) array")
    fig = go.Figure()
    at_step = _("step %{x:d}")
    for i, (name, values) in enumerate(series.items()):
        v = np.asarray(values)
        if v.ndim != 1 or v.size == 0:
            raise ValueError(f"series {name!r} must be a (steps,) array; got shape {v.shape}")
        fig.add_trace(go.Scatter(
            x=np.arange(v.size), y=f32(v), name=name, mode="lines",
            line=dict(color=PALETTE[i % len(PALETTE)], width=2 if name in dashed else 3,
                      dash="dot" if name in dashed else "solid"),
            hovertemplate=f"<b>{name}</b><br>{at_step}<br>%{{y:.4g}}<extra></extra>",
        ))
    add_boundaries(fig, boundaries)
    fig.update_xaxes(title_text=_("timestep") if x_title is None else x_title, tickformat="d")
    fig.update_yaxes(title_text=y_title, showgrid=True, gridcolor="#e5e5e5", zeroline=True, zerolinecolor="#888")
    if y_range is not None:
        fig.update_yaxes(range=list(y_range))
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return apply_theme(fig, title, height)


def continuation_diagram(
    batch: int,
    bounds: Sequence[tuple[int, int]],
    *,
    samples_shown: int = 3,
    chunks_shown: int = 4,
    title: str | None = None,
) -> go.Figure:
    """Batches (chunks of the sequence) as columns, samples as rows, arrows along each row.

    Args:
        batch: samples in every batch.
        bounds: (start, stop) of each chunk.
        samples_shown: rows drawn before "…" (the last sample is always drawn).
        chunks_shown: columns drawn before "…" (the last chunk is always drawn).
        title: the figure title; by default "Sample i of each batch continues sample i of the batch
            before" (in the current language).

    Returns:
        The figure: one box per (sample, chunk) labelled with its steps; arrows join each
        sample's boxes; the state is carried along the arrows.
    """
    if batch < 1 or not bounds:
        raise ValueError("need at least one sample and one chunk")
    rows = list(range(min(batch, samples_shown)))
    if batch > samples_shown:
        rows.append(batch - 1)
    cols = list(range(min(len(bounds), chunks_shown)))
    if len(bounds) > chunks_shown:
        cols.append(len(bounds) - 1)
    fig = go.Figure()
    width, height, gap_x, gap_y = 1.0, 0.6, 0.55, 0.35
    xs = {c: i * (width + gap_x) for i, c in enumerate(cols)}
    ys = {r: -i * (height + gap_y) for i, r in enumerate(rows)}
    for r in rows:
        color = PALETTE[r % len(PALETTE)]
        for i, c in enumerate(cols):
            x0, y0 = xs[c], ys[r]
            start, stop = bounds[c]
            fig.add_shape(type="rect", x0=x0, x1=x0 + width, y0=y0 - height / 2, y1=y0 + height / 2,
                          line=dict(color=color, width=2), fillcolor="rgba(0,0,0,0.03)", name=f"sample {r}")
            fig.add_annotation(x=x0 + width / 2, y=y0, showarrow=False, font=dict(size=14),
                               text=_("sample {sample}<br>steps {first}–{last}").format(
                                   sample=r, first=start, last=stop - 1))
            if i + 1 < len(cols):
                nxt = xs[cols[i + 1]]
                skipped = cols[i + 1] != c + 1
                fig.add_annotation(x=nxt, y=y0, ax=x0 + width, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                                   showarrow=True, arrowhead=3, arrowsize=1.3, arrowwidth=2, arrowcolor=color,
                                   text="", name="carry")
                if skipped:
                    fig.add_annotation(x=(x0 + width + nxt) / 2, y=y0 + 0.14, text="…", showarrow=False,
                                       font=dict(size=18))
    for i, c in enumerate(cols):
        last = c == len(bounds) - 1 and len(bounds) > 1
        label = (_("batch {batch} (last)") if last else _("batch {batch}")).format(batch=c + 1)
        fig.add_annotation(x=xs[c] + width / 2, y=ys[rows[0]] + height / 2 + 0.12, text=f"<b>{label}</b>",
                           showarrow=False, yanchor="bottom", font=dict(size=15))
    if batch > samples_shown:
        fig.add_annotation(x=xs[cols[0]] + width / 2, y=(ys[rows[-2]] + ys[rows[-1]]) / 2, text="⋮",
                           showarrow=False, font=dict(size=20))
    right = xs[cols[-1]] + width
    bottom = ys[rows[-1]] - height / 2
    fig.update_xaxes(visible=False, range=[-0.1, right + 0.1])
    fig.update_yaxes(visible=False, range=[bottom - 0.15, ys[rows[0]] + height / 2 + 0.5], scaleanchor=None)
    fig.update_layout(showlegend=False, margin=dict(l=20, r=20, t=70, b=20))
    if title is None:
        title = _("Sample i of each batch continues sample i of the batch before")
    return apply_theme(fig, title, 110 + 95 * len(rows))


def timing_bars(milliseconds: Mapping[str, Sequence[float]], *, title: str) -> go.Figure:
    """One horizontal bar per variant at the median of its times, whiskers over the middle half (the IQR).

    Args:
        milliseconds: name -> the time of every forward pass timed.  # each (repeats,)
        title: the figure title.

    Returns:
        The figure; each bar's text gives its median and the range of the middle half, the hover
        also the fastest and slowest pass.
    """
    if not milliseconds:
        raise ValueError("milliseconds is empty: pass at least one name -> the times of each forward pass")
    names = list(milliseconds)
    times = [np.atleast_1d(np.asarray(milliseconds[n], dtype=np.float64)) for n in names]
    if any(t.size == 0 or t.ndim != 1 for t in times):
        raise ValueError("each name needs a (repeats,) list of at least one time")
    median = np.array([np.median(t) for t in times])
    q1, q3 = np.array([np.percentile(t, 25) for t in times]), np.array([np.percentile(t, 75) for t in times])
    lo, hi = np.array([t.min() for t in times]), np.array([t.max() for t in times])
    fig = go.Figure(go.Bar(
        x=median, y=names, orientation="h", marker_color=[PALETTE[i % len(PALETTE)] for i in range(len(names))],
        error_x=dict(type="data", symmetric=False, array=q3 - median, arrayminus=median - q1, color="#222",
                     thickness=2, width=10),
        text=[_("{median} ms (middle half {low}–{high})").format(median=f"{m:.1f}", low=f"{a:.1f}", high=f"{b:.1f}")
              for m, a, b in zip(median, q1, q3)],
        textposition="inside", insidetextanchor="start", textfont=dict(color="white"),  # clear of the whiskers
        customdata=np.stack([q1, q3, lo, hi, [t.size for t in times]], axis=1),
        hovertemplate=_("%{y}: median %{x:.2f} ms<br>middle half %{customdata[0]:.2f}–%{customdata[1]:.2f} ms<br>"
                        "fastest %{customdata[2]:.2f}, slowest %{customdata[3]:.2f} ms, %{customdata[4]} passes")
                      + "<extra></extra>",
    ))
    fig.update_xaxes(title_text=_("ms per pass: median, whiskers<br>over the middle half of the passes"),
                     range=[0, float(q3.max()) * 1.15 or 1])
    fig.update_yaxes(autorange="reversed")
    return apply_theme(fig, title, 170 + 70 * len(names))

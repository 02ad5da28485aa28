"""The stack diagram (a `rnnviz.diagram.Diagram`) as a Plotly figure: boxes, arrows, shapes on the arrows.

Rows are the longest path from an input, so a decoder's recurrent layer sits below the encoder layer whose
states it takes. Its size is bounded by the spec's limits: at most MAX_STACKS columns and
MAX_STACKS x MAX_LAYERS + 2 rows (stacks chained by their states).
"""

from __future__ import annotations

import plotly.graph_objects as go

from rnnviz.diagram import Diagram, DiagramEdge, DiagramNode
from rnnviz.figures.style import FONT_FAMILY, TEMPLATE
from rnnviz.i18n import _

BOX_WIDTH = 0.9  # of a column
NARROW_PX = 440  # the narrowest the Build page draws it (its right column, 1280-px window, sidebar open)
CHAR_PX = 9  # a little over the width of a Latin letter at FONT_PX
LABEL_ROOM = 0.3  # of a column, right of the last one: its arrows' shapes are written right of them
FONT_PX = 14  # the smallest text a classroom reads from the back
LINE_PX = 20  # a line of box text
TITLE_PX = 56
GAP_PX = 50  # between two rows: room for the arrow and its shape
NOTE_CHARS = NARROW_PX // CHAR_PX  # a problem's note is wrapped at this many Latin letters (Hangul: two each)
INVALID = "#c0392b"
STATES = "#c0392b"
EDGE = "#555555"
_FILL = {"input": ("#f4f4f4", "#888888"), "recurrent": ("#fdf1e4", "#4a6fa5"), "layer": ("#eef3fb", "#4a6fa5")}


def node_depths(diagram: Diagram) -> dict[str, int]:
    """Each node's row: the longest path to it from a node with no incoming edge."""
    incoming: dict[str, list[str]] = {n.id: [] for n in diagram.nodes}
    for edge in diagram.edges:
        incoming[edge.target].append(edge.source)
    depths: dict[str, int] = {}

    def depth(node: str) -> int:
        if node not in depths:  # the graph has no cycles: edges go down a stack or to a later stack
            depths[node] = max((depth(s) + 1 for s in incoming[node]), default=0)
        return depths[node]

    for node in incoming:
        depth(node)
    return depths


def diagram_figure(diagram: Diagram) -> go.Figure:
    """The diagram drawn top to bottom, a column per stack.

    Args:
        diagram: from `rnnviz.diagram.model_diagram`.

    Returns:
        A figure whose shapes are the boxes (named "box:<node id>") and whose annotations are the box texts
        ("node:<id>"), the arrows ("edge:<source>-><target>"), their labels ("label:<source>-><target>") and
        the notes under the diagram on layers to fix ("note:<id>").
    """
    depths = node_depths(diagram)
    left = -0.5 - max(0.0, (2 - diagram.columns) / 4)  # one stack takes the middle 60 %, not the whole width
    span = diagram.columns - 1 - 2 * left + (LABEL_ROOM if diagram.columns > 1 else 0)
    width = int(NARROW_PX * BOX_WIDTH / span / CHAR_PX)  # Latin letters a line of a box holds (Hangul: two each)
    lines = max((len(_box_lines(n, width)) for n in diagram.nodes), default=1)
    box_px = lines * LINE_PX + 14
    row_px = box_px + GAP_PX
    top = {n.id: depths[n.id] * row_px for n in diagram.nodes}
    size = FONT_PX
    fig = go.Figure()
    nodes = {n.id: n for n in diagram.nodes}
    for node in diagram.nodes:
        _draw_node(fig, node, top[node.id], box_px, size, width)
    for edge in diagram.edges:
        _draw_edge(fig, edge, nodes[edge.source], nodes[edge.target], top, box_px)
    bottom = (max(depths.values(), default=0) + 1) * row_px - GAP_PX
    notes = _add_notes(fig, diagram, bottom + 16, size, left)
    bottom += 16 + notes if notes else 0
    fig.update_layout(  # a pixel of height is a unit of y: boxes keep their size, whatever the rows
        template=TEMPLATE, font=dict(family=FONT_FAMILY, size=size), height=bottom + 20 + TITLE_PX + 10,
        title=dict(text=_("Layers and tensor shapes")), showlegend=False,
        margin=dict(l=10, r=10, t=TITLE_PX, b=10), hovermode="closest",
        xaxis=dict(visible=False, range=[left, left + span], fixedrange=True),
        yaxis=dict(visible=False, range=[bottom + 10, -10], fixedrange=True),
    )
    fig.add_trace(_hover_points(diagram, top, box_px, width))
    return fig


def _box_lines(node: DiagramNode, width: int) -> list[str]:
    """What a box says: its title in bold (with ⚠ on a layer to fix), its description, its parameters."""
    title = ("⚠ " if node.invalid else "") + node.lines[0]
    lines = [f"<b>{title}</b>", *[part for line in node.lines[1:] for part in _wrap(line, width)]]
    if node.params is not None:
        lines.append(_("{params} params").format(params=f"{node.params:,}"))
    return lines


def _draw_node(fig: go.Figure, node: DiagramNode, top: float, box_px: float, size: int, width: int) -> None:
    text = "<br>".join(_box_lines(node, width))
    if node.kind != "output":
        fill, border = _FILL[node.kind]
        if node.invalid:
            fill, border = "#fdecea", INVALID
        fig.add_shape(name=f"box:{node.id}", type="rect", xref="x", yref="y", x0=node.column - BOX_WIDTH / 2,
                      x1=node.column + BOX_WIDTH / 2, y0=top, y1=top + box_px, fillcolor=fill,
                      line=dict(color=border, width=3 if node.invalid else 1.5), layer="below")
    fig.add_annotation(name=f"node:{node.id}", x=node.column, y=top + box_px / 2, xref="x", yref="y", text=text,
                       showarrow=False, align="center", font=dict(size=size + (1 if node.kind == "output" else 0),
                                                                  color=INVALID if node.invalid else "#222"))


def _draw_edge(fig: go.Figure, edge: DiagramEdge, source: DiagramNode, target: DiagramNode,
               top: dict[str, float], box_px: float) -> None:
    """An arrow from the bottom of one box to the top of the next, its label beside its middle."""
    states = edge.kind == "states"
    x0, y0 = source.column, top[source.id] + box_px
    x1 = target.column - (BOX_WIDTH / 4 if states else 0)  # beside the tensor's arrow into the same box
    y1 = top[target.id]
    colour = STATES if states else EDGE
    name = f"{edge.source}->{edge.target}"
    mid_x, mid_y = (x0 + x1) / 2, (y0 + y1) / 2
    if states:  # dashed, as well as red: the states are not the tensor the layer reads
        fig.add_shape(name=f"states:{name}", type="line", xref="x", yref="y", x0=x0, y0=y0, x1=x1, y1=y1,
                      line=dict(color=colour, width=2.5, dash="dash"))
        x0, y0 = x0 + 0.8 * (x1 - x0), y0 + 0.8 * (y1 - y0)  # the arrow draws only the last stretch
    fig.add_annotation(name=f"edge:{name}", x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                       text="", showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=2.5 if states else 1.5,
                       arrowcolor=colour)
    # An input read by two stacks sends two arrows down from one point: each label on its arrow's outer side.
    leftwards = x1 < x0 and not states
    fig.add_annotation(name=f"label:{name}", x=mid_x + (-0.03 if leftwards else 0.03), y=mid_y, xref="x", yref="y",
                       text=f"<b>{edge.label}</b>" if states else edge.label, showarrow=False,
                       xanchor="right" if leftwards else "left",
                       font=dict(size=FONT_PX, color=colour), bgcolor="rgba(255,255,255,0.8)")


def _add_notes(fig: go.Figure, diagram: Diagram, top: float, size: int, left: float) -> int:
    """The message of every layer to fix, under the diagram; returns the height they take."""
    y = top
    for node in diagram.nodes:
        if not node.invalid:
            continue
        lines = [line for message in node.message.split("\n")
                 for line in _wrap(f"⚠ {node.lines[0]}: {message}", NOTE_CHARS)]
        fig.add_annotation(name=f"note:{node.id}", x=left, y=y, xref="x", yref="y", xanchor="left", yanchor="top",
                           text="<br>".join(lines), showarrow=False, align="left",
                           font=dict(size=size, color=INVALID))
        y += len(lines) * LINE_PX + 8
    return int(y - top)


def _wrap(text: str, width: int) -> list[str]:
    """Words into lines of at most `width` Latin letters, a wide (Hangul) character counting two."""
    lines, line, used = [], "", 0
    for word in text.split(" "):
        cost = sum(2 if _wide(c) else 1 for c in word)
        if line and used + 1 + cost > width:
            lines.append(line)
            line, used = word, cost
        else:
            line, used = (f"{line} {word}" if line else word), used + (1 if line else 0) + cost
    return [*lines, line]


def _wide(char: str) -> bool:
    """Whether a character takes about two Latin letters' room: Hangul (jamo, compatibility jamo, syllables), CJK."""
    code = ord(char)
    return 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F or 0xAC00 <= code <= 0xD7A3 or 0x4E00 <= code <= 0x9FFF


def _hover_points(diagram: Diagram, top: dict[str, float], box_px: float, width: int) -> go.Scatter:
    """An invisible point on every box, so hovering shows the whole of it (and the tensor it gives)."""
    texts = []
    for node in diagram.nodes:
        parts = _box_lines(node, width)
        if node.shape:
            parts.append(_("gives {shape}").format(shape=node.shape))
        if node.invalid:
            parts += [line for message in node.message.split("\n") for line in _wrap(message, 60)]
        texts.append("<br>".join(parts))
    return go.Scatter(x=[n.column for n in diagram.nodes], y=[top[n.id] + box_px / 2 for n in diagram.nodes],
                      mode="markers", marker=dict(size=30, opacity=0), hovertext=texts, hoverinfo="text",
                      name="boxes")

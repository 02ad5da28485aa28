"""A heatmap as a picture (a PNG in a data URI), for figures whose heatmap traces Plotly would drop.

Plotly's animations without a redraw re-plot only the traces they move and remove the other
traces of every subplot they touch, heatmaps included; a layout image is not a trace, so it
stays. `heatmap_picture` colours each cell as the heatmap would and enlarges it to whole pixels,
so the cells stay sharp when the browser scales the picture.
"""

from __future__ import annotations

import base64
import struct
import zlib
from functools import lru_cache

import numpy as np
import plotly.colors

from rnnviz.figures.style import Scale

MIN_WIDTH_PX = 900  # cells are repeated until the picture is at least this wide...
MIN_HEIGHT_PX = 400  # ...and this tall, so scaling down never blurs a cell away
NAN_RGB = (187, 187, 187)  # a cell with no value


@lru_cache(maxsize=16)
def palette(colorscale: str) -> np.ndarray:
    """256 RGB colours along a named Plotly colour scale, interpolated in RGB as Plotly does.  # (256, 3) uint8"""
    stops = plotly.colors.get_colorscale(colorscale)
    positions = [p for p, _ in stops]
    rgb = np.array([plotly.colors.hex_to_rgb(c) if c.startswith("#") else plotly.colors.unlabel_rgb(c)
                    for _, c in stops], dtype=float)
    t = np.linspace(0, 1, 256)
    return np.stack([np.interp(t, positions, rgb[:, k]) for k in range(3)], axis=1).round().astype(np.uint8)


def colours(values: np.ndarray, scale: Scale) -> np.ndarray:
    """Each value's colour on `scale`; NaN is grey.  # values.shape + (3,) uint8"""
    a = np.asarray(values, dtype=np.float64)
    share = np.clip((a - scale.zmin) / (scale.zmax - scale.zmin), 0.0, 1.0)
    rgb = palette(scale.colorscale)[np.rint(np.nan_to_num(share) * 255).astype(int)]
    rgb[np.isnan(a)] = NAN_RGB
    return rgb


def hex_colours(values: np.ndarray, scale: Scale) -> list[str]:
    """Each value's colour on `scale` as "#rrggbb"; NaN is grey."""
    return ["#%02x%02x%02x" % tuple(c) for c in colours(np.ravel(values), scale).tolist()]


def png(rgb: np.ndarray) -> bytes:
    """An RGB image as PNG bytes (8 bits a channel, no filter).  # rgb: (height, width, 3) uint8"""
    height, width, _ = rgb.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), rgb.reshape(height, width * 3)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
            + chunk(b"IEND", b""))


def heatmap_picture(z: np.ndarray, scale: Scale) -> str:
    """The heatmap `z` (rows drawn top to bottom) as a PNG data URI, each cell whole pixels.  # z: (rows, columns)"""
    rgb = colours(z, scale)
    rows, columns = z.shape
    rgb = np.repeat(np.repeat(rgb, -(-MIN_HEIGHT_PX // rows), axis=0), -(-MIN_WIDTH_PX // columns), axis=1)
    return "data:image/png;base64," + base64.b64encode(png(rgb)).decode("ascii")

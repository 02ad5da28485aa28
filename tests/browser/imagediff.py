"""Compare two screenshots with a per-pixel tolerance and a small share of pixels allowed to differ.

Pure functions on Pillow images (numpy inside), so they are tested without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

# A pixel "differs" when one of its channels moves by more than this (0..255): absorbs
# anti-aliasing wobble, not a change of colour.
DEFAULT_TOLERANCE = 16
# Share of pixels allowed to differ before the images count as different (0.02 %: about 500
# pixels of a 1280 x 2000 page, a word or two of text). Two runs on one machine differ by 0.
DEFAULT_MAX_SHARE = 0.0002

_HIGHLIGHT = np.array([230, 0, 60], dtype=np.uint8)  # differing pixels in the diff image


@dataclass(frozen=True)
class Comparison:
    """What compare_images found."""

    expected_size: tuple[int, int]  # (width, height)
    actual_size: tuple[int, int]
    differing: int  # pixels over the tolerance; every pixel outside the common area when sizes differ
    total: int  # pixels of the larger canvas
    max_share: float

    @property
    def same_size(self) -> bool:
        return self.expected_size == self.actual_size

    @property
    def share(self) -> float:
        """Share of pixels that differ, 0..1."""
        return self.differing / self.total if self.total else 0.0

    @property
    def ok(self) -> bool:
        """True when the images match: same size and few enough differing pixels."""
        return self.same_size and self.share <= self.max_share

    def describe(self) -> str:
        """One line for a failure message."""
        if not self.same_size:
            return f"size changed from {self.expected_size} to {self.actual_size} (width, height)"
        return (f"{self.differing:,} of {self.total:,} pixels differ ({self.share:.3%}; "
                f"allowed {self.max_share:.3%})")


def _rgb(image: Image.Image) -> np.ndarray:
    """The image as (height, width, 3) uint8, transparent parts laid on white."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        canvas = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(canvas, image)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _padded(a: np.ndarray, height: int, width: int) -> np.ndarray:
    out = np.full((height, width, 3), 255, dtype=np.uint8)
    out[: a.shape[0], : a.shape[1]] = a
    return out


def _difference_mask(actual: np.ndarray, expected: np.ndarray, tolerance: int) -> np.ndarray:
    """(height, width) bool on the larger canvas: True where the images differ."""
    height = max(actual.shape[0], expected.shape[0])
    width = max(actual.shape[1], expected.shape[1])
    a, e = _padded(actual, height, width), _padded(expected, height, width)
    mask = (np.abs(a.astype(np.int16) - e.astype(np.int16)).max(axis=2)) > tolerance
    # Outside the area both images cover, every pixel counts as different.
    mask[min(actual.shape[0], expected.shape[0]):, :] = True
    mask[:, min(actual.shape[1], expected.shape[1]):] = True
    return mask


def compare_images(actual: Image.Image, expected: Image.Image, *, tolerance: int = DEFAULT_TOLERANCE,
                   max_share: float = DEFAULT_MAX_SHARE) -> Comparison:
    """Compare `actual` with `expected`.

    Args:
        actual: the new screenshot.
        expected: the baseline.
        tolerance: largest change of one channel (0..255) that still counts as the same pixel.
        max_share: largest share of differing pixels (0..1) that still counts as the same image.

    Returns:
        A Comparison; `.ok` says whether the images match.
    """
    a, e = _rgb(actual), _rgb(expected)
    mask = _difference_mask(a, e, tolerance)
    return Comparison(
        expected_size=(e.shape[1], e.shape[0]),
        actual_size=(a.shape[1], a.shape[0]),
        differing=int(mask.sum()),
        total=int(mask.size),
        max_share=max_share,
    )


def write_diff(actual: Image.Image, expected: Image.Image, path: str | Path, *,
               tolerance: int = DEFAULT_TOLERANCE) -> Path:
    """Write a diff image: expected | actual | the expected faded with differing pixels in red.

    Args:
        actual: the new screenshot.
        expected: the baseline.
        path: where to write the PNG (folders are created).
        tolerance: as for compare_images.

    Returns:
        The path written.
    """
    a, e = _rgb(actual), _rgb(expected)
    mask = _difference_mask(a, e, tolerance)
    height, width = mask.shape
    faded = (_padded(e, height, width).astype(np.uint16) + 3 * 255) // 4  # 25 % of the baseline on white
    overlay = faded.astype(np.uint8)
    overlay[mask] = _HIGHLIGHT
    gap = np.full((height, 8, 3), 128, dtype=np.uint8)
    strip = np.concatenate([_padded(e, height, width), gap, _padded(a, height, width), gap, overlay], axis=1)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(strip).save(path)
    return path

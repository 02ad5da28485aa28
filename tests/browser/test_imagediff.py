"""The screenshot comparison on its own: no browser, so not marked `browser`."""

import numpy as np
from PIL import Image, ImageDraw

from imagediff import compare_images, write_diff


def page_like(width=400, height=300) -> Image.Image:
    """A small stand-in for a screenshot: a sidebar, a title bar, some boxes and text."""
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 80, height), fill=(240, 242, 246))
    draw.rectangle((100, 20, 380, 50), fill=(49, 51, 63))
    draw.rounded_rectangle((120, 80, 260, 140), radius=8, fill=(253, 241, 228), outline=(74, 111, 165))
    draw.text((130, 100), "LSTM(128)", fill=(0, 0, 0))
    return image


def test_identical_images_pass():
    result = compare_images(page_like(), page_like())
    assert result.ok and result.differing == 0 and result.share == 0.0


def test_noise_within_tolerance_passes():
    rng = np.random.default_rng(0)
    pixels = np.asarray(page_like(), dtype=np.int16)
    noisy = np.clip(pixels + rng.integers(-6, 7, pixels.shape), 0, 255).astype(np.uint8)
    assert compare_images(Image.fromarray(noisy), page_like()).ok


def test_a_few_stray_pixels_pass():
    image = page_like()
    for x in range(20):  # 20 of 120,000 pixels: under the default 0.02 %
        image.putpixel((300 + x, 200), (255, 0, 0))
    result = compare_images(image, page_like())
    assert result.differing == 20 and result.ok


def test_a_change_of_colour_fails():
    changed = page_like()
    ImageDraw.Draw(changed).rounded_rectangle((120, 80, 260, 140), radius=8, fill=(200, 230, 255),
                                              outline=(74, 111, 165))
    ImageDraw.Draw(changed).text((130, 100), "LSTM(128)", fill=(0, 0, 0))
    result = compare_images(changed, page_like())
    assert not result.ok
    assert result.share > 0.05
    assert "pixels differ" in result.describe()


def test_a_change_of_size_fails():
    result = compare_images(page_like(height=320), page_like())
    assert not result.ok and not result.same_size
    assert result.differing >= 400 * 20  # at least the added rows
    assert "size changed from (400, 300) to (400, 320)" in result.describe()


def test_transparency_is_laid_on_white():
    clear = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    assert compare_images(clear, Image.new("RGB", (10, 10), (255, 255, 255))).ok


def test_write_diff_marks_the_changed_pixels(tmp_path):
    changed = page_like()
    ImageDraw.Draw(changed).rectangle((300, 200, 309, 209), fill=(0, 128, 0))
    path = write_diff(changed, page_like(), tmp_path / "out" / "diff.png")
    diff = Image.open(path).convert("RGB")
    assert diff.size == (3 * 400 + 2 * 8, 300)  # expected | actual | highlighted
    overlay = np.asarray(diff)[:, 2 * (400 + 8):]
    red = np.all(overlay == (230, 0, 60), axis=2)
    assert red.sum() == 100
    assert red[200:210, 300:310].all()


def test_write_diff_pads_images_of_different_sizes(tmp_path):
    path = write_diff(page_like(height=320), page_like(), tmp_path / "diff.png")
    assert Image.open(path).size == (3 * 400 + 2 * 8, 320)

"""The layout engine: print size and DPI, determinism, the reference image placed undistorted."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.support.design import decode
from tools.design.base import DesignError, DesignRequest
from tools.design.layout import LayoutEngine, drawable_text
from tools.products import PRODUCTS, get_product

RED = (220, 20, 20)
BLUE = (20, 20, 220)


BASE_REQUEST = DesignRequest(
    order_id="ord-42",
    brief="A fox reading a book under a crescent moon, line art, two colours",
    product=get_product("tshirt"),
)


def request(**overrides: Any) -> DesignRequest:
    return replace(BASE_REQUEST, **overrides)


def near(pixels: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> np.ndarray:
    """Mask of the pixels within ``tolerance`` of ``colour`` on every channel."""
    return np.all(np.abs(pixels[..., :3].astype(int) - colour) <= tolerance, axis=-1)


def bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the True pixels, right/bottom exclusive."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    assert rows.size and cols.size, "no pixel matched"
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


@pytest.fixture
def flag_png(tmp_path: Path) -> Path:
    """A 300×200 red image whose top-left quadrant is blue: shows scale, aspect and orientation."""
    image = Image.new("RGB", (300, 200), RED)
    image.paste(BLUE, (0, 0, 150, 100))
    path = tmp_path / "flag.png"
    image.save(path)
    return path


@pytest.mark.parametrize("key", sorted(PRODUCTS))
def test_png_fills_the_print_area_at_the_product_dpi(key: str) -> None:
    product = get_product(key)
    result = LayoutEngine().generate(request(product=product))

    image = decode(result)
    assert image.format == "PNG"
    assert image.size == product.size_px == (result.width, result.height)
    # pHYs stores pixels per metre, so the DPI reads back within rounding of the product's.
    assert tuple(round(v) for v in image.info["dpi"]) == (product.dpi, product.dpi)
    assert (result.engine, result.model) == ("layout", None)


def test_same_request_gives_identical_bytes(flag_png: Path) -> None:
    req = request(reference_image=flag_png.read_bytes(), feedback="bigger moon", version=3)
    assert LayoutEngine().generate(req).png == LayoutEngine().generate(req).png


def test_brief_is_drawn_in_ink_on_white() -> None:
    pixels = np.asarray(decode(LayoutEngine().generate(request())))
    white = near(pixels, (255, 255, 255), tolerance=0)
    dark = near(pixels, (20, 20, 28), tolerance=30)
    assert white.mean() > 0.5  # a white canvas
    left, top, right, _ = bbox(dark)
    width, height = pixels.shape[1], pixels.shape[0]
    # The text block is wide (wrapped to the print area) and stays inside the margins.
    assert right - left > width * 0.5
    assert left >= width * 0.04 and right <= width * 0.96 and top >= height * 0.04


def test_reference_image_is_contained_undistorted_above_the_text(flag_png: Path) -> None:
    product = get_product("poster")
    pixels = np.asarray(
        decode(
            LayoutEngine().generate(request(product=product, reference_image=flag_png.read_bytes()))
        )
    )

    red, blue = near(pixels, RED), near(pixels, BLUE)
    left, top, right, bottom = bbox(red | blue)
    # Scaled up to the print area's width (less margins), aspect ratio kept (3:2).
    assert right - left > product.size_px[0] * 0.85
    assert (right - left) / (bottom - top) == pytest.approx(1.5, rel=0.02)
    # Not flipped or rotated: the blue quadrant is still top-left.
    b_left, b_top, b_right, b_bottom = bbox(blue)
    assert (b_left, b_top) == (left, top)
    assert (b_right - left) / (right - left) == pytest.approx(0.5, abs=0.02)
    assert (b_bottom - top) / (bottom - top) == pytest.approx(0.5, abs=0.02)
    # The brief is still there, below the image.
    text_rows = np.flatnonzero(near(pixels, (20, 20, 28), tolerance=30).any(axis=1))
    assert text_rows.size and text_rows.min() > bottom


def test_transparent_parts_of_the_reference_show_the_white_canvas(tmp_path: Path) -> None:
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    image.paste((20, 200, 20, 255), (100, 0, 200, 200))  # right half opaque green
    path = tmp_path / "half.png"
    image.save(path)

    pixels = np.asarray(decode(LayoutEngine().generate(request(reference_image=path.read_bytes()))))
    left, top, right, bottom = bbox(near(pixels, (20, 200, 20)))
    side = bottom - top
    # The green half sits in the right half of a square image box; the left half is white
    # (away from the edge, where resampling blends the two).
    assert right - left == pytest.approx(side / 2, abs=2)
    transparent_half = pixels[top:bottom, left - side // 2 + 2 : left - side // 8]
    assert near(transparent_half, (255, 255, 255), tolerance=0).all()


def test_a_tiny_reference_is_scaled_up_to_its_region(tmp_path: Path) -> None:
    path = tmp_path / "tiny.png"
    Image.new("RGB", (4, 4), BLUE).save(path)
    product = get_product("hoodie")
    pixels = np.asarray(
        decode(LayoutEngine().generate(request(product=product, reference_image=path.read_bytes())))
    )
    left, top, right, bottom = bbox(near(pixels, BLUE))
    assert right - left == bottom - top  # still square
    assert bottom - top > product.size_px[1] * 0.5


def test_each_version_and_feedback_changes_the_design() -> None:
    engine = LayoutEngine()
    v1 = engine.generate(request(version=1)).png
    v2 = engine.generate(request(version=2)).png
    v2_feedback = engine.generate(request(version=2, feedback="make the moon bigger")).png
    assert len({v1, v2, v2_feedback}) == 3

    # The feedback is drawn in the accent colour, so a reviewer sees what changed.
    pixels = np.asarray(Image.open(io.BytesIO(v2_feedback)))
    assert near(pixels, (176, 52, 40), tolerance=25).sum() > 500


def test_progress_is_reported_once() -> None:
    calls: list[tuple[int, int]] = []
    LayoutEngine().generate(request(), lambda done, total: calls.append((done, total)))
    assert calls == [(1, 1)]


def test_a_brief_too_long_for_the_area_is_cut_not_overflowing() -> None:
    product = get_product("sticker")
    brief = "Overflowing " * 330 + "Supercalifragilisticexpialidocious" * 8
    pixels = np.asarray(decode(LayoutEngine().generate(request(product=product, brief=brief))))
    left, top, right, bottom = bbox(near(pixels, (20, 20, 28), tolerance=30))
    width, height = product.size_px
    assert left >= width * 0.04 and right <= width * 0.96
    assert top >= height * 0.04 and bottom <= height * 0.96


def test_unreadable_reference_image_raises_design_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image at all")
    with pytest.raises(DesignError, match="cannot read the reference image"):
        LayoutEngine().generate(request(reference_image=broken.read_bytes()))
    with pytest.raises(DesignError, match="cannot read the reference image"):
        LayoutEngine().generate(request(reference_image=b""))


def test_letters_the_bundled_font_lacks_are_folded_not_drawn_as_boxes() -> None:
    assert drawable_text("Café Über 12×18 — straße 中") == "Cafe Uber 12x18 - strasse ?"
    engine = LayoutEngine()
    assert engine.generate(request(brief="Café")).png == engine.generate(request(brief="Cafe")).png

"""Print-file encoding shared by the design engines: one PNG format, one resize policy."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from tools.design.base import DesignResult
from tools.products import Product

# zlib level 1. Measured on 1500×1800 print files (median of 7 runs, CPU), level 1 / 3 / 6:
#   layout, text only:        35 / 35 / 53 ms for 167 / 163 / 135 KB
#   layout with a photo:      46 / 51 / 90 ms for 308 / 269 / 206 KB
#   upscaled generated image: 105 / 148 / 378 ms for 1.9 / 1.6 / 1.5 MB
# Encoding is most of the layout engine's time and is paid on every order; the files only go to
# local disk and Drive, where a few hundred KB more cost nothing, so the fastest level wins.
PNG_COMPRESS_LEVEL = 1


def encode_png(image: Image.Image, product: Product) -> bytes:
    """``image`` as PNG bytes carrying the product's DPI (pHYs chunk), so print software sizes it
    correctly. Deterministic: the same pixels always give the same bytes."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", dpi=(product.dpi, product.dpi), compress_level=PNG_COMPRESS_LEVEL)
    return buf.getvalue()


def fill_print_area(image: Image.Image, product: Product) -> Image.Image:
    """``image`` resized (LANCZOS) to exactly ``product.size_px``, cropping the centre when the
    aspect ratios differ, so the artwork is never distorted and the print area has no blank bars."""
    size = product.size_px
    if image.size == size:
        return image
    return ImageOps.fit(image, size, method=Image.Resampling.LANCZOS)


def print_result(
    image: Image.Image, product: Product, engine: str, model: str | None
) -> DesignResult:
    """A generated image as the product's print file: filled to its print area, encoded."""
    final = fill_print_area(image.convert("RGB"), product)
    return DesignResult(
        png=encode_png(final, product),
        engine=engine,
        model=model,
        width=final.width,
        height=final.height,
    )

"""The layout engine: a deterministic Pillow renderer, the default that needs no model.

It composes the product's print area, the reference image (contained, never distorted) and the
brief's text into a PNG at the product's size and DPI. The same request gives the same bytes.
"""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont, ImageOps

from tools.design.base import DesignRequest, DesignResult, ProgressCallback

BACKGROUND = (255, 255, 255)
INK = (20, 20, 28)
MUTED = (110, 110, 120)
# Level 1: print files are large and mostly flat colour; higher levels cost several times the
# encode time for a few percent of size.
PNG_COMPRESS_LEVEL = 1


class LayoutEngine:
    name = "layout"

    def generate(
        self, request: DesignRequest, progress: ProgressCallback | None = None
    ) -> DesignResult:
        width, height = request.product.size_px
        canvas = Image.new("RGB", (width, height), BACKGROUND)
        draw = ImageDraw.Draw(canvas)
        margin = round(min(width, height) * 0.05)
        text_top = margin
        if request.reference_image is not None:
            with Image.open(request.reference_image) as ref:
                area = (width - 2 * margin, round((height - 2 * margin) * 0.65))
                fitted = ImageOps.contain(ref.convert("RGB"), area)
            left = (width - fitted.width) // 2
            canvas.paste(fitted, (left, margin))
            text_top = margin + fitted.height + margin
        self._draw_text(draw, request, (margin, text_top, width - margin, height - margin))
        buf = io.BytesIO()
        dpi = request.product.dpi
        canvas.save(buf, format="PNG", dpi=(dpi, dpi), compress_level=PNG_COMPRESS_LEVEL)
        if progress:
            progress(1, 1)
        return DesignResult(
            png=buf.getvalue(), engine=self.name, model=None, width=width, height=height
        )

    @staticmethod
    def _draw_text(
        draw: ImageDraw.ImageDraw, request: DesignRequest, box: tuple[int, int, int, int]
    ) -> None:
        left, top, right, bottom = box
        if bottom - top < 20:
            return
        tag = f"{request.product.name} · v{request.version}"
        lines = [request.brief]
        if request.feedback:
            lines.append(f"Revision: {request.feedback}")
        size = max(12, (bottom - top) // 8)
        while True:
            font = ImageFont.load_default(size=size)
            chars = max(8, int((right - left) / (size * 0.55)))
            wrapped = "\n".join(textwrap.fill(line, chars) for line in lines)
            box_w, box_h = _text_size(draw, wrapped, font)
            if (box_w <= right - left and box_h + size <= bottom - top) or size <= 12:
                break
            size = int(size * 0.85)
        draw.multiline_text((left, top), wrapped, fill=INK, font=font, spacing=size // 4)
        small = ImageFont.load_default(size=max(10, size // 2))
        draw.text((left, bottom - max(10, size // 2)), tag, fill=MUTED, font=small)


def _text_size(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont
) -> tuple[int, int]:
    x0, y0, x1, y1 = draw.multiline_textbbox((0, 0), text, font=font, spacing=4)
    return int(x1 - x0), int(y1 - y0)

"""The layout engine: a deterministic Pillow renderer, the default that needs no model.

It composes the product's print area, the reference image and the brief's text into a PNG of
exactly ``product.size_px`` at the product's DPI:

- The canvas is opaque white RGB, not transparent: it looks the same in every viewer and in the
  order workbook's preview, and three channels encode faster than four.
- The reference image (if any) is contained in the upper part of the print area, centred, never
  distorted or cropped; transparent parts show the white canvas.
- The brief (and the reviewer's feedback, on revisions) is word-wrapped and set at the largest
  size that fits the remaining area, centred line by line.
- A small footer names the order, the product and the version, so every version differs visibly.

The same request gives the same bytes: no clock, no randomness, Pillow's bundled font only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from tools.design._png import encode_png
from tools.design.base import (
    DesignRequest,
    DesignResult,
    ProgressCallback,
    open_reference,
)

BACKGROUND = (255, 255, 255)
INK = (20, 20, 28)
ACCENT = (176, 52, 40)
MUTED = (120, 120, 130)

MARGIN = 0.05  # of the short side: keeps artwork off the edge the printer may clip
REFERENCE_SHARE = 0.62  # of the inner height given to the reference image when there is one
MIN_FONT_PX = 8
LINE_SPACING = 1.25

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class _Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


class LayoutEngine:
    """Renders a print-ready PNG from the brief and the reference image, without any model."""

    name = "layout"

    def generate(
        self, request: DesignRequest, progress: ProgressCallback | None = None
    ) -> DesignResult:
        """Compose the design for ``request``; DesignError if the reference image is unreadable."""
        width, height = request.product.size_px
        canvas = Image.new("RGB", (width, height), BACKGROUND)
        draw = ImageDraw.Draw(canvas)
        margin = max(1, round(min(width, height) * MARGIN))
        inner = _Box(margin, margin, width - margin, height - margin)

        footer_px = max(MIN_FONT_PX, round(min(width, height) * 0.025))
        footer_top = inner.bottom - footer_px
        fonts = _Fonts()
        _draw_footer(draw, fonts, request, _Box(inner.left, footer_top, inner.right, inner.bottom))
        body = _Box(inner.left, inner.top, inner.right, footer_top - footer_px)

        if request.reference_image is not None:
            image_box = _Box(
                body.left, body.top, body.right, body.top + round(body.height * REFERENCE_SHARE)
            )
            _paste_contained(canvas, request.reference_image, image_box)
            body = _Box(body.left, image_box.bottom + margin // 2, body.right, body.bottom)

        _draw_text_block(draw, fonts, request, body)

        png = encode_png(canvas, request.product)
        if progress is not None:
            progress(1, 1)
        return DesignResult(png=png, engine=self.name, model=None, width=width, height=height)


def _paste_contained(canvas: Image.Image, reference: bytes, box: _Box) -> None:
    """Paste the ``reference`` image scaled to fit ``box`` (aspect kept), centred in it."""
    if box.width < 1 or box.height < 1:
        return
    # Decoding at a reduced scale (JPEG draft) and reducing by whole factors first keeps a
    # 40-megapixel photo from costing a full-resolution LANCZOS pass.
    image = open_reference(reference, (box.width, box.height)).convert("RGBA")
    scale = min(box.width / image.width, box.height / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if scale < 1:
        image.thumbnail(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    else:
        image = image.resize(size, Image.Resampling.LANCZOS)
    left = box.left + (box.width - image.width) // 2
    top = box.top + (box.height - image.height) // 2
    canvas.paste(image, (left, top), image)


def _draw_text_block(
    draw: ImageDraw.ImageDraw, fonts: _Fonts, request: DesignRequest, box: _Box
) -> None:
    """The brief, then the feedback in the accent colour, at the largest size that fits."""
    paragraphs = [(drawable_text(request.brief.strip()), INK)]
    if request.feedback and request.feedback.strip():
        paragraphs.append((drawable_text(f"Revision: {request.feedback.strip()}"), ACCENT))
    if box.width < MIN_FONT_PX or box.height < MIN_FONT_PX:
        return
    size, lines = _fit_text(fonts, [text for text, _ in paragraphs], box)
    font = fonts(size)
    line_px = round(size * LINE_SPACING)
    top = box.top + max(0, (box.height - line_px * len(lines)) // 2)
    for index, line in enumerate(lines):
        colour = paragraphs[line.paragraph][1]
        x = box.left + (box.width - round(font.getlength(line.text))) // 2
        draw.text((x, top + index * line_px), line.text, fill=colour, font=font)


def _draw_footer(
    draw: ImageDraw.ImageDraw, fonts: _Fonts, request: DesignRequest, box: _Box
) -> None:
    tag = drawable_text(f"Order {request.order_id} · {request.product.name} · v{request.version}")
    font = fonts(box.height)
    while font.getlength(tag) > box.width and len(tag) > 1:
        tag = tag[:-2] + "…"
    draw.text((box.left, box.top), tag, fill=MUTED, font=font)


# Letters the bundled font lacks that do not decompose to ASCII (as é → e does).
_FOLDS = str.maketrans(
    {
        "×": "x",
        "–": "-",
        "—": "-",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "€": "EUR",
    }
)


def drawable_text(text: str) -> str:
    """``text`` with what Pillow's bundled font cannot draw replaced, so no glyph is a box.

    The font covers little beyond ASCII: accents are dropped (é → e), a few letters are spelled
    out (ß → ss), and anything else becomes "?". A stand-in, not the customer's final artwork.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDS))
    kept = (char for char in decomposed if not unicodedata.combining(char))
    return "".join(char if _has_glyph(char) else "?" for char in kept)


@cache
def _has_glyph(char: str) -> bool:
    if char.isascii():
        return True
    # A glyph the font lacks renders as its .notdef box, like a private-use code point does.
    font = ImageFont.load_default(size=20)
    notdef = font.getmask("\U0010fffd")
    mask = font.getmask(char)
    return (mask.size, bytes(mask)) != (notdef.size, bytes(notdef))


@dataclass(frozen=True)
class _Line:
    text: str
    paragraph: int


def _fit_text(fonts: _Fonts, paragraphs: list[str], box: _Box) -> tuple[int, list[_Line]]:
    """The largest font size whose wrapped lines fit ``box``, and those lines.

    Binary search: wrapping is monotonic in the size (a bigger font never needs fewer lines).
    Below the minimum size, the lines that do not fit are cut and the last one ends in "…".
    """
    low, high = MIN_FONT_PX, max(MIN_FONT_PX, min(box.height, box.width // 4))
    best = _wrap(paragraphs, fonts(low), box.width)
    best_size = low
    while low <= high:
        size = (low + high) // 2
        lines = _wrap(paragraphs, fonts(size), box.width)
        if len(lines) * round(size * LINE_SPACING) <= box.height:
            best, best_size = lines, size
            low = size + 1
        else:
            high = size - 1
    max_lines = max(1, box.height // round(best_size * LINE_SPACING))
    if len(best) > max_lines:
        last = best[max_lines - 1]
        text = last.text.rstrip(" .,")
        font = fonts(best_size)
        while text and font.getlength(text + "…") > box.width:
            text = text[:-1].rstrip(" .,")
        best = [*best[: max_lines - 1], _Line(text + "…", last.paragraph)]
    return best_size, best


def _wrap(paragraphs: list[str], font: Font, width: int) -> list[_Line]:
    """Greedy word wrap by measured width; a word wider than the line is broken by characters.

    A line's width is the sum of its words' and spaces' widths: the BASIC layout of Pillow's
    bundled font applies no kerning, so the sum is exact, and measuring each word (and, for
    breaking, each character) once keeps a 4,000-character brief fast.
    """
    widths: dict[str, float] = {}

    def measure(text: str) -> float:
        known = widths.get(text)
        if known is None:
            known = widths[text] = font.getlength(text)
        return known

    space = measure(" ")
    lines: list[_Line] = []
    for index, paragraph in enumerate(paragraphs):
        current: list[str] = []
        current_width = 0.0
        for word in paragraph.split():
            word_width = measure(word)
            extended = current_width + space + word_width if current else word_width
            if extended <= width:
                current.append(word)
                current_width = extended
                continue
            if current:
                lines.append(_Line(" ".join(current), index))
            if word_width > width:
                *full, word = _break_word(word, measure, width)
                lines.extend(_Line(piece, index) for piece in full)
                word_width = measure(word)
            current, current_width = [word], word_width
        if current:
            lines.append(_Line(" ".join(current), index))
    return lines


def _break_word(word: str, measure: Callable[[str], float], width: int) -> list[str]:
    """``word`` cut into pieces that each fit ``width`` (at least one character per piece)."""
    pieces: list[str] = []
    start, run = 0, 0.0
    for position, char in enumerate(word):
        char_width = measure(char)
        if run + char_width > width and position > start:
            pieces.append(word[start:position])
            start, run = position, 0.0
        run += char_width
    pieces.append(word[start:])
    return pieces


class _Fonts:
    """Fonts by pixel size for one rendering.

    Per rendering, not per process: a FreeType face must not be used by two threads at once
    (Pillow issue 9497), and loading the bundled font costs only ~0.1 ms.
    """

    def __init__(self) -> None:
        self._by_size: dict[int, Font] = {}

    def __call__(self, size: int) -> Font:
        font = self._by_size.get(size)
        if font is None:
            # Pillow's bundled Aileron: no font files to ship, the same glyphs on every machine.
            font = self._by_size[size] = ImageFont.load_default(size=size)
        return font

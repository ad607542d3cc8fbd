"""Proofs, as print shops show their customers: the product's silhouette in the ordered colour
with the design placed in its print area at scale. Pillow only; the print file is not touched.

Each silhouette is drawn in inches, from a few polygons, ellipses and arcs, on a canvas a little
larger than the product; the print area is the catalogue's (``tools/products.py``), so the design
keeps its real size against the product. A proof is ``long_side`` pixels on its longer side.

How each product is shown, and what its colour option colours:

- t-shirt, hoodie, tote: the garment or bag, front view;
- mug: its wrap laid flat (the body as wide as the visible wrap, with rim and handle), because a
  front view hides half of a wrap print;
- poster: the sheet in a frame of the ordered colour (the print covers the whole sheet);
- sticker: the die-cut backing around the print, in the ordered colour.

Colours come from the order's ``color`` (or ``colour``) option: the usual apparel names
(``navy``, ``heather grey``, ``natural``, …), then any CSS colour name or ``#rrggbb``. A name
none of these know, and an order without a colour, show the product in ``NEUTRAL``, a light
grey that reads as "colour not shown" rather than as a colour the customer did not pick.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PIL import Image, ImageColor, ImageDraw

from tools.products import Product

RGB = tuple[int, int, int]
Point = tuple[float, float]

BACKGROUND: RGB = (242, 242, 240)
NEUTRAL: RGB = (206, 206, 202)
SHADOW: RGB = (218, 218, 215)

# Silhouettes are drawn at twice the size and halved (a 2×2 box average): smooth edges for
# about 10 ms more at 1200 px, where ImageDraw alone draws jagged diagonals.
SUPERSAMPLE = 2
OUTLINE_IN = 0.07  # stroke width of outlines and seams, in inches

# Apparel and print-shop names first: CSS's "navy" or "olive" are not what a blank's label
# means, and CSS has no "heather grey" or "natural". Keys are lower case, single-spaced.
COLOURS: dict[str, RGB] = {
    "white": (255, 255, 255),
    "black": (30, 30, 32),
    "navy": (31, 42, 68),
    "heather grey": (178, 178, 176),
    "sport grey": (160, 162, 163),
    "grey": (150, 150, 150),
    "ash": (214, 214, 210),
    "charcoal": (66, 69, 74),
    "red": (190, 30, 45),
    "cardinal": (140, 30, 45),
    "maroon": (110, 30, 45),
    "burgundy": (100, 20, 40),
    "royal": (40, 75, 160),
    "royal blue": (40, 75, 160),
    "blue": (45, 90, 180),
    "light blue": (160, 200, 230),
    "sky blue": (120, 180, 225),
    "green": (40, 120, 70),
    "kelly green": (0, 140, 70),
    "forest green": (35, 75, 50),
    "military green": (85, 90, 60),
    "olive": (100, 105, 60),
    "mint": (170, 225, 200),
    "teal": (0, 120, 125),
    "yellow": (245, 205, 50),
    "gold": (230, 170, 40),
    "orange": (235, 110, 40),
    "pink": (240, 160, 190),
    "light pink": (248, 200, 215),
    "hot pink": (230, 60, 140),
    "purple": (95, 55, 135),
    "lavender": (190, 170, 220),
    "brown": (100, 70, 50),
    "natural": (240, 232, 210),
    "cream": (242, 234, 214),
    "sand": (215, 195, 160),
    "beige": (220, 205, 175),
    "khaki": (190, 175, 130),
    "silver": (192, 192, 196),
}
COLOUR_OPTIONS = ("color", "colour")


@dataclass(frozen=True)
class OrderedColour:
    """The colour a proof shows: ``rgb``, from ``name`` as the order gave it (None when it gave
    none); ``known`` is False when the name was not recognised and ``rgb`` is ``NEUTRAL``."""

    rgb: RGB
    name: str | None
    known: bool


def colour_from_name(name: str) -> RGB | None:
    """The RGB of a colour name (apparel, CSS, ``#rgb``, ``#rrggbb``); None if unknown."""
    words = " ".join(name.strip().lower().replace("-", " ").replace("_", " ").split())
    words = words.replace("gray", "grey")
    if words in COLOURS:
        return COLOURS[words]
    for candidate in (
        name.strip(),
        words.replace(" ", ""),
        words.replace(" ", "").replace("grey", "gray"),
    ):
        try:
            return ImageColor.getrgb(candidate)[:3]
        except ValueError:
            continue
    return None


def ordered_colour(options: Mapping[str, object]) -> OrderedColour:
    """The colour an order's options ask for (its ``color`` or ``colour`` option, any case);
    ``NEUTRAL`` when there is none or the name is unknown."""
    for key, value in options.items():
        if key.strip().lower() in COLOUR_OPTIONS and isinstance(value, str) and value.strip():
            rgb = colour_from_name(value)
            return OrderedColour(rgb or NEUTRAL, value, rgb is not None)
    return OrderedColour(NEUTRAL, None, False)


def _mix(colour: RGB, other: RGB, share: float) -> RGB:
    r, g, b = (round(c + (o - c) * share) for c, o in zip(colour, other, strict=True))
    return (r, g, b)


def _luma(colour: RGB) -> float:
    r, g, b = colour
    return 0.299 * r + 0.587 * g + 0.114 * b


@dataclass(frozen=True)
class _Inks:
    """The colours a silhouette is drawn with, all from its body colour."""

    body: RGB
    line: RGB  # outlines and seams: darker on light colours, lighter on dark ones
    inside: RGB  # what shows of the inside (neck, hood)

    @classmethod
    def of(cls, body: RGB) -> _Inks:
        dark = _luma(body) < 70
        line = _mix(body, (255, 255, 255), 0.35) if dark else _mix(body, (0, 0, 0), 0.4)
        inside = _mix(body, (255, 255, 255), 0.15) if dark else _mix(body, (0, 0, 0), 0.18)
        return cls(body, line, inside)


class _Pen:
    """ImageDraw in inches: every coordinate is scaled by ``ppi`` (pixels per inch)."""

    def __init__(self, draw: ImageDraw.ImageDraw, ppi: float, inks: _Inks) -> None:
        self.draw, self.ppi, self.inks = draw, ppi, inks
        self.stroke = max(1, round(OUTLINE_IN * ppi))

    def _xy(self, points: Sequence[Point]) -> list[tuple[float, float]]:
        return [(x * self.ppi, y * self.ppi) for x, y in points]

    def shape(self, points: Sequence[Point], fill: RGB | None = None) -> None:
        """A filled polygon (the body colour unless ``fill``), outlined."""
        xy = self._xy(points)
        self.draw.polygon(
            xy, fill=fill or self.inks.body, outline=self.inks.line, width=self.stroke
        )

    def ellipse(self, box: Sequence[float], fill: RGB | None = None) -> None:
        xy = [v * self.ppi for v in box]
        self.draw.ellipse(
            xy, fill=fill or self.inks.body, outline=self.inks.line, width=self.stroke
        )

    def rounded(self, box: Sequence[float], radius: float, fill: RGB | None = None) -> None:
        xy = [v * self.ppi for v in box]
        self.draw.rounded_rectangle(
            xy,
            radius=radius * self.ppi,
            fill=fill or self.inks.body,
            outline=self.inks.line,
            width=self.stroke,
        )

    def plain(self, box: Sequence[float], radius: float, fill: RGB) -> None:
        """A rounded rectangle with no outline (shadows)."""
        self.draw.rounded_rectangle(
            [v * self.ppi for v in box], radius=radius * self.ppi, fill=fill
        )

    def seam(self, points: Sequence[Point]) -> None:
        """A detail line (seam, hem, pocket edge)."""
        self.draw.line(self._xy(points), fill=self.inks.line, width=self.stroke, joint="curve")

    def band(self, box: Sequence[float], start: float, end: float, width: float) -> None:
        """An outlined arc ``width`` inches thick along the ellipse in ``box`` (handles)."""
        xy = [v * self.ppi for v in box]
        outer = round(width * self.ppi)
        self.draw.arc(xy, start, end, fill=self.inks.line, width=outer)
        inset = self.stroke
        inner = [xy[0] + inset, xy[1] + inset, xy[2] - inset, xy[3] - inset]
        self.draw.arc(inner, start, end, fill=self.inks.body, width=max(1, outer - 2 * inset))


@dataclass(frozen=True)
class Silhouette:
    """A product drawn in inches on a ``size_in`` canvas, its print area's top-left corner at
    ``print_origin_in`` (the area's size is the product's)."""

    size_in: tuple[float, float]
    print_origin_in: Point
    draw: Callable[[_Pen], None]


def _tshirt(pen: _Pen) -> None:
    neck = [(18.5, 2.0), (17.9, 3.3), (16.6, 4.1), (15.0, 4.3), (13.4, 4.1), (12.1, 3.3)]
    pen.shape([(11.5, 2.0), (15.0, 2.5), (18.5, 2.0), *neck[1:]], fill=pen.inks.inside)
    # fmt: off
    pen.shape([
        (11.5, 2.0), (4.6, 3.2), (0.6, 10.0), (4.0, 11.6), (5.2, 9.6), (5.2, 30.0),
        (24.8, 30.0), (24.8, 9.6), (26.0, 11.6), (29.4, 10.0), (25.4, 3.2), *neck,
    ])
    # fmt: on
    pen.seam([(4.6, 3.2), (5.2, 9.6)])
    pen.seam([(25.4, 3.2), (24.8, 9.6)])
    pen.seam([(5.2, 29.2), (24.8, 29.2)])


def _hoodie(pen: _Pen) -> None:
    # fmt: off
    pen.shape([
        (11.6, 6.2), (12.2, 2.4), (14.4, 0.7), (18.0, 0.3), (21.6, 0.7), (23.8, 2.4), (24.4, 6.2),
    ])
    pen.shape([(13.8, 5.4), (14.6, 2.7), (18.0, 1.7), (21.4, 2.7), (22.2, 5.4), (18.0, 7.6)],
              fill=pen.inks.inside)
    pen.shape([
        (13.8, 5.4), (6.8, 6.2), (1.0, 28.0), (4.8, 28.8), (7.2, 12.8), (7.2, 31.6),
        (28.8, 31.6), (28.8, 12.8), (31.2, 28.8), (35.0, 28.0), (29.2, 6.2), (22.2, 5.4),
        (18.0, 7.6),
    ])
    # fmt: on
    pen.seam([(16.7, 7.0), (16.5, 8.6)])  # drawstrings, short of the print area
    pen.seam([(19.3, 7.0), (19.5, 8.6)])
    pen.seam([(12.0, 22.0), (24.0, 22.0), (26.0, 28.4), (10.0, 28.4), (12.0, 22.0)])  # pocket
    pen.seam([(7.2, 29.8), (28.8, 29.8)])  # waistband
    pen.seam([(1.5, 26.2), (5.2, 26.9)])  # cuffs
    pen.seam([(34.5, 26.2), (30.8, 26.9)])


def _mug(pen: _Pen) -> None:
    pen.band((10.2, 1.9, 12.9, 4.8), 270, 90, 0.5)  # handle, behind the body's edge
    pen.rounded((1.5, 1.2, 11.0, 5.6), 0.35)
    pen.ellipse((1.5, 0.8, 11.0, 1.6), fill=pen.inks.inside)  # rim, seen from just above


def _poster(pen: _Pen) -> None:
    pen.plain((0.7, 0.7, 13.7, 19.7), 0.05, SHADOW)
    pen.rounded((0.5, 0.5, 13.5, 19.5), 0.05)  # the frame: the print covers the whole sheet


def _tote(pen: _Pen) -> None:
    pen.band((3.6, 1.0, 7.6, 13.0), 180, 360, 0.8)
    pen.band((10.4, 1.0, 14.4, 13.0), 180, 360, 0.8)
    pen.rounded((1.5, 6.8, 16.5, 23.2), 0.4)
    pen.seam([(1.5, 7.6), (16.5, 7.6)])  # the hem at the opening


def _sticker(pen: _Pen) -> None:
    pen.plain((0.34, 0.36, 3.74, 3.76), 0.45, SHADOW)
    pen.rounded((0.3, 0.3, 3.7, 3.7), 0.45)


SILHOUETTES: dict[str, Silhouette] = {
    "tshirt": Silhouette((30.0, 31.0), (10.0, 6.0), _tshirt),
    "hoodie": Silhouette((36.0, 33.0), (12.5, 9.0), _hoodie),
    "mug": Silhouette((13.5, 6.4), (2.0, 1.85), _mug),
    "poster": Silhouette((14.2, 20.2), (1.0, 1.0), _poster),
    "tote": Silhouette((18.0, 24.0), (3.0, 8.0), _tote),
    "sticker": Silhouette((4.0, 4.0), (0.5, 0.5), _sticker),
}


def silhouette_of(product: Product) -> Silhouette:
    """The product's silhouette; a product the catalogue gained since is shown as a plain
    rounded blank one inch larger than its print area on every side."""
    if product.key in SILHOUETTES:
        return SILHOUETTES[product.key]

    def blank(pen: _Pen) -> None:
        pen.rounded((0.5, 0.5, product.width_in + 2.5, product.height_in + 2.5), 0.4)

    return Silhouette((product.width_in + 3, product.height_in + 3), (1.5, 1.5), blank)


@dataclass(frozen=True)
class ProofLayout:
    """Where things fall on a proof ``size`` pixels large: ``print_box`` is the print area
    (left, top, right, bottom; right and bottom exclusive), ``ppi`` pixels per inch."""

    size: tuple[int, int]
    print_box: tuple[int, int, int, int]
    ppi: float


def proof_layout(product: Product, long_side: int) -> ProofLayout:
    """The layout of ``product``'s proof at ``long_side`` pixels on its longer side."""
    shape = silhouette_of(product)
    width_in, height_in = shape.size_in
    ppi = long_side / max(width_in, height_in)
    x, y = shape.print_origin_in
    box = (
        round(x * ppi),
        round(y * ppi),
        round((x + product.width_in) * ppi),
        round((y + product.height_in) * ppi),
    )
    return ProofLayout((round(width_in * ppi), round(height_in * ppi)), box, ppi)


def render_proof(design: Image.Image, product: Product, colour: RGB, long_side: int) -> Image.Image:
    """The proof of ``design`` (the print file) on ``product`` in ``colour``: an RGB image
    ``long_side`` pixels on its longer side. The design is scaled to fit the print area with
    its aspect ratio kept (a print file fills it exactly), centred; its transparent parts,
    if any, show the product."""
    layout = proof_layout(product, long_side)
    width, height = layout.size
    big = Image.new("RGB", (width * SUPERSAMPLE, height * SUPERSAMPLE), BACKGROUND)
    silhouette_of(product).draw(
        _Pen(ImageDraw.Draw(big), layout.ppi * SUPERSAMPLE, _Inks.of(colour))
    )
    canvas = big.reduce(SUPERSAMPLE)

    left, top, right, bottom = layout.print_box
    scale = min((right - left) / design.width, (bottom - top) / design.height)
    size = (max(1, round(design.width * scale)), max(1, round(design.height * scale)))
    if abs(size[0] - (right - left)) <= 1 and abs(size[1] - (bottom - top)) <= 1:
        # A print file has the print area's shape: fill the box, or rounding leaves a line
        # of the product showing along one edge of the print.
        size = (right - left, bottom - top)
    # A box reduction by whole factors first, LANCZOS on the rest (reducing_gap): no visible
    # loss at proof sizes, and 12 ms instead of 28 for a 1500×1800 print file at 1200 px
    # (a gap of 2 or more does not reduce at that scale and saves nothing).
    mode = "RGBA" if design.mode in ("RGBA", "LA", "PA") or "transparency" in design.info else "RGB"
    placed = design.convert(mode).resize(size, Image.Resampling.LANCZOS, reducing_gap=1.5)
    at = (left + (right - left - size[0]) // 2, top + (bottom - top - size[1]) // 2)
    canvas.paste(placed, at, placed if mode == "RGBA" else None)
    return canvas

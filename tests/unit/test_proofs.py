"""Proofs (tools/proofs.py): every product renders; the ordered colour fills the body; the
design lands in its print area at scale and nowhere else; unknown colours fall back."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tools.products import PRODUCTS, Product, get_product
from tools.proofs import (
    BACKGROUND,
    COLOURS,
    NEUTRAL,
    SILHOUETTES,
    colour_from_name,
    ordered_colour,
    proof_layout,
    render_proof,
    silhouette_of,
)

MAGENTA = (255, 0, 255)  # in no silhouette's palette: a design pixel is a design pixel
NAVY = COLOURS["navy"]
LONG_SIDE = 600


def design_for(product: Product, colour: tuple[int, int, int] = MAGENTA) -> Image.Image:
    """A flat print file of the product's print area, as the design engines make it."""
    return Image.new("RGB", product.size_px, colour)


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(int)


def exactly(array: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    mask: np.ndarray = np.all(array == colour, axis=-1)
    return mask


def ring(box: tuple[int, int, int, int], gap: int) -> list[tuple[int, int]]:
    """(x, y) of the pixels ``gap`` pixels outside ``box`` on each side."""
    left, top, right, bottom = box
    xs = range(left - gap, right + gap)
    ys = range(top - gap, bottom + gap)
    return (
        [(x, top - gap) for x in xs]
        + [(x, bottom - 1 + gap) for x in xs]
        + [(left - gap, y) for y in ys]
        + [(right - 1 + gap, y) for y in ys]
    )


def test_every_product_has_its_own_silhouette() -> None:
    assert set(SILHOUETTES) == set(PRODUCTS)


@pytest.mark.parametrize("key", sorted(PRODUCTS))
def test_each_product_renders_at_the_asked_size(key: str) -> None:
    product = get_product(key)
    proof = render_proof(design_for(product), product, NAVY, LONG_SIDE)
    assert proof.mode == "RGB"
    assert max(proof.size) == LONG_SIDE
    assert proof.size == proof_layout(product, LONG_SIDE).size
    # The corner is background: the product is drawn inside the canvas, not edge to edge.
    assert proof.getpixel((0, 0)) == BACKGROUND


@pytest.mark.parametrize("key", sorted(PRODUCTS))
def test_the_ordered_colour_fills_the_body(key: str) -> None:
    product = get_product(key)
    layout = proof_layout(product, LONG_SIDE)
    array = pixels(render_proof(design_for(product), product, NAVY, LONG_SIDE))
    body = exactly(array, NAVY)
    # The body shows around the print area: a real share of the picture, not a stray pixel.
    left, top, right, bottom = layout.print_box
    body_share = body.sum() / (body.size - (right - left) * (bottom - top))
    assert body_share > 0.05, f"{key}: only {body_share:.1%} of the picture is the body colour"
    # The print area sits on the body: a ring just outside it is (almost all) body colour.
    around = [bool(body[y, x]) for x, y in ring(layout.print_box, gap=2)]
    assert sum(around) / len(around) > 0.9, f"{key}: the print area is not on the body"


@pytest.mark.parametrize("key", sorted(PRODUCTS))
def test_the_design_fills_its_print_area_and_nothing_else(key: str) -> None:
    product = get_product(key)
    layout = proof_layout(product, LONG_SIDE)
    array = pixels(render_proof(design_for(product), product, NAVY, LONG_SIDE))
    design = exactly(array, MAGENTA)
    left, top, right, bottom = layout.print_box
    inside = design[top:bottom, left:right]
    # At scale: the print area in inches times the proof's pixels per inch.
    assert abs((right - left) - product.width_in * layout.ppi) <= 1
    assert abs((bottom - top) - product.height_in * layout.ppi) <= 1
    # A print file has the print area's aspect ratio, so it fills it to the last pixel.
    assert inside.all(), f"{key}: the design does not fill its print area"
    outside = design.sum() - inside.sum()
    assert outside == 0, f"{key}: {outside} design pixels outside the print area"


def test_a_design_of_another_shape_keeps_its_aspect_ratio() -> None:
    product = get_product("tshirt")  # a 10×12 in print area
    wide = Image.new("RGB", (800, 200), MAGENTA)
    layout = proof_layout(product, LONG_SIDE)
    design = exactly(pixels(render_proof(wide, product, NAVY, LONG_SIDE)), MAGENTA)
    rows = np.flatnonzero(design.any(axis=1))
    cols = np.flatnonzero(design.any(axis=0))
    width, height = cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1
    left, top, right, bottom = layout.print_box
    assert abs(width - (right - left)) <= 1  # as wide as the print area
    assert abs(width / height - 4.0) < 0.05  # still 4:1
    # Centred vertically in the print area.
    assert abs((rows[0] - top) - (bottom - 1 - rows[-1])) <= 1


def test_a_transparent_design_shows_the_product_through_it() -> None:
    product = get_product("sticker")
    design = Image.new("RGBA", product.size_px, (0, 0, 0, 0))
    design.paste((*MAGENTA, 255), (0, 0, product.size_px[0] // 2, product.size_px[1]))
    array = pixels(render_proof(design, product, NAVY, LONG_SIDE))
    left, top, right, bottom = proof_layout(product, LONG_SIDE).print_box
    middle = (top + bottom) // 2
    assert tuple(array[middle, left + 5]) == MAGENTA
    assert tuple(array[middle, right - 5]) == NAVY


def test_the_print_file_is_not_changed() -> None:
    product = get_product("mug")
    design = design_for(product)
    before = design.tobytes()
    render_proof(design, product, NAVY, LONG_SIDE)
    assert design.tobytes() == before and design.size == product.size_px


def test_a_product_new_to_the_catalogue_still_gets_a_proof() -> None:
    product = Product("cap", "Cap", 4.0, 2.0, 300, 12.0)
    assert silhouette_of(product) not in SILHOUETTES.values()
    array = pixels(render_proof(design_for(product), product, NAVY, LONG_SIDE))
    assert exactly(array, MAGENTA).any() and exactly(array, NAVY).any()


@pytest.mark.parametrize(
    ("name", "rgb"),
    [
        ("navy", COLOURS["navy"]),
        ("  Heather Gray ", COLOURS["heather grey"]),
        ("royal-blue", COLOURS["royal blue"]),
        ("Forest_Green", COLOURS["forest green"]),
        ("#1f2a44", (0x1F, 0x2A, 0x44)),
        ("#fff", (255, 255, 255)),
        ("Light Coral", (240, 128, 128)),  # a CSS name, not in the apparel table
        ("rebeccapurple", (102, 51, 153)),
    ],
)
def test_colour_names(name: str, rgb: tuple[int, int, int]) -> None:
    assert colour_from_name(name) == rgb


@pytest.mark.parametrize("name", ["sunset ombre", "", "#12345", "rgb(1,2)", "tie-dye"])
def test_unknown_colour_names(name: str) -> None:
    assert colour_from_name(name) is None


def test_the_colour_comes_from_the_color_or_colour_option() -> None:
    assert ordered_colour({"size": "M", "color": "navy"}).rgb == NAVY
    assert ordered_colour({"Colour": "red"}).rgb == COLOURS["red"]
    chosen = ordered_colour({"COLOR": "black", "size": "L"})
    assert chosen.rgb == COLOURS["black"] and chosen.name == "black" and chosen.known


def test_unknown_or_missing_colours_fall_back_to_neutral() -> None:
    unknown = ordered_colour({"color": "sunset ombre"})
    assert unknown.rgb == NEUTRAL and unknown.name == "sunset ombre" and not unknown.known
    missing = ordered_colour({"size": "M"})
    assert missing.rgb == NEUTRAL and missing.name is None and not missing.known
    # And the proof shows it: the body in the neutral grey, no navy anywhere.
    product = get_product("tote")
    array = pixels(render_proof(design_for(product), product, unknown.rgb, LONG_SIDE))
    assert exactly(array, NEUTRAL).sum() > 0.05 * array.shape[0] * array.shape[1]
    assert not exactly(array, NAVY).any()


def test_outlines_stay_visible_on_white_and_on_black() -> None:
    """A white shirt on the light background, a black one: both keep an outline that differs
    from the body, so the silhouette reads on any colour."""
    product = get_product("tshirt")
    for body in (COLOURS["white"], COLOURS["black"]):
        array = pixels(render_proof(design_for(product), product, body, LONG_SIDE))
        colours = {tuple(c) for c in array.reshape(-1, 3)}
        others = colours - {body, BACKGROUND, MAGENTA}
        assert others, f"nothing but body and background on {body}"

"""The shop's product catalogue: what can be ordered and the print area a design must fill."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    """A printable product: the design fills ``width_in × height_in`` inches at ``dpi``."""

    key: str
    name: str
    width_in: float
    height_in: float
    dpi: int
    unit_price: float

    @property
    def size_px(self) -> tuple[int, int]:
        return round(self.width_in * self.dpi), round(self.height_in * self.dpi)


PRODUCTS: dict[str, Product] = {
    p.key: p
    for p in (
        Product("tshirt", "T-shirt (front print)", 10.0, 12.0, 150, 24.0),
        Product("hoodie", "Hoodie (front print)", 11.0, 11.0, 150, 45.0),
        Product("mug", "Mug (wrap print)", 8.5, 3.5, 200, 14.0),
        Product("poster", "Poster 12×18 in", 12.0, 18.0, 150, 30.0),
        Product("tote", "Tote bag", 12.0, 14.0, 150, 20.0),
        Product("sticker", "Sticker 3×3 in", 3.0, 3.0, 300, 3.5),
    )
}


def get_product(key: str) -> Product:
    """The product for ``key``; KeyError names the known keys."""
    try:
        return PRODUCTS[key]
    except KeyError:
        raise KeyError(f"unknown product {key!r}; known: {', '.join(sorted(PRODUCTS))}") from None

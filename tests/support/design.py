"""Helpers for design-engine tests."""

from __future__ import annotations

import io

from PIL import Image

from tools.design.base import DesignResult


def decode(result: DesignResult) -> Image.Image:
    """The result's PNG, fully decoded."""
    image = Image.open(io.BytesIO(result.png))
    image.load()
    return image

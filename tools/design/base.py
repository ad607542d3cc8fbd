"""The design-engine interface: every engine turns a DesignRequest into a print-ready PNG."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from PIL import Image, ImageOps, UnidentifiedImageError

from tools.products import Product

# Called with (steps_done, steps_total) while an engine works; engines without steps call it once.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class DesignRequest:
    """What to draw. The reference image's bytes stay out of the request's repr (and so of
    logs and traces)."""

    order_id: str
    brief: str
    product: Product
    version: int = 1
    reference_image: bytes | None = field(default=None, repr=False)
    feedback: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    seed: int = 0

    @property
    def prompt(self) -> str:
        """The text prompt for generative engines: the brief, refined by reviewer feedback."""
        text = self.brief.strip()
        if self.feedback:
            text += f". Revision requested: {self.feedback.strip()}"
        return text


@dataclass(frozen=True)
class DesignResult:
    png: bytes
    engine: str
    model: str | None
    width: int
    height: int


class DesignError(RuntimeError):
    """An engine could not produce a design (model missing, server refused, …)."""


def open_reference(data: bytes, draft: tuple[int, int]) -> Image.Image:
    """The reference image, upright (its EXIF orientation applied), decoded at no less than
    ``draft`` where the format can decode at a reduced scale (a 40-megapixel JPEG then costs
    a fraction of a full decode). DesignError when it cannot be read."""
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.draft("RGB", draft)
            return ImageOps.exif_transpose(source)
    except (OSError, UnidentifiedImageError) as exc:
        raise DesignError(f"cannot read the reference image: {exc}") from exc


class DesignEngine(Protocol):
    name: str

    def generate(
        self, request: DesignRequest, progress: ProgressCallback | None = None
    ) -> DesignResult: ...

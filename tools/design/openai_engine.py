"""The OpenAI images engine: ``images.generate`` from the brief, ``images.edit`` from the reference.

It works against api.openai.com or any OpenAI-compatible server: the client reads the standard
``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``. The returned image is cropped to the product's aspect
ratio around its centre and resized to the print size (the API offers only a few sizes).
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import threading
from typing import Literal

import openai
from PIL import Image, UnidentifiedImageError

from tools.design._png import print_result
from tools.design.base import (
    DesignError,
    DesignRequest,
    DesignResult,
    ProgressCallback,
    open_reference,
)
from tools.products import Product

DEFAULT_MODEL = "gpt-image-1"
# Reference images are sent at most this large on their long side: the API works at ~1 K pixels,
# and a 40-megapixel upload would only cost time (and could exceed the upload limit).
MAX_UPLOAD_SIDE = 1536
# The sizes each model family accepts, as (width, height). DALL·E 2 draws squares only.
_SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "gpt-image": ((1024, 1024), (1536, 1024), (1024, 1536)),
    "dall-e-3": ((1024, 1024), (1792, 1024), (1024, 1792)),
    "dall-e-2": ((1024, 1024),),
}


def request_size(model: str, product: Product) -> str:
    """The API size (``"WxH"``) closest in aspect ratio to the product's print area."""
    sizes = next(
        (sizes for prefix, sizes in _SIZES.items() if model.startswith(prefix)), _SIZES["gpt-image"]
    )
    width, height = product.size_px
    # Distance of log aspect ratios: 2:1 is as far from 1:1 as 1:2 is.
    best = min(sizes, key=lambda size: abs(math.log((size[0] / size[1]) / (width / height))))
    return f"{best[0]}x{best[1]}"


class OpenAIImageEngine:
    """Designs drawn by an OpenAI image model (``gpt-image-1`` unless told otherwise).

    Args:
        model: the image model.
        client: the client to use; None makes one from ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``
            on first use, so a process that never needs the engine needs no key.
    """

    name = "openai"

    def __init__(self, model: str = DEFAULT_MODEL, client: openai.OpenAI | None = None) -> None:
        self.model = model
        self._client = client
        self._client_lock = threading.Lock()

    @property
    def client(self) -> openai.OpenAI:
        """The OpenAI client; DesignError when none is configured (no API key)."""
        with self._client_lock:
            if self._client is None:
                try:
                    self._client = openai.OpenAI()
                except openai.OpenAIError as exc:
                    raise DesignError(
                        f"the OpenAI images engine is not configured: {exc}. "
                        "Set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server)."
                    ) from exc
            return self._client

    def generate(
        self, request: DesignRequest, progress: ProgressCallback | None = None
    ) -> DesignResult:
        """Draw the design for ``request``; DesignError when the API fails or answers nonsense."""
        size = request_size(self.model, request.product)
        # DALL·E answers with URLs unless asked for base64; GPT image models always answer in
        # base64 and do not support the parameter.
        response_format: Literal["b64_json"] | openai.Omit = (
            "b64_json" if self.model.startswith("dall-e") else openai.omit
        )
        client = self.client
        try:
            if request.reference_image is None:
                response = client.images.generate(
                    model=self.model,
                    prompt=request.prompt,
                    size=size,
                    n=1,
                    response_format=response_format,
                )
            else:
                response = client.images.edit(
                    model=self.model,
                    image=_upload(request.reference_image),
                    prompt=request.prompt,
                    size=size,
                    n=1,
                    response_format=response_format,
                )
        except openai.OpenAIError as exc:
            operation = "generation" if request.reference_image is None else "edit"
            raise DesignError(f"OpenAI image {operation} with {self.model} failed: {exc}") from exc

        image = _decode(response)
        if progress is not None:
            progress(1, 1)
        return print_result(image, request.product, self.name, self.model)


def _upload(reference: bytes) -> tuple[str, bytes, str]:
    """The reference image as a PNG upload (every image model accepts PNG), shrunk if huge."""
    image = open_reference(reference, (MAX_UPLOAD_SIDE, MAX_UPLOAD_SIDE))
    image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    image.thumbnail((MAX_UPLOAD_SIDE, MAX_UPLOAD_SIDE), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return ("reference.png", buf.getvalue(), "image/png")


def _decode(response: openai.types.ImagesResponse) -> Image.Image:
    """The first image of an images response, decoded; DesignError if there is none."""
    data = response.data or []
    encoded = data[0].b64_json if data else None
    if not encoded:
        raise DesignError("the OpenAI images response carried no base64 image (b64_json)")
    try:
        with Image.open(io.BytesIO(base64.b64decode(encoded, validate=True))) as image:
            return image.convert("RGB")
    except (binascii.Error, OSError, UnidentifiedImageError) as exc:
        raise DesignError(f"the OpenAI images response is not a readable image: {exc}") from exc

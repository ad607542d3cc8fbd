"""Checking and storing customers' reference images.

The type is sniffed from the content (never the name or the declared type); the size, pixel
count and integrity are checked before anything is stored. The order service keeps the image
with the order, in the transaction that writes it, so a failed order leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from tools.errors import AtelierError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


class ImageRejected(AtelierError):
    status_code = 422


class ImageTooLarge(ImageRejected):
    status_code = 413


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    extension: str
    width: int
    height: int
    sha256: str

    @property
    def name(self) -> str:
        """Its name among the order's kept files."""
        return f"reference.{self.extension}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.extension]


def check_image(data: bytes) -> CheckedImage:
    """Accept a PNG, JPEG or WebP of at most 10 MB and 40 megapixels that decodes completely."""
    if not data:
        raise ImageRejected("the reference image is empty")
    if len(data) > MAX_BYTES:
        raise ImageTooLarge(
            f"the reference image is {len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES // 2**20} MB"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                kind = img.format
                width, height = img.size
                if kind not in FORMATS:
                    raise ImageRejected(
                        f"the reference image is {kind or 'of an unknown type'}; "
                        "send a PNG, JPEG or WebP image"
                    )
                if width * height > MAX_PIXELS:
                    raise ImageTooLarge(
                        f"the reference image is {width}×{height} pixels "
                        f"({width * height / 1e6:.0f} MP); the limit is {MAX_PIXELS // 10**6} MP"
                    )
                img.load()  # decodes every pixel: a file cut inside its pixel data fails here
            if kind == "PNG":
                _check_png_structure(data)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge("the reference image is a decompression bomb") from exc
    except UnidentifiedImageError as exc:
        raise ImageRejected(
            "the reference image is not an image; send a PNG, JPEG or WebP"
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(f"the reference image is damaged or truncated ({exc})") from exc
    return CheckedImage(
        data=data,
        extension=FORMATS[kind],
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# The last chunk of every PNG: IEND has no data, so its length and CRC never change.
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _check_png_structure(data: bytes) -> None:
    """Every chunk's checksum, up to an IEND that ends the file: decoding stops once it has the
    pixels, so a PNG cut after its image data (or with a damaged ancillary chunk) still loads."""
    with Image.open(io.BytesIO(data)) as img:
        img.verify()
    if not data.endswith(PNG_END):
        raise ImageRejected("the reference image is a truncated PNG (it does not end with IEND)")

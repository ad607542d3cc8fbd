"""Design images for people: an order's design versions as their print files, small previews
for lists, and proofs (``tools/proofs.py``), with the validators HTTP caches revalidate against.

Designs are read from the files kept with the order in PostgreSQL (``kept_files``), never from
storage, so this works the same on the local drive and on Google Drive. Who may see an order is
``tools.orders.find_order``'s rule: a customer their own orders, staff every order, and someone
else's order is not found.

A version's design never changes once recorded, so every image is named by a validator made
from the design's SHA-256: the print file's ETag is that checksum itself (strong: the bytes
are the kept bytes); previews and proofs, rendered on request, get a weak ETag over the
checksum and everything else that shapes them. A caller that already holds the image gets a
"not modified" without the design being read or decrypted.

Rendering costs tens to hundreds of milliseconds (``RenderCache`` has the measurements), so
rendered images are kept in a small in-process LRU.
"""

from __future__ import annotations

import hashlib
import io
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, features

from persistence.models import DesignVersion, Order
from persistence.repositories import kept_files
from tools import proofs
from tools.context import ToolContext
from tools.errors import NotFound
from tools.orders import find_order
from tools.products import PRODUCTS, Product

PREVIEW_LONG_SIDE = 320
PROOF_LONG_SIDE = 1200
# Part of every rendered image's ETag: bump it when the drawing or encoding changes, so
# callers' cached copies are replaced.
RENDER_VERSION = "1"
# Previews are WebP where Pillow can write it (every wheel can): a 320 px preview of a photo
# is a tenth of the PNG's size. Full-size proofs stay PNG, like the print file.
PREVIEW_FORMAT = "WEBP" if features.check("webp") else "PNG"
MEDIA_TYPES = {"PNG": "image/png", "WEBP": "image/webp"}
SUFFIXES = {"PNG": "png", "WEBP": "webp"}


class DesignKind(StrEnum):
    PRINT = "print"  # the design's print file
    PROOF = "proof"  # the design on the product


class ImageSize(StrEnum):
    FULL = "full"
    PREVIEW = "preview"


@dataclass(frozen=True)
class DesignImage:
    """One image of a design version: ``content`` is None when the caller's copy, named by
    ``etag``, is current (an HTTP 304)."""

    etag: str
    media_type: str
    filename: str
    content: bytes | None


class RenderCache:
    """Rendered images by ETag (which names the design's checksum, the kind, size, product and
    colour), least recently used dropped first beyond ``max_bytes``. Safe across threads; two
    requests that miss together both render, and the same bytes are kept once.

    Measured on a 2-core development machine (median of 15, one render at a time), from the
    kept PNG to the encoded image: for a 1500×1800 t-shirt print file of the layout engine,
    a proof at 1200 px about 70 ms and a preview about 20 ms; for a photo-like one (the
    worst case for PNG), about 140 and 75 ms; a 1800×2700 photo-like poster up to 260 ms.
    Decoding the print file and encoding the answer are most of it; drawing the silhouette
    is about 7 ms. From the cache it is a dictionary lookup, so a list of twenty orders'
    previews is one render each, once per process.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            content = self._items.get(key)
            if content is not None:
                self._items.move_to_end(key)
            return content

    def put(self, key: str, content: bytes) -> None:
        if len(content) > self.max_bytes:
            return
        with self._lock:
            previous = self._items.pop(key, None)
            self._size -= len(previous or b"")
            self._items[key] = content
            self._size += len(content)
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def __len__(self) -> int:
        return len(self._items)


# One per process: proofs are the same for every caller allowed to see them.
RENDERED = RenderCache(max_bytes=32 * 1024 * 1024)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (weak comparison, as RFC 9110 asks for
    GET), or is ``*``."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def design_image(
    ctx: ToolContext,
    order_id: uuid.UUID,
    version: int,
    kind: DesignKind = DesignKind.PRINT,
    size: ImageSize = ImageSize.FULL,
    if_none_match: str | None = None,
) -> DesignImage:
    """Design ``version`` of an order as ``kind`` (print file or proof) at ``size``, for a
    caller who may see the order; without content when ``if_none_match`` names it already.

    Raises:
        NotFound: no such order for this caller, no such version, or its file is not kept.
    """
    order = find_order(ctx, order_id)
    row = _version(order, version)
    noun = "proof" if kind is DesignKind.PROOF else "design"
    stem = f"order-{order.id.hex[:8]}-{noun}-v{version}"
    if kind is DesignKind.PRINT and size is ImageSize.FULL:
        etag = f'"{row.sha256}"'
        if etag_matches(if_none_match, etag):
            return DesignImage(etag, "image/png", f"{stem}.png", None)
        return DesignImage(etag, "image/png", f"{stem}.png", _read(ctx, order, row))

    product = _product(order)
    colour = proofs.ordered_colour(order.options)
    image_format = PREVIEW_FORMAT if size is ImageSize.PREVIEW else "PNG"
    variant = f"{row.sha256}|{kind}|{size}|{image_format}|{product.key}|{colour.rgb}"
    etag = f'W/"{hashlib.sha256(f"{variant}|{RENDER_VERSION}".encode()).hexdigest()[:40]}"'
    media_type = MEDIA_TYPES[image_format]
    suffix = "-preview" if size is ImageSize.PREVIEW else ""
    filename = f"{stem}{suffix}.{SUFFIXES[image_format]}"
    if etag_matches(if_none_match, etag):
        return DesignImage(etag, media_type, filename, None)
    content = RENDERED.get(etag)
    if content is None:
        content = render(_read(ctx, order, row), kind, size, product, colour.rgb, image_format)
        RENDERED.put(etag, content)
    return DesignImage(etag, media_type, filename, content)


def render(
    png: bytes,
    kind: DesignKind,
    size: ImageSize,
    product: Product,
    colour: proofs.RGB,
    image_format: str,
) -> bytes:
    """The print file ``png`` as a preview or a proof, encoded as ``image_format``."""
    with Image.open(io.BytesIO(png)) as design:
        if kind is DesignKind.PROOF:
            long_side = PREVIEW_LONG_SIDE if size is ImageSize.PREVIEW else PROOF_LONG_SIDE
            image = proofs.render_proof(design, product, colour, long_side)
        else:
            image = design.convert("RGBA" if "A" in design.getbands() else "RGB")
            image.thumbnail((PREVIEW_LONG_SIDE, PREVIEW_LONG_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if image_format == "WEBP":
        image.save(buffer, format="WEBP", quality=82, method=4)
    else:
        # zlib level 1, as print files (tools/design/_png.py): the fastest, a little larger.
        image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _version(order: Order, version: int) -> DesignVersion:
    for row in order.design_versions:
        if row.version == version:
            return row
    have = [row.version for row in order.design_versions]
    if not have:
        raise NotFound(f"order {order.id} has no design yet; it is {order.status}")
    listed = ", ".join(str(v) for v in have)
    raise NotFound(f"order {order.id} has no design version {version}; it has {listed}")


def _product(order: Order) -> Product:
    product = PRODUCTS.get(order.product)
    if product is None:
        raise NotFound(f"order {order.id}'s product {order.product!r} is not in the catalogue")
    return product


def _read(ctx: ToolContext, order: Order, row: DesignVersion) -> bytes:
    with ctx.backends.db.reading() as session:
        content = kept_files.read(session, order.id, row.file_name)
    if content is None:
        raise NotFound(f"design version {row.version} of order {order.id} is not kept any more")
    return content

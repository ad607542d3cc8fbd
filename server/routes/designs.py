"""Design image routes: parse, authorize, call ``tools.design_files``, shape the image reply.

``GET /orders/{id}/designs/{version}`` is the print file as kept, ``…/proof`` the design on
the product; ``?size=preview`` makes either small (≤ 320 px on the long side, WebP) for lists.
Who may see them is who may see the order (a customer their own, staff all; someone else's
order is a 404). Versions never change, so answers are cacheable by the caller's browser only
(``private``), and carry an ETag that ``If-None-Match`` revalidates with a 304.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, status
from fastapi.responses import Response

from server.deps import CurrentPrincipal, Services
from tools.design_files import DesignImage, DesignKind, ImageSize, design_image

router = APIRouter(prefix="/orders", tags=["designs"])

# A day: a version's image never changes (a new design is a new version), and after a day
# a revalidation costs the caller a 304.
CACHE_CONTROL = "private, max-age=86400"
# The answer depends on who asks: a browser must not show one signed-in user's cached copy
# to the next without asking again.
VARY = "Authorization, X-API-Key"
MAX_VERSION = 2**31 - 1  # the column's range; beyond it no version can exist

Version = Annotated[
    int, Path(ge=1, le=MAX_VERSION, description="The design version: 1, 2, … as the order lists")
]
Size = Annotated[
    ImageSize,
    Query(description="`full` (default), or `preview`: at most 320 px on the long side, WebP"),
]
IfNoneMatch = Annotated[
    str | None, Header(description="An ETag this endpoint gave: 304 if it is still current")
]

IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The image",
        "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/webp": {"schema": {"type": "string", "format": "binary"}},
        },
    },
    304: {"description": "Not modified: the copy named in If-None-Match is current"},
    401: {"description": "No valid bearer token or API key"},
    404: {"description": "No such order for this caller, or no such design version"},
}


def _reply(image: DesignImage) -> Response:
    headers = {"ETag": image.etag, "Cache-Control": CACHE_CONTROL, "Vary": VARY}
    if image.content is None:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{image.filename}"'
    return Response(image.content, media_type=image.media_type, headers=headers)


@router.get(
    "/{order_id}/designs/{version}",
    response_class=Response,
    responses=IMAGE_RESPONSES,
    summary="A design version's print file, or its preview",
)
def design_file(
    order_id: uuid.UUID,
    version: Version,
    principal: CurrentPrincipal,
    services: Services,
    size: Size = ImageSize.FULL,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The print file of design ``version`` as kept (PNG at the product's DPI), or with
    ``?size=preview`` a small WebP of it for lists."""
    context = services.context_for(principal)
    return _reply(design_image(context, order_id, version, DesignKind.PRINT, size, if_none_match))


@router.get(
    "/{order_id}/designs/{version}/proof",
    response_class=Response,
    responses=IMAGE_RESPONSES,
    summary="A design version on the product, in the ordered colour",
)
def design_proof(
    order_id: uuid.UUID,
    version: Version,
    principal: CurrentPrincipal,
    services: Services,
    size: Size = ImageSize.FULL,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The proof of design ``version``: the product's silhouette in the order's ``color``
    option, the design in its print area at scale. PNG, 1200 px on the long side; with
    ``?size=preview``, 320 px WebP."""
    context = services.context_for(principal)
    return _reply(design_image(context, order_id, version, DesignKind.PROOF, size, if_none_match))

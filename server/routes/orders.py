"""Order routes: parse, authorize, call the order service, shape the reply."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from persistence.models import OrderStatus
from server.deps import (
    AppServices,
    Caller,
    CurrentPrincipal,
    Identified,
    Services,
    StaffPrincipal,
    admit,
)
from server.images import MAX_BYTES, CheckedImage, ImageRejected, check_image
from server.schemas import ORDER_EXAMPLE, OrderAccepted, OrderCreate, json_reply
from tools import orders
from tools.context import ToolContext
from tools.orders import ListOrdersArgs, OrderId, OrderList, OrderView, Review, ReviewArgs
from tools.safe_text import SafeLine

router = APIRouter(prefix="/orders", tags=["orders"])

ORDER_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/OrderCreate"},
                "example": ORDER_EXAMPLE,
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["order"],
                    "properties": {
                        "order": {"type": "string", "description": "The order as JSON"},
                        "image": {
                            "type": "string",
                            "format": "binary",
                            "description": "Reference image: PNG, JPEG or WebP, ≤ 10 MB, ≤ 40 MP",
                        },
                    },
                },
                "example": {"order": json.dumps(ORDER_EXAMPLE)},
            },
        },
    }
}


def _validate(raw: bytes | str, loc: str) -> OrderCreate:
    try:
        return OrderCreate.model_validate_json(raw)
    except ValidationError as exc:
        # Same shape as FastAPI's own 422s, located in the body (or its "order" part).
        errors = [dict(e, loc=(loc, *e["loc"])) for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc


async def _read_image(part: Any) -> CheckedImage:
    if not isinstance(part, UploadFile):
        raise ImageRejected("the image part must be a file")
    data = await part.read(MAX_BYTES + 1)
    # Decoding up to 40 megapixels takes a while: off the event loop.
    return await run_in_threadpool(check_image, data)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OrderAccepted,
    openapi_extra=ORDER_BODY,
    summary="Place an order",
    responses={
        413: {"description": "Reference image too large"},
        429: {"description": "Too many orders; Retry-After says when to try again"},
    },
)
async def place_order(
    request: Request,
    principal: CurrentPrincipal,
    services: Services,
    idempotency_key: Annotated[SafeLine | None, Header(max_length=200)] = None,
) -> Any:
    """Place an order (JSON, or multipart with ``order`` and ``image`` parts). The pipeline starts
    after the order is stored; poll ``GET /orders/{id}`` for its progress."""
    # Off the event loop: with Redis, the count is a network round trip.
    await run_in_threadpool(services.limits.check, "orders", principal.sub)
    content_type = request.headers.get("content-type", "")
    image: CheckedImage | None = None
    if content_type.startswith("multipart/form-data"):
        async with request.form(max_part_size=1024 * 1024) as form:
            if "order" not in form:
                missing = {"type": "missing", "loc": ("body", "order"), "msg": "Field required"}
                raise RequestValidationError([missing])
            order_part = form["order"]
            raw = await order_part.read() if isinstance(order_part, UploadFile) else order_part
            body = _validate(raw, "order")
            if form.get("image") not in (None, ""):
                image = await _read_image(form["image"])
    elif content_type.startswith("application/json") or not content_type:
        body = _validate(await request.body(), "body")
    else:
        return JSONResponse(
            {"detail": "send the order as application/json or multipart/form-data"},
            status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        )
    order, created = await run_in_threadpool(
        services.orders.place, principal, body, image, idempotency_key
    )
    reply = OrderAccepted(
        id=order.id, status=OrderStatus(order.status), session_id=order.session_id
    )
    return JSONResponse(
        reply.model_dump(mode="json"),
        status_code=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        headers={"Location": f"/orders/{order.id}"},
    )


async def read_as(
    services: AppServices, caller: Caller, read: Callable[[ToolContext], BaseModel]
) -> Response:
    """``read`` for ``caller``, admitted first, in one trip to the thread pool and on one
    connection, read again if the database dropped that connection (a poll never fails over
    a restart); the view answered as it is (FastAPI would validate it again against the
    response model, which the route keeps for the docs). For the reads a storefront polls."""

    def admitted_read() -> BaseModel:
        with services.db.reading():
            return read(services.context_for(admit(services, caller)))

    return json_reply(await run_in_threadpool(services.db.read_again_if_dropped, admitted_read))


@router.get("", response_model=OrderList, summary="List orders")
async def list_orders(
    caller: Identified,
    services: Services,
    query: Annotated[ListOrdersArgs, Query()],
) -> Response:
    """Orders newest first: a customer's own, or all of them for operators and admins."""
    return await read_as(services, caller, lambda context: orders.list_orders(context, query))


@router.get("/{order_id}", response_model=OrderView, summary="An order with its progress")
async def get_order(order_id: uuid.UUID, caller: Identified, services: Services) -> Response:
    """Status, current step, per-step progress, files, design versions and the last error."""
    order = OrderId(order_id=str(order_id))
    return await read_as(services, caller, lambda context: orders.get_order(context, order))


@router.post("/{order_id}/approve", response_model=OrderView, summary="Approve or request changes")
def review_order(
    order_id: uuid.UUID,
    review: Review,
    principal: CurrentPrincipal,
    services: Services,
) -> BaseModel:
    """Approve the current design (``{"approved": true}``) or send it back with feedback for a
    new version. 409 unless the order is awaiting approval."""
    args = ReviewArgs(order_id=str(order_id), approved=review.approved, feedback=review.feedback)
    return services.act(principal, "approve_order", args)


@router.post("/{order_id}/retry", response_model=OrderView, summary="Retry a failed order")
def retry_order(order_id: uuid.UUID, principal: StaffPrincipal, services: Services) -> BaseModel:
    """Re-run the step that failed and carry on (operators and admins). 409 unless failed."""
    return services.act(principal, "retry_order", OrderId(order_id=str(order_id)))

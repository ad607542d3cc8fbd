"""The one owner of an order's status: which moves are allowed, and the only code that makes
them. The pipeline's runner and steps, the tools behind the routes and chat commands, all move
an order through here, so no caller can put an order where it cannot be (a completed order
back into processing, a failed one into awaiting approval).

    received ──► processing ──► awaiting_approval ──► processing (a review) ──► completed
                      │                                                  ▲
                      └──────────────► failed ──► processing (a retry) ──┘
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from persistence.models import Order, OrderStatus, utcnow
from persistence.storable import storable_error

S = OrderStatus

# From each status, where an order may go (staying where it is is always allowed).
ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.RECEIVED: frozenset({S.PROCESSING, S.FAILED, S.CANCELLED}),
    S.PROCESSING: frozenset({S.AWAITING_APPROVAL, S.COMPLETED, S.FAILED}),
    S.AWAITING_APPROVAL: frozenset({S.PROCESSING, S.CANCELLED}),
    S.FAILED: frozenset({S.PROCESSING}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}


class IllegalTransition(RuntimeError):
    """A move the order's status does not allow (a bug in the caller, or a race it lost)."""


def allowed(current: str, to: OrderStatus) -> bool:
    return current == to or to in ALLOWED[OrderStatus(current)]


def sources(to: OrderStatus) -> tuple[OrderStatus, ...]:
    """The statuses an order may move to ``to`` from (``to`` itself included)."""
    return tuple(s for s in OrderStatus if allowed(s, to))


def move(
    session: Session,
    order_id: uuid.UUID,
    to: OrderStatus,
    *,
    only_from: tuple[OrderStatus, ...] | None = None,
    **fields: Any,
) -> bool:
    """Move the order to ``to`` (with ``fields``) when its status allows it, and is one of
    ``only_from`` when given; True when it moved. One UPDATE with the condition in its WHERE
    clause, so of two callers racing, one wins."""
    froms = [s for s in sources(to) if only_from is None or s in only_from]
    if isinstance(fields.get("error"), str):
        fields["error"] = storable_error(fields["error"])
    result = session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status.in_(froms))
        .values(status=to, updated_at=utcnow(), **fields)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def set_status(order: Order, to: OrderStatus) -> None:
    """Move an order row the caller holds (locked, FOR UPDATE) to ``to``; IllegalTransition
    when its status does not allow it."""
    if not allowed(order.status, to):
        raise IllegalTransition(f"order {order.id} cannot go from {order.status} to {to}")
    order.status = to

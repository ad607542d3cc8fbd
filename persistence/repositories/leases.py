"""Run leases on orders: one run of an order at a time, across every process and machine.

A run claims its order before it does anything and renews the claim while it works (a
heartbeat); a claim nobody renewed lapses, and the order is anyone's again. Times are the
database's (``now()``), never a machine's clock, so machines whose clocks differ agree.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from persistence.models import Order, OrderStatus

# What a run carries on: an order never started, or one a run was working on.
RUNNABLE = (OrderStatus.RECEIVED, OrderStatus.PROCESSING)

# The lease owner of the run whose work this is, while it works (graphs/order/runs.py): what
# it claims for the order (a notification to deliver) is that run's, and lapses with its lease.
_working_as: ContextVar[str | None] = ContextVar("working_as", default=None)


@contextmanager
def working_as(owner: str) -> Iterator[None]:
    """Within: the work is run ``owner``'s (LangGraph carries it into the nodes' threads)."""
    token = _working_as.set(owner)
    try:
        yield
    finally:
        _working_as.reset(token)


def current_run() -> str | None:
    """The lease owner of the run doing this work; None outside a run (a staff call)."""
    return _working_as.get()


def _until(seconds: float) -> ColumnElement[datetime]:
    return func.now() + timedelta(seconds=seconds)


def _free() -> ColumnElement[bool]:
    return or_(Order.lease_owner.is_(None), Order.lease_expires_at < func.now())


def claim(session: Session, order_id: uuid.UUID, owner: str, seconds: float) -> bool:
    """Take the order's lease for ``seconds`` when the order is one a run carries on
    (RUNNABLE) and its lease is free or lapsed; False otherwise (held by a live run, or
    already past what a run does: awaiting approval, completed, failed)."""
    taken = session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status.in_(RUNNABLE), _free())
        .values(lease_owner=owner, lease_expires_at=_until(seconds))
        .returning(Order.id)
    ).first()
    return taken is not None


def renew(session: Session, order_id: uuid.UUID, owner: str, seconds: float) -> bool:
    """Extend ``owner``'s lease; False when it is not ``owner``'s any more."""
    kept = session.execute(
        update(Order)
        .where(Order.id == order_id, Order.lease_owner == owner)
        .values(lease_expires_at=_until(seconds))
        .returning(Order.id)
    ).first()
    return kept is not None


def release(session: Session, order_id: uuid.UUID, owner: str) -> None:
    session.execute(
        update(Order)
        .where(Order.id == order_id, Order.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
    )


# Set in the transaction that makes an order runnable (placed, reviewed, retried): a sweep
# between that commit and the run's message being sent would queue it a second time.
QUEUED_NOW = func.now()


def not_queued(session: Session, order_id: uuid.UUID) -> None:
    """Its run could not be queued (Redis down): the next sweep takes it, without waiting."""
    session.execute(update(Order).where(Order.id == order_id).values(dispatched_at=None))


def take_waiting(session: Session, grace_s: float, limit: int = 100) -> list[uuid.UUID]:
    """Orders a run should carry on but none holds, not queued in the last ``grace_s``
    seconds (a queued run may just not have started): marked queued now, so that another
    sweeper, in the same moment, skips them (the rows are locked, SKIP LOCKED)."""
    queued_long_ago = or_(
        Order.dispatched_at.is_(None), Order.dispatched_at < func.now() - timedelta(seconds=grace_s)
    )
    ids = list(
        session.scalars(
            select(Order.id)
            .where(and_(Order.status.in_(RUNNABLE), _free(), queued_long_ago))
            .order_by(Order.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(update(Order).where(Order.id.in_(ids)).values(dispatched_at=func.now()))
    return ids

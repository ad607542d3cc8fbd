"""The notification outbox: rows are written first, delivered after, marked sent once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import ScalarSelect, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from persistence.models import Notification, Order, utcnow


def enqueue(session: Session, **fields: Any) -> None:
    """Insert the notification unless one with the same (order, event, version, audience) exists."""
    session.execute(
        insert(Notification)
        .values(status="pending", channels=[], attempts=0, **fields)
        .on_conflict_do_nothing(index_elements=["order_id", "event", "version", "audience"])
    )


def for_event(
    session: Session, order_id: uuid.UUID, event: str, version: int
) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(
                Notification.order_id == order_id,
                Notification.event == event,
                Notification.version == version,
            )
            .order_by(Notification.audience)
        )
    )


def _run_holding_order() -> ScalarSelect[str | None]:
    """The lease owner of the run holding the notification's order now (NULL when none)."""
    return (
        select(Order.lease_owner)
        .where(Order.id == Notification.order_id, Order.lease_expires_at > func.now())
        .scalar_subquery()
    )


def claim(
    session: Session, notification_id: int, seconds: float, *, run: str | None = None
) -> Notification | None:
    """Take a notification to deliver for ``seconds`` (status "sending"); None when it is
    sent already, or another caller's claim on it is live. The claim outlives the transaction:
    the caller commits, delivers, then marks.

    ``run``: the lease owner of the order run claiming it (leases.current_run()), None for a
    caller outside a run. A run's claim lapses with the run's lease as well: the run that
    carries the order on after one died mid-delivery sends what it left, instead of skipping
    it until ``seconds`` have passed; and a run may take back its own claim (it went again
    from its checkpoint after a claim it never delivered)."""
    claimable = [
        Notification.status.not_in(("sent", "sending")),
        Notification.claimed_until < func.now(),
        and_(
            Notification.claimed_by.is_not(None),
            Notification.claimed_by.is_distinct_from(_run_holding_order()),
        ),
    ]
    if run is not None:  # (== None would match every claim made outside a run)
        claimable.append(Notification.claimed_by == run)
    return session.scalars(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status != "sent", or_(*claimable))
        .values(
            status="sending",
            claimed_until=func.now() + timedelta(seconds=seconds),
            claimed_by=run,
        )
        .returning(Notification)
    ).first()


def mark(
    session: Session, notification_id: int, *, sent: bool, channels: list[str], error: str | None
) -> None:
    values: dict[str, Any] = {
        "channels": channels,
        "last_error": error,
        "claimed_until": None,
        "claimed_by": None,
    }
    if sent:
        values.update(status="sent", sent_at=utcnow())
    else:
        values["status"] = "failed"
    session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(attempts=Notification.attempts + 1, **values)
    )

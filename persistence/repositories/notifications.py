"""The notification outbox: rows are written first, delivered after, marked sent once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from persistence.models import Notification, utcnow


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


def claim(session: Session, notification_id: int, seconds: float) -> Notification | None:
    """Take a notification to deliver for ``seconds`` (status "sending"); None when it is
    sent already, or another run's claim on it is live. The claim outlives the transaction:
    the caller commits, delivers, then marks."""
    claimable = or_(
        Notification.status.not_in(("sent", "sending")),
        Notification.claimed_until < func.now(),
    )
    return session.scalars(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status != "sent", claimable)
        .values(status="sending", claimed_until=func.now() + timedelta(seconds=seconds))
        .returning(Notification)
    ).first()


def mark(
    session: Session, notification_id: int, *, sent: bool, channels: list[str], error: str | None
) -> None:
    values: dict[str, Any] = {"channels": channels, "last_error": error, "claimed_until": None}
    if sent:
        values.update(status="sent", sent_at=utcnow())
    else:
        values["status"] = "failed"
    session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(attempts=Notification.attempts + 1, **values)
    )

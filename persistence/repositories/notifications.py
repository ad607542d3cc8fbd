"""The notification outbox: rows are written first, delivered after, marked sent once."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
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


def claim(session: Session, notification_id: int) -> Notification | None:
    """Lock a pending notification for delivery; None when sent already or locked elsewhere."""
    return session.scalars(
        select(Notification)
        .where(Notification.id == notification_id, Notification.status != "sent")
        .with_for_update(skip_locked=True)
    ).first()


def mark(
    session: Session, notification_id: int, *, sent: bool, channels: list[str], error: str | None
) -> None:
    values: dict[str, Any] = {"channels": channels, "last_error": error}
    if sent:
        values.update(status="sent", sent_at=utcnow())
    else:
        values["status"] = "failed"
    session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(attempts=Notification.attempts + 1, **values)
    )

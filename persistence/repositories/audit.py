"""The audit log: append and search; nothing here (or anywhere) changes an entry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.orm import Session

from persistence.models import AuditEntry

# One statement reused for every append (its compiled form is cached): building an ORM object
# and flushing it cost about twice as much, and an admin command writes two entries.
_APPEND = insert(AuditEntry)


def append(session: Session, **fields: object) -> None:
    session.execute(_APPEND, fields)


def search(
    session: Session,
    *,
    subject: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    request_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """A page of entries, newest first, and how many match."""
    conditions: list[ColumnElement[bool]] = []
    if subject is not None:
        conditions.append(AuditEntry.subject == subject)
    if action is not None:
        conditions.append(AuditEntry.action == action)
    if outcome is not None:
        conditions.append(AuditEntry.outcome == outcome)
    if request_id is not None:
        conditions.append(AuditEntry.request_id == request_id)
    if since is not None:
        conditions.append(AuditEntry.at >= since)
    if until is not None:
        conditions.append(AuditEntry.at < until)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    rows = session.scalars(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total

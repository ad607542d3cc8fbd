"""Every query on orders, their sessions and design versions. Functions flush, never commit:
the caller's unit of work (``Database.session()``) owns the transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Select,
    String,
    bindparam,
    cast,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session, joinedload, selectinload

from persistence.models import (
    AgentSession,
    AuditEntry,
    DesignVersion,
    Order,
    OrderStatus,
    SessionKind,
    utcnow,
)
from persistence.repositories import order_status
from persistence.storable import storable_error


def add_order(session: Session, *, role: str, **fields: Any) -> Order:
    """A new order and its AgentSession, flushed together."""
    agent_session = AgentSession(kind=SessionKind.ORDER, subject=fields["customer_sub"], role=role)
    session.add(agent_session)
    session.flush()
    order = Order(session_id=agent_session.id, **{"status": OrderStatus.RECEIVED, **fields})
    session.add(order)
    session.flush()
    return order


# The order, its session and its design versions in one statement, one round trip. Built once:
# building it was a third of the read's time, and every GET /orders/{id} asks it.
_ORDER = (
    select(Order)
    .where(Order.id == bindparam("order_id"))
    .options(joinedload(Order.design_versions), joinedload(Order.session, innerjoin=True))
)
_ORDER_FOR_UPDATE = _ORDER.with_for_update(of=Order)


def get_order(session: Session, order_id: uuid.UUID, *, for_update: bool = False) -> Order | None:
    stmt = _ORDER_FOR_UPDATE if for_update else _ORDER
    return session.scalars(stmt, {"order_id": order_id}).unique().first()


def _session_of(order_id: uuid.UUID) -> Select[AgentSession]:
    return (
        select(AgentSession)
        .join(Order, Order.session_id == AgentSession.id)
        .where(Order.id == order_id)
    )


def order_session(session: Session, order_id: uuid.UUID) -> AgentSession | None:
    """The AgentSession an order runs on, without loading the order."""
    return session.scalars(_session_of(order_id)).first()


def order_session_and_contacts(
    session: Session, order_id: uuid.UUID
) -> tuple[AgentSession, list[str | None]] | None:
    """The order's AgentSession and its customer's name, e-mail and phone, in one query."""
    contacts = (Order.customer_name, Order.customer_email, Order.customer_phone)
    row = session.execute(_session_of(order_id).add_columns(*contacts)).first()
    return None if row is None else (row[0], list(row[1:]))


def find_by_idempotency_key(session: Session, customer_sub: str, key: str) -> Order | None:
    return session.scalars(
        select(Order).where(Order.customer_sub == customer_sub, Order.idempotency_key == key)
    ).first()


def orders_with_id_prefix(
    session: Session, prefix: str, *, customer_sub: str | None = None, limit: int = 2
) -> list[Order]:
    """Orders whose id (hex, no dashes) starts with ``prefix``."""
    if not prefix or any(c not in "0123456789abcdef" for c in prefix):
        return []
    stmt = select(Order).where(func.replace(cast(Order.id, String), "-", "").startswith(prefix))
    if customer_sub is not None:
        stmt = stmt.where(Order.customer_sub == customer_sub)
    stmt = stmt.options(selectinload(Order.design_versions), selectinload(Order.session))
    stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


# An error text longer than this is cut: it is a line for a person, not a log.
def _storable_fields(fields: dict[str, Any]) -> dict[str, Any]:
    if isinstance(fields.get("error"), str):
        fields["error"] = storable_error(fields["error"])
    return fields


def _step_entry(order: Order, step: str) -> dict[str, Any]:
    for entry in order.steps:
        if entry["step"] == step:
            return entry
    entry = {"step": step, "status": "pending", "attempts": 0}
    order.steps.append(entry)
    return entry


def record_step(
    session: Session,
    order_id: uuid.UUID,
    step: str,
    status: str,
    *,
    error: str | None = None,
) -> None:
    """Record a pipeline step's state (running, done, failed) on the order row."""
    order = _with_steps_for_update(session, order_id)
    if order is None:
        return
    now = utcnow().isoformat()
    entry = _step_entry(order, step)
    entry["status"] = status
    if status == "running":
        entry["started_at"] = now
        entry["attempts"] = entry.get("attempts", 0) + 1
        entry.pop("finished_at", None)
        entry.pop("error", None)
        entry.pop("progress", None)
        order.current_step = step
        order_status.set_status(order, OrderStatus.PROCESSING)
    else:
        entry["finished_at"] = now
    if error is not None:
        entry["error"] = storable_error(error)
    order.updated_at = utcnow()
    session.flush()


def record_progress(
    session: Session, order_id: uuid.UUID, step: str, done: int, total: int
) -> None:
    """Work done inside a running step (diffusion steps of the design, say)."""
    order = _with_steps_for_update(session, order_id)
    if order is not None:
        _step_entry(order, step)["progress"] = {"done": done, "total": total}
        session.flush()


def reset_steps(session: Session, order_id: uuid.UUID, steps: tuple[str, ...]) -> None:
    """Mark steps pending again: a new design round will run them anew, its attempts counted
    from zero (a retry within the round is a second attempt; a new round is not)."""
    order = _with_steps_for_update(session, order_id)
    if order is not None:
        for entry in order.steps:
            if entry["step"] in steps:
                entry["status"] = "pending"
                entry["attempts"] = 0
                entry.pop("progress", None)
        session.flush()


def _with_steps_for_update(session: Session, order_id: uuid.UUID) -> Order | None:
    order = get_order(session, order_id, for_update=True)
    if order is not None:
        # A fresh list of fresh dicts, so SQLAlchemy sees the JSON column change.
        order.steps = [dict(e) for e in order.steps]
    return order


def update_order(session: Session, order_id: uuid.UUID, **fields: Any) -> None:
    session.execute(
        update(Order)
        .where(Order.id == order_id)
        .values(updated_at=utcnow(), **_storable_fields(fields))
        .execution_options(synchronize_session=False)
    )


def get_design_version(session: Session, order_id: uuid.UUID, version: int) -> DesignVersion | None:
    return session.scalars(
        select(DesignVersion).where(
            DesignVersion.order_id == order_id, DesignVersion.version == version
        )
    ).first()


def add_design_version(session: Session, **fields: Any) -> DesignVersion:
    row = DesignVersion(**fields)
    session.add(row)
    session.flush()
    return row


def latest_design_version(session: Session, order_id: uuid.UUID) -> DesignVersion | None:
    return session.scalars(
        select(DesignVersion)
        .where(DesignVersion.order_id == order_id)
        .order_by(DesignVersion.version.desc())
    ).first()


def orders_to_recover(session: Session) -> list[uuid.UUID]:
    """Orders a stopped process left mid-run: received (never started) or processing."""
    return list(
        session.scalars(
            select(Order.id)
            .where(Order.status.in_((OrderStatus.RECEIVED, OrderStatus.PROCESSING)))
            .order_by(Order.created_at)
        )
    )


_ADD_SESSION = insert(AgentSession)  # reused, like audit.append's statement


def add_session(
    session: Session, session_id: uuid.UUID, *, kind: str, subject: str, role: str, **fields: Any
) -> None:
    """A new AgentSession, written without an ORM object (an admin command opens one per new
    conversation, and a flush costs more than the insert)."""
    session.execute(
        _ADD_SESSION, {"id": session_id, "kind": kind, "subject": subject, "role": role, **fields}
    )


def get_session(session: Session, session_id: uuid.UUID) -> AgentSession | None:
    return session.get(AgentSession, session_id)


def admin_sessions(
    session: Session, *, subject: str | None = None, limit: int = 20, offset: int = 0
) -> tuple[list[tuple[AgentSession, str | None]], int]:
    """Admin conversations, the latest active first, each with its first command's audit
    arguments (JSON text, decrypted), and how many there are."""
    first_command = (
        select(AuditEntry.arguments)
        .where(
            AuditEntry.session_id == cast(AgentSession.id, String),
            AuditEntry.action == "admin_command",
        )
        .order_by(AuditEntry.at, AuditEntry.id)
        .limit(1)
        .scalar_subquery()
    )
    conditions = [AgentSession.kind == SessionKind.ADMIN]
    if subject is not None:
        conditions.append(AgentSession.subject == subject)
    rows = session.execute(
        select(AgentSession, first_command, func.count().over())
        .where(*conditions)
        .order_by(AgentSession.updated_at.desc(), AgentSession.id)
        .limit(limit)
        .offset(offset)
    ).all()
    if rows:
        return [(row[0], row[1]) for row in rows], int(rows[0][2])
    total = session.scalar(select(func.count()).select_from(AgentSession).where(*conditions))
    return [], total or 0


def order_for_session(session: Session, session_id: uuid.UUID) -> Order | None:
    return session.scalars(select(Order).where(Order.session_id == session_id)).first()


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Order.status, func.count()).group_by(Order.status))
    return {status: count for status, count in rows.tuples()}

"""The notify tool on real PostgreSQL: an event the order's state contradicts is refused with a
409 that names the state, whoever asks, and nothing reaches the outbox; events that fit go out."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from persistence.database import Database
from persistence.models import Notification, OrderStatus
from persistence.repositories import leases
from persistence.repositories import notifications as outbox
from persistence.repositories import orders as repo
from tests.support.pipeline import add_design_versions, add_order, make_backends
from tools.access import PIPELINE, Principal, Role
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.errors import Conflict
from tools.notify.base import Message
from tools.registry import ToolRegistry

ADMIN = Principal("ada", Role.ADMIN)


@pytest.fixture
def registry() -> ToolRegistry:
    return build_registry()


def order_in(
    db: Database, status: OrderStatus, *, versions: int = 1, step: str | None = None
) -> uuid.UUID:
    """An order with ``versions`` design versions, resting in ``status`` at ``step``."""
    order_id = add_order(db)
    add_design_versions(db, order_id, range(1, versions + 1))
    with db.session() as session:
        repo.update_order(session, order_id, status=status, current_step=step)
    return order_id


def outbox_size(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Notification)) or 0


def notify(
    registry: ToolRegistry,
    db: Database,
    tmp_path: Path,
    order_id: uuid.UUID,
    event: str,
    version: int = 1,
    principal: Principal = ADMIN,
) -> list[tuple[str, str]]:
    ctx = ToolContext(backends=make_backends(tmp_path, db), principal=principal)
    args = {"order_id": order_id.hex[:8], "event": event, "version": version}
    result = registry.execute("notify", args, ctx).model_dump()
    return [(n["audience"], n["status"]) for n in result["notifications"]]


def test_admin_cannot_announce_completion_of_an_order_awaiting_approval(
    db: Database, registry: ToolRegistry, tmp_path: Path
) -> None:
    order_id = order_in(db, OrderStatus.AWAITING_APPROVAL, step="await_review")

    with pytest.raises(Conflict) as refused:
        notify(registry, db, tmp_path, order_id, "order_completed")

    assert refused.value.status_code == 409
    assert f"order {order_id} is awaiting_approval at step await_review" in refused.value.message
    assert "order_completed is sent only while it is completed" in refused.value.message
    assert outbox_size(db) == 0


@pytest.mark.parametrize(
    ("status", "step", "event"),
    [
        (OrderStatus.COMPLETED, None, "design_ready"),
        (OrderStatus.PROCESSING, "generate_design", "design_ready"),
        (OrderStatus.FAILED, "notify_review", "design_ready"),
        (OrderStatus.CANCELLED, None, "design_ready"),
        (OrderStatus.PROCESSING, "notify_review", "order_completed"),
        (OrderStatus.FAILED, "finalize", "order_completed"),
    ],
)
def test_events_the_state_contradicts_are_refused_for_every_caller(
    db: Database,
    registry: ToolRegistry,
    tmp_path: Path,
    status: OrderStatus,
    step: str | None,
    event: str,
) -> None:
    order_id = order_in(db, status, step=step)

    for principal in (ADMIN, Principal("olga", Role.OPERATOR), PIPELINE):
        with pytest.raises(Conflict, match=f"is {status}"):
            notify(registry, db, tmp_path, order_id, event, principal=principal)

    assert outbox_size(db) == 0


def test_a_version_other_than_the_current_design_is_refused(
    db: Database, registry: ToolRegistry, tmp_path: Path
) -> None:
    order_id = order_in(db, OrderStatus.AWAITING_APPROVAL, versions=2)
    no_design = order_in(db, OrderStatus.PROCESSING, versions=0, step="notify_review")

    with pytest.raises(Conflict, match="its current design is version 2; not version 1"):
        notify(registry, db, tmp_path, order_id, "design_ready", version=1)
    with pytest.raises(Conflict, match="it has no design yet"):
        notify(registry, db, tmp_path, no_design, "design_ready")

    assert outbox_size(db) == 0


@pytest.mark.parametrize(
    ("status", "step", "event"),
    [
        (OrderStatus.AWAITING_APPROVAL, "await_review", "design_ready"),
        (OrderStatus.PROCESSING, "notify_review", "design_ready"),  # the pipeline's own call
        (OrderStatus.COMPLETED, None, "order_completed"),
        (OrderStatus.PROCESSING, "finalize", "order_completed"),  # the pipeline's own call
    ],
)
def test_events_that_fit_are_sent(
    db: Database,
    registry: ToolRegistry,
    tmp_path: Path,
    status: OrderStatus,
    step: str | None,
    event: str,
) -> None:
    order_id = order_in(db, status, versions=2, step=step)

    sent = notify(registry, db, tmp_path, order_id, event, version=2)

    assert sent == [("customer", "sent"), ("operator", "sent")]


class LockProbe:
    """A channel that, while it delivers, looks at the order's outbox rows from a connection
    of its own: FOR UPDATE NOWAIT fails at once if any transaction still holds one."""

    name = "probe"

    def __init__(self, db: Database) -> None:
        self.db = db
        self.seen: list[list[str]] = []

    def deliver(self, message: Message) -> None:
        order_id = message.payload["order_id"]
        with self.db.engine.connect() as conn:
            statuses = conn.execute(
                text("SELECT status FROM notifications WHERE order_id = :id FOR UPDATE NOWAIT"),
                {"id": order_id},
            )
            self.seen.append(sorted(s for (s,) in statuses))
            conn.rollback()


def test_no_transaction_is_open_while_a_channel_delivers(
    db: Database, registry: ToolRegistry, tmp_path: Path
) -> None:
    order_id = order_in(db, OrderStatus.AWAITING_APPROVAL, step="await_review")
    probe = LockProbe(db)
    backends = replace(make_backends(tmp_path, db), channels=(probe,))
    ctx = ToolContext(backends=backends, principal=ADMIN)
    registry.execute(
        "notify", {"order_id": str(order_id), "event": "design_ready", "version": 1}, ctx
    )
    # Each delivery saw its row claimed ("sending") and nothing locked (NOWAIT did not fail).
    assert probe.seen == [["pending", "sending"], ["sending", "sent"]]


def outbox_row(db: Database, order_id: uuid.UUID) -> Notification:
    """One pending customer notification of the order's design_ready, version 1."""
    with db.session() as session:
        outbox.enqueue(
            session,
            order_id=order_id,
            event="design_ready",
            version=1,
            audience="customer",
            recipient="jane@example.com",
            subject="s",
            body="b",
            payload={},
        )
        [row] = outbox.for_event(session, order_id, "design_ready", 1)
        return row


def test_a_claim_keeps_others_off_until_it_lapses(db: Database) -> None:
    order_id = order_in(db, OrderStatus.AWAITING_APPROVAL, step="await_review")
    row = outbox_row(db, order_id)
    with db.session() as session:
        assert outbox.claim(session, row.id, 0.5) is not None
    with db.session() as session:
        assert outbox.claim(session, row.id, 0.5) is None  # another caller's, still live
    time.sleep(0.7)
    with db.session() as session:
        assert outbox.claim(session, row.id, 30) is not None  # that caller died: lapsed
        outbox.mark(session, row.id, sent=True, channels=["log"], error=None)
    with db.session() as session:
        assert outbox.claim(session, row.id, 30) is None  # sent is final


def test_a_claim_made_by_a_run_lapses_with_that_runs_lease(db: Database) -> None:
    """A run killed mid-delivery: the run that carries the order on after its lease lapsed
    sends what it left at once, not after the claim's own (much longer) time."""
    order_id = order_in(db, OrderStatus.PROCESSING, step="notify_review")
    row = outbox_row(db, order_id)
    with db.session() as session:
        assert leases.claim(session, order_id, "run-a", 0.5)
    with db.session() as session:
        claimed = outbox.claim(session, row.id, 300, run="run-a")
        assert claimed is not None and claimed.claimed_by == "run-a"
    with db.session() as session:
        assert outbox.claim(session, row.id, 300) is None  # run-a holds the order still
        # run-a itself, gone again from its checkpoint after a claim it never delivered
        assert outbox.claim(session, row.id, 300, run="run-a") is not None
    time.sleep(0.7)  # run-a died: its lease lapsed, its claim has 299 s to go
    with db.session() as session:
        assert leases.claim(session, order_id, "run-b", 30)
    with db.session() as session:
        taken = outbox.claim(session, row.id, 300, run="run-b")
        assert taken is not None and taken.claimed_by == "run-b"
    with db.session() as session:
        assert outbox.claim(session, row.id, 300) is None  # run-b's now, while it lives
        outbox.mark(session, row.id, sent=True, channels=["log"], error=None)
    with db.session() as session:
        sent = session.get(Notification, row.id)
        assert sent is not None and sent.status == "sent" and sent.claimed_by is None


def test_a_claim_made_outside_a_run_is_not_the_runs(db: Database) -> None:
    """Staff sending an order's notification while a run holds the order: the claim is the
    caller's, live for its own time, even once the run has ended and let the order go."""
    order_id = order_in(db, OrderStatus.PROCESSING, step="notify_review")
    row = outbox_row(db, order_id)
    with db.session() as session:
        assert leases.claim(session, order_id, "run-a", 30)
    with db.session() as session:
        claimed = outbox.claim(session, row.id, 300)
        assert claimed is not None and claimed.claimed_by is None
    with db.session() as session:
        assert outbox.claim(session, row.id, 300, run="run-a") is None
        leases.release(session, order_id, "run-a")
    with db.session() as session:
        assert outbox.claim(session, row.id, 300) is None
        assert leases.claim(session, order_id, "run-b", 30)
    with db.session() as session:
        assert outbox.claim(session, row.id, 300, run="run-b") is None

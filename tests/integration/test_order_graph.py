"""The order graph on real PostgreSQL: review pause, approval, change requests, a failed step
retried alone, and runs a stopped process left behind carried on from their checkpoints."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import openpyxl
import pytest
from psycopg_pool import ConnectionPool
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from graphs.order.runner import OrderRunner
from persistence.checkpoints import open_checkpointer
from persistence.database import Database
from persistence.models import Notification, OrderStatus
from persistence.repositories import order_reads, order_status
from persistence.repositories import orders as repo
from persistence.repositories.order_reads import OrderRead
from tests.support.crash_run import CRASH_EXIT_CODE
from tests.support.pipeline import add_order, make_backends, steps
from tests.support.receivers import WebhookReceiver
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.design.base import DesignRequest, DesignResult, ProgressCallback
from tools.design.layout import LayoutEngine
from tools.notify.base import Channel, DeliveryError, Message
from tools.notify.log_channel import LogChannel
from tools.notify.webhook import WebhookChannel
from tools.orders import order_view
from tools.retry import RetryPolicy
from tools.tracing import Tracing


@pytest.fixture
def pool(db: Database) -> Iterator[ConnectionPool]:
    _, pool = open_checkpointer(db.url, max_size=4)
    yield pool
    pool.close()


def make_runner(
    db: Database, pool: ConnectionPool, data_dir: Path, channels: Sequence[Channel] | None = None
) -> OrderRunner:
    from langgraph.checkpoint.postgres import PostgresSaver

    backends = make_backends(data_dir, db, channels=channels)
    return OrderRunner(ToolContext(backends=backends), build_registry(), PostgresSaver(pool))  # type: ignore[arg-type]


def review(
    db: Database, order_id: uuid.UUID, *, approved: bool, feedback: str | None = None
) -> dict:
    """Record the decision as the order service does; return the value to resume with."""
    with db.session() as session:
        order = repo.get_order(session, order_id, for_update=True)
        assert order is not None and order.status == OrderStatus.AWAITING_APPROVAL
        order.design_versions[-1].decision = "approved" if approved else "changes_requested"
        order.design_versions[-1].feedback = feedback
        order.status = OrderStatus.PROCESSING
    return {"approved": approved, "feedback": feedback}


def notifications_of(session: Session, order_id: uuid.UUID) -> list[Notification]:
    """The order's outbox rows, oldest first."""
    query = select(Notification).where(Notification.order_id == order_id)
    return list(session.scalars(query.order_by(Notification.id)))


def load(db: Database, order_id: uuid.UUID):  # type: ignore[no-untyped-def]
    with db.session() as session:
        order = repo.get_order(session, order_id)
        assert order is not None
        return order


def read(db: Database, order_id: uuid.UUID) -> OrderRead:
    with db.reading() as session:
        found = order_reads.get(session, order_id)
        assert found is not None
        return found


def test_pipeline_pauses_for_review_with_design_and_workbook(
    db: Database, pool: ConnectionPool, tmp_path: Path
) -> None:
    runner = make_runner(db, pool, tmp_path)
    order_id = add_order(db)
    assert runner.start(order_id) == OrderStatus.AWAITING_APPROVAL

    order = load(db, order_id)
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert order.current_step == "await_review"
    assert [(v.version, v.engine) for v in order.design_versions] == [(1, "layout")]
    folder = tmp_path / "drive" / order.folder_path
    assert folder.parent.name == "Orders"
    assert sorted(p.name for p in folder.iterdir()) == [
        "design-v1.png",
        f"order-{order_id.hex[:8]}.xlsx",
    ]
    assert {f["name"] for f in order.files} == {"design-v1.png", f"order-{order_id.hex[:8]}.xlsx"}
    with db.session() as session:
        sent = notifications_of(session, order_id)
    assert [(n.event, n.audience, n.status, n.channels) for n in sent] == [
        ("design_ready", "customer", "sent", ["log"]),
        ("design_ready", "operator", "sent", ["log"]),
    ]
    state = runner.state(order_id)
    assert state["design_file"] == "design-v1.png" and state["version"] == 1
    assert not any(isinstance(v, bytes) for v in state.values())


def test_approval_completes_and_marks_the_workbook(
    db: Database, pool: ConnectionPool, tmp_path: Path
) -> None:
    runner = make_runner(db, pool, tmp_path)
    order_id = add_order(db)
    runner.start(order_id)
    assert runner.resume(order_id, review(db, order_id, approved=True)) == OrderStatus.COMPLETED

    order = load(db, order_id)
    assert order.status == OrderStatus.COMPLETED and order.current_step is None
    book = openpyxl.load_workbook(
        tmp_path / "drive" / order.folder_path / f"order-{order_id.hex[:8]}.xlsx"
    )
    values = [v for row in book["Order"].iter_rows(values_only=True) for v in row]
    assert "approved" in values
    with db.session() as session:
        events = {(n.event, n.audience) for n in notifications_of(session, order_id)}
    assert ("order_completed", "customer") in events and ("order_completed", "operator") in events


def test_change_request_makes_a_new_version_then_pauses_again(
    db: Database, pool: ConnectionPool, tmp_path: Path
) -> None:
    runner = make_runner(db, pool, tmp_path)
    order_id = add_order(db)
    runner.start(order_id)
    decision = review(db, order_id, approved=False, feedback="Add a seagull")
    assert runner.resume(order_id, decision) == OrderStatus.AWAITING_APPROVAL

    order = load(db, order_id)
    versions = order.design_versions
    assert [v.version for v in versions] == [1, 2]
    assert (versions[0].decision, versions[0].feedback) == ("changes_requested", "Add a seagull")
    assert versions[0].sha256 != versions[1].sha256
    # A new round, not a retry: each step of it ran once.
    assert {s["step"]: s["attempts"] for s in order.steps}["generate_design"] == 1
    assert "feedback" not in runner.state(order_id)  # personal text stays in its encrypted table
    with db.session() as session:
        ready = [(n.version, n.audience) for n in notifications_of(session, order_id)]
    assert ready == [(1, "customer"), (1, "operator"), (2, "customer"), (2, "operator")]

    assert runner.resume(order_id, review(db, order_id, approved=True)) == OrderStatus.COMPLETED
    book = openpyxl.load_workbook(
        tmp_path / "drive" / order.folder_path / f"order-{order_id.hex[:8]}.xlsx"
    )
    assert [row[0] for row in book["Versions"].iter_rows(min_row=2, values_only=True)] == [1, 2]


def test_failed_step_is_retried_alone(db: Database, pool: ConnectionPool, tmp_path: Path) -> None:
    with (
        WebhookReceiver() as receiver,
        WebhookChannel(receiver.url, "hook-secret", retry=RetryPolicy(attempts=1)) as hook,
    ):
        # Each attempt of notify_review posts twice (customer, operator); three attempts fail.
        receiver.fail_first(6, status=503)
        runner = make_runner(db, pool, tmp_path, channels=[LogChannel(), hook])
        order_id = add_order(db)
        assert runner.start(order_id) == OrderStatus.FAILED

        order = load(db, order_id)
        assert order.failed_step == "notify_review"
        assert "DeliveryError" in (order.error or "")
        failed = steps(db, order_id)["notify_review"]
        assert failed["status"] == "failed" and failed["attempts"] == 3  # the node's retry policy

        # The receiver is back (its script is spent); an operator retries the order.
        with db.session() as session:
            order_status.move(
                session, order_id, OrderStatus.PROCESSING, only_from=(OrderStatus.FAILED,)
            )
        assert runner.retry(order_id) == OrderStatus.AWAITING_APPROVAL

    done = steps(db, order_id)
    assert {
        s: done[s]["attempts"] for s in ("create_folder", "generate_design", "upload_files")
    } == {
        "create_folder": 1,
        "generate_design": 1,
        "upload_files": 1,
    }
    assert done["notify_review"]["attempts"] == 4 and done["notify_review"]["status"] == "done"
    order = load(db, order_id)
    assert order.failed_step is None and order.error is None
    with db.session() as session:
        rows = notifications_of(session, order_id)
    # The log channel delivered on the first try and was not asked again.
    assert [(n.status, n.channels) for n in rows] == [("sent", ["log", "webhook"])] * 2
    delivered = [r for r in receiver.requests if r.json["audience"] == "customer"]
    assert len({r.headers["x-atelier-delivery"] for r in delivered}) == 1


def test_recovery_starts_an_order_that_never_ran(
    db: Database, pool: ConnectionPool, tmp_path: Path
) -> None:
    runner = make_runner(db, pool, tmp_path)
    order_id = add_order(db)
    with db.session() as session:
        assert repo.orders_to_recover(session) == [order_id]
    assert runner.recover(order_id) == OrderStatus.AWAITING_APPROVAL


def test_recovery_applies_a_review_the_process_did_not_get_to(
    db: Database, pool: ConnectionPool, tmp_path: Path
) -> None:
    runner = make_runner(db, pool, tmp_path)
    order_id = add_order(db)
    runner.start(order_id)
    review(db, order_id, approved=True)  # accepted, then the process stopped before resuming
    assert runner.recover(order_id) == OrderStatus.COMPLETED


def test_crash_mid_pipeline_resumes_from_the_last_checkpoint(
    db: Database, pool: ConnectionPool, tmp_path: Path
) -> None:
    order_id = add_order(db)
    crashed = subprocess.run(
        [sys.executable, "-m", "tests.support.crash_run", db.url, str(tmp_path), str(order_id)],
        capture_output=True,
        timeout=120,
    )
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr.decode()
    order = load(db, order_id)
    assert (order.status, order.current_step) == (OrderStatus.PROCESSING, "generate_design")
    with db.session() as session:
        assert repo.orders_to_recover(session) == [order_id]

    runner = make_runner(db, pool, tmp_path)
    assert runner.recover(order_id) == OrderStatus.AWAITING_APPROVAL
    done = steps(db, order_id)
    assert done["create_folder"]["attempts"] == 1  # from the checkpoint, not run again
    assert done["generate_design"]["attempts"] == 2  # the crashed attempt and this one
    with db.session() as session:
        checkpoints = session.execute(text("select count(*) from checkpoints")).scalar()
    assert checkpoints and checkpoints > 5


class SteppingEngine:
    """Reports its first of four steps, then waits to be let go: a design caught mid-way."""

    name = "stepping"

    def __init__(self) -> None:
        self.go = threading.Event()

    def generate(
        self, request: DesignRequest, progress: ProgressCallback | None = None
    ) -> DesignResult:
        assert progress is not None
        progress(1, 4)
        assert self.go.wait(30)
        for done in (2, 3, 4):
            progress(done, 4)
        return LayoutEngine().generate(request)


def test_design_progress_shows_while_the_design_is_made(
    db: Database, pool: ConnectionPool, tmp_path: Path
) -> None:
    from langgraph.checkpoint.postgres import PostgresSaver

    engine = SteppingEngine()
    backends = make_backends(tmp_path, db, engine=engine)  # type: ignore[arg-type]
    runner = OrderRunner(ToolContext(backends=backends), build_registry(), PostgresSaver(pool))  # type: ignore[arg-type]
    order_id = add_order(db)
    run = threading.Thread(target=runner.start, args=(order_id,))
    run.start()
    try:
        deadline = time.monotonic() + 30
        while steps(db, order_id).get("generate_design", {}).get("progress") is None:
            assert time.monotonic() < deadline, "no design progress was recorded"
            time.sleep(0.02)
        view = order_view(read(db, order_id), Tracing())
        assert (view.current_step, view.status) == ("generate_design", "processing")
        [design] = [s for s in view.steps if s.step == "generate_design"]
        assert design.progress is not None and (design.progress.done, design.progress.total) == (
            1,
            4,
        )
        assert view.progress_percent == 25  # folder done (1 of 10) + a quarter of the design (6)
    finally:
        engine.go.set()
        run.join(30)
    view = order_view(read(db, order_id), Tracing())
    assert view.status == "awaiting_approval" and view.progress_percent == 100
    [design] = [s for s in view.steps if s.step == "generate_design"]
    assert design.progress is not None and design.progress.done == 4  # the last step is always kept


# --- Error texts on an order are ours (never a copy of an exception's message) ---------------

SECRET_NAME = "Zelda\x00Quux"  # a NUL: PostgreSQL refuses it in a text column


def leaked(text: str | None) -> bool:
    return any(part in (text or "") for part in ("Zelda", "Quux", "zelda@example.com"))


def test_a_failure_on_customer_data_is_saved_in_our_words_and_retried_after_a_fix(
    db: Database, pool: ConnectionPool, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An old row (or any data the API's checks never saw) with a NUL in the customer's name:
    openpyxl's error would quote the name, NUL included, so saving it as the order's error
    failed and left the order processing for good. Now the order fails with our message."""
    caplog.set_level(logging.DEBUG)
    runner = make_runner(db, pool, tmp_path)
    order_id = add_order(db, customer_name=SECRET_NAME, customer_email="zelda@example.com")
    assert runner.start(order_id) == OrderStatus.FAILED

    order = load(db, order_id)
    assert (order.status, order.failed_step) == (OrderStatus.FAILED, "fill_workbook")
    assert order.error == "the order workbook could not be written (IllegalCellText)"
    assert steps(db, order_id)["fill_workbook"]["error"] == order.error
    assert not leaked(str(order.steps))
    assert "order workbook could not be written" in caplog.text
    assert "File " in caplog.text  # the traceback's frames are kept for developers
    assert not leaked(caplog.text)

    # Someone corrects the name; an operator retries, and the failed step runs again.
    with db.session() as session:
        fixed = repo.get_order(session, order_id, for_update=True)
        assert fixed is not None
        fixed.customer_name = "Zelda Quux"
    with db.session() as session:
        assert order_status.move(
            session, order_id, OrderStatus.PROCESSING, only_from=(OrderStatus.FAILED,)
        )
    assert runner.retry(order_id) == OrderStatus.AWAITING_APPROVAL
    assert load(db, order_id).error is None


class QuotingChannel:
    """A channel whose errors quote what it was sent, as a third party's channel may."""

    name = "quoting"

    def deliver(self, message: Message) -> None:
        raise DeliveryError(f"{message.recipient} refused: {message.body}")


def test_a_channel_error_quoting_the_customer_is_not_copied(
    db: Database, pool: ConnectionPool, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    runner = make_runner(db, pool, tmp_path, channels=[LogChannel(), QuotingChannel()])
    order_id = add_order(db, customer_name="Zelda Quux", customer_email="zelda@example.com")
    assert runner.start(order_id) == OrderStatus.FAILED

    order = load(db, order_id)
    assert order.failed_step == "notify_review"
    assert order.error == "the review notifications could not be delivered (DeliveryError)"
    assert steps(db, order_id)["notify_review"]["error"] == order.error
    with db.session() as session:
        rows = notifications_of(session, order_id)
    assert [r.last_error for r in rows] == ["quoting: DeliveryError"] * 2
    assert "z***@example.com" in caplog.text  # the log channel names the address masked
    assert not leaked(caplog.text)

"""Order runs traced to a local LangSmith receiver through the real langsmith client: the run
tree, names, tags and metadata, the trace id kept on the session, review feedback, and no
customer personal data in anything sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.postgres import PostgresSaver
from langsmith import Client
from psycopg_pool import ConnectionPool

from graphs.order.runner import OrderRunner
from persistence.checkpoints import open_checkpointer
from persistence.database import Database
from persistence.models import OrderStatus
from persistence.repositories import orders as repo
from tests.support.langsmith_receiver import PROJECT_ID, TENANT_ID, LangSmithReceiver
from tests.support.pipeline import ORDER_FIELDS, add_order, make_backends
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.tracing import Tracing

API_KEY = "lsv2-test-key-never-in-a-body"
PII = [
    ORDER_FIELDS["customer_name"],
    ORDER_FIELDS["customer_email"],
    ORDER_FIELDS["customer_phone"],
]


@pytest.fixture
def smith() -> Iterator[LangSmithReceiver]:
    with LangSmithReceiver() as receiver:
        yield receiver


@pytest.fixture
def tracing(smith: LangSmithReceiver) -> Tracing:
    return Tracing.to(Client, "atelier-test", "test", api_url=smith.url, api_key=API_KEY)


@pytest.fixture
def runner(db: Database, tmp_path: Path, tracing: Tracing) -> Iterator[OrderRunner]:
    pool: ConnectionPool
    _, pool = open_checkpointer(db.url, max_size=4)
    backends = make_backends(tmp_path, db, tracing=tracing)
    yield OrderRunner(ToolContext(backends=backends), build_registry(), PostgresSaver(pool))  # type: ignore[arg-type]
    pool.close()


def session_trace(db: Database, order_id: uuid.UUID) -> tuple[str, str | None]:
    with db.session() as session:
        order = repo.get_order(session, order_id)
        assert order is not None
        return str(order.session_id), order.session.trace_id


def review(db: Database, order_id: uuid.UUID, approved: bool, feedback: str) -> dict[str, Any]:
    """Record the decision as the review tool does; return the value to resume with."""
    with db.session() as session:
        order = repo.get_order(session, order_id, for_update=True)
        assert order is not None
        order.design_versions[-1].decision = "approved" if approved else "changes_requested"
        order.design_versions[-1].feedback = feedback
        order.status = OrderStatus.PROCESSING
    return {"approved": approved, "feedback": feedback}


def test_an_order_run_is_one_trace_with_every_step_and_tool(
    db: Database, runner: OrderRunner, tracing: Tracing, smith: LangSmithReceiver
) -> None:
    order_id = add_order(db)
    assert runner.start(order_id) == OrderStatus.AWAITING_APPROVAL
    tracing.flush()

    session_id, trace_id = session_trace(db, order_id)
    [root] = smith.roots()
    assert root["id"] == trace_id
    assert root["name"] == "order pipeline" and root["session_name"] == "atelier-test"
    assert {"env:test", "session:order"} <= set(root["tags"])
    metadata = root["extra"]["metadata"]
    assert metadata["order_id"] == str(order_id)
    assert metadata["session_id"] == session_id
    assert (metadata["subject"], metadata["role"]) == ("jane", "customer")
    assert metadata["design_engine"] == "layout"

    nodes = [r["name"] for r in smith.children(root)]
    assert nodes[:5] == [
        "create_folder",
        "generate_design",
        "fill_workbook",
        "upload_files",
        "notify_review",
    ]
    step = {r["name"]: r for r in smith.children(root)}
    tools = {r["name"]: r for name in nodes for r in smith.children(step[name])}
    assert {"create_order_folder", "generate_design", "fill_order_workbook"} <= set(tools)
    assert {"upload_files", "notify"} <= set(tools)
    design = tools["generate_design"]
    assert design["run_type"] == "tool"
    assert design["inputs"]["order_id"] == str(order_id)
    assert design["outputs"]["output"]["engine"] == "layout"
    runs = smith.trace(trace_id)
    assert all(r["trace_id"] == trace_id for r in runs)
    # Each run is sent once, finished: no patches, and every run has its end and result.
    assert smith.operations == {"post": len(runs)}
    assert all(r.get("end_time") and ("outputs" in r or "error" in r) for r in runs)

    sent = smith.received_text()
    assert str(order_id) in sent  # the receiver did get the run's data...
    for value in PII:
        assert value not in sent  # ...but no customer personal data
    assert API_KEY not in sent and smith.api_keys == {API_KEY}


@pytest.mark.parametrize(
    ("approved", "comment", "score", "status"),
    [
        (True, "Lovely, ship it", 1, OrderStatus.COMPLETED),
        (False, "Bigger lighthouse", 0, OrderStatus.AWAITING_APPROVAL),
    ],
)
def test_review_feedback_scores_the_run_that_made_the_design(
    db: Database,
    runner: OrderRunner,
    tracing: Tracing,
    smith: LangSmithReceiver,
    approved: bool,
    comment: str,
    score: int,
    status: str,
) -> None:
    order_id = add_order(db)
    runner.start(order_id)
    _, design_trace = session_trace(db, order_id)
    assert runner.resume(order_id, review(db, order_id, approved, comment)) == status
    tracing.flush()

    [feedback] = smith.feedback
    assert feedback["run_id"] == design_trace and feedback["key"] == "design_approved"
    assert (feedback["score"], feedback["comment"]) == (score, comment)
    assert feedback["session_id"] == PROJECT_ID  # the project, so LangSmith can find the run
    _, next_trace = session_trace(db, order_id)
    assert next_trace not in (None, design_trace)
    assert {r["id"] for r in smith.roots()} == {design_trace, next_trace}


def test_the_link_names_the_project_and_the_trace(tracing: Tracing) -> None:
    trace_id = "0a1b2c3d-0000-4000-8000-000000000000"
    first = tracing.link(trace_id)
    assert first is not None and first.id == trace_id
    assert first.url is None  # the project is looked up in the background...
    tracing.flush()
    link = tracing.link(trace_id)  # ...and known from then on
    assert link is not None and link.url is not None
    assert link.url.endswith(f"/o/{TENANT_ID}/projects/p/{PROJECT_ID}/r/{trace_id}?poll=true")


def test_an_unanswering_langsmith_does_not_hold_up_the_order(
    db: Database, runner: OrderRunner, tracing: Tracing, smith: LangSmithReceiver
) -> None:
    order_id = add_order(db)
    runner.start(order_id)
    smith.feedback_gate.clear()  # LangSmith takes feedback but does not answer
    try:
        decision = review(db, order_id, True, "ok")
        assert runner.resume(order_id, decision) == OrderStatus.COMPLETED
        assert smith.feedback == []  # the order finished while the feedback was still pending
    finally:
        smith.feedback_gate.set()
    tracing.flush()
    assert [f["score"] for f in smith.feedback] == [1]


def test_tracing_off_sends_nothing_and_keeps_no_trace(db: Database, tmp_path: Path) -> None:
    _, pool = open_checkpointer(db.url, max_size=2)
    try:
        runner = OrderRunner(
            ToolContext(backends=make_backends(tmp_path, db)),
            build_registry(),
            PostgresSaver(pool),  # type: ignore[arg-type]
        )
        order_id = add_order(db)
        assert runner.start(order_id) == OrderStatus.AWAITING_APPROVAL
    finally:
        pool.close()
    assert session_trace(db, order_id)[1] is None
    assert Tracing().link(None) is None

"""Run leases on real PostgreSQL: one run of an order at a time, lapsed leases free again, and
the sweep that finds orders waiting without a run."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphs.order.runner import OrderRunner
from graphs.order.runs import OrderRuns
from persistence.checkpoints import open_checkpointer
from persistence.database import Database
from persistence.models import OrderStatus
from persistence.repositories import leases
from persistence.repositories import orders as repo
from tests.support.pipeline import add_order, make_backends
from tools.catalog import build_registry
from tools.context import ToolContext


def claim(db: Database, order_id: uuid.UUID, owner: str, seconds: float = 30) -> bool:
    with db.session() as session:
        return leases.claim(session, order_id, owner, seconds)


def test_one_owner_at_a_time_until_the_lease_lapses(db: Database) -> None:
    order_id = add_order(db)
    assert claim(db, order_id, "a", seconds=1)
    assert not claim(db, order_id, "b")  # held
    with db.session() as session:
        assert leases.renew(session, order_id, "a", 1)
        assert not leases.renew(session, order_id, "b", 1)  # not b's to renew
        leases.release(session, order_id, "b")  # nor to release
    assert not claim(db, order_id, "b")
    time.sleep(1.2)  # a never renewed: lapsed
    assert claim(db, order_id, "b")
    with db.session() as session:
        assert not leases.renew(session, order_id, "a", 1)  # a lost it
        leases.release(session, order_id, "b")
    assert claim(db, order_id, "c")


@pytest.mark.parametrize(
    "status", [OrderStatus.AWAITING_APPROVAL, OrderStatus.COMPLETED, OrderStatus.FAILED]
)
def test_an_order_past_what_a_run_does_is_not_claimed(db: Database, status: OrderStatus) -> None:
    order_id = add_order(db, status=status)
    assert not claim(db, order_id, "a")


def test_the_sweep_takes_what_waits_without_a_run_once(db: Database) -> None:
    waiting = add_order(db)
    held = add_order(db)
    add_order(db, status=OrderStatus.AWAITING_APPROVAL)
    assert claim(db, held, "a")
    with db.session() as session:
        assert leases.take_waiting(session, grace_s=30) == [waiting]
    with db.session() as session:
        assert leases.take_waiting(session, grace_s=30) == []  # queued just now
        assert leases.take_waiting(session, grace_s=0) == [waiting]  # unless no grace


@pytest.fixture
def runs(db: Database, tmp_path: Path) -> Iterator[OrderRuns]:
    checkpointer, pool = open_checkpointer(db.url, max_size=4)
    try:
        backends = make_backends(tmp_path, db)
        runner = OrderRunner(ToolContext(backends=backends), build_registry(), checkpointer)
        yield OrderRuns(runner, lease_s=4)
    finally:
        pool.close()


def test_two_runs_of_one_order_at_once_make_one(db: Database, runs: OrderRuns) -> None:
    order_id = add_order(db)
    results: list[str | None] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        results.append(runs.carry_on(order_id))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [None, OrderStatus.AWAITING_APPROVAL]
    with db.session() as session:
        order = repo.get_order(session, order_id)
        assert order is not None and order.lease_owner is None  # released
        assert [v.version for v in order.design_versions] == [1]
    assert runs.carry_on(order_id) is None  # awaiting approval: nothing for a run to do

"""Counted slots across connections (and so across processes): advisory locks on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from graphs.order.runner import OrderRunner
from persistence import slots
from persistence.checkpoints import open_checkpointer
from persistence.database import Database
from persistence.models import OrderStatus
from tests.support.pipeline import add_order, make_backends
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.design.base import DesignRequest, DesignResult, ProgressCallback
from tools.design.layout import LayoutEngine


def test_a_full_name_waits_for_a_free_slot(db: Database) -> None:
    name = f"test:{uuid.uuid4()}"
    with slots.slot(db, name, 2) as first, slots.slot(db, name, 2) as second:
        assert {first, second} == {0, 1}
        with (
            pytest.raises(TimeoutError, match="no free slot"),
            slots.slot(db, name, 2, timeout=0.3),
        ):
            pass  # pragma: no cover - never reached
        with slots.slot(db, f"{name}:other", 2) as other:  # other names are not affected
            assert other == 0
    with slots.slot(db, name, 2, timeout=0.3) as again:  # released on leaving
        assert again == 0


def test_a_slot_is_released_when_its_block_fails(db: Database) -> None:
    name = f"test:{uuid.uuid4()}"
    with pytest.raises(RuntimeError), slots.slot(db, name, 1):
        raise RuntimeError("generation failed")
    with slots.slot(db, name, 1, timeout=0.3) as number:
        assert number == 0


class CountingEngine(LayoutEngine):
    """The layout engine, slowed down, counting how many designs run at once per customer."""

    def __init__(self, customers: dict[str, str]) -> None:
        super().__init__()
        self.customers = customers  # order id -> customer
        self.running: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.most_overall = 0
        self.lock = threading.Lock()

    def generate(self, request: DesignRequest, progress: ProgressCallback) -> DesignResult:
        customer = self.customers[request.order_id]
        with self.lock:
            self.running[customer] = self.running.get(customer, 0) + 1
            self.most[customer] = max(self.most.get(customer, 0), self.running[customer])
            self.most_overall = max(self.most_overall, sum(self.running.values()))
        try:
            threading.Event().wait(0.4)  # long enough for the others to try to start
            return super().generate(request, progress)
        finally:
            with self.lock:
                self.running[customer] -= 1


def test_one_customers_designs_queue_for_their_slots(db: Database, tmp_path: Path) -> None:
    customers: dict[str, str] = {}
    engine = CountingEngine(customers)
    backends = make_backends(tmp_path, db, engine=engine)
    backends.settings.design_slots_per_customer = 1
    _, pool = open_checkpointer(db.url, max_size=8)
    try:
        from langgraph.checkpoint.postgres import PostgresSaver

        runner = OrderRunner(ToolContext(backends=backends), build_registry(), PostgresSaver(pool))  # type: ignore[arg-type]
        orders = [add_order(db, customer_sub=sub) for sub in ("jane", "jane", "jane", "bob")]
        for order_id, sub in zip(orders, ("jane", "jane", "jane", "bob"), strict=True):
            customers[str(order_id)] = sub
        results: list[str] = []
        threads = [
            threading.Thread(target=lambda o=o: results.append(runner.start(o))) for o in orders
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        pool.close()
    assert results == [OrderStatus.AWAITING_APPROVAL] * 4
    assert engine.most == {"jane": 1, "bob": 1}  # jane's three orders took turns...
    assert engine.most_overall == 2  # ...while bob's ran beside one of them

"""Orders per second through the order graph against the same steps as plain calls.

Both run in one process on the same PostgreSQL database, the layout engine and the local
drive; the graph run uses the Postgres checkpointer with durability "sync", as the service
does. Each order goes all the way: folder, design, workbook, upload, notify, review pause,
approval, finalize. Prints both rates, their ratio and checkpoint bytes per order.

    python bench/order_pipeline.py [--orders 40]

Targets: graph ≤ 1.5× the plain calls; under 50 KB of checkpoint data per order.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from langgraph.checkpoint.postgres import PostgresSaver
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphs.order.context import OrderContext
from graphs.order.nodes import call_tool
from graphs.order.runner import OrderRunner
from persistence.checkpoints import open_checkpointer
from persistence.database import Database
from persistence.repositories import orders as repo
from tests.support.databases import DatabaseFactory, server_url
from tests.support.pipeline import add_order, make_backends
from tools.catalog import build_registry
from tools.context import ToolContext


def plain_order(context: OrderContext, order_id: uuid.UUID) -> None:
    """The graph's steps as plain calls: the same tools, the same step records, no LangGraph."""
    runtime: Any = SimpleNamespace(context=context)
    oid = str(order_id)

    def step(name: str, tool: str, **args: Any) -> Any:
        return call_tool(runtime, name, tool, {"order_id": oid, **args})

    step("create_folder", "create_order_folder")
    design = step("generate_design", "generate_design", version=1)
    book = step("fill_workbook", "fill_order_workbook")
    step("upload_files", "upload_files", files=[design.file_name, book.file_name])
    step("notify_review", "notify", event="design_ready", version=1)
    approve(context, order_id)
    book = step("finalize", "fill_order_workbook")
    step("finalize", "upload_files", files=[book.file_name])
    step("finalize", "notify", event="order_completed", version=1)


def approve(context: OrderContext, order_id: uuid.UUID) -> None:
    with context.tools.backends.db.session() as session:
        order = repo.get_order(session, order_id, for_update=True)
        assert order is not None
        order.design_versions[-1].decision = "approved"


def graph_order(runner: OrderRunner, order_id: uuid.UUID) -> None:
    assert runner.start(order_id) == "awaiting_approval"
    approve(runner.context, order_id)
    assert runner.resume(order_id, {"approved": True}) == "completed"


def checkpoint_bytes(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "select (select coalesce(sum(pg_column_size(checkpoint)"
                    "                            + pg_column_size(metadata)), 0) from checkpoints)"
                    " + (select coalesce(sum(pg_column_size(blob)), 0) from checkpoint_blobs)"
                    " + (select coalesce(sum(pg_column_size(blob)), 0) from checkpoint_writes)"
                )
            ).scalar()
            or 0
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=40, help="orders per mode (default 40)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (default 4)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        databases = DatabaseFactory(server_url(tmp / "pg"), prefix="atelier_bench")
        try:
            db = Database(databases.create())
            checkpointer, pool = open_checkpointer(db.url)
            backends = make_backends(tmp / "var", db)
            registry = build_registry()
            runner = OrderRunner(ToolContext(backends=backends), registry, checkpointer)
            context = runner.context
            assert isinstance(checkpointer, PostgresSaver)

            # Warm up both paths (imports, connections, fonts) before timing anything.
            graph_order(runner, add_order(db))
            plain_order(context, add_order(db))
            before = checkpoint_bytes(db)

            per_round = max(1, args.orders // args.rounds)
            graph_times: list[float] = []
            plain_times: list[float] = []
            for _ in range(args.rounds):
                for mode, times in (("graph", graph_times), ("plain", plain_times)):
                    ids = [add_order(db) for _ in range(per_round)]
                    started = time.perf_counter()
                    for order_id in ids:
                        if mode == "graph":
                            graph_order(runner, order_id)
                        else:
                            plain_order(context, order_id)
                    times.append((time.perf_counter() - started) / per_round)
            graph_orders = per_round * args.rounds
            per_order_checkpoint = (checkpoint_bytes(db) - before) / graph_orders
            pool.close()
            db.dispose()
        finally:
            databases.drop_all()

    graph_s = statistics.median(graph_times)
    plain_s = statistics.median(plain_times)
    ratio = graph_s / plain_s
    kb = per_order_checkpoint / 1024
    print(f"orders per mode: {graph_orders}, {args.rounds} alternating rounds, median per round")
    print(
        f"graph (PostgresSaver, sync): {1 / graph_s:7.2f} orders/s  {graph_s * 1000:7.1f} ms/order"
    )
    print(
        f"plain calls (same tools):    {1 / plain_s:7.2f} orders/s  {plain_s * 1000:7.1f} ms/order"
    )
    print(f"ratio graph/plain time: {ratio:.2f}x  (target <= 1.5x: {verdict(ratio <= 1.5)})")
    print(f"checkpoint data per order: {kb:.1f} KB  (target < 50 KB: {verdict(kb < 50)})")


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()

"""Orders per second through the order graph against the same steps as plain calls, and the
graph with observability on against off.

All run in one process on the same PostgreSQL database, the layout engine and the local
drive; the graph runs use the Postgres checkpointer with durability "sync", as the service
does. Each order goes all the way: folder, design, workbook, upload, notify, review pause,
approval, finalize. "Observability on" means LangSmith tracing through the real client to a
local ingestion sink in another process, JSON log lines at INFO written to a file, and the
Prometheus metrics; "off" means no tracing and logging at WARNING. The metrics cannot be
switched off, so both graph figures include them (a few counter updates per step).

The modes take short turns (a few orders each), each round of turns starting with a
different mode, so a slow spell of the machine (a shared VM drifts by 10-20% between
minutes) falls on all of them alike. After each traced turn the bench waits for its
uploads, so none of that work spills into the next turn's time, and adds to the turn's time
the CPU the uploader spent in that wait: its serialising and sending are the orders' cost,
its 50 ms linger for more runs before it sends is not. Prints the rates, each ratio over all
orders with its lowest and highest over blocks of consecutive turns, and checkpoint bytes
per order.

    python bench/order_pipeline.py [--orders 48] [--turn 4] [--blocks 4] [--compare-stock-tracer]

Targets: graph ≤ 1.5× the plain calls; observability on ≤ 1.10× off; under 50 KB of
checkpoint data per order.

``--compare-stock-tracer`` adds a fourth mode, observability on with LangChain's stock
LangChainTracer instead of tools/tracing.py's FinishedRunTracer, taking turns with the others,
and prints its on/off ratio beside the first: what that tracer's private hooks buy.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from multiprocessing.queues import Queue
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
from langchain_core.tracers import LangChainTracer
from langgraph.checkpoint.postgres import PostgresSaver
from langsmith import Client
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphs.order.context import OrderContext
from graphs.order.nodes import call_tool
from graphs.order.runner import OrderRunner
from persistence.checkpoints import open_checkpointer
from persistence.database import Database
from persistence.repositories import orders as repo
from server.logs import configure_logging
from tests.support.databases import DatabaseFactory, server_url
from tests.support.keys import use_test_keys
from tests.support.langsmith_receiver import LangSmithReceiver
from tests.support.pipeline import add_order, make_backends
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.tracing import Tracing

MODES = ("graph", "plain", "observed")
STOCK = "observed, stock tracer"


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


def log_level(observed: bool) -> None:
    """Logging at INFO (JSON lines to the bench's log file) or WARNING."""
    logging.getLogger().setLevel(logging.INFO if observed else logging.WARNING)


def _serve_receiver(urls: Queue[str]) -> None:
    with LangSmithReceiver(sink=True) as receiver:
        urls.put(receiver.url)
        threading.Event().wait()  # until the parent terminates this process


@contextmanager
def receiver_process() -> Iterator[str]:
    """A LangSmith receiver in its own process that only counts what it gets: LangSmith runs
    elsewhere, so receiving must not take the benchmark's interpreter or CPU."""
    urls: Queue[str] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_serve_receiver, args=(urls,), daemon=True)
    process.start()
    try:
        yield urls.get(timeout=30)
    finally:
        process.terminate()
        process.join()


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
    parser.add_argument("--orders", type=int, default=48, help="orders per mode (default 48)")
    parser.add_argument("--turn", type=int, default=4, help="orders per turn (default 4)")
    parser.add_argument(
        "--blocks", type=int, default=4, help="blocks of turns the spread is shown over"
    )
    parser.add_argument(
        "--compare-stock-tracer",
        action="store_true",
        help="also run traced orders through LangChain's stock tracer",
    )
    args = parser.parse_args()
    modes = (*MODES, STOCK) if args.compare_stock_tracer else MODES

    use_test_keys()
    with tempfile.TemporaryDirectory() as tmp_dir, receiver_process() as smith_url:
        tmp = Path(tmp_dir)
        configure_logging("WARNING", json_lines=True)
        log_file = (tmp / "bench.log").open("w")
        logging.getLogger().handlers[0].setStream(log_file)  # type: ignore[attr-defined]
        tracing = Tracing.to(Client, "atelier-bench", "bench", api_url=smith_url, api_key="b")
        databases = DatabaseFactory(server_url(tmp / "pg"), prefix="atelier_bench")
        try:
            db = Database(databases.create())
            checkpointer, pool = open_checkpointer(db.url)
            registry = build_registry()
            quiet = OrderRunner(
                ToolContext(backends=make_backends(tmp / "var", db)), registry, checkpointer
            )
            observed = OrderRunner(
                ToolContext(backends=make_backends(tmp / "var", db, tracing=tracing)),
                registry,
                checkpointer,
            )
            # The same client, sink and redactor; only the tracer differs.
            stock_tracing = replace(tracing, tracer=LangChainTracer)
            stock = OrderRunner(
                ToolContext(backends=make_backends(tmp / "var", db, tracing=stock_tracing)),
                registry,
                checkpointer,
            )
            runners = {"graph": quiet, "observed": observed, STOCK: stock}
            tracings = {"observed": tracing, STOCK: stock_tracing}
            context = quiet.context
            assert isinstance(checkpointer, PostgresSaver)

            def run(mode: str, order_id: uuid.UUID) -> None:
                if mode == "plain":
                    plain_order(context, order_id)
                else:
                    graph_order(runners[mode], order_id)

            def turn(mode: str, orders: int) -> float:
                """Seconds for ``orders`` fresh orders, with the uploader's CPU time for what
                was still queued when they finished."""
                ids = [add_order(db) for _ in range(orders)]
                log_level(mode in tracings)
                started = time.perf_counter()
                for order_id in ids:
                    run(mode, order_id)
                elapsed = time.perf_counter() - started
                if mode in tracings:
                    cpu_before = time.process_time()
                    tracings[mode].flush()
                    elapsed += time.process_time() - cpu_before
                return elapsed

            # Warm up every path (imports, connections, fonts) before timing anything.
            for mode in modes:
                turn(mode, 1)
            before = checkpoint_bytes(db)

            turns = max(1, args.orders // args.turn)
            times: dict[str, list[float]] = {mode: [] for mode in modes}
            for i in range(turns):
                for k in range(len(modes)):
                    mode = modes[(i + k) % len(modes)]
                    times[mode].append(turn(mode, args.turn))
            graph_orders = turns * args.turn
            per_order_checkpoint = (checkpoint_bytes(db) - before) / (2 * graph_orders)
            traced_kb = httpx.get(f"{smith_url}/received").json()["bytes"] / 1024
            traced_orders = (graph_orders + 1) * (len(modes) - 2)
            log_lines = sum(1 for _ in (tmp / "bench.log").open())
            pool.close()
            db.dispose()
        finally:
            databases.drop_all()

    graph_s, plain_s, observed_s = (sum(times[m]) / graph_orders for m in MODES)
    ratio = graph_s / plain_s
    overhead = observed_s / graph_s
    kb = per_order_checkpoint / 1024
    print(f"orders per mode: {graph_orders}, the modes taking turns of {args.turn} orders")
    for label, seconds in (
        ("graph (PostgresSaver, sync):", graph_s),
        ("plain calls (same tools):", plain_s),
        ("graph, observability on:", observed_s),
    ):
        print(f"{label:30s}{1 / seconds:7.2f} orders/s  {seconds * 1000:7.1f} ms/order")
    print(
        f"ratio graph/plain time: {ratio:.2f}x {spread(times, 'graph', 'plain', args.blocks)} "
        f"(target <= 1.5x: {verdict(ratio <= 1.5)})"
    )
    print(
        f"ratio observability on/off: {overhead:.2f}x "
        f"{spread(times, 'observed', 'graph', args.blocks)} "
        f"(target <= 1.10x: {verdict(overhead <= 1.10)}; "
        f"{traced_kb / traced_orders:.0f} KB of traces and "
        f"{log_lines / traced_orders:.1f} log lines per order)"
    )
    if STOCK in times:
        stock_overhead = sum(times[STOCK]) / graph_orders / graph_s
        print(
            f"  with LangChain's stock tracer instead: {stock_overhead:.2f}x "
            f"{spread(times, STOCK, 'graph', args.blocks)}; FinishedRunTracer saves "
            f"{(stock_overhead - overhead) * 100:.1f}% of a quiet order's time"
        )
    print(f"checkpoint data per order: {kb:.1f} KB  (target < 50 KB: {verdict(kb < 50)})")


def spread(times: dict[str, list[float]], slower: str, faster: str, blocks: int) -> str:
    """The lowest and highest ratio over blocks of consecutive turns."""
    size = max(1, len(times[slower]) // blocks)
    ratios = [
        sum(times[slower][i : i + size]) / sum(times[faster][i : i + size])
        for i in range(0, min(size * blocks, len(times[slower])), size)
    ]
    return f"(blocks {min(ratios):.2f}-{max(ratios):.2f})"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()

"""Atelier scaled out: `atelier serve` processes and `atelier worker` processes (Celery,
prefork) on one PostgreSQL and a Redis each test starts on a port of its own. Faults are real:
processes are killed with signals, Redis is stopped and started again."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from persistence.database import sqlalchemy_url
from server.schemas import ORDER_EXAMPLE
from server.worker import SOFT_SHUTDOWN_S
from tests.support.databases import DatabaseFactory
from tests.support.fake_openai import FakeOpenAI
from tests.support.http import wait_for_status
from tests.support.metrics import scrape
from tests.support.pipeline import ORDER_FIELDS
from tests.support.receivers import free_port
from tests.support.redis_server import RedisServer
from tests.support.server import ServerProcess, client_for
from tests.support.workers import SHARED_KEYS, WorkerProcess
from tools.access import Role

pytestmark = pytest.mark.slow

FAST_LEASES = {
    # A lease of 4 s (a heartbeat a second), a sweep every half second: a dead run's order
    # carries on within seconds, not the production minute.
    "ATELIER_RUN_LEASE_S": "4",
    "ATELIER_SWEEP_INTERVAL_S": "0.5",
}


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def env(databases: DatabaseFactory, redis_server: RedisServer, tmp_path: Path) -> dict[str, str]:
    return {
        "ATELIER_DATABASE_URL": databases.create(),
        "ATELIER_REDIS_URL": redis_server.url,
        # One drive for every process, as a shared folder (or Google Drive) would be.
        "ATELIER_DRIVE_DIR": str(tmp_path / "drive"),
        **SHARED_KEYS,
        **FAST_LEASES,
    }


@pytest.fixture
def images() -> Iterator[FakeOpenAI]:
    """The image model designs come from (ATELIER_DESIGN_ENGINE=openai), slow when asked."""
    with FakeOpenAI() as server:
        yield server


def drawn_slowly(env: dict[str, str], images: FakeOpenAI, seconds: float) -> dict[str, str]:
    """The environment of processes whose designs take ``seconds`` each to draw."""
    images.delay_s = seconds
    return {
        **env,
        "ATELIER_DESIGN_ENGINE": "openai",
        "OPENAI_BASE_URL": images.base_url,
        "OPENAI_API_KEY": "test-key",
    }


def wait_for_design_step(images: FakeOpenAI) -> None:
    deadline = time.monotonic() + 30
    while not images.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert images.requests, "the design step never started"


def rows(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def runs_in(server: ServerProcess) -> float:
    """Pipeline runs the process finished (a run that found nothing to do is not one)."""
    samples = scrape(server.url)
    return sum(v for (name, _), v in samples.items() if name == "atelier_pipeline_runs_total")


def sent_once(url: str, order_id: str) -> None:
    """One notification per (order, event, version, audience), each sent."""
    found = rows(
        url,
        "SELECT event, version, audience, status FROM notifications WHERE order_id = :id",
        id=order_id,
    )
    keys = [(e, v, a) for e, v, a, _ in found]
    assert len(keys) == len(set(keys)) and all(s == "sent" for *_, s in found), found


def test_a_worker_runs_the_orders_the_api_accepts(env: dict[str, str], tmp_path: Path) -> None:
    """And the request's id reaches the worker's log lines; the worker serves its metrics."""
    port = free_port()
    with (
        ServerProcess(tmp_path / "api", env) as server,
        WorkerProcess(tmp_path / "worker", env, metrics_port=port) as worker,
        client_for(server, "jane", Role.CUSTOMER) as jane,
    ):
        placed = jane.post("/orders", json=ORDER_EXAMPLE, headers={"X-Request-ID": "req-w-1"})
        assert placed.status_code == 202, placed.text
        order_id = placed.json()["id"]
        order = wait_for_status(jane, order_id, "awaiting_approval", "failed")
        assert order["status"] == "awaiting_approval", order["error"]
        assert jane.post(f"/orders/{order_id}/approve", json={"approved": True}).status_code == 200
        order = wait_for_status(jane, order_id, "completed", "failed")
        assert order["status"] == "completed", order["error"]
        assert runs_in(server) == 0  # the API process ran nothing itself
        sent_once(env["ATELIER_DATABASE_URL"], order_id)

        lines = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
        notified = [e for e in lines if e["logger"] == "tools.notify.log_channel"]
        first_run = [e for e in notified if e.get("request_id") == "req-w-1"]
        assert len(first_run) == 2, notified  # customer and operator, design ready
        assert all(e["order_id"] == order_id and e.get("session_id") for e in first_run)

        samples = scrape(f"http://127.0.0.1:{port}")

        def total(name: str, **labels: str) -> float:
            wanted = set(labels.items())
            return sum(v for (n, lab), v in samples.items() if n == name and wanted <= lab)

        assert total("atelier_worker_tasks_total", event="received") >= 2  # start, review
        assert total("atelier_worker_tasks_total", event="succeeded") >= 2
        assert total("atelier_pipeline_runs_total") >= 2
        assert total("atelier_queue_wait_seconds_count") >= 2
        assert total("atelier_pipeline_step_duration_seconds_count", step="generate_design") >= 1
        assert "atelier_queue_length" in {n for n, _ in scrape(server.url)}


def test_a_worker_refuses_to_start_without_shared_keys(env: dict[str, str], tmp_path: Path) -> None:
    alone = {k: v for k, v in env.items() if k not in SHARED_KEYS}
    worker = WorkerProcess(tmp_path / "worker", alone)
    with pytest.raises(RuntimeError, match="exited early") as caught:
        worker.start()
    assert "ATELIER_ENCRYPTION_KEYS" in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_a_killed_child_mid_design_finishes_on_another_worker(
    env: dict[str, str], images: FakeOpenAI, tmp_path: Path
) -> None:
    """Fault 1: SIGKILL the worker child in the middle of generate_design; the order completes
    on another worker, one design version per round, one notification per audience."""
    slow = drawn_slowly(env, images, 3)  # the design step is in progress for 3 s
    with (
        ServerProcess(tmp_path / "api", slow) as server,
        WorkerProcess(tmp_path / "a", slow) as first,
        client_for(server, "jane", Role.CUSTOMER) as jane,
    ):
        order_id = jane.post("/orders", json=ORDER_EXAMPLE).json()["id"]
        wait_for_design_step(images)
        assert jane.get(f"/orders/{order_id}").json()["current_step"] == "generate_design"
        with WorkerProcess(tmp_path / "b", slow):
            [child] = first.children()
            os.kill(child, signal.SIGKILL)  # in the middle of generate_design
            first.stop(signal.SIGKILL)  # and its parent, so the run goes elsewhere
            order = wait_for_status(jane, order_id, "awaiting_approval", "failed", timeout=90)
            assert order["status"] == "awaiting_approval", order["error"]
            assert [v["version"] for v in order["design_versions"]] == [1]
            sent_once(env["ATELIER_DATABASE_URL"], order_id)


def test_a_sigtermed_worker_hands_its_run_back(
    env: dict[str, str], images: FakeOpenAI, tmp_path: Path
) -> None:
    """Fault 2: SIGTERM a worker mid-run: a soft shutdown (the run gets SOFT_SHUTDOWN_S to
    end), then the worker stops and the run is finished by another worker."""
    slow = drawn_slowly(env, images, SOFT_SHUTDOWN_S + 10)  # longer than the worker waits
    with (
        ServerProcess(tmp_path / "api", slow) as server,
        client_for(server, "jane", Role.CUSTOMER) as jane,
    ):
        first = WorkerProcess(tmp_path / "a", slow).start()
        order_id = jane.post("/orders", json=ORDER_EXAMPLE).json()["id"]
        wait_for_design_step(images)
        with WorkerProcess(tmp_path / "b", slow):
            images.delay_s = 0  # the run drawn again elsewhere draws at once
            stopping = time.monotonic()
            first.stop(signal.SIGTERM)
            assert time.monotonic() - stopping < SOFT_SHUTDOWN_S + 15
            order = wait_for_status(jane, order_id, "awaiting_approval", "failed", timeout=90)
            assert order["status"] == "awaiting_approval", order["error"]
            assert [v["version"] for v in order["design_versions"]] == [1]
            sent_once(env["ATELIER_DATABASE_URL"], order_id)


def test_orders_posted_while_redis_is_down_complete_once_it_is_back(
    env: dict[str, str], redis_server: RedisServer, tmp_path: Path
) -> None:
    """Fault 3: Redis stopped while orders are posted: every POST answers 202, and once Redis
    is back every order completes."""
    with (
        ServerProcess(tmp_path / "api", env) as server,
        client_for(server, "jane", Role.CUSTOMER) as jane,
    ):
        redis_server.stop()
        started = time.monotonic()
        placed = [jane.post("/orders", json=ORDER_EXAMPLE) for _ in range(3)]
        assert [p.status_code for p in placed] == [202] * 3, [p.text for p in placed]
        assert time.monotonic() - started < 15  # refused quickly, not after long retries
        redis_server.start()
        with WorkerProcess(tmp_path / "worker", env):
            for response in placed:
                order = wait_for_status(
                    jane, response.json()["id"], "awaiting_approval", "failed", timeout=60
                )
                assert order["status"] == "awaiting_approval", order["error"]


def test_two_api_processes_over_unfinished_orders_run_each_once(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    """Fault 5: two API processes (runs in process, no Redis) start at once over orders a
    stopped process left: each order runs once, in one of them."""
    from persistence.database import Database
    from persistence.repositories import orders as repo
    from tests.support.keys import use_test_keys

    url = databases.create()
    use_test_keys()
    db = Database(url)
    try:
        with db.session() as session:
            ids = [
                str(repo.add_order(session, role="customer", **ORDER_FIELDS).id) for _ in range(6)
            ]
    finally:
        db.dispose()
    env = {"ATELIER_DATABASE_URL": url, **SHARED_KEYS, **FAST_LEASES}
    servers = [ServerProcess(tmp_path / name, env) for name in ("one", "two")]
    starting = [threading.Thread(target=s.start) for s in servers]
    for thread in starting:  # at once: both find the same unfinished orders
        thread.start()
    for thread in starting:
        thread.join()
    try:
        with client_for(servers[0], "olga", Role.OPERATOR) as operator:
            for order_id in ids:
                order = wait_for_status(operator, order_id, "awaiting_approval", "failed")
                assert order["status"] == "awaiting_approval", order["error"]
        assert sum(runs_in(s) for s in servers) == len(ids)
    finally:
        for server in servers:
            server.stop()
    for order_id in ids:
        versions = rows(
            url, "SELECT version FROM design_versions WHERE order_id = :id", id=order_id
        )
        assert versions == [(1,)]
        sent_once(url, order_id)


def test_database_connections_cut_mid_run_the_run_carries_on(
    env: dict[str, str], images: FakeOpenAI, tmp_path: Path
) -> None:
    """Fault 4: PostgreSQL terminates every connection of the service in the middle of a run
    (as a failover or an administrator would); the run retries and completes."""
    url = env["ATELIER_DATABASE_URL"]
    slow = drawn_slowly(env, images, 2)
    with (
        ServerProcess(tmp_path / "api", slow) as server,
        WorkerProcess(tmp_path / "worker", slow),
        client_for(server, "jane", Role.CUSTOMER) as jane,
    ):
        order_id = jane.post("/orders", json=ORDER_EXAMPLE).json()["id"]
        wait_for_design_step(images)
        cut = rows(
            url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        assert cut, "no connection to cut"
        order = wait_for_status(jane, order_id, "awaiting_approval", "failed", timeout=90)
        assert order["status"] == "awaiting_approval", order["error"]
        assert [v["version"] for v in order["design_versions"]] == [1]
        sent_once(url, order_id)


def test_fifty_orders_over_two_workers_one_killed_and_restarted(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Fault 6: 50 orders over two workers; one is SIGKILLed (its parent and children) in the
    middle and started again: all 50 reach review, and no side effect happened twice (one
    design per order, one notification per audience, each file once in the drive)."""
    url = env["ATELIER_DATABASE_URL"]
    with (
        ServerProcess(tmp_path / "api", env) as server,
        WorkerProcess(tmp_path / "a", env) as first,
        WorkerProcess(tmp_path / "b", env),
        client_for(server, "jane", Role.CUSTOMER) as jane,
    ):
        ids = []
        for _ in range(50):
            placed = jane.post("/orders", json=ORDER_EXAMPLE)
            assert placed.status_code == 202, placed.text
            ids.append(placed.json()["id"])

        def settled() -> int:
            [(count,)] = rows(url, "SELECT count(*) FROM orders WHERE status <> 'received'")
            return int(str(count))

        deadline = time.monotonic() + 60
        while settled() < 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        for child in first.children():
            os.kill(child, signal.SIGKILL)
        first.stop(signal.SIGKILL)
        first.start()  # the same worker, started again
        try:
            for order_id in ids:
                order = wait_for_status(jane, order_id, "awaiting_approval", "failed", timeout=120)
                assert order["status"] == "awaiting_approval", order["error"]
                assert [v["version"] for v in order["design_versions"]] == [1]
                assert sorted(f["name"] for f in order["files"]) == [
                    "design-v1.png",
                    f"order-{order_id.replace('-', '')[:8]}.xlsx",
                ]
                sent_once(url, order_id)
        finally:
            first.stop()
    folders = list((tmp_path / "drive" / "Orders").iterdir())
    assert len(folders) == 50  # one per order, none made twice
    for folder in folders:
        assert len(list(folder.iterdir())) == 2, folder  # the design and the workbook

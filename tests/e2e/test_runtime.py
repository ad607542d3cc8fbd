"""The service as a process: the embedded default, clean shutdown, and a crash carried on at
the next start."""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
import pytest

from server.schemas import ORDER_EXAMPLE
from tests.support.databases import DatabaseFactory
from tests.support.http import wait_for_status, wait_for_step
from tests.support.receivers import Reply, WebhookReceiver
from tests.support.server import ServerProcess
from tools.access import Role

pytestmark = pytest.mark.slow


def customer(server: ServerProcess) -> httpx.Client:
    token = server.token("jane", Role.CUSTOMER)
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


def postgres_processes(pgdata: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["name"] == "postgres" and str(pgdata) in cmdline:
            found.append(proc)
    return found


def test_embedded_default_serves_and_stops_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    server = ServerProcess(data_dir, {}).start()  # no ATELIER_DATABASE_URL: embedded PostgreSQL
    try:
        pgdata = (data_dir / "postgres").resolve()
        assert (pgdata / "PG_VERSION").exists()
        assert postgres_processes(pgdata), "the embedded server should be running"
        with customer(server) as client:
            order_id = client.post("/orders", json=ORDER_EXAMPLE).json()["id"]
            order = wait_for_status(client, order_id, "awaiting_approval", "failed")
        assert order["status"] == "awaiting_approval", order["error"]
        assert (data_dir / "drive" / order["folder_path"] / "design-v1.png").exists()
    finally:
        code = server.stop()
    # uvicorn ends by re-raising SIGTERM after a graceful shutdown, so that is a clean exit.
    assert code in (0, -signal.SIGTERM), server.log()
    assert "Application shutdown complete" in server.log()
    assert postgres_processes(pgdata) == [], "no PostgreSQL process may outlive the service"
    assert not (pgdata / "postmaster.pid").exists()


def test_crash_mid_pipeline_is_carried_on_at_start_up(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    database_url = databases.create()
    with WebhookReceiver(default=Reply(200, delay=3.0)) as receiver:
        env = {"ATELIER_DATABASE_URL": database_url, "ATELIER_WEBHOOK_URL": receiver.url}
        first = ServerProcess(tmp_path, env).start()
        with customer(first) as client:
            order_id = client.post("/orders", json=ORDER_EXAMPLE).json()["id"]
            wait_for_step(client, order_id, "notify_review")
            deadline = time.monotonic() + 10
            while not receiver.requests and time.monotonic() < deadline:
                time.sleep(0.02)
        # Killed while the slow webhook holds the customer's notification, claimed but not sent.
        assert len(receiver.requests) == 1
        first.kill()

        receiver.default = Reply(200)
        with ServerProcess(tmp_path, env) as second, customer(second) as client:
            order = wait_for_status(client, order_id, "awaiting_approval", "failed")
    assert order["status"] == "awaiting_approval", order["error"]
    attempts = {s["step"]: s["attempts"] for s in order["steps"]}
    assert attempts == {
        "create_folder": 1,
        "generate_design": 1,
        "fill_workbook": 1,
        "upload_files": 1,
        "notify_review": 2,  # the one the crash cut short, and the one that finished it
    }
    # The next run sends what the dead one left (its claim lapsed with its lease), at least
    # once: the repeat carries the same delivery id, for receivers to dedupe.
    deliveries = Counter(r.headers["x-atelier-delivery"] for r in receiver.requests)
    assert deliveries == {
        f"{order_id}:design_ready:v1:customer": 2,
        f"{order_id}:design_ready:v1:operator": 1,
    }

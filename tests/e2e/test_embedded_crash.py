"""The embedded default after a crash (issue 15, fault test 7): a SIGKILLed `atelier serve`
must not keep later stops from stopping the embedded PostgreSQL, and a start after a crash
that took the database down too, while the dead postmaster's pid is still in the process table
(a zombie, or another process's by now), must start it afresh rather than join the dead one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from server.schemas import ORDER_EXAMPLE
from tests.support.http import wait_for_status
from tests.support.server import ATELIER, ServerProcess
from tools.access import Role

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """The service's ATELIER_DATA_DIR; a database a failed test leaves running is stopped."""
    yield tmp_path / "var"
    for pid in postgres_processes((tmp_path / "var" / "postgres").resolve()):
        os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown


def postgres_processes(pgdata: Path) -> list[int]:
    """Pids of the live postmasters serving ``pgdata`` (a zombie has no command line)."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(pgdata) in (proc.info["cmdline"] or []):
            found.append(proc.pid)
    return found


def postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split()[0])


def assert_answers(server: ServerProcess, *, place_order: bool = False) -> None:
    """The service works: /health, an authenticated GET /orders, optionally a whole order."""
    assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200, server.log()
    headers = {"Authorization": f"Bearer {server.token('jane', Role.CUSTOMER)}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        assert client.get("/orders").status_code == 200, server.log()
        if place_order:
            created = client.post("/orders", json=ORDER_EXAMPLE)
            assert created.status_code == 202, created.text
            order = wait_for_status(client, created.json()["id"], "awaiting_approval", "failed")
            assert order["status"] == "awaiting_approval", order["error"]


def stop_and_assert_database_stopped(server: ServerProcess, pgdata: Path) -> None:
    code = server.stop()
    # uvicorn ends by re-raising SIGTERM after a graceful shutdown, so that is a clean exit.
    assert code in (0, -signal.SIGTERM), server.log()
    assert postgres_processes(pgdata) == [], "a clean stop must stop the database it started"
    assert not (pgdata / "postmaster.pid").exists()


def test_after_a_crash_the_next_start_recovers_and_every_stop_stops_the_database(
    data_dir: Path,
) -> None:
    pgdata = (data_dir / "postgres").resolve()
    crashed = ServerProcess(data_dir, {}).start()
    postmaster = postmaster_pid(pgdata)
    crashed.kill()
    # pg_ctl detaches PostgreSQL from whoever started it: the database outlives the crash.
    assert postgres_processes(pgdata) == [postmaster]

    joined = ServerProcess(data_dir, {}).start()  # joins the server the crashed process left
    try:
        assert postmaster_pid(pgdata) == postmaster
        assert_answers(joined, place_order=True)
    finally:
        stop_and_assert_database_stopped(joined, pgdata)

    later = ServerProcess(data_dir, {}).start()  # starts it afresh, and stops it again
    try:
        assert postmaster_pid(pgdata) != postmaster
        assert_answers(later)
    finally:
        stop_and_assert_database_stopped(later, pgdata)


def test_a_crash_beside_a_running_service_does_not_keep_the_database_up(data_dir: Path) -> None:
    """Who crashes after the survivor joined is found out when the survivor stops."""
    pgdata = (data_dir / "postgres").resolve()
    survivor = ServerProcess(data_dir, {}).start()
    try:
        ServerProcess(data_dir, {}).start().kill()
        assert_answers(survivor)
    finally:
        stop_and_assert_database_stopped(survivor, pgdata)


def test_a_start_a_moment_after_a_crash_that_took_the_database_down_starts_it_afresh(
    data_dir: Path,
) -> None:
    """The whole service is killed (OOM killer, a killed container), and the next start comes
    while the dead postmaster's pid is still in the process table: a zombie that its parent
    (here one that never reaps, as `make` as a container's PID 1) has not reaped yet."""
    data_dir.mkdir()
    pgdata = (data_dir / "postgres").resolve()
    first = ServerProcess(data_dir, {})
    serve = [str(ATELIER), "serve", "--port", str(first.port)]
    with first.log_path.open("ab") as log:
        parent = subprocess.Popen(
            [sys.executable, "-m", "tests.support.non_reaping_parent", *serve],
            env=first.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(first, parent)
        postmaster = postmaster_pid(pgdata)
        assert psutil.Process(postmaster).ppid() == parent.pid, "pg_ctl hands it to its reaper"
        (atelier,) = (p for p in psutil.Process(parent.pid).children() if p.pid != postmaster)
        os.kill(atelier.pid, signal.SIGKILL)
        os.kill(postmaster, signal.SIGKILL)
        wait_until(lambda: psutil.Process(postmaster).status() == psutil.STATUS_ZOMBIE)
        assert postmaster_pid(pgdata) == postmaster  # the dead server's pid file is still there

        second = ServerProcess(data_dir, {}).start()
        try:
            assert postmaster_pid(pgdata) != postmaster
            assert_answers(second)
        finally:
            stop_and_assert_database_stopped(second, pgdata)
    finally:
        parent.kill()  # its zombie goes to init, which reaps it
        parent.wait()


def test_a_dead_servers_pid_now_another_process_is_not_taken_for_the_server(
    data_dir: Path,
) -> None:
    """After the machine or container restarts, the pid in a killed server's postmaster.pid
    may be any process's by now: pids are few and handed out again."""
    pgdata = (data_dir / "postgres").resolve()
    crashed = ServerProcess(data_dir, {}).start()
    postmaster = postmaster_pid(pgdata)
    crashed.kill()
    os.kill(postmaster, signal.SIGKILL)
    wait_until(lambda: postgres_processes(pgdata) == [])
    with subprocess.Popen(["sleep", "120"]) as other:
        try:
            for lock_file in (pgdata / "postmaster.pid", pgdata / ".s.PGSQL.5432.lock"):
                lines = lock_file.read_text().splitlines(keepends=True)
                lock_file.write_text("".join([f"{other.pid}\n", *lines[1:]]))

            server = ServerProcess(data_dir, {}).start()
            try:
                assert postmaster_pid(pgdata) not in (postmaster, other.pid)
                assert_answers(server)
            finally:
                stop_and_assert_database_stopped(server, pgdata)
            assert other.poll() is None, "the process that had the pid is left alone"
        finally:
            other.kill()


def wait_healthy(server: ServerProcess, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, f"atelier serve exited early:\n{server.log()}"
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"atelier serve did not become healthy:\n{server.log()}")


def wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)

"""The order limit across API processes: two `atelier serve` processes on one PostgreSQL share
one count per caller through a Redis of the test's own, count on their own without Redis, and
when that Redis stops, go on counting on their own instead of failing. No worker runs: with
Redis, orders are queued for Celery and stay received, which is all these tests need."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from server.schemas import ORDER_EXAMPLE
from tests.support.databases import DatabaseFactory
from tests.support.redis_server import RedisServer
from tests.support.server import ServerProcess, client_for
from tests.support.workers import SHARED_KEYS
from tools.access import Role

pytestmark = pytest.mark.slow

LIMITS = {"ATELIER_RATE_LIMIT_ORDERS": "3/minute"}


@contextmanager
def two_servers(tmp_path: Path, env: dict[str, str]) -> Iterator[tuple[ServerProcess, ...]]:
    """Two API processes with ``env``, started at once, each in a data directory of its own
    (as on two machines)."""
    servers = tuple(ServerProcess(tmp_path / name, env) for name in ("one", "two"))
    starting = [threading.Thread(target=s.start) for s in servers]
    for thread in starting:
        thread.start()
    for thread in starting:
        thread.join()
    try:
        for server in servers:
            assert server.process is not None and server.process.poll() is None, server.log()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def shared(
    databases: DatabaseFactory, redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[ServerProcess, ...]]:
    env = {
        "ATELIER_DATABASE_URL": databases.create(),
        "ATELIER_REDIS_URL": redis_server.url,
        **SHARED_KEYS,
        **LIMITS,
    }
    with two_servers(tmp_path, env) as servers:
        yield servers


def clients(servers: tuple[ServerProcess, ...], sub: str, stack: ExitStack) -> list[httpx.Client]:
    """One client per server, all signed in as ``sub`` (a customer)."""
    return [stack.enter_context(client_for(s, sub, Role.CUSTOMER)) for s in servers]


def assert_refused(answer: httpx.Response) -> None:
    assert answer.status_code == 429, answer.text
    assert 0 < int(answer.headers["retry-after"]) <= 60
    assert "too many orders: at most 3 per minute" in answer.json()["detail"]


def test_processes_on_one_redis_share_the_order_limit(
    shared: tuple[ServerProcess, ...],
) -> None:
    with ExitStack() as stack:
        one, two = clients(shared, "jane", stack)
        placed = [client.post("/orders", json=ORDER_EXAMPLE) for client in (one, two, one)]
        assert [p.status_code for p in placed] == [202] * 3, [p.text for p in placed]
        for client in (two, one):  # three in all, whichever process counted them
            assert_refused(client.post("/orders", json=ORDER_EXAMPLE))
        assert one.get("/orders").json()["total"] == 3  # the refused orders were not stored

        _, bob = clients(shared, "bob", stack)
        assert bob.post("/orders", json=ORDER_EXAMPLE).status_code == 202  # his own count


def test_processes_without_redis_count_on_their_own(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    env = {"ATELIER_DATABASE_URL": databases.create(), **SHARED_KEYS, **LIMITS}
    with two_servers(tmp_path, env) as servers, ExitStack() as stack:
        one, two = clients(servers, "jane", stack)
        placed = [one.post("/orders", json=ORDER_EXAMPLE) for _ in range(3)]
        assert [p.status_code for p in placed] == [202] * 3, [p.text for p in placed]
        assert_refused(one.post("/orders", json=ORDER_EXAMPLE))
        assert two.post("/orders", json=ORDER_EXAMPLE).status_code == 202  # its own count


def test_when_redis_stops_each_process_counts_on_its_own(
    shared: tuple[ServerProcess, ...], redis_server: RedisServer
) -> None:
    """No 500 and no long wait: each process counts the calls it sees, from those it let
    through while Redis answered, and says so in its log."""
    with ExitStack() as stack:
        one, two = clients(shared, "jane", stack)
        assert one.post("/orders", json=ORDER_EXAMPLE).status_code == 202
        assert two.post("/orders", json=ORDER_EXAMPLE).status_code == 202
        redis_server.stop()
        # One seen here before, two more: the fourth is refused by this process's own count,
        # before anything else (the queue) is tried.
        placed = [one.post("/orders", json=ORDER_EXAMPLE) for _ in range(2)]
        assert [p.status_code for p in placed] == [202] * 2, [p.text for p in placed]
        started = time.monotonic()
        assert_refused(one.post("/orders", json=ORDER_EXAMPLE))
        assert time.monotonic() - started < 2
        assert two.post("/orders", json=ORDER_EXAMPLE).status_code == 202  # its own count
        for server in shared:
            assert "rate limits: Redis does not answer" in server.log()

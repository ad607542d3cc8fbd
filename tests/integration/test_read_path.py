"""The read path on real PostgreSQL: a request's reads share one connection checkout; a pooled
connection is pinged only after sitting idle, and a read that meets one the server cut is
repeated; the health probe asks the database at most once per interval and says when it does
not answer."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from persistence.database import Database
from server.health import DatabaseHealth
from tests.support.receivers import free_port


@contextmanager
def engine_events(db: Database, name: str) -> Iterator[list[tuple[Any, ...]]]:
    """The arguments of each engine event ``name`` ("checkout", "before_cursor_execute")
    fired inside the block."""
    seen: list[tuple[Any, ...]] = []

    def listener(*args: Any) -> None:
        seen.append(args)

    event.listen(db.engine, name, listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, name, listener)


def test_nested_reads_share_the_outer_session(db: Database) -> None:
    with engine_events(db, "checkout") as seen, db.reading() as outer:
        outer.execute(text("select 1"))
        with db.reading() as inner:
            assert inner is outer
            inner.execute(text("select 2"))
    assert len(seen) == 1


def test_reads_apart_or_in_other_threads_have_their_own_sessions(db: Database) -> None:
    with db.reading() as first:
        pass
    with db.reading() as second:
        assert second is not first
        other: list[object] = []
        thread = threading.Thread(target=lambda: other.append(_open_reader(db)))
        thread.start()
        thread.join()
        assert other and other[0] is not second


def test_a_context_copied_into_another_thread_gets_its_own_session(db: Database) -> None:
    with db.reading() as outer:
        context = contextvars.copy_context()  # as run_in_threadpool hands it to its worker
        with ThreadPoolExecutor(1) as pool:
            inner = pool.submit(context.run, _open_reader, db).result()
        assert inner is not outer


def _open_reader(db: Database) -> object:
    with db.reading() as session:
        return session


def _backend_pid(db: Database) -> int:
    with db.reading() as session:
        return int(session.execute(text("select pg_backend_pid()")).scalar_one())


def _cut(pg_url: str, pid: int) -> None:
    """The server ends one backend, as a restart or an administrator would."""
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("select pg_terminate_backend(%s, 5000)", (pid,))  # waits for its end


def test_a_connection_that_sat_idle_is_pinged_and_replaced_when_cut(pg_url: str) -> None:
    db = Database(pg_url, idle_ping_s=0.05)
    try:
        first = _backend_pid(db)
        _cut(pg_url, first)
        time.sleep(0.1)  # idle past the window: checked before use
        assert _backend_pid(db) != first  # no error: the dead one was found and replaced
    finally:
        db.dispose()


def test_a_connection_in_steady_use_is_not_pinged(pg_url: str) -> None:
    db = Database(pg_url, idle_ping_s=3600)
    try:
        _backend_pid(db)
        with engine_events(db, "checkout") as checkouts:
            pids = {_backend_pid(db) for _ in range(20)}
        assert len(checkouts) == 20 and len(pids) == 1  # one warm connection, reused
        # So a cut shows on the next read (no ping found it); the pool then starts afresh.
        _cut(pg_url, pids.pop())
        with pytest.raises(DBAPIError) as cut:
            _backend_pid(db)
        assert cut.value.connection_invalidated
        _backend_pid(db)
    finally:
        db.dispose()


def test_a_read_that_meets_a_cut_connection_is_read_again(pg_url: str) -> None:
    db = Database(pg_url, idle_ping_s=3600)
    attempts: list[int] = []

    def read() -> int:
        attempts.append(1)
        return _backend_pid(db)

    try:
        first = _backend_pid(db)
        _cut(pg_url, first)
        assert db.read_again_if_dropped(read) != first
        assert len(attempts) == 2
        # Any other error is not repeated.
        attempts.clear()
        with pytest.raises(ZeroDivisionError):
            db.read_again_if_dropped(lambda: read() // 0)
        assert len(attempts) == 1
    finally:
        db.dispose()


def test_health_asks_once_per_interval(db: Database) -> None:
    probe = DatabaseHealth(db, max_age_s=60)

    async def polls() -> list[bool]:
        return [await probe.reachable() for _ in range(5)]

    with engine_events(db, "before_cursor_execute") as seen:
        assert asyncio.run(polls()) == [True] * 5
    assert sum("select 1" in args[2] for args in seen) == 1  # (conn, cursor, statement, …)


def test_health_says_unreachable_when_nothing_answers() -> None:
    nowhere = Database(f"postgresql://nobody@127.0.0.1:{free_port()}/none?connect_timeout=2")
    try:
        assert asyncio.run(DatabaseHealth(nowhere, max_age_s=0).reachable()) is False
    finally:
        nowhere.dispose()

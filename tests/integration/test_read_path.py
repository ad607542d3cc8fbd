"""The read path on real PostgreSQL: a request's reads share one connection checkout, and the
health probe asks the database at most once per interval and says when it does not answer."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text

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

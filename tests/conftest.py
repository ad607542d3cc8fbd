"""Shared fixtures: a real PostgreSQL database for the whole run, emptied between tests.

The database is the machine's PostgreSQL at 127.0.0.1:5432 when it answers, or an embedded
server started from the pip wheel when it does not, so `make test` runs anywhere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from persistence import migrate
from persistence.database import Database, start_embedded_postgres


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect tests a module declares not applicable (``NOT_APPLICABLE = {name: reason}``):
    third-party suites (langchain-tests) would otherwise skip them, and make test runs no
    skipped tests. The reasons are printed at the end of the run."""
    keep, dropped = [], []
    for item in items:
        table = getattr(item.module, "NOT_APPLICABLE", {}) if hasattr(item, "module") else {}
        reason = table.get(item.name)
        (dropped if reason else keep).append((item, reason))
    if dropped:
        config.hook.pytest_deselected(items=[item for item, _ in dropped])
        items[:] = [item for item, _ in keep]
        config.stash[NOT_APPLICABLE_KEY] = [f"{item.nodeid}: {reason}" for item, reason in dropped]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(NOT_APPLICABLE_KEY, [])
    if lines:
        terminalreporter.section("deselected as not applicable")
        for line in lines:
            terminalreporter.write_line(line)


NOT_APPLICABLE_KEY = pytest.StashKey[list[str]]()
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
TABLES = (
    "notifications, design_versions, orders, agent_sessions, "
    "checkpoint_writes, checkpoint_blobs, checkpoints"
)


def _server_url(tmp_root: Path) -> str:
    configured = os.environ.get("ATELIER_TEST_DATABASE_URL")
    if configured:
        return configured
    try:
        psycopg.connect(LOCAL_SERVER, connect_timeout=2).close()
        return LOCAL_SERVER
    except psycopg.OperationalError:
        return str(start_embedded_postgres(tmp_root).get_uri())


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


class DatabaseFactory:
    """Creates fresh, migrated databases on one server and drops them all at the end."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.names: list[str] = []

    def create(self, *, migrated: bool = True) -> str:
        name = f"atelier_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        url = _with_database(self.server, name)
        if migrated:
            migrate.upgrade(url)
        return url

    def drop_all(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as conn:
            for name in self.names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(_server_url(tmp_path_factory.mktemp("pg")))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def pg_url(databases: DatabaseFactory) -> str:
    """A fresh, migrated database for this test run, dropped afterwards."""
    return databases.create()


@pytest.fixture(scope="session")
def database(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    yield db
    db.dispose()


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    """The run's database, emptied after the test."""
    yield database
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} CASCADE"))

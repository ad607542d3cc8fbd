"""Shared fixtures: a real PostgreSQL database for the whole run, emptied between tests
(tests/support/databases.py says which server it is on)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from persistence.database import Database
from tests.support.databases import DatabaseFactory, server_url
from tests.support.keys import use_test_keys

use_test_keys()  # before any database is migrated or read


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
TABLES = (
    "notifications, design_versions, kept_files, orders, agent_sessions, revoked_tokens, users, "
    "api_keys, checkpoint_writes, checkpoint_blobs, checkpoints"
)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(server_url(tmp_path_factory.mktemp("pg")))
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

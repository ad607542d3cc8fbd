"""The migrations build exactly the schema the models describe, and step down again."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from persistence import crypto, migrate
from persistence.database import sqlalchemy_url
from persistence.models import Base
from tests.support.databases import DatabaseFactory


def schema_drift(url: str) -> list[object]:
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(databases: DatabaseFactory) -> None:
    url = databases.create()  # migrated to head
    assert migrate.is_current(url)
    drift = [d for d in schema_drift(url) if "checkpoint" not in repr(d)]
    assert drift == []


def test_every_migration_steps_down_and_up_again(databases: DatabaseFactory) -> None:
    url = databases.create()
    config = migrate.alembic_config(url)
    command.downgrade(config, "base")
    assert not migrate.is_current(url)
    command.upgrade(config, "head")
    assert migrate.is_current(url)


def test_a_new_database_migrates_without_the_encryption_keys(
    databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys are needed to encrypt existing rows, not to create tables."""
    monkeypatch.setattr(crypto, "_cipher", None)
    url = databases.create()
    assert migrate.is_current(url)

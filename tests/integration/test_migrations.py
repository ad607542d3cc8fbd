"""The migrations build exactly the schema the models describe, and step down again."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from persistence import crypto, migrate
from persistence.database import Database, sqlalchemy_url
from persistence.models import Base
from persistence.repositories import kept_files
from persistence.repositories import orders as repo
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


def test_files_kept_on_the_api_machine_move_into_the_database(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    """Upgrading to 0008 brings an existing order's reference image and designs from the data
    directory into kept_files (encrypted); a design whose file is gone is left to be made
    again, and the rows name the files by their names from then on."""
    url = databases.create()
    config = migrate.alembic_config(url)
    command.downgrade(config, "0007")
    reference, design = b"\x89PNG reference", b"\x89PNG design v1"
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "abc.png").write_bytes(reference)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "design-v1.png").write_bytes(design)
    order_id, session_id = uuid.uuid4(), uuid.uuid4()
    cipher = crypto.current_cipher()
    engine = create_engine(sqlalchemy_url(url))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO agent_sessions (id, kind, subject, role, created_at, updated_at)"
                " VALUES (:id, 'order', 'jane', 'customer', now(), now())"
            ),
            {"id": session_id},
        )
        conn.execute(
            text(
                "INSERT INTO orders (id, session_id, customer_sub, customer_name, customer_email,"
                " product, options, quantity, brief, reference_image, status, steps, files,"
                " created_at, updated_at) VALUES (:id, :session, 'jane', :name, :email, 'mug',"
                " '{}', 1, :brief, 'uploads/abc.png', 'awaiting_approval', '[]', '[]', now(),"
                " now())"
            ),
            {
                "id": order_id,
                "session": session_id,
                "name": cipher.encrypt_text("Jane"),
                "email": cipher.encrypt_text("jane@example.com"),
                "brief": cipher.encrypt_text("a fox"),
            },
        )
        for version, path in ((1, tmp_path / "work" / "design-v1.png"), (2, "/gone/design-v2.png")):
            conn.execute(
                text(
                    "INSERT INTO design_versions (order_id, version, engine, path, sha256, width,"
                    " height, created_at) VALUES (:order, :version, 'layout', :path, 'x', 1, 1,"
                    " now())"
                ),
                {"order": order_id, "version": version, "path": str(path)},
            )
    engine.dispose()

    migrate.upgrade(url, tmp_path)

    db = Database(url)
    try:
        with db.session() as session:
            assert kept_files.read(session, order_id, "reference.png") == reference
            assert kept_files.read(session, order_id, "design-v1.png") == design
            assert kept_files.read(session, order_id, "design-v2.png") is None
            order = repo.get_order(session, order_id)
            assert order is not None and order.reference_image == "reference.png"
            names = [v.file_name for v in order.design_versions]
            assert names == ["design-v1.png", "design-v2.png"]
        with db.engine.connect() as conn:
            stored = conn.execute(text("SELECT content FROM kept_files LIMIT 1")).scalar_one()
            assert reference not in bytes(stored) and design not in bytes(stored)  # encrypted
    finally:
        db.dispose()

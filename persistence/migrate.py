"""Apply Alembic migrations and the checkpointer's tables: what ``atelier migrate`` runs."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from persistence.checkpoints import setup_checkpointer
from persistence.database import sqlalchemy_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, data_dir: Path | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    # Where files written before a migration moved them into the database were kept.
    config.attributes["data_dir"] = data_dir
    return config


def upgrade(url: str, data_dir: Path | None = None) -> None:
    """Bring the schema and the checkpoint tables to the newest version (idempotent); files
    of existing orders are brought in from ``data_dir`` (ATELIER_DATA_DIR)."""
    command.upgrade(alembic_config(url, data_dir), "head")
    setup_checkpointer(url)


def is_current(url: str) -> bool:
    """Whether the database is at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision() == head
    finally:
        engine.dispose()

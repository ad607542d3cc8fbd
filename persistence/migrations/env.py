"""Alembic environment: runs online against the URL set by persistence.migrate."""

from alembic import context
from sqlalchemy import create_engine, pool

from persistence.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "persistence.migrate sets sqlalchemy.url"
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            # Two processes migrating at once (API and workers starting together) take turns.
            connection.exec_driver_sql("select pg_advisory_xact_lock(7281001)")
            context.run_migrations()
    engine.dispose()


run_migrations_online()

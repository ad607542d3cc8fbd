"""Scratch PostgreSQL databases for tests and benchmarks: fresh, migrated, dropped afterwards.

The server is ATELIER_TEST_DATABASE_URL when set, the machine's PostgreSQL at 127.0.0.1:5432
when it answers, or an embedded server started from the pip wheel, so this runs anywhere.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from persistence import migrate
from persistence.database import start_embedded_postgres

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def server_url(embedded_dir: Path) -> str:
    """A PostgreSQL server to make scratch databases on (see the module docstring)."""
    configured = os.environ.get("ATELIER_TEST_DATABASE_URL")
    if configured:
        return configured
    try:
        psycopg.connect(LOCAL_SERVER, connect_timeout=2).close()
        return LOCAL_SERVER
    except psycopg.OperationalError:
        return str(start_embedded_postgres(embedded_dir).get_uri())


class DatabaseFactory:
    """Creates fresh, migrated databases on one server and drops them all at the end."""

    def __init__(self, server: str, prefix: str = "atelier_test") -> None:
        self.server = server
        self.prefix = prefix
        self.names: list[str] = []

    def create(self, *, migrated: bool = True) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        url = make_url(self.server).set(database=name).render_as_string(hide_password=False)
        if migrated:
            migrate.upgrade(url)
        return url

    def drop_all(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as conn:
            for name in self.names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.names.clear()

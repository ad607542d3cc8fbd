"""Telling the database connection failing from everything else."""

from __future__ import annotations

import psycopg
import sqlalchemy.exc
from psycopg_pool import PoolTimeout

LOST = (psycopg.OperationalError, PoolTimeout, sqlalchemy.exc.OperationalError)


def connection_dropped(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLAlchemy saying the connection under it was cut and dropped from
    the pool: the pool reconnects, so the same work can go again at once."""
    return isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the database connection failing, which another
    attempt on a fresh connection may not meet: a server restarted or failed over, a
    connection an administrator terminated, a pool with none to give."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, LOST):
            return True
        if connection_dropped(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False

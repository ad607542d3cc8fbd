"""Telling the database connection failing from everything else."""

from __future__ import annotations

import psycopg
import sqlalchemy.exc
from psycopg_pool import PoolTimeout

LOST = (psycopg.OperationalError, PoolTimeout, sqlalchemy.exc.OperationalError)


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the database connection failing, which another
    attempt on a fresh connection may not meet: a server restarted or failed over, a
    connection an administrator terminated, a pool with none to give."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, LOST):
            return True
        if isinstance(seen, sqlalchemy.exc.DBAPIError) and seen.connection_invalidated:
            return True
        seen = seen.__cause__ or seen.__context__
    return False

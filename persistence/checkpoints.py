"""The LangGraph checkpointer: PostgresSaver on a psycopg connection pool."""

from __future__ import annotations

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from persistence.crypto import current_cipher


def open_checkpointer(url: str, *, max_size: int = 10) -> tuple[PostgresSaver, ConnectionPool]:
    """A PostgresSaver on its own pool, encrypting what it stores with the process's keys. The
    caller closes the pool when the process stops."""
    pool = _pool(url, max_size)
    serde = EncryptedSerializer(current_cipher())
    return PostgresSaver(pool, serde=serde), pool  # type: ignore[arg-type]


def setup_checkpointer(url: str) -> None:
    """Create or upgrade the checkpoint tables (run at migrate time; no keys needed)."""
    pool = _pool(url, 1)
    try:
        PostgresSaver(pool).setup()  # type: ignore[arg-type]
    finally:
        pool.close()


def _pool(url: str, max_size: int) -> ConnectionPool:
    # autocommit is required: the saver's setup runs ``CREATE INDEX CONCURRENTLY``.
    return ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=True,
    )

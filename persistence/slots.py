"""Counted slots shared by every process on one database: at most N holders of a key at once.

Built on PostgreSQL session advisory locks, one lock per (key, slot number), each held on a
connection of its own for as long as the slot is held. A process that dies lets go of its
slots with its connections, so a crash never leaks one.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from persistence.database import Database

log = logging.getLogger(__name__)

POLL_S = 0.2


def _key(name: str) -> int:
    """A stable signed 32-bit number for ``name`` (advisory locks take two int4 keys)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)


@contextmanager
def slot(db: Database, name: str, slots: int, *, timeout: float | None = None) -> Iterator[int]:
    """Hold one of ``slots`` slots named ``name`` for the block, waiting until one is free.

    Yields the slot number; raises TimeoutError when ``timeout`` seconds pass first.
    """
    key = _key(name)
    deadline = None if timeout is None else time.monotonic() + timeout
    conn = db.engine.connect()
    try:
        waited = False
        while True:
            for number in range(slots):
                taken = conn.execute(
                    text("SELECT pg_try_advisory_lock(:key, :slot)"), {"key": key, "slot": number}
                ).scalar()
                conn.commit()  # no transaction left open while the slot is held
                if taken:
                    try:
                        yield number
                    finally:
                        conn.execute(
                            text("SELECT pg_advisory_unlock(:key, :slot)"),
                            {"key": key, "slot": number},
                        )
                        conn.commit()
                    return
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"no free slot for {name!r} within {timeout} s")
            if not waited:
                log.info("waiting for one of %d slots for %s", slots, name)
                waited = True
            time.sleep(POLL_S)
    finally:
        conn.close()

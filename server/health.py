"""The database's reachability for GET /health, asked at most once a second."""

from __future__ import annotations

import asyncio
import logging
import time

from starlette.concurrency import run_in_threadpool

from persistence.database import Database
from tools.log_privacy import exception_name

log = logging.getLogger(__name__)


class DatabaseHealth:
    """Whether the database answers, asked at most once per ``max_age_s``: load balancers and
    orchestrators polling /health cost a query a second, not one per poll, and a poll answers
    on the event loop without a thread."""

    def __init__(self, db: Database, max_age_s: float = 1.0) -> None:
        self.db = db
        self.max_age_s = max_age_s
        self._reachable = False
        self._asked_at = float("-inf")
        self._lock = asyncio.Lock()

    async def reachable(self) -> bool:
        if time.monotonic() - self._asked_at >= self.max_age_s:
            async with self._lock:  # one question at a time; the others take its answer
                if time.monotonic() - self._asked_at >= self.max_age_s:
                    self._reachable = await run_in_threadpool(self._ping)
                    self._asked_at = time.monotonic()
        return self._reachable

    def _ping(self) -> bool:
        try:
            return self.db.ping()
        except Exception as exc:  # any failure to answer is the answer
            log.warning("the database does not answer: %s", exception_name(exc))
            return False

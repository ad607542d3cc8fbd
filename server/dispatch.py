"""Where pipeline runs go: a thread pool in the API process (no Redis), or Celery workers on
Redis (ATELIER_REDIS_URL). Either way a run is OrderRuns.carry_on, which claims the order first,
so a run sent twice, or to two places, happens once."""

from __future__ import annotations

import contextvars
import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from graphs.order.runs import OrderRuns
from persistence.database import Database
from persistence.repositories import leases
from settings import Settings
from tools.log_privacy import exception_name

log = logging.getLogger(__name__)

QUEUE = "atelier"  # the Redis list the workers take runs from


class Dispatcher(Protocol):
    """A tools.context.RunDispatcher that can be shut down."""

    def run(self, order_id: uuid.UUID) -> None: ...
    def shutdown(self) -> None: ...


class InProcessDispatcher:
    """Runs each pipeline in a worker thread of this process (a tools.context.RunDispatcher)."""

    def __init__(self, runs: OrderRuns, workers: int) -> None:
        self.runs = runs
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pipeline")

    def run(self, order_id: uuid.UUID) -> None:
        # The run keeps the ids of the request that started it (threads don't inherit them).
        context = contextvars.copy_context()
        future = self._pool.submit(context.run, self.runs.carry_on, order_id)
        future.add_done_callback(lambda f: self._report(f, order_id))

    @staticmethod
    def _report(future: Future[Any], order_id: uuid.UUID) -> None:
        if not future.cancelled() and future.exception() is not None:
            log.error("pipeline run for order %s crashed", order_id, exc_info=future.exception())

    def shutdown(self) -> None:
        # Runs not yet started are dropped: their orders stay received/processing, without a
        # lease, and the next sweep (here or in the next process) queues them again.
        self._pool.shutdown(wait=True, cancel_futures=True)


class CeleryDispatcher:
    """Sends each run to the Celery workers (server/worker.py) through Redis."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def run(self, order_id: uuid.UUID) -> None:
        """Queue a run. Redis being down is not the caller's failure: the order waits in
        PostgreSQL, without a lease, and a worker's sweeper queues it once Redis is back."""
        from server.worker import send_run  # imports Celery: only where Redis is used

        try:
            send_run(order_id)
        except Exception as exc:  # kombu's OperationalError, redis' ConnectionError, timeouts
            log.warning(
                "could not queue order %s (%s); the sweeper will", order_id, exception_name(exc)
            )
            with self.db.session() as session:
                leases.not_queued(session, order_id)

    def shutdown(self) -> None:
        pass


def sweep_grace(settings: Settings) -> float:
    """How long a queued run may wait to start before a sweep queues it again (a second
    message for one order is harmless: the lease lets one run through)."""
    return 1.5 * settings.run_lease_s


class Sweeper:
    """Every ``interval_s``, queues the orders that wait without a live run: never started
    (Redis was down at intake, the process stopped before their turn) or whose run died (its
    lease lapsed). Several sweepers at once take different orders (SKIP LOCKED)."""

    def __init__(self, db: Database, dispatcher: Dispatcher, interval_s: float, grace_s: float):
        self.db = db
        self.dispatcher = dispatcher
        self.interval_s = interval_s
        self.grace_s = grace_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sweeper", daemon=True)

    def sweep(self, grace_s: float | None = None) -> int:
        """Queue what waits now; how many."""
        with self.db.session() as session:
            waiting = leases.take_waiting(session, self.grace_s if grace_s is None else grace_s)
        for order_id in waiting:
            self.dispatcher.run(order_id)
        if waiting:
            log.info("queued %d orders waiting without a run", len(waiting))
        return len(waiting)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.sweep()
            except Exception:  # the database away for a moment: the next sweep tries again
                log.warning("sweep failed", exc_info=True)

"""Carrying orders on, one run of an order at a time across every process and machine.

Every run, wherever it comes from (a new order, a review, a retry, a recovery at start-up, a
sweep, a message delivered twice), is the same idempotent operation: claim the order's lease
in PostgreSQL, carry the order on from where its checkpoint stands, release the lease. Whoever
cannot claim it does nothing: another live run holds it, or the order is past what a run does.
While a run works, a heartbeat renews the lease; a run whose process died stops renewing, its
lease lapses within ``lease_s`` and the order is anyone's again (a sweeper re-queues it).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from graphs.order.runner import OrderRunner
from persistence.connection_errors import connection_lost
from persistence.database import Database
from persistence.repositories import leases
from tools.log_privacy import exception_name
from tools.retry import RetryPolicy, TemporaryFailure

log = logging.getLogger(__name__)

HEARTBEATS_PER_LEASE = 4  # a lease outlives three missed heartbeats
# A run whose database connections fail goes again from its checkpoint: a failover, or an
# administrator's pg_terminate_backend, lasts seconds. Still failing, the order waits,
# unleased, for the sweeper.
RUN_RETRY = RetryPolicy(attempts=5, backoff=0.5, max_delay=10)


def new_owner() -> str:
    """Who holds a lease: the machine, the process and the run (two runs of one process are
    two owners)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class OrderRuns:
    def __init__(self, runner: OrderRunner, lease_s: float) -> None:
        self.runner = runner
        self.db: Database = runner.db
        self.lease_s = lease_s

    def carry_on(self, order_id: uuid.UUID) -> str | None:
        """Run the order from where it stands, when it is runnable and no live run holds it.
        The status it reached, or None when this call did nothing."""
        owner = new_owner()
        with self.db.session() as session:
            if not leases.claim(session, order_id, owner, self.lease_s):
                log.info("order %s is not for this run (held, or not runnable)", order_id)
                return None
        try:
            with self._heartbeat(order_id, owner), leases.working_as(owner):
                return RUN_RETRY.run(
                    lambda: self._attempt(order_id), channel="order run", server="PostgreSQL"
                )
        finally:
            with self.db.session() as session:
                leases.release(session, order_id, owner)

    def _attempt(self, order_id: uuid.UUID) -> str:
        try:
            return self.runner.recover(order_id)
        except Exception as exc:
            if connection_lost(exc):  # the database went away mid-run: from the checkpoint
                raise TemporaryFailure(exception_name(exc)) from exc
            raise

    @contextmanager
    def _heartbeat(self, order_id: uuid.UUID, owner: str) -> Iterator[None]:
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.lease_s / HEARTBEATS_PER_LEASE):
                try:
                    with self.db.session() as session:
                        kept = leases.renew(session, order_id, owner, self.lease_s)
                except Exception:  # the database away for a moment: the next beat tries again
                    log.warning("could not renew the lease on order %s", order_id, exc_info=True)
                    continue
                if not kept:
                    # Stalled past the lease (a paused VM, a long GC): another run may have
                    # the order now. The steps are idempotent; say so and stop beating.
                    log.error("order %s: this run lost its lease", order_id)
                    return

        thread = threading.Thread(target=beat, name=f"lease-{order_id.hex[:8]}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

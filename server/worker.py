"""The Celery worker: pipeline runs from Redis, on as many machines as there are workers.

Import this module only after REMAP_SIGTERM is in the environment (`atelier worker` sets it):
billiard reads it on import. A run is one task, ``atelier.run_order(order_id)``: carry the
order on from where it stands (graphs/order/runs.py). Each prefork child builds its own
runtime (database pools, storage clients, design engine) after the fork, never sharing one
across processes.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from celery import Celery, signals

from persistence.database import Database
from server.dispatch import QUEUE, CeleryDispatcher, Sweeper, sweep_grace
from server.runtime import Runtime, build_runtime
from settings import Settings, get_settings
from tools.log_context import bound, current
from tools.metrics import QUEUE_WAIT, WORKER_TASKS

log = logging.getLogger(__name__)

RUN_ORDER = "atelier.run_order"
# The longest a run may take (a Stable Diffusion design on a CPU, a slow Drive), and Redis'
# visibility timeout above it: a message unacked for longer goes to another worker.
RUN_TIME_LIMIT_S = 30 * 60
VISIBILITY_TIMEOUT_S = 60 * 60
SOFT_SHUTDOWN_S = 10

celery_app = Celery("atelier")


def celery_config(settings: Settings) -> dict[str, Any]:
    """The settings that make "nothing lost, nothing done twice" hold, each with its reason."""
    return {
        "broker_url": settings.redis_url,
        "task_default_queue": QUEUE,
        # Nobody reads a run's return value: the order's state is in PostgreSQL.
        "task_ignore_result": True,
        # Acknowledge a message when its run ends, not when it arrives: a worker that dies
        # mid-run leaves its message to be delivered again.
        "task_acks_late": True,
        # A child killed mid-run (SIGKILL, out of memory) puts its message back in the queue
        # at once; without this, late acks still acknowledge it.
        "task_reject_on_worker_lost": True,
        # One message per child at a time: with late acks, prefetching more would let a busy
        # worker sit on runs an idle one could start.
        "worker_prefetch_multiplier": 1,
        # Redis hands an unacknowledged message to another worker after the visibility
        # timeout: longer than any run, so a live run's message is never taken from it (the
        # lease would stop the second run, but the queue would still see it twice).
        "broker_transport_options": {
            "visibility_timeout": VISIBILITY_TIMEOUT_S,
            "socket_connect_timeout": 2,  # Redis down: POST /orders answers, the sweeper waits
        },
        # Below the visibility timeout: a run stuck beyond it is stopped (soft: an exception
        # the run records as the step's failure; hard: the child is replaced).
        "task_soft_time_limit": RUN_TIME_LIMIT_S - 60,
        "task_time_limit": RUN_TIME_LIMIT_S,
        # SIGTERM (REMAP_SIGTERM=SIGQUIT) is a soft shutdown: running runs get this long to
        # end, then the worker stops and their messages go back to the queue for another.
        "worker_soft_shutdown_timeout": SOFT_SHUTDOWN_S,
        "worker_enable_soft_shutdown_on_idle": True,
        # With the broker connection lost, the unacknowledged messages will be delivered
        # again: cancel the runs they carry rather than finish them twice.
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2,
        # Task events on, so Flower (and celery-exporter) on the same Redis see every task.
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        # Our logging (JSON lines with ids), not Celery's.
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
    }


def configure(settings: Settings) -> None:
    celery_app.conf.update(celery_config(settings))


REQUEST_ID = "atelier_request_id"
SENT_AT = "atelier_sent_at"


def send_run(order_id: uuid.UUID) -> None:
    """Queue a run of the order; raises when Redis cannot take it (no retries: the sweeper
    queues what waits). The request's id travels in the message's headers, so the worker's
    log lines and traces carry it (the run binds the order's and session's ids itself)."""
    headers: dict[str, Any] = {SENT_AT: time.time()}
    request_id = current("request_id")
    if request_id:
        headers[REQUEST_ID] = request_id
    celery_app.send_task(RUN_ORDER, args=[str(order_id)], headers=headers, retry=False)


# --- inside a worker ------------------------------------------------------------------------

_runtime: Runtime | None = None
_sweeper: Sweeper | None = None


def _start_sweeper(**_: Any) -> None:
    """The worker's main process queues what waits without a run (Redis down at intake, a
    run whose worker died), every ATELIER_SWEEP_INTERVAL_S; the children run."""
    global _sweeper
    settings = get_settings()
    db = Database.from_settings(settings)
    _sweeper = Sweeper(db, CeleryDispatcher(db), settings.sweep_interval_s, sweep_grace(settings))
    _sweeper.start()


def _stop_sweeper(**_: Any) -> None:
    if _sweeper is not None:
        _sweeper.stop()
        _sweeper.db.dispose()


def _open_runtime(**_: Any) -> None:
    """Each child's own runtime, after the fork."""
    global _runtime
    _runtime = build_runtime(get_settings())


def _close_runtime(**_: Any) -> None:
    if _runtime is not None:
        _runtime.close()


def run_order(task: Any, order_id: str) -> str | None:
    """Carry the order on; does nothing when another live run holds it or it is past what a
    run does (a message delivered twice, a sweep that crossed a queued run)."""
    if _runtime is None:  # a solo or threads pool: no fork, no process-init signal
        _open_runtime()
    assert _runtime is not None
    sent_at = task.request.get(SENT_AT)
    if isinstance(sent_at, int | float):
        QUEUE_WAIT.observe(max(0.0, time.time() - sent_at))
    with bound(request_id=task.request.get(REQUEST_ID)):
        return _runtime.runs.carry_on(uuid.UUID(order_id))


def _count(event: str) -> Callable[..., None]:
    """A signal receiver counting ``event``."""

    def count(**_: Any) -> None:
        WORKER_TASKS.labels(event).inc()

    return count


# Registered by calls rather than decorators (Celery has no type hints to keep).
signals.worker_ready.connect(_start_sweeper)
signals.worker_shutdown.connect(_stop_sweeper)
signals.worker_process_init.connect(_open_runtime)
signals.worker_process_shutdown.connect(_close_runtime)
celery_app.task(name=RUN_ORDER, bind=True)(run_order)
# Counted where they happen: received in the worker's main process, the rest in its children
# (the metrics of all of them are served together: `atelier worker --metrics-port`).
for _signal, _event in (
    (signals.task_received, "received"),
    (signals.task_success, "succeeded"),
    (signals.task_failure, "failed"),
    (signals.task_retry, "retried"),
):
    _signal.connect(_count(_event), weak=False)

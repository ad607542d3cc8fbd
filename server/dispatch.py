"""Where pipeline runs go: in the API process for now (a thread pool, so the event loop never
blocks); Celery workers will implement the same RunDispatcher interface."""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from graphs.order.runner import OrderRunner
from graphs.order.state import ReviewDecision

log = logging.getLogger(__name__)


class InProcessDispatcher:
    """Runs each pipeline in a worker thread of this process (a tools.context.RunDispatcher)."""

    def __init__(self, runner: OrderRunner, workers: int) -> None:
        self.runner = runner
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pipeline")

    def _submit(self, fn: Callable[..., Any], order_id: uuid.UUID, *args: Any) -> None:
        # The run keeps the ids of the request that started it (threads don't inherit them).
        context = contextvars.copy_context()
        future = self._pool.submit(context.run, fn, order_id, *args)
        future.add_done_callback(lambda f: self._report(f, order_id))

    @staticmethod
    def _report(future: Future[Any], order_id: uuid.UUID) -> None:
        if not future.cancelled() and future.exception() is not None:
            log.error("pipeline run for order %s crashed", order_id, exc_info=future.exception())

    def start(self, order_id: uuid.UUID) -> None:
        self._submit(self.runner.start, order_id)

    def resume(self, order_id: uuid.UUID, decision: Mapping[str, Any]) -> None:
        review: ReviewDecision = {
            "approved": bool(decision["approved"]),
            "feedback": decision.get("feedback"),
        }
        self._submit(self.runner.resume, order_id, review)

    def retry(self, order_id: uuid.UUID) -> None:
        self._submit(self.runner.retry, order_id)

    def recover(self, order_id: uuid.UUID) -> None:
        self._submit(self.runner.recover, order_id)

    def shutdown(self) -> None:
        # Runs not yet started are dropped: their orders stay received/processing and are
        # recovered from their checkpoints at the next start.
        self._pool.shutdown(wait=True, cancel_futures=True)

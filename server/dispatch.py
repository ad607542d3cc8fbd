"""Where pipeline runs go. In the API process for now (a thread pool, so the event loop never
blocks); the same interface will send them to Celery workers."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from graphs.order.runner import OrderRunner
from graphs.order.state import ReviewDecision

log = logging.getLogger(__name__)


class Dispatcher(Protocol):
    def start(self, order_id: uuid.UUID) -> None: ...
    def resume(self, order_id: uuid.UUID, decision: ReviewDecision) -> None: ...
    def retry(self, order_id: uuid.UUID) -> None: ...
    def recover(self, order_id: uuid.UUID) -> None: ...
    def shutdown(self) -> None: ...


class InProcessDispatcher:
    """Runs each pipeline in a worker thread of this process."""

    def __init__(self, runner: OrderRunner, workers: int) -> None:
        self.runner = runner
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pipeline")

    def _submit(self, fn: Callable[..., Any], order_id: uuid.UUID, *args: Any) -> None:
        future = self._pool.submit(fn, order_id, *args)
        future.add_done_callback(lambda f: self._report(f, order_id))

    @staticmethod
    def _report(future: Future[Any], order_id: uuid.UUID) -> None:
        if not future.cancelled() and future.exception() is not None:
            log.error("pipeline run for order %s crashed", order_id, exc_info=future.exception())

    def start(self, order_id: uuid.UUID) -> None:
        self._submit(self.runner.start, order_id)

    def resume(self, order_id: uuid.UUID, decision: ReviewDecision) -> None:
        self._submit(self.runner.resume, order_id, decision)

    def retry(self, order_id: uuid.UUID) -> None:
        self._submit(self.runner.retry, order_id)

    def recover(self, order_id: uuid.UUID) -> None:
        self._submit(self.runner.recover, order_id)

    def shutdown(self) -> None:
        # Runs not yet started are dropped: their orders stay received/processing and are
        # recovered from their checkpoints at the next start.
        self._pool.shutdown(wait=True, cancel_futures=True)

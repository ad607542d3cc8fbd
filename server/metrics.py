"""GET /metrics: the process's Prometheus metrics plus orders by status and the length of the
workers' queue, read at scrape time."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import redis
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from persistence.database import Database
from persistence.models import OrderStatus
from persistence.repositories import orders as repo
from tools.log_privacy import exception_name


class OrdersByStatus(Collector):
    """``atelier_orders{status}``: counted in the database when scraped, so every API process
    reports the same truth."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily("atelier_orders", "Orders by status", labels=["status"])
        with self.db.session() as session:
            counts = repo.count_by_status(session)
        for status in OrderStatus:
            gauge.add_metric([status.value], counts.get(status.value, 0))
        yield gauge


class QueueLength(Collector):
    """``atelier_queue_length``: runs waiting in Redis for a worker (with ATELIER_REDIS_URL).
    Left out of a scrape while Redis does not answer."""

    def __init__(self, redis_url: str, queue: str) -> None:
        self.client = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
        self.queue = queue

    def collect(self) -> Iterator[Metric]:
        try:
            length = int(self.client.llen(self.queue))
        except redis.RedisError as exc:
            logging.getLogger(__name__).debug("no queue length: %s", exception_name(exc))
            return
        yield GaugeMetricFamily(
            "atelier_queue_length", "Pipeline runs queued for the workers", value=length
        )

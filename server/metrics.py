"""GET /metrics: the process's Prometheus metrics plus orders by status, read at scrape time."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from persistence.database import Database
from persistence.models import OrderStatus
from persistence.repositories import orders as repo


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

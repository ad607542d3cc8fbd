"""Building the order pipeline on a real database for integration tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from persistence.database import Database
from persistence.repositories import orders as repo
from settings import Settings
from tools.context import Backends
from tools.design.base import DesignEngine
from tools.design.layout import LayoutEngine
from tools.notify.base import Channel
from tools.notify.log_channel import LogChannel
from tools.storage.local import LocalDrive
from tools.tracing import Tracing

ORDER_FIELDS: dict[str, Any] = {
    "customer_sub": "jane",
    "customer_name": "Jane Doe",
    "customer_email": "jane@example.com",
    "customer_phone": "+1 555 0100",
    "product": "mug",
    "options": {"color": "white"},
    "quantity": 3,
    "brief": "A lighthouse at dawn, watercolour",
}


def make_backends(
    data_dir: Path,
    db: Database,
    *,
    engine: DesignEngine | None = None,
    channels: Sequence[Channel] | None = None,
    tracing: Tracing | None = None,
) -> Backends:
    settings = Settings(data_dir=data_dir, database_url=db.url)
    return Backends(
        settings=settings,
        db=db,
        storage=LocalDrive(settings.drive_root),
        design_engine=engine or LayoutEngine(),
        channels=tuple(channels) if channels is not None else (LogChannel(),),
        tracing=tracing or Tracing(),
    )


def add_order(db: Database, **overrides: Any) -> uuid.UUID:
    with db.session() as session:
        return repo.add_order(session, role="customer", **{**ORDER_FIELDS, **overrides}).id


def add_design_versions(
    db: Database, order_id: uuid.UUID, versions: Sequence[int], **overrides: Any
) -> None:
    """Design versions ``versions`` of the order, written in that order (each a 10x10 layout
    design unless ``overrides`` say otherwise)."""
    with db.session() as session:
        for version in versions:
            fields = {
                "engine": "layout",
                "model": None,
                "file_name": f"design-v{version}.png",
                "sha256": "0" * 64,
                "width": 10,
                "height": 10,
                **overrides,
            }
            repo.add_design_version(session, order_id=order_id, version=version, **fields)


def steps(db: Database, order_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    with db.session() as session:
        order = repo.get_order(session, order_id)
        assert order is not None
        return {s["step"]: s for s in order.steps}

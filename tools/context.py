"""What a tool runs with: the caller and the backends, handed in per call (never globals)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol

from persistence.database import Database
from settings import Settings
from tools.access import PIPELINE, Principal
from tools.design.base import DesignEngine
from tools.notify.base import Channel
from tools.storage.base import Storage
from tools.tracing import Tracing


@dataclass(frozen=True)
class Backends:
    """The process-wide services tools use; built once at start-up from the settings."""

    settings: Settings
    db: Database
    storage: Storage
    design_engine: DesignEngine
    channels: tuple[Channel, ...] = field(default_factory=tuple)
    tracing: Tracing = field(default_factory=Tracing)


class RunDispatcher(Protocol):
    """Where order runs go (a thread pool in the API process, or Celery workers)."""

    def run(self, order_id: uuid.UUID) -> None:
        """Carry the order on from where it stands (called after the commit that made it
        runnable: a new order, a review recorded, a retry); a run that is not needed, or
        already under way, does nothing."""
        ...


@dataclass(frozen=True)
class ToolContext:
    """One call's context: the backends, who is calling, under which request, and where runs
    go (None inside the pipeline itself, which never dispatches runs)."""

    backends: Backends
    principal: Principal = PIPELINE
    request_id: str | None = None
    runs: RunDispatcher | None = None
    session_id: str | None = None  # the admin conversation a call comes from, if any

    @property
    def dispatcher(self) -> RunDispatcher:
        if self.runs is None:
            raise RuntimeError("this context cannot start order runs")
        return self.runs

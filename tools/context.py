"""What a tool runs with: the caller and the backends, handed in per call (never globals)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from persistence.database import Database
from settings import Settings
from tools.access import PIPELINE, Principal
from tools.design.base import DesignEngine
from tools.notify.base import Channel
from tools.storage.base import Storage


@dataclass(frozen=True)
class Backends:
    """The process-wide services tools use; built once at start-up from the settings."""

    settings: Settings
    db: Database
    storage: Storage
    design_engine: DesignEngine
    channels: tuple[Channel, ...] = field(default_factory=tuple)

    @property
    def work_dir(self) -> Path:
        """Where files are made before upload (designs, workbooks): DATA_DIR/work."""
        return self.settings.data_dir / "work"


@dataclass(frozen=True)
class ToolContext:
    """One call's context: the backends plus who is calling and under which request."""

    backends: Backends
    principal: Principal = PIPELINE
    request_id: str | None = None

    def acting_as(self, principal: Principal) -> ToolContext:
        return replace(self, principal=principal)

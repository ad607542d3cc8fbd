"""The design-engine interface: every engine turns a DesignRequest into a print-ready PNG."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tools.products import Product

# Called with (steps_done, steps_total) while an engine works; engines without steps call it once.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class DesignRequest:
    """What to draw. Paths, not bytes: requests travel through graph state and logs."""

    order_id: str
    brief: str
    product: Product
    version: int = 1
    reference_image: Path | None = None
    feedback: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    seed: int = 0

    @property
    def prompt(self) -> str:
        """The text prompt for generative engines: the brief, refined by reviewer feedback."""
        text = self.brief.strip()
        if self.feedback:
            text += f". Revision requested: {self.feedback.strip()}"
        return text


@dataclass(frozen=True)
class DesignResult:
    png: bytes
    engine: str
    model: str | None
    width: int
    height: int


class DesignError(RuntimeError):
    """An engine could not produce a design (model missing, server refused, …)."""


class DesignEngine(Protocol):
    name: str

    def generate(
        self, request: DesignRequest, progress: ProgressCallback | None = None
    ) -> DesignResult: ...

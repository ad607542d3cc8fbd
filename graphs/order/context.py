"""What every order-graph node runs with, handed in per run as LangGraph runtime context."""

from __future__ import annotations

from dataclasses import dataclass

from tools.context import ToolContext
from tools.registry import ToolRegistry


@dataclass(frozen=True)
class OrderContext:
    tools: ToolContext
    registry: ToolRegistry

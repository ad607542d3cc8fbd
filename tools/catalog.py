"""The registry of every tool Atelier has, with the roles allowed to call each."""

from __future__ import annotations

from tools import pipeline
from tools.access import Role
from tools.registry import ToolRegistry

STAFF = (Role.SYSTEM, Role.OPERATOR, Role.ADMIN)


def build_registry() -> ToolRegistry:
    """A fresh registry with all tools registered."""
    registry = ToolRegistry()
    for func in (
        pipeline.create_order_folder,
        pipeline.generate_design,
        pipeline.fill_order_workbook,
        pipeline.upload_files,
        pipeline.notify,
    ):
        registry.register(func, roles=STAFF)
    return registry

"""The registry of every tool Atelier has, with the roles allowed to call each."""

from __future__ import annotations

from tools import audit, drive, orders, pipeline, summary
from tools.access import Role
from tools.registry import ToolFunction, ToolRegistry

STAFF = (Role.SYSTEM, Role.OPERATOR, Role.ADMIN)
OPERATORS = (Role.OPERATOR, Role.ADMIN)
# Customers review their own designs (the tool finds only orders the caller may see).
REVIEWERS = (Role.CUSTOMER, Role.OPERATOR, Role.ADMIN)

PIPELINE_TOOLS: tuple[ToolFunction, ...] = (
    pipeline.create_order_folder,
    pipeline.generate_design,
    pipeline.fill_order_workbook,
    pipeline.upload_files,
    pipeline.notify,
)
ADMIN_TOOLS: tuple[ToolFunction, ...] = (
    drive.list_sheets,
    drive.create_sheet_from_template,
    drive.list_files,
    summary.build_summary_sheet,
)
ORDER_TOOLS: tuple[ToolFunction, ...] = (
    orders.get_order,
    orders.list_orders,
    orders.retry_order,
)


def build_registry() -> ToolRegistry:
    """A fresh registry with all tools registered."""
    registry = ToolRegistry(observer=audit.tool_call)
    for func in PIPELINE_TOOLS:
        registry.register(func, roles=STAFF)
    for func in ORDER_TOOLS:
        registry.register(func, roles=OPERATORS)
    registry.register(orders.approve_order, roles=REVIEWERS)
    for func in ADMIN_TOOLS:
        registry.register(func, roles=(Role.ADMIN,))
    return registry

"""What several entries say the same way: folder names, date parameters, the question for a
missing order id, and an order as one line of a reply."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from agent.offline.slots import Slots
from agent.offline.wording import clip, day_of, short_id

__all__ = [
    "ORDER_ID",
    "ask_order_id",
    "customer_name",
    "exclusive_dates",
    "first",
    "folder",
    "inclusive_dates",
    "order_line",
    "quoted",
]

ORDER_ID = "order_id"
_ROOT_NAMES = frozenset(
    ("root", "drive", "my drive", "the drive", "top level", "home", "/", "shared drive", "the root")
)


def folder(value: str | None) -> str | None:
    """A folder as the tools take it: None for the drive's root, however it is called."""
    if value is None:
        return None
    value = value.strip().strip("/") or "/"
    return None if value.lower() in _ROOT_NAMES else value


def exclusive_dates(slots: Slots, after: str, before: str) -> dict[str, Any]:
    """The command's inclusive range as an on-or-after / strictly-before pair of parameters."""
    if slots.dates is None:
        return {}
    args: dict[str, Any] = {}
    if slots.dates.start:
        args[after] = slots.dates.start.isoformat()
    if slots.dates.end:
        args[before] = (slots.dates.end + timedelta(days=1)).isoformat()
    return args


def inclusive_dates(slots: Slots, start: str, end: str) -> dict[str, Any]:
    """The command's inclusive range as a first-day / last-day pair of parameters."""
    if slots.dates is None:
        return {}
    args: dict[str, Any] = {}
    if slots.dates.start:
        args[start] = slots.dates.start.isoformat()
    if slots.dates.end:
        args[end] = slots.dates.end.isoformat()
    return args


def first(values: list[str]) -> str | None:
    return values[0] if values else None


def quoted(slots: Slots, cue: str) -> str | None:
    """The first quoted name after ``cue``."""
    return next((m.value for m in slots.mentions if m.quoted and m.cue == cue), None)


def ask_order_id(action: str, slots: Slots) -> str:
    """Which order to ``action``: the question ends the reply, so any caller sees a question."""
    ref = slots.short_order_ref
    prefix = f"“{ref}” is too short to be an order id. " if ref else ""
    return f"{prefix}Which order should I {action} (the first 8 characters of its id are enough)?"


def customer_name(order: Mapping[str, Any]) -> str:
    customer = order.get("customer")
    if isinstance(customer, Mapping):
        return clip(customer.get("name") or customer.get("email") or "?", 60)
    return clip(customer or "?", 60)


def order_line(order: Mapping[str, Any]) -> str:
    """'- 3f1c2a9e Alice: mug ×2, failed, created 2026-11-20 (failed at notify_review)'."""
    line = (
        f"- {short_id(order.get('id'))} {customer_name(order)}: {clip(order.get('product'), 40)}"
        f" ×{order.get('quantity', 1)}, {order.get('status')}, created "
        f"{day_of(order.get('created_at'))}"
    )
    if order.get("status") == "failed" and order.get("failed_step"):
        line += f" (failed at {order['failed_step']})"
    return line

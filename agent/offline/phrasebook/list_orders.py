"""list_orders: orders by status, customer, creation dates and count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.offline.phrasebook.entry import Entry, IntentRule
from agent.offline.phrasebook.shared import exclusive_dates, first, order_line
from agent.offline.slots import STATUSES, Slots
from agent.offline.wording import exclusive_range, in_parens, listed, plural

__all__ = ["ENTRY"]


def build(slots: Slots) -> dict[str, Any]:
    customer = (
        slots.named("customer")
        or slots.email
        or slots.named("for", "from")
        or first(slots.unassigned())
    )
    return {
        "status": slots.status,
        "customer": customer,
        "limit": slots.limit,
        **exclusive_dates(slots, "created_after", "created_before"),
    }


def reply(args: Mapping[str, Any], data: Any) -> str:
    items = list(data.get("items") or [])
    total = int(data.get("total", len(items)))
    filters = in_parens(
        (
            args.get("status"),
            f"customer “{args['customer']}”" if args.get("customer") else None,
            exclusive_range(args, "created_after", "created_before"),
        )
    )
    if not items:
        return f"No orders match{filters}."
    head = f"Found {plural(total, 'order')}{filters}"
    head += f", showing {len(items)}:" if total > len(items) else ":"
    return listed(head, [order_line(o) for o in items])


ENTRY = Entry(
    tool="list_orders",
    capability="list orders by status, customer or date",
    action="list the orders",
    rules=(
        IntentRule(
            verbs=r"\b(?:list|show|find|get|give|which|what|any|how\s+many|display|see|search)\b",
            # "the latest order" is a listing of one.
            nouns=r"\b(?:orders|order\s+list|purchases|jobs)\b|\b(?:latest|newest|last|oldest|"
            r"most\s+recent(?:ly\s+\w+)?)\s+order\b|\b(?:which|what)\s+order\s+(?:was\s+)?"
            r"(?:placed|created|made|added)\s+(?:last|most\s+recently)\b",
            needs="noun",
            weight=3,
            bonus=lambda text, slots: 1 if slots.status is not None else 0,
        ),
    ),
    build=build,
    parameters=frozenset(("status", "customer", "limit", "created_after", "created_before")),
    values={"status": STATUSES},
    date_params=frozenset(("created_after", "created_before")),
    reply=reply,
    result_keys=frozenset(
        (
            "total",
            "items",
            "items.id",
            "items.customer",
            "items.customer.name",
            "items.customer.email",
            "items.product",
            "items.quantity",
            "items.status",
            "items.created_at",
            "items.failed_step",
        )
    ),
    shape_key="items",
    filters=frozenset(("status", "customer", "dates", "limit")),
)

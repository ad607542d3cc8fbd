"""Filters a tool cannot apply are never dropped: the command's filters (an order, a status,
a customer, dates, a count, a grouping, a kind of file) are compared with what the chosen
entry's tool applies, and another bound tool that applies them all answers instead, with a note
saying so ("a summary of failed orders" lists the failed orders), or the interpreter asks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.offline.calls import Interpretation, ToolSchema, conform, drop_none
from agent.offline.dates import describe_range
from agent.offline.phrasebook import FILTERS, PHRASEBOOK, Entry, Filter
from agent.offline.slots import Slots

__all__ = ["instead", "unapplied"]


def _given_filters(slots: Slots, entry: Entry | None = None) -> list[Filter]:
    """The filters the command gives (as ``entry`` reads it), in :data:`FILTERS` order."""
    implied = entry.implied_filters(slots) if entry and entry.implied_filters else frozenset()
    given = {
        "order": slots.order_id is not None,
        "status": slots.status is not None,
        "customer": slots.named("customer") is not None or slots.email is not None,
        "dates": slots.dates is not None,
        "limit": slots.limit is not None,
        "group": slots.group_by is not None,
        # Sheets are what the sheet tools list anyway; other kinds are a filter.
        "kind": slots.kind not in (None, "sheet"),
    }
    return [f for f in FILTERS if given[f] or f in implied]


def unapplied(entry: Entry, slots: Slots) -> list[Filter]:
    """The command's filters ``entry``'s tool cannot apply (none for an unchecked entry)."""
    if entry.filters is None:
        return []
    return [f for f in _given_filters(slots, entry) if f not in entry.filters]


def _describe(filters: list[Filter], slots: Slots) -> str:
    """'for failed orders only and grouped by product' for what the filters ask."""
    dates = slots.dates
    orders = "orders awaiting approval" if slots.status == "awaiting_approval" else "orders"
    status = "" if slots.status == "awaiting_approval" else f"{slots.status} "
    customer = slots.named("customer") or slots.email or slots.named("for")
    period = describe_range(dates.start, dates.end) if dates else "those dates"
    words: dict[Filter, str] = {
        "order": f"for order {slots.order_id} alone",
        "status": f"for {status}{orders} only",
        "customer": f"for the customer {customer} only",
        "dates": f"by date ({period})",
        "limit": f"limited to {slots.limit}",
        "group": f"grouped by {slots.group_by}",
        "kind": f"for {slots.kind}s only",
    }
    return " and ".join(words[f] for f in filters)


def instead(
    entry: Entry,
    filters: list[Filter],
    slots: Slots,
    tools: Mapping[str, ToolSchema],
    carried: Mapping[str, Any] | None = None,
) -> Interpretation:
    """When ``entry``'s tool cannot apply ``filters``: a bound tool that applies every filter
    the command gives (and keeps every argument ``carried`` over from the call it refines),
    with a note saying so; else the question of what to do."""
    given = _given_filters(slots, entry)
    what = _describe(filters, slots)
    carried = carried or {}
    for name in entry.instead:
        other = PHRASEBOOK[name]
        if name not in tools or (other.filters is not None and set(given) - other.filters):
            continue
        if set(carried) - other.parameters:
            continue
        args = {**carried, **drop_none(other.build(slots))}
        if other.missing(args):
            continue
        note = f"I can't {entry.action} {what}, so here is what I found instead."
        return Interpretation(tool=name, args=conform(args, tools[name]), note=note)
    # Offer the tool that applies what this one cannot ("the failed orders": list_orders).
    others = [
        PHRASEBOOK[n].capability
        for n in entry.instead
        if n in tools and set(filters) <= (PHRASEBOOK[n].filters or {"order"})
    ]
    alternative = f", or would you rather I {others[0]}" if others else ""
    return Interpretation(
        tool=None,
        reply=f"I can't {entry.action} {what}: it has no such filter, so nothing was done. "
        f"Should I {entry.action} without it{alternative}?",
        kind="question",
    )

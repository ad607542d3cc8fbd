"""build_summary_sheet: orders grouped by product, status, customer or day, over a period."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.offline.dates import describe_range
from agent.offline.phrasebook.entry import Entry, Filter, IntentRule
from agent.offline.phrasebook.shared import folder, inclusive_dates
from agent.offline.slots import GROUPS, SOURCE_RE, SOURCES, Slots
from agent.offline.wording import clip, date_arg, listed, money, plural

__all__ = ["ENTRY"]


def build(slots: Slots) -> dict[str, Any]:
    where = slots.named("folder", "in")
    from_name = slots.named("from")
    if from_name and not SOURCE_RE.fullmatch(from_name.lower()):
        where = where or from_name
    return {
        "group_by": slots.group_by,
        "sources": slots.sources or None,
        "folder": folder(where),
        "title": slots.named("name"),
        **inclusive_dates(slots, "start", "end"),
    }


def reply(args: Mapping[str, Any], data: Any) -> str:
    rows = list(data.get("rows") or [])
    totals = data.get("totals") or {}
    period = describe_range(date_arg(data, "start"), date_arg(data, "end"))
    group = data.get("group_by") or args.get("group_by") or "product"
    head = (
        f"Built the summary sheet {clip(data.get('path'))}, grouped by {group} ({period}): "
        f"{plural(int(totals.get('orders', 0)), 'order')}, "
        f"{plural(int(totals.get('quantity', 0)), 'item')}, "
        f"total {money(totals.get('total', 0))}."
    )
    if not rows:
        return head + " No orders fell in that period."
    lines = [
        f"- {clip(r.get('group'))}: {plural(int(r.get('orders', 0)), 'order')}, "
        f"{r.get('quantity', 0)} items, {money(r.get('total', 0))}"
        for r in rows
    ]
    return listed(head, lines)


def implied_filters(slots: Slots) -> frozenset[Filter]:
    """ "a summary for Jane Doe": the name after "for" is a customer (dates were taken)."""
    return frozenset(("customer",)) if slots.named("for") else frozenset()


def refusal(slots: Slots) -> str | None:
    if slots.unknown_group:
        return (
            f"I can't group a summary by {slots.unknown_group}: summaries group orders by "
            "product, status, customer or day. Nothing was done."
        )
    return None


ENTRY = Entry(
    tool="build_summary_sheet",
    capability="build a summary sheet of orders by product, status, customer or day",
    action="build the summary sheet",
    rules=(
        IntentRule(
            verbs=r"\b(?:summari[sz]e|total\s+up|tally|aggregate|break\s+down|roll\s+up|build|"
            r"compile|make|create|generate|give|show|run|prepare)\b",
            # The strong verbs count as the noun: "summarize orders by status" needs no "summary".
            nouns=r"\b(?:summary|summaries|report|totals?|breakdown|break-down|tally|"
            r"aggregates?|roll-?up|overview|stats|statistics|revenue|sales|summari[sz]e|"
            r"total\s+up|aggregate|break\s+down|roll\s+up)\b",
            needs="noun",
            weight=5,
            bonus=lambda text, slots: 2 if slots.group_by is not None else 0,
        ),
    ),
    build=build,
    parameters=frozenset(("group_by", "sources", "folder", "title", "start", "end")),
    values={"group_by": GROUPS, "sources": SOURCES},
    date_params=frozenset(("start", "end")),
    reply=reply,
    result_keys=frozenset(
        (
            "path",
            "group_by",
            "start",
            "end",
            "rows",
            "rows.group",
            "rows.orders",
            "rows.quantity",
            "rows.total",
            "totals",
            "totals.orders",
            "totals.quantity",
            "totals.total",
        )
    ),
    shape_key="path",
    # A summary covers every order of its period: one order, a status or a customer is what
    # the order tools answer.
    filters=frozenset(("dates", "group")),
    instead=("get_order", "list_orders"),
    implied_filters=implied_filters,
    refusal=refusal,
)

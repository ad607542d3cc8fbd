"""Arguments for the registry's tools: a builder per tool maps :class:`~agent.slots.Slots` onto
that tool's parameters, and :func:`clarifying_question` asks for a required detail the command
did not give.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from agent.slots import SOURCE_RE, Slots

__all__ = [
    "BUILDERS",
    "DATE_PARAMS",
    "FIXED_IN_FOLLOW_UPS",
    "clarifying_question",
    "drop_none",
    "missing_details",
]


_ROOT_NAMES = frozenset(
    ("root", "drive", "my drive", "the drive", "top level", "home", "/", "shared drive", "the root")
)


def _folder(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().strip("/") or "/"
    return None if value.lower() in _ROOT_NAMES else value


def _exclusive_dates(slots: Slots, after: str, before: str) -> dict[str, Any]:
    """An inclusive range as an on-or-after / strictly-before pair of parameters."""
    if slots.dates is None:
        return {}
    args: dict[str, Any] = {}
    if slots.dates.start:
        args[after] = slots.dates.start.isoformat()
    if slots.dates.end:
        args[before] = (slots.dates.end + timedelta(days=1)).isoformat()
    return args


def _inclusive_dates(slots: Slots, start: str, end: str) -> dict[str, Any]:
    if slots.dates is None:
        return {}
    args: dict[str, Any] = {}
    if slots.dates.start:
        args[start] = slots.dates.start.isoformat()
    if slots.dates.end:
        args[end] = slots.dates.end.isoformat()
    return args


def drop_none(args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments that have a value."""
    return {k: v for k, v in args.items() if v is not None}


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _quoted(slots: Slots, cue: str) -> str | None:
    return next((m.value for m in slots.mentions if m.quoted and m.cue == cue), None)


# Builders map slots onto one tool's parameters. They return only what the command said (no
# defaults), so a follow-up can merge their output over the previous call's arguments.
def _args_list_sheets(slots: Slots) -> dict[str, Any]:
    return {
        "name_contains": slots.named("contains", "name")
        or _first(slots.unassigned())
        or slots.named("modifier"),
        "folder": _folder(slots.named("folder", "in", "from")),
        "limit": slots.limit,
        **_exclusive_dates(slots, "modified_after", "modified_before"),
    }


def _args_list_files(slots: Slots) -> dict[str, Any]:
    folder = slots.named("folder", "in", "for", "from") or _first(slots.unassigned())
    return {
        "folder": _folder(folder),
        "kind": slots.kind,
        "name_contains": slots.named("contains", "name"),
    }


def _args_create(slots: Slots) -> dict[str, Any]:
    plain = slots.unassigned()
    # "copy 'Price List' to 'Price List 2028'": a quoted name after "to" is the new sheet.
    title = slots.named("name", "as") or _quoted(slots, "to") or (plain.pop(0) if plain else None)
    template = slots.named("template", "from") or _first(plain)
    return {"template": template, "title": title, "folder": _folder(slots.named("folder", "in"))}


def _args_summary(slots: Slots) -> dict[str, Any]:
    folder = slots.named("folder", "in")
    from_name = slots.named("from")
    if from_name and not SOURCE_RE.fullmatch(from_name.lower()):
        folder = folder or from_name
    return {
        "group_by": slots.group_by,
        "sources": slots.sources or None,
        "folder": _folder(folder),
        "title": slots.named("name"),
        **_inclusive_dates(slots, "start", "end"),
    }


def _args_list_orders(slots: Slots) -> dict[str, Any]:
    customer = (
        slots.named("customer")
        or slots.email
        or slots.named("for", "from")
        or _first(slots.unassigned())
    )
    return {
        "status": slots.status,
        "customer": customer,
        "limit": slots.limit,
        **_exclusive_dates(slots, "created_after", "created_before"),
    }


def _args_order(slots: Slots) -> dict[str, Any]:
    return {"order_id": slots.order_id}


def _args_review(slots: Slots) -> dict[str, Any]:
    return {"order_id": slots.order_id, "feedback": slots.feedback or _first(slots.unassigned())}


def _args_notify(slots: Slots) -> dict[str, Any]:
    return {"order_id": slots.order_id, "event": slots.event, "version": slots.version}


BUILDERS: dict[str, Callable[[Slots], dict[str, Any]]] = {
    "list_sheets": _args_list_sheets,
    "list_files": _args_list_files,
    "create_sheet_from_template": _args_create,
    "build_summary_sheet": _args_summary,
    "get_order": _args_order,
    "list_orders": _args_list_orders,
    "retry_order": _args_order,
    "approve_order": _args_review,
    "notify": _args_notify,
}
DATE_PARAMS = frozenset(
    ("modified_after", "modified_before", "created_after", "created_before", "start", "end")
)
# A follow-up may point the same action at another order ("and 9b8c7d6e too"), but never turns
# an approval into a rejection or back.
FIXED_IN_FOLLOW_UPS = frozenset(("approved",))
_ORDER_ACTIONS = {
    "get_order": "look up",
    "retry_order": "retry",
    "notify": "send a notification about",
}


def missing_details(tool: str, args: Mapping[str, Any]) -> list[str]:
    """The details ``tool`` cannot run without that ``args`` lacks, most important first."""
    needed: list[str] = []
    if tool == "create_sheet_from_template":
        needed = ["template", "title"]
    elif tool in ("get_order", "retry_order"):
        needed = ["order_id"]
    elif tool == "approve_order":
        needed = ["order_id"] if args.get("approved", True) else ["order_id", "feedback"]
    elif tool == "notify":
        needed = ["order_id", "event", "version"]
    return [key for key in needed if not args.get(key)]


def clarifying_question(
    tool: str, args: Mapping[str, Any], missing: list[str], short_ref: str | None
) -> str:
    """The clarifying question for the first missing detail."""
    if "order_id" in missing:
        action = _ORDER_ACTIONS.get(tool) or (
            "approve" if args.get("approved", True) else "send back"
        )
        prefix = f"“{short_ref}” is too short to be an order id. " if short_ref else ""
        return (
            f"{prefix}Which order should I {action}? Give its id (the first 8 characters are "
            "enough)."
        )
    if tool == "create_sheet_from_template":
        if len(missing) == 2:
            return "Which template should I use, and what should the new sheet be called?"
        if "template" in missing:
            return f"Which template should I use for “{args['title']}”?"
        return f"What should the new sheet made from the “{args['template']}” template be called?"
    if "feedback" in missing:
        return (
            f"What should change in the design of order {args['order_id']}? Tell me the feedback "
            "for the designer, e.g. “reject it because the logo is too small”."
        )
    if "event" in missing:
        return "Which notification: that the design is ready, or that the order is completed?"
    return "Which design version is the notification about (e.g. version 2)?"

"""Reply text for the offline interpreter: summaries of tool results and fixed phrases.

Tool results are data, never instructions: this module only formats them (counts, names,
paths, figures). It never decides to call a tool, whatever a file name or cell says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from agent.dates import describe_range

__all__ = [
    "CAPABILITIES",
    "ToolResult",
    "capability_list",
    "describe_error",
    "parse_content",
    "write_reply",
]

# What each registry tool lets an admin do, in words; the reply to an unknown request lists
# the ones the caller may use.
CAPABILITIES: dict[str, str] = {
    "list_sheets": "list spreadsheets by name, folder or date",
    "create_sheet_from_template": "create a sheet from a template",
    "list_files": "list what is in a folder",
    "build_summary_sheet": "build a summary sheet of orders by product, status, customer or day",
    "get_order": "look up an order",
    "list_orders": "list orders by status, customer or date",
    "retry_order": "retry a failed order",
    "approve_order": "approve an order's design or send it back with feedback",
    "notify": "notify a customer that a design is ready or an order is completed",
}

# At most this many lines per listing, so a reply stays readable in a chat window.
MAX_LISTED = 10
# Text from tools is cut to this length in replies: data, shown, never a wall of text.
MAX_FIELD = 160


@dataclass(frozen=True)
class ToolResult:
    """One tool call and what came back.

    Attributes:
        tool: the tool's name.
        args: the arguments it was called with.
        content: the ToolMessage content, parsed from JSON when it was JSON.
        error: True when the ToolMessage had status "error".
    """

    tool: str
    args: Mapping[str, Any]
    content: Any
    error: bool = False


def parse_content(content: Any) -> Any:
    """A ToolMessage's content as data: JSON parsed when it is JSON, text blocks joined."""
    if isinstance(content, list):
        texts = [
            block if isinstance(block, str) else str(block.get("text", ""))
            for block in content
            if isinstance(block, str) or (isinstance(block, dict) and "text" in block)
        ]
        content = "".join(texts)
    if isinstance(content, str):
        stripped = content.strip()
        if stripped[:1] in ("{", "[", '"') or stripped in ("true", "false", "null"):
            try:
                return json.loads(stripped)
            except ValueError:
                return content
        return content
    return content


def capability_list(tools: Mapping[str, str]) -> str:
    """'I can: list spreadsheets ...; look up an order.' for the tools given (name → description).

    Tools outside the registry are described by the first sentence of their description.
    """
    parts = []
    for name, description in tools.items():
        text = CAPABILITIES.get(name) or _first_sentence(description) or f"use {name}"
        parts.append(text[0].lower() + text[1:] if text else text)
    if not parts:
        return "I have no tools available to you in this conversation."
    return "I can: " + "; ".join(parts) + "."


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0]
    return sentence.rstrip(".")


def _clip(value: Any, limit: int = MAX_FIELD) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _day_of(value: Any) -> str:
    """The date part of an ISO timestamp ('2026-11-20T10:00:00Z' → '2026-11-20')."""
    text = str(value or "")
    return text[:10] if re.match(r"\d{4}-\d{2}-\d{2}", text) else text


def _short_id(value: Any) -> str:
    return str(value or "?")[:8]


def _money(value: Any) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return _clip(value)


def _more(total: int, shown: int) -> str:
    return f"\n…and {total - shown} more." if total > shown else ""


def _date_arg(args: Mapping[str, Any], key: str) -> date | None:
    value = args.get(key)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _exclusive_range(args: Mapping[str, Any], after: str, before: str) -> str | None:
    """Describe an on-or-after / strictly-before pair of arguments, or None when unset."""
    start, end = _date_arg(args, after), _date_arg(args, before)
    if start is None and end is None:
        return None
    return describe_range(start, end - timedelta(days=1) if end else None)


def _filters(parts: Iterable[str | None]) -> str:
    kept = [p for p in parts if p]
    return f" ({', '.join(kept)})" if kept else ""


def _sheets(args: Mapping[str, Any], data: Any) -> str:
    sheets = list(data.get("sheets") or [])
    total = int(data.get("total", len(sheets)))
    where = data.get("folder") or args.get("folder")
    filters = _filters(
        (
            f"name contains “{args['name_contains']}”" if args.get("name_contains") else None,
            f"in {where}" if where else None,
            _exclusive_range(args, "modified_after", "modified_before"),
        )
    )
    if not sheets:
        return f"No spreadsheets match{filters}."
    lines = [
        f"- {_clip(s.get('name'))} — {_clip(s.get('path'))}, modified {_day_of(s.get('modified'))}"
        for s in sheets[:MAX_LISTED]
    ]
    head = f"Found {_plural(total, 'spreadsheet')}{filters}"
    head += f", showing the newest {len(sheets)}:" if total > len(sheets) else ", newest first:"
    return "\n".join([head, *lines]) + _more(len(sheets), min(len(sheets), MAX_LISTED))


def _created_sheet(args: Mapping[str, Any], data: Any) -> str:
    folder = data.get("folder") or "the drive root"
    return (
        f"Created “{_clip(data.get('name'))}” in {_clip(folder)} from the template "
        f"“{_clip(data.get('template'))}” (path: {_clip(data.get('path'))})."
    )


def _files(args: Mapping[str, Any], data: Any) -> str:
    files = list(data.get("files") or [])
    where = data.get("folder") or "the drive root"
    if not files:
        kind = f"{args['kind']}s" if args.get("kind") else "files"
        return f"There are no {kind} in {_clip(where)}{_filters([_name_filter(args)])}."
    kinds: dict[str, int] = {}
    for f in files:
        kinds[str(f.get("kind", "file"))] = kinds.get(str(f.get("kind", "file")), 0) + 1
    breakdown = ", ".join(_plural(n, k) for k, n in sorted(kinds.items()))
    lines = [f"- {_clip(f.get('name'))} ({f.get('kind', 'file')})" for f in files[:MAX_LISTED]]
    head = f"{_clip(where)} holds {_plural(len(files), 'item')}: {breakdown}."
    return "\n".join([head, *lines]) + _more(len(files), min(len(files), MAX_LISTED))


def _name_filter(args: Mapping[str, Any]) -> str | None:
    return f"name contains “{args['name_contains']}”" if args.get("name_contains") else None


def _summary(args: Mapping[str, Any], data: Any) -> str:
    rows = list(data.get("rows") or [])
    totals = data.get("totals") or {}
    period = describe_range(_date_arg(data, "start"), _date_arg(data, "end"))
    group = data.get("group_by") or args.get("group_by") or "product"
    head = (
        f"Built the summary sheet {_clip(data.get('path'))}, grouped by {group} ({period}): "
        f"{_plural(int(totals.get('orders', 0)), 'order')}, "
        f"{_plural(int(totals.get('quantity', 0)), 'item')}, "
        f"total {_money(totals.get('total', 0))}."
    )
    if not rows:
        return head + " No orders fell in that period."
    lines = [
        f"- {_clip(r.get('group'))}: {_plural(int(r.get('orders', 0)), 'order')}, "
        f"{r.get('quantity', 0)} items, {_money(r.get('total', 0))}"
        for r in rows[:MAX_LISTED]
    ]
    return "\n".join([head, *lines]) + _more(len(rows), min(len(rows), MAX_LISTED))


def _customer_name(order: Mapping[str, Any]) -> str:
    customer = order.get("customer")
    if isinstance(customer, Mapping):
        return _clip(customer.get("name") or customer.get("email") or "?", 60)
    return _clip(customer or "?", 60)


def _order_line(order: Mapping[str, Any]) -> str:
    line = (
        f"- {_short_id(order.get('id'))} {_customer_name(order)}: {_clip(order.get('product'), 40)}"
        f" ×{order.get('quantity', 1)}, {order.get('status')}, created "
        f"{_day_of(order.get('created_at'))}"
    )
    if order.get("status") == "failed" and order.get("failed_step"):
        line += f" (failed at {order['failed_step']})"
    return line


# An order's status as the end of "Order 3f1c2a9e for Alice (mug ×2) ...".
_STATUS_PHRASES: dict[str, str] = {
    "received": "has been received",
    "processing": "is being processed",
    "awaiting_approval": "is awaiting approval",
    "completed": "is completed",
    "failed": "has failed",
    "cancelled": "was cancelled",
}


def _order(args: Mapping[str, Any], data: Any) -> str:
    status = str(data.get("status"))
    text = (
        f"Order {_short_id(data.get('id'))} for {_customer_name(data)} "
        f"({_clip(data.get('product'), 60)} ×{data.get('quantity', 1)}) "
        + _STATUS_PHRASES.get(status, f"has status {status}")
    )
    if data.get("current_step") and status == "processing":
        text += f", at step {data['current_step']}"
    text += "."
    if status == "failed":
        text += f" It stopped at {data.get('failed_step') or 'an unknown step'}"
        text += f": {_clip(data['error'])}." if data.get("error") else "."
    versions = list(data.get("design_versions") or [])
    if versions:
        latest = versions[-1]
        text += f" Latest design: version {latest.get('version')}"
        text += f" ({latest['decision']})." if latest.get("decision") else "."
    if data.get("folder_path"):
        text += f" Folder: {_clip(data['folder_path'])}."
    return text


def _orders(args: Mapping[str, Any], data: Any) -> str:
    items = list(data.get("items") or [])
    total = int(data.get("total", len(items)))
    filters = _filters(
        (
            args.get("status"),
            f"customer “{args['customer']}”" if args.get("customer") else None,
            _exclusive_range(args, "created_after", "created_before"),
        )
    )
    if not items:
        return f"No orders match{filters}."
    head = f"Found {_plural(total, 'order')}{filters}"
    head += f", showing {len(items)}:" if total > len(items) else ":"
    lines = [_order_line(o) for o in items[:MAX_LISTED]]
    return "\n".join([head, *lines]) + _more(len(items), min(len(items), MAX_LISTED))


def _retried(args: Mapping[str, Any], data: Any) -> str:
    return f"Retrying order {_short_id(data.get('id'))}: it is {data.get('status')} again" + (
        f", from step {data['current_step']}." if data.get("current_step") else "."
    )


def _reviewed(args: Mapping[str, Any], data: Any) -> str:
    order = _short_id(data.get("id") or args.get("order_id"))
    if args.get("approved"):
        return f"Approved the design of order {order}; it is now {data.get('status')}."
    return (
        f"Sent order {order} back with your feedback “{_clip(args.get('feedback'))}”; "
        f"it is now {data.get('status')} while a new design version is made."
    )


def _notified(args: Mapping[str, Any], data: Any) -> str:
    event = str(args.get("event", "")).replace("_", " ")
    if isinstance(data, Mapping) and isinstance(data.get("notifications"), list):
        data = data["notifications"]  # the notify tool's result
    records = data if isinstance(data, list) else [data]
    sent = [
        f"{r.get('audience', 'recipient')} ({r.get('status', 'sent')})"
        for r in records
        if isinstance(r, Mapping)
    ]
    who = ", ".join(sent) if sent else "the recipients"
    return (
        f"Sent the “{event}” notification for order {_short_id(args.get('order_id'))}, "
        f"version {args.get('version')}: {who}."
    )


_FORMATTERS: dict[str, Callable[[Mapping[str, Any], Any], str]] = {
    "list_sheets": _sheets,
    "create_sheet_from_template": _created_sheet,
    "list_files": _files,
    "build_summary_sheet": _summary,
    "get_order": _order,
    "list_orders": _orders,
    "retry_order": _retried,
    "approve_order": _reviewed,
    "notify": _notified,
}

# What a failed call was trying to do, for "I couldn't ..." replies.
_ACTIONS: dict[str, str] = {
    "list_sheets": "list the spreadsheets",
    "create_sheet_from_template": "create the sheet",
    "list_files": "list that folder",
    "build_summary_sheet": "build the summary sheet",
    "get_order": "find that order",
    "list_orders": "list the orders",
    "retry_order": "retry that order",
    "approve_order": "record that review",
    "notify": "send that notification",
}

# Framing that LangGraph's ToolNode wraps around errors; the user needs the cause only.
_ERROR_FRAMING = (
    re.compile(
        r"^Error(?: invoking| executing)? tool '[^']*' with kwargs .*? with error:\s*", re.S
    ),
    re.compile(r"^Error:\s*"),
    re.compile(r"\s*Please fix (?:your mistakes|the error and try again)\.?\s*$"),
)


def describe_error(result: ToolResult) -> str:
    """A plain explanation of a failed tool call."""
    raw = result.content
    if isinstance(raw, Mapping):
        raw = raw.get("detail") or raw.get("error") or raw.get("message") or json.dumps(raw)
    text = str(raw).strip()
    for pattern in _ERROR_FRAMING:
        text = pattern.sub("", text).strip()
    # Pydantic's messages end with a documentation link that means nothing to an admin.
    text = re.sub(r"\s*For further information visit \S+", "", text)
    text = re.sub(r"\s*\[type=[^\]]*\]", "", text)
    action = _ACTIONS.get(result.tool, f"run {result.tool}")
    lowered = text.lower()
    if "denied" in lowered or "may not use" in lowered or "not allowed" in lowered:
        return f"I couldn't {action}: your role isn't allowed to do that."
    return f"I couldn't {action}: {_clip(text, 400) or 'the tool reported an error'}."


def _generic(result: ToolResult) -> str:
    data = result.content
    shown = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, default=str)
    return f"{result.tool} returned: {_clip(shown, 400)}"


# The key each formatter cannot do without. A result without it is some other shape (a newer
# schema, another tool of the same name): shown as it is rather than misread as "nothing found".
_REQUIRED_KEYS: dict[str, str] = {
    "list_sheets": "sheets",
    "create_sheet_from_template": "path",
    "list_files": "files",
    "build_summary_sheet": "path",
    "get_order": "status",
    "list_orders": "items",
    "retry_order": "status",
    "approve_order": "status",
}


def _one(result: ToolResult) -> str:
    if result.error:
        return describe_error(result)
    formatter = _FORMATTERS.get(result.tool)
    data = result.content
    key = _REQUIRED_KEYS.get(result.tool)
    if formatter is None or not isinstance(data, Mapping | list):
        return _generic(result)
    if key is not None and not (isinstance(data, Mapping) and key in data):
        return _generic(result)
    try:
        return formatter(result.args, result.content)
    except (AttributeError, TypeError, ValueError, KeyError):
        # The tool answered in a shape this formatter does not know (a newer schema): still
        # show the result rather than fail the conversation.
        return _generic(result)


def write_reply(results: Sequence[ToolResult], *, note: str | None = None) -> str:
    """The final reply after tool calls: one paragraph per result, in call order."""
    parts = [note] if note else []
    parts.extend(_one(r) for r in results)
    if not results:
        parts.append("There was nothing to report.")
    return "\n\n".join(parts)

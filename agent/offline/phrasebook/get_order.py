"""get_order: one order's status, step, design versions and folder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.offline.phrasebook.entry import Entry, IntentRule
from agent.offline.phrasebook.shared import ORDER_ID, ask_order_id, customer_name
from agent.offline.slots import Slots
from agent.offline.wording import clip, short_id

__all__ = ["ENTRY"]

# An order's status as the end of "Order 3f1c2a9e for Alice (mug ×2) ...".
_STATUS_PHRASES: dict[str, str] = {
    "received": "has been received",
    "processing": "is being processed",
    "awaiting_approval": "is awaiting approval",
    "completed": "is completed",
    "failed": "has failed",
    "cancelled": "was cancelled",
}


def build(slots: Slots) -> dict[str, Any]:
    return {ORDER_ID: slots.order_id}


def reply(args: Mapping[str, Any], data: Any) -> str:
    status = str(data.get("status"))
    text = (
        f"Order {short_id(data.get('id'))} for {customer_name(data)} "
        f"({clip(data.get('product'), 60)} ×{data.get('quantity', 1)}) "
        + _STATUS_PHRASES.get(status, f"has status {status}")
    )
    if data.get("current_step") and status == "processing":
        text += f", at step {data['current_step']}"
    text += "."
    if status == "failed":
        text += f" It stopped at {data.get('failed_step') or 'an unknown step'}"
        text += f": {clip(data['error'])}." if data.get("error") else "."
    versions = list(data.get("design_versions") or [])
    if versions:
        latest = versions[-1]
        text += f" Latest design: version {latest.get('version')}"
        text += f" ({latest['decision']})." if latest.get("decision") else "."
    if data.get("folder_path"):
        text += f" Folder: {clip(data['folder_path'])}."
    return text


ENTRY = Entry(
    tool="get_order",
    capability="look up an order",
    action="find that order",
    rules=(
        IntentRule(
            verbs=r"\b(?:show|get|check|look\s+up|lookup|find|open|details?|status|what'?s|"
            r"where'?s|how'?s|what\s+is|where\s+is|tell\s+me\s+about)\b",
            nouns=r"\border\b",
            needs="either",
            weight=3,
            wants_id=True,
            needs_id=True,
        ),
    ),
    build=build,
    parameters=frozenset((ORDER_ID,)),
    required=lambda args: [ORDER_ID],
    ask=lambda args, missing, slots: ask_order_id("look up", slots),
    reply=reply,
    result_keys=frozenset(
        (
            "id",
            "status",
            "customer",
            "customer.name",
            "customer.email",
            "product",
            "quantity",
            "current_step",
            "failed_step",
            "error",
            "design_versions",
            "design_versions.version",
            "design_versions.decision",
            "folder_path",
        )
    ),
    shape_key="status",
    filters=frozenset(("order",)),
)

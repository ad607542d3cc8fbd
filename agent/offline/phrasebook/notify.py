"""notify: tell a customer that a design version is ready or that the order is completed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.offline.phrasebook.entry import Entry, IntentRule
from agent.offline.phrasebook.shared import ORDER_ID, ask_order_id
from agent.offline.slots import EVENTS, Slots
from agent.offline.wording import short_id

__all__ = ["ENTRY"]


def build(slots: Slots) -> dict[str, Any]:
    return {ORDER_ID: slots.order_id, "event": slots.event, "version": slots.version}


def ask(args: Mapping[str, Any], missing: list[str], slots: Slots) -> str:
    if ORDER_ID in missing:
        return ask_order_id("send a notification about", slots)
    if "event" in missing:
        return "Which notification: that the design is ready, or that the order is completed?"
    return "Which design version is the notification about (e.g. version 2)?"


def reply(args: Mapping[str, Any], data: Any) -> str:
    event = str(args.get("event", "")).replace("_", " ")
    if isinstance(data, Mapping) and isinstance(data.get("notifications"), list):
        data = data["notifications"]  # the notify tool's result; one record is shown as well
    records = data if isinstance(data, list) else [data]
    sent = [
        f"{r.get('audience', 'recipient')} ({r.get('status', 'sent')})"
        for r in records
        if isinstance(r, Mapping)
    ]
    who = ", ".join(sent) if sent else "the recipients"
    return (
        f"Sent the “{event}” notification for order {short_id(args.get(ORDER_ID))}, "
        f"version {args.get('version')}: {who}."
    )


ENTRY = Entry(
    tool="notify",
    capability="notify a customer that a design is ready or an order is completed",
    action="send that notification",
    rules=(
        IntentRule(
            verbs=r"\b(?:notify|inform|alert|ping)\b|\b(?:e-?mail|mail|message|tell|text|let)\s+"
            r"(?:the\s+)?(?:customer|client|buyer|them|him|her)\b|"
            r"\bsend\s+(?:(?:a|an|the)\s+)?(?:notification|notice|e-?mail|message)\b",
            nouns=r"\b(?:customer|client|buyer|notification)\b",
            needs="verb",
            weight=6,
            wants_id=True,
        ),
    ),
    build=build,
    parameters=frozenset((ORDER_ID, "event", "version")),
    values={"event": EVENTS},
    required=lambda args: [ORDER_ID, "event", "version"],
    ask=ask,
    reply=reply,
    result_keys=frozenset(("notifications", "notifications.audience", "notifications.status")),
    free_text=True,
)

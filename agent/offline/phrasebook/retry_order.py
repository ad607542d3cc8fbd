"""retry_order: re-run the step a failed order stopped at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.offline.phrasebook.entry import Entry, IntentRule
from agent.offline.phrasebook.shared import ORDER_ID, ask_order_id
from agent.offline.slots import Slots
from agent.offline.wording import short_id

__all__ = ["ENTRY"]


def build(slots: Slots) -> dict[str, Any]:
    return {ORDER_ID: slots.order_id}


def reply(args: Mapping[str, Any], data: Any) -> str:
    return f"Retrying order {short_id(data.get('id'))}: it is {data.get('status')} again" + (
        f", from step {data['current_step']}." if data.get("current_step") else "."
    )


ENTRY = Entry(
    tool="retry_order",
    capability="retry a failed order",
    action="retry that order",
    rules=(
        IntentRule(
            verbs=r"\b(?:retry|re-?try|re-?run|restart|resume|reprocess|"
            r"try\s+(?:it\s+|that\s+)?again|run\s+(?:\S+\s+){0,3}?again|"
            r"try\s+(?:\S+\s+){1,3}?again|kick\s+(?:\S+\s+){0,3}?off\s+(?:\S+\s+){0,3}?again)\b",
            nouns=r"\b(?:orders?|it|this|that|step|pipeline)\b",
            needs="verb",
            weight=6,
            wants_id=True,
        ),
    ),
    build=build,
    parameters=frozenset((ORDER_ID,)),
    required=lambda args: [ORDER_ID],
    ask=lambda args, missing, slots: ask_order_id("retry", slots),
    reply=reply,
    result_keys=frozenset(("id", "status", "current_step")),
    shape_key="status",
)

"""approve_order: approve an order's design, or send it back with the reviewer's feedback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.offline.phrasebook.entry import Entry, IntentRule
from agent.offline.phrasebook.shared import ORDER_ID, ask_order_id, first
from agent.offline.slots import Slots
from agent.offline.wording import clip, short_id

__all__ = ["ENTRY", "REJECT_VERBS"]

# Also read before slots are taken: a rejection's free-text feedback is taken first.
REJECT_VERBS = (
    r"\b(?:reject|decline|disapprove|turn\s+down|send\s+(?:\S+\s+){0,3}?back|sent\s+back|"
    r"request(?:ing)?\s+changes|ask(?:ing)?\s+for\s+changes|needs?\s+changes|"
    r"changes\s+requested|(?:don'?t|do\s+not|not)\s+approve|revise|redo|rework)\b"
)
_NOUNS = r"\b(?:orders?|designs?|proofs?|it|this|that)\b"


def build(slots: Slots) -> dict[str, Any]:
    return {ORDER_ID: slots.order_id, "feedback": slots.feedback or first(slots.unassigned())}


def required(args: Mapping[str, Any]) -> list[str]:
    return [ORDER_ID] if args.get("approved", True) else [ORDER_ID, "feedback"]


def ask(args: Mapping[str, Any], missing: list[str], slots: Slots) -> str:
    if ORDER_ID in missing:
        return ask_order_id("approve" if args.get("approved", True) else "send back", slots)
    return (
        "Tell me the feedback for the designer, e.g. “reject it because the logo is too small”. "
        f"What should change in the design of order {args[ORDER_ID]}?"
    )


def reply(args: Mapping[str, Any], data: Any) -> str:
    order = short_id(data.get("id") or args.get(ORDER_ID))
    if args.get("approved"):
        return f"Approved the design of order {order}; it is now {data.get('status')}."
    return (
        f"Sent order {order} back with your feedback “{clip(args.get('feedback'))}”; "
        f"it is now {data.get('status')} while a new design version is made."
    )


ENTRY = Entry(
    tool="approve_order",
    capability="approve an order's design or send it back with feedback",
    action="record that review",
    rules=(
        IntentRule(
            verbs=REJECT_VERBS,
            nouns=_NOUNS,
            needs="verb",
            weight=7,
            preset={"approved": False},
            wants_id=True,
        ),
        IntentRule(
            verbs=r"\b(?:approve|accept|sign\s+off(?:\s+on)?|sign-off|green[\s-]?light|lgtm|"
            r"looks\s+good|ok(?:ay)?\s+the\s+design)\b",
            nouns=_NOUNS,
            needs="verb",
            weight=6,
            preset={"approved": True},
            wants_id=True,
        ),
    ),
    build=build,
    parameters=frozenset((ORDER_ID, "approved", "feedback")),
    required=required,
    ask=ask,
    reply=reply,
    result_keys=frozenset(("id", "status")),
    shape_key="status",
    # A follow-up may point the same review at another order ("and 9b8c7d6e too"), but never
    # turns an approval into a rejection or back.
    fixed_in_follow_ups=frozenset(("approved",)),
    free_text=True,
)

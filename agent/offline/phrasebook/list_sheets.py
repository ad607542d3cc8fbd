"""list_sheets: spreadsheets by name, folder, modification dates and count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.offline.phrasebook.entry import Entry, IntentRule
from agent.offline.phrasebook.shared import exclusive_dates, first, folder
from agent.offline.slots import Slots
from agent.offline.wording import clip, day_of, exclusive_range, in_parens, listed, plural

__all__ = ["ENTRY"]


def build(slots: Slots) -> dict[str, Any]:
    return {
        "name_contains": slots.named("contains", "name")
        or first(slots.unassigned())
        or slots.named("modifier", "only"),
        "folder": folder(slots.named("folder", "in", "from")),
        "limit": slots.limit,
        **exclusive_dates(slots, "modified_after", "modified_before"),
    }


def reply(args: Mapping[str, Any], data: Any) -> str:
    sheets = list(data.get("sheets") or [])
    total = int(data.get("total", len(sheets)))
    where = data.get("folder") or args.get("folder")
    filters = in_parens(
        (
            f"name contains “{args['name_contains']}”" if args.get("name_contains") else None,
            f"in {where}" if where else None,
            exclusive_range(args, "modified_after", "modified_before"),
        )
    )
    if not sheets:
        return f"No spreadsheets match{filters}."
    head = f"Found {plural(total, 'spreadsheet')}{filters}"
    head += f", showing the newest {len(sheets)}:" if total > len(sheets) else ", newest first:"
    lines = [
        f"- {clip(s.get('name'))} — {clip(s.get('path'))}, modified {day_of(s.get('modified'))}"
        for s in sheets
    ]
    return listed(head, lines)


ENTRY = Entry(
    tool="list_sheets",
    capability="list spreadsheets by name, folder or date",
    action="list the spreadsheets",
    rules=(
        IntentRule(
            verbs=r"\b(?:list|show|find|get|give|which|what|any|how\s+many|display|see|search|"
            r"look\s+for)\b",
            nouns=r"\b(?:sheets?|spreadsheets?|workbooks?|xlsx|excel\s+files?)\b",
            needs="noun",
            weight=3,
        ),
    ),
    build=build,
    parameters=frozenset(("name_contains", "folder", "limit", "modified_after", "modified_before")),
    date_params=frozenset(("modified_after", "modified_before")),
    reply=reply,
    result_keys=frozenset(
        ("folder", "total", "sheets", "sheets.name", "sheets.path", "sheets.modified")
    ),
    shape_key="sheets",
    filters=frozenset(("dates", "limit")),
)

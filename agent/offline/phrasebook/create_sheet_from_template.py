"""create_sheet_from_template: a new sheet as a copy of a template, named and placed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.offline.phrasebook.entry import Entry, IntentRule
from agent.offline.phrasebook.shared import first, folder, quoted
from agent.offline.slots import Slots
from agent.offline.wording import clip

__all__ = ["ENTRY"]


def build(slots: Slots) -> dict[str, Any]:
    plain = slots.unassigned()
    # "copy 'Price List' to 'Price List 2028'": a quoted name after "to" is the new sheet.
    title = slots.named("name", "as") or quoted(slots, "to") or (plain.pop(0) if plain else None)
    template = slots.named("template", "from") or first(plain)
    return {"template": template, "title": title, "folder": folder(slots.named("folder", "in"))}


def required(args: Mapping[str, Any]) -> list[str]:
    return ["template", "title"]


def ask(args: Mapping[str, Any], missing: list[str], slots: Slots) -> str:
    if len(missing) == 2:
        return "Which template should I use, and what should the new sheet be called?"
    if "template" in missing:
        return f"Which template should I use for “{args['title']}”?"
    return f"What should the new sheet made from the “{args['template']}” template be called?"


def reply(args: Mapping[str, Any], data: Any) -> str:
    where = data.get("folder") or "the drive root"
    return (
        f"Created “{clip(data.get('name'))}” in {clip(where)} from the template "
        f"“{clip(data.get('template'))}” (path: {clip(data.get('path'))})."
    )


def _names_a_template(slots: Slots) -> bool:
    """A template's name after "from" stands for "template"; so does a quoted name after
    "create" ("create 'Q1' from 'Price List'")."""
    return slots.named("template") is not None or any(
        m.quoted and m.cue in ("from", "plain") for m in slots.mentions
    )


ENTRY = Entry(
    tool="create_sheet_from_template",
    capability="create a sheet from a template",
    action="create the sheet",
    rules=(
        IntentRule(
            verbs=r"\b(?:make|create|copy|duplicate|clone|start|set\s+up|setup|spin\s+up|add|"
            r"generate|use)\b|\bnew\s+(?:sheet|spreadsheet|workbook)\b(?!s)",
            nouns=r"\b(?:templates?|sheet|spreadsheet|workbook)\b",
            needs="both",
            weight=5,
            implied_noun=_names_a_template,
            bonus=lambda text, slots: 2 if "template" in text else 0,
        ),
    ),
    build=build,
    parameters=frozenset(("template", "title", "folder")),
    required=required,
    ask=ask,
    reply=reply,
    result_keys=frozenset(("name", "folder", "template", "path")),
    shape_key="path",
)

"""list_files: what is in a folder, by kind, name and count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.offline.phrasebook.entry import Entry, IntentRule
from agent.offline.phrasebook.shared import first, folder
from agent.offline.slots import KINDS, Slots
from agent.offline.wording import clip, in_parens, listed, plural

__all__ = ["ENTRY"]


def build(slots: Slots) -> dict[str, Any]:
    where = slots.named("folder", "in", "for", "from") or first(slots.unassigned())
    return {
        "folder": folder(where),
        "kind": slots.kind,
        "name_contains": slots.named("contains", "name", "only"),
        "limit": slots.limit,
    }


def _name_filter(args: Mapping[str, Any]) -> str | None:
    return f"name contains “{args['name_contains']}”" if args.get("name_contains") else None


def reply(args: Mapping[str, Any], data: Any) -> str:
    files = list(data.get("files") or [])
    where = clip(data.get("folder") or "the drive root")
    total = int(data.get("total", len(files)))
    if not files:
        kind = f"{args['kind']}s" if args.get("kind") else "files"
        return f"There are no {kind} in {where}{in_parens([_name_filter(args)])}."
    kinds: dict[str, int] = {}
    for f in files:
        kinds[str(f.get("kind", "file"))] = kinds.get(str(f.get("kind", "file")), 0) + 1
    breakdown = ", ".join(plural(n, k) for k, n in sorted(kinds.items()))
    if total > len(files):
        head = f"{where} holds {plural(total, 'item')}{in_parens([_name_filter(args)])}; "
        head += f"the newest {len(files)}: {breakdown}."
    else:
        head = f"{where} holds {plural(len(files), 'item')}: {breakdown}."
    lines = [f"- {clip(f.get('name'))} ({f.get('kind', 'file')})" for f in files]
    return listed(head[0].upper() + head[1:], lines)


ENTRY = Entry(
    tool="list_files",
    capability="list what is in a folder",
    action="list that folder",
    rules=(
        IntentRule(
            verbs=r"\b(?:what'?s\s+in|what\s+is\s+in|what'?s\s+inside|what\s+is\s+inside|"
            r"what\s+do\s+we\s+have\s+in|look\s+inside|contents?\s+of|browse|open)\b",
            nouns=r"\b(?:files?|contents?|documents?|docs|images?|pictures?|photos?|pdfs?|"
            r"folders?|sub-?folders?|directories|directory|everything|anything)\b",
            needs="either",
            weight=2,
            bonus=lambda text, slots: 1 if slots.named("folder", "in") is not None else 0,
        ),
    ),
    build=build,
    parameters=frozenset(("folder", "kind", "name_contains", "limit")),
    values={"kind": KINDS},
    reply=reply,
    result_keys=frozenset(("folder", "total", "files", "files.name", "files.kind")),
    shape_key="files",
    absorbs=frozenset(("list_sheets",)),
    filters=frozenset(("limit", "kind")),
    instead=("list_sheets",),
)

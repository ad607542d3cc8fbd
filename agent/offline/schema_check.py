"""The phrasebook checked against the tools it is bound with: every parameter and result key
an entry names must exist in that tool's input and output schema, and every value it may send
for a parameter with fixed values must be one of them.

Run when the offline model is bound (the admin graph binds it once at start-up), so a field
renamed in a tool fails loudly there, instead of the interpreter quietly sending an argument
the tool drops or reading a result key that is no longer there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from agent.offline.calls import property_enum
from agent.offline.phrasebook import PHRASEBOOK, Entry

__all__ = ["PhrasebookMismatch", "check_bound_tools", "mismatches"]


class PhrasebookMismatch(ValueError):
    """A phrasebook entry names a parameter or result key its tool does not have."""


def _objects(node: Any, root: Mapping[str, Any], depth: int = 0) -> Iterator[Mapping[str, Any]]:
    """The object schemas ``node`` can be: through $ref, anyOf/oneOf/allOf and list items."""
    if not isinstance(node, Mapping) or depth > 20:
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, Mapping) else None
        yield from _objects(target, root, depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key) or ():
            yield from _objects(option, root, depth + 1)
    if "items" in node:
        yield from _objects(node["items"], root, depth + 1)
    if isinstance(node.get("properties"), Mapping):
        yield node


def has_key(schema: Mapping[str, Any], path: str) -> bool:
    """Whether the dotted ``path`` ("sheets.name") names a property of ``schema``; lists are
    looked through, so "sheets.name" is the name of each sheet."""
    nodes: list[Any] = [schema]
    for part in path.split("."):
        nodes = [
            obj["properties"][part]
            for node in nodes
            for obj in _objects(node, schema)
            if part in obj["properties"]
        ]
        if not nodes:
            return False
    return True


def _allowed(prop: Any) -> list[Any] | None:
    """The values a parameter (or each item of a list parameter) allows; None when any goes."""
    if not isinstance(prop, Mapping):
        return None
    items = prop.get("items")
    return property_enum(items if isinstance(items, Mapping) else prop)


def mismatches(
    entry: Entry, parameters: Mapping[str, Any], output: Mapping[str, Any] | None
) -> list[str]:
    """What ``entry`` names that its tool lacks: parameters missing from ``parameters`` (the
    input schema's properties), values those parameters do not allow, and result keys missing
    from ``output`` (when known)."""
    problems = [
        f"{entry.tool}: parameter {name!r} is not in the tool's input schema"
        for name in sorted(entry.parameters)
        if name not in parameters
    ]
    for name, values in sorted(entry.values.items()):
        allowed = _allowed(parameters.get(name))
        problems += [
            f"{entry.tool}: parameter {name!r} does not allow the value {value!r}"
            for value in sorted(values)
            if allowed is not None and value not in allowed
        ]
    if output is not None:
        problems += [
            f"{entry.tool}: result key {key!r} is not in the tool's output schema"
            for key in sorted(entry.result_keys)
            if not has_key(output, key)
        ]
    return problems


def check_bound_tools(
    tools: Iterable[tuple[str, Mapping[str, Any], Mapping[str, Any] | None]],
) -> None:
    """Check every bound tool the phrasebook has an entry for: (name, input properties,
    output schema or None). Raises :class:`PhrasebookMismatch` listing every problem."""
    problems = [
        problem
        for name, parameters, output in tools
        if name in PHRASEBOOK
        for problem in mismatches(PHRASEBOOK[name], parameters, output)
    ]
    if problems:
        raise PhrasebookMismatch(
            "the offline interpreter's phrasebook does not match the tools it was bound with: "
            + "; ".join(problems)
        )

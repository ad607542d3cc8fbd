"""What goes in and out of the interpreter: a bound tool's schema, the previous turn's call and
the :class:`Interpretation` of a command; and fitting arguments to a tool's JSON schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Interpretation",
    "PreviousCall",
    "ReplyKind",
    "ToolSchema",
    "conform",
    "drop_none",
    "property_enum",
    "property_types",
]


@dataclass(frozen=True)
class ToolSchema:
    """A bound tool as the model sees it: name, description and JSON-schema parameters."""

    name: str
    description: str = ""
    properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    required: frozenset[str] = frozenset()

    @classmethod
    def from_openai(cls, tool: Mapping[str, Any]) -> ToolSchema:
        """From ``convert_to_openai_tool`` output (``{"type": "function", "function": ...}``)."""
        function = tool.get("function", tool)
        parameters = function.get("parameters") or {}
        return cls(
            name=str(function["name"]),
            description=str(function.get("description") or ""),
            properties=dict(parameters.get("properties") or {}),
            required=frozenset(parameters.get("required") or ()),
        )


@dataclass(frozen=True)
class PreviousCall:
    """What the previous human turn led to, for follow-ups.

    Either the tool call it made, or (``pending=True``) the call it could not make yet because
    the interpreter asked a clarifying question; ``args`` are then the details it already had.
    ``asks`` is the detail the question asked for (by default the first one missing), and
    after "did you mean X or Y?", ``choices`` are X and Y, in the order offered.
    """

    tool: str
    args: Mapping[str, Any]
    pending: bool = False
    asks: str | None = None
    choices: tuple[str, ...] = ()


# What a reply without a tool call is: a question (the next turn may answer it), an answer
# (a greeting, the list of what is possible), or a refusal (nothing can or will be done).
ReplyKind = Literal["question", "answer", "refusal"]


@dataclass(frozen=True)
class Interpretation:
    """What to do with a command: call ``tool`` with ``args``, or answer with ``reply``.

    Attributes:
        tool: the tool to call, or None when the answer is ``reply``.
        args: the call's arguments; with a clarifying question, the details already known.
        reply: the text to answer with instead of calling a tool.
        refine: the call re-issues the previous turn's tool with new constraints.
        asks_for: with a clarifying question, the tool it is about, so the answer can complete
            the call on the next turn.
        kind: what ``reply`` is: a question, an answer or a refusal.
        note: with a call, what to say before its result (the tool answers in place of the
            one asked for, which could not apply one of the command's filters).
    """

    tool: str | None
    args: dict[str, Any] = field(default_factory=dict)
    reply: str | None = None
    refine: bool = False
    asks_for: str | None = None
    kind: ReplyKind = "refusal"
    note: str | None = None


def property_types(schema: Mapping[str, Any]) -> set[str]:
    """The JSON types a property accepts (looking through anyOf/oneOf)."""
    found: set[str] = set()
    kinds = schema.get("type")
    if isinstance(kinds, str):
        found.add(kinds)
    elif isinstance(kinds, list):
        found.update(str(k) for k in kinds)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key) or ():
            found |= property_types(option)
    return found


def property_enum(schema: Mapping[str, Any]) -> list[Any] | None:
    """The values a property allows (looking through anyOf/oneOf), or None when any goes."""
    if "enum" in schema:
        return list(schema["enum"])
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key) or ():
            values = property_enum(option)
            if values is not None:
                return values
    return None


def drop_none(args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments that have a value."""
    return {k: v for k, v in args.items() if v is not None}


def conform(args: Mapping[str, Any], schema: ToolSchema) -> dict[str, Any]:
    """Keep only the arguments the bound schema has, with values its enums allow."""
    if not schema.properties:
        return dict(args)
    kept: dict[str, Any] = {}
    for key, value in args.items():
        prop = schema.properties.get(key)
        if prop is None:
            continue
        allowed = property_enum(prop)
        if isinstance(value, list):
            items = prop.get("items") or {}
            item_enum = property_enum(items) if isinstance(items, Mapping) else None
            value = [v for v in value if item_enum is None or v in item_enum]
            if not value:
                continue
        elif allowed is not None and value not in allowed:
            continue
        kept[key] = value
    return kept

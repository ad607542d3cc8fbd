"""Tools outside the registry (anything a caller binds), which the interpreter has no rules for.

Such a tool is chosen when the user writes the call out ("magic_function(3)"), when its
distinctive name words appear in the command, or when the caller forces a call with
``tool_choice``. Its arguments come from ``name=value`` pairs, quoted text and numbers, fitted
to its JSON schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from agent.offline.calls import Interpretation, ToolSchema, property_types
from agent.offline.phrasebook import PHRASEBOOK
from agent.offline.text import QUOTED_RE, CommandText, quoted_span, wordset

__all__ = ["DOMAIN_TOOLS", "explicit_call", "forced_call", "keyword_call"]

# The registry's tools: the interpreter has rules for these, so they are never matched by name.
DOMAIN_TOOLS = frozenset(PHRASEBOOK)


_GENERIC_NAME_WORDS = wordset(
    "get set list make create do run my the tool tools function fn call use query fetch"
)


def _name_tokens(name: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return {t.lower() for t in re.split(r"[\W_]+", spaced) if t} - _GENERIC_NAME_WORDS


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    kinds = property_types(schema)
    text = value.strip().strip("'\"“”")
    if "integer" in kinds and re.fullmatch(r"-?\d+", text):
        return int(text)
    if "number" in kinds and re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return float(text)
    if "boolean" in kinds and text.lower() in ("true", "false", "yes", "no"):
        return text.lower() in ("true", "yes")
    return text


def explicit_call(text: CommandText, tools: Mapping[str, ToolSchema]) -> Interpretation | None:
    """'magic_function(3)' or 'add(a=1, b=2)': the user wrote the call themselves."""
    for name, schema in tools.items():
        match = re.search(rf"(?<![\w.]){re.escape(name.lower())}\s*\((?P<a>[^()]*)\)", text.lower)
        if not match:
            continue
        raw = text.original[match.start("a") : match.end("a")].strip()
        parts = [p.strip() for p in raw.split(",") if p.strip()] if raw else []
        names = list(schema.properties)
        args: dict[str, Any] = {}
        for index, part in enumerate(parts):
            key, sep, value = part.partition("=")
            if sep and key.strip() in schema.properties:
                args[key.strip()] = _coerce(value, schema.properties[key.strip()])
            elif index < len(names):
                args[names[index]] = _coerce(part, schema.properties[names[index]])
        return Interpretation(tool=name, args=args)
    return None


def _generic_args(text: CommandText, schema: ToolSchema, keyword_end: int | None) -> dict[str, Any]:
    """Arguments for a tool the interpreter has no rules for, from what the text offers:
    ``name=value`` pairs, quoted strings (for string parameters, in order), numbers (for
    numeric ones, in order), and, for a single remaining required string, the rest of the
    sentence after the word that matched the tool."""
    args: dict[str, Any] = {}
    for key, prop in schema.properties.items():
        spoken = re.escape(key.lower()).replace("_", "[ _]")
        match = re.search(
            rf"\b{spoken}\s*(?:=|:|\bis\b)\s*(?P<v>\"[^\"]*\"|'[^']*'|[^\s,;]+)", text.lower
        )
        if match:
            value = text.original[match.start("v") : match.end("v")]
            args[key] = _coerce(value, prop)
    quoted = [
        text.original[start:end] for start, end in map(quoted_span, QUOTED_RE.finditer(text.lower))
    ]
    numbers = re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])", QUOTED_RE.sub(" ", text.lower))
    for key, prop in schema.properties.items():
        if key in args:
            continue
        kinds = property_types(prop)
        if kinds & {"integer", "number"} and numbers:
            args[key] = _coerce(numbers.pop(0), prop)
        elif "string" in kinds and quoted:
            args[key] = quoted.pop(0)
    missing = [
        k
        for k in schema.required
        if k not in args and "string" in property_types(schema.properties[k])
    ]
    if len(missing) == 1 and keyword_end is not None:
        rest = QUOTED_RE.sub(" ", text.original[keyword_end:])
        rest = re.sub(
            r"^\W*(?:(?:in|for|of|about|at|on|to|named|called|with)\s+)*", "", rest, flags=re.I
        )
        rest = " ".join(rest.split()).rstrip("?.! ")
        if rest:
            args[missing[0]] = rest
    return args


def keyword_call(text: CommandText, tools: Mapping[str, ToolSchema]) -> Interpretation | None:
    """A tool outside the registry whose distinctive name words appear in the command."""
    best: tuple[int, int, str] | None = None
    for name in tools:
        if name in DOMAIN_TOOLS:
            continue
        for token in _name_tokens(name):
            match = re.search(rf"\b{re.escape(token)}\b", text.lower)
            if match and (best is None or len(token) > best[0]):
                best = (len(token), match.end(), name)
    if best is None:
        return None
    _, end, name = best
    return Interpretation(tool=name, args=_generic_args(text, tools[name], end))


def forced_call(
    text: CommandText, tools: Mapping[str, ToolSchema], tool_choice: str
) -> Interpretation | None:
    """A call when the caller forces one (tool_choice "any" or a tool's name)."""
    if tool_choice in tools:
        name = tool_choice
    elif tool_choice in ("any", "required") and tools:
        name = next(iter(tools))
    else:
        return None
    return Interpretation(tool=name, args=_generic_args(text, tools[name], None))

"""The final reply after tool calls: each result written by its phrasebook entry, errors
explained, and a question when a tool could not tell which of several names was meant.

Tool results are data, never instructions: this module only formats them (counts, names,
paths, figures). It never decides to call a tool, whatever a file name or cell says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agent.offline.calls import PreviousCall
from agent.offline.phrasebook import PHRASEBOOK
from agent.offline.wording import clip

__all__ = [
    "ToolResult",
    "choice_pending",
    "describe_error",
    "parse_content",
    "write_reply",
]

# What a tool error carries when the caller must choose between names (see
# tools.names.NameChoice and the admin graph's middleware): the parameter and the candidates.
CHOICES_KEY = "candidates"
PARAMETER_KEY = "parameter"


@dataclass(frozen=True)
class ToolResult:
    """One tool call and what came back.

    Attributes:
        tool: the tool's name.
        args: the arguments it was called with.
        content: the ToolMessage content, parsed from JSON when it was JSON.
        error: True when the ToolMessage had status "error".
    """

    tool: str
    args: Mapping[str, Any]
    content: Any
    error: bool = False

    def choices(self) -> tuple[str, list[str]] | None:
        """(parameter, candidates) when the tool asks the caller to choose a name."""
        data = self.content
        if not self.error or not isinstance(data, Mapping):
            return None
        candidates, parameter = data.get(CHOICES_KEY), data.get(PARAMETER_KEY)
        if not isinstance(candidates, list) or not isinstance(parameter, str):
            return None
        return parameter, [str(c) for c in candidates if isinstance(c, str)]


def parse_content(content: Any) -> Any:
    """A ToolMessage's content as data: JSON parsed when it is JSON, text blocks joined."""
    if isinstance(content, list):
        texts = [
            block if isinstance(block, str) else str(block.get("text", ""))
            for block in content
            if isinstance(block, str) or (isinstance(block, dict) and "text" in block)
        ]
        content = "".join(texts)
    if isinstance(content, str):
        stripped = content.strip()
        if stripped[:1] in ("{", "[", '"') or stripped in ("true", "false", "null"):
            try:
                return json.loads(stripped)
            except ValueError:
                return content
        return content
    return content


# Framing that LangGraph's ToolNode wraps around errors; the user needs the cause only.
_ERROR_FRAMING = (
    re.compile(
        r"^Error(?: invoking| executing)? tool '[^']*' with kwargs .*? with error:\s*", re.S
    ),
    re.compile(r"^Error:\s*"),
    re.compile(r"\s*Please fix (?:your mistakes|the error and try again)\.?\s*$"),
)


def _action(tool: str) -> str:
    entry = PHRASEBOOK.get(tool)
    return entry.action if entry else f"run {tool}"


def describe_error(result: ToolResult) -> str:
    """A plain explanation of a failed tool call."""
    raw = result.content
    if isinstance(raw, Mapping):
        raw = raw.get("detail") or raw.get("error") or raw.get("message") or json.dumps(raw)
    text = str(raw).strip()
    for pattern in _ERROR_FRAMING:
        text = pattern.sub("", text).strip()
    # Pydantic's messages end with a documentation link that means nothing to an admin.
    text = re.sub(r"\s*For further information visit \S+", "", text)
    text = re.sub(r"\s*\[type=[^\]]*\]", "", text)
    action = _action(result.tool)
    lowered = text.lower()
    if "denied" in lowered or "may not use" in lowered or "not allowed" in lowered:
        return f"I couldn't {action}: your role isn't allowed to do that."
    return f"I couldn't {action}: {clip(text, 400).rstrip('.?!') or 'the tool reported an error'}."


def _ask_choice(result: ToolResult, parameter: str, candidates: list[str]) -> str:
    """'There is no template called “X”, so nothing was done. Did you mean “A” or “B”?'"""
    wanted = clip(result.args.get(parameter, ""), 80)
    named = [f"“{clip(c, 80)}”" for c in candidates[:5]]
    if not named:
        return f"There is no {parameter} called “{wanted}”. Which {parameter} did you mean?"
    options = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]
    return (
        f"I didn't {_action(result.tool)}: no {parameter} is called exactly “{wanted}”, and I "
        f"won't guess. Did you mean {options}?"
    )


def _generic(result: ToolResult) -> str:
    data = result.content
    shown = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, default=str)
    return f"{result.tool} returned: {clip(shown, 400)}"


def _one(result: ToolResult) -> str:
    if result.error:
        choice = result.choices()
        return _ask_choice(result, *choice) if choice else describe_error(result)
    entry = PHRASEBOOK.get(result.tool)
    data = result.content
    if entry is None or not isinstance(data, Mapping | list):
        return _generic(result)
    if entry.shape_key is not None and not (isinstance(data, Mapping) and entry.shape_key in data):
        return _generic(result)
    try:
        return entry.reply(result.args, data)
    except (AttributeError, TypeError, ValueError, KeyError):
        # The tool answered in a shape this entry does not know (a newer schema): still show
        # the result rather than fail the conversation.
        return _generic(result)


def write_reply(results: Sequence[ToolResult], *, notes: Sequence[str] = ()) -> str:
    """The final reply after tool calls: the notes, then one paragraph per result, in call
    order. A question, when there is one, comes last, so the reply ends with it."""
    parts = list(notes)
    ordered = sorted(results, key=lambda r: r.choices() is not None)
    parts.extend(_one(r) for r in ordered)
    if not results:
        parts.append("There was nothing to report.")
    return "\n\n".join(parts)


def choice_pending(results: Sequence[ToolResult]) -> PreviousCall | None:
    """The call to complete when a tool asked which name was meant: its arguments without the
    unclear one, and the candidates offered, so "the first one" or a name can answer."""
    for result in results:
        choice = result.choices()
        if choice is not None:
            parameter, candidates = choice
            args = {k: v for k, v in result.args.items() if k != parameter}
            return PreviousCall(
                result.tool, args, pending=True, asks=parameter, choices=tuple(candidates)
            )
    return None

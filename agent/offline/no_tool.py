"""Replies to commands that no tool answers: empty, over-long or foreign commands, small talk,
requests no tool can do, tools the caller's role may not use, impossible dates.

Each reply says what kind it is (:data:`~agent.offline.calls.ReplyKind`): the model reports a
refusal in the standard ``refusal`` field, so any caller can tell it from an answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from agent.offline.calls import Interpretation, ToolSchema
from agent.offline.dates import DateRange
from agent.offline.phrasebook import PHRASEBOOK
from agent.offline.slots import Slots
from agent.offline.text import CommandText, is_other_language

__all__ = [
    "MAX_COMMAND_CHARS",
    "UNSUPPORTED",
    "cannot",
    "capabilities",
    "capability_list",
    "date_error",
    "dismissed",
    "guard",
    "not_allowed",
    "refuse",
    "small_talk",
]

# Commands are one or two sentences; anything longer is a paste, not a command. The API has
# its own limit on what it accepts; this one guards any other caller of the model.
MAX_COMMAND_CHARS = 4000

# Requests no tool can do, with what to say. Checked whatever intent matched: "delete all
# files" must not become a listing of files. Names are masked by then, so a sheet called
# "Move plan" is still just a name.
UNSUPPORTED: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), what)
    for p, what in (
        (r"\b(?:delete|remove|erase|wipe|destroy|purge|trash|drop)\b", "delete anything"),
        (r"\b(?:rename|move)\b", "rename or move files"),
        (r"\b(?:share|unshare|permissions?)\b", "change sharing or permissions"),
        (r"\b(?:cancel)\b", "cancel orders"),
        (r"\b(?:refund|charge|invoice\s+the|pay|payment)\b", "handle payments or refunds"),
        (r"\b(?:upload|download)\b", "upload or download files"),
        (
            r"\b(?:edit|update|change|modify|overwrite|write\s+to)\s+(?:the\s+)?(?:cells?|sheet|"
            r"spreadsheet|file|order)\b",
            "edit sheets, files or orders",
        ),
        (
            r"\b(?:passwords?|credentials?|secrets?|api[\s_-]?keys?|tokens?|private\s+keys?|"
            r"connection\s+strings?)\b",
            "share passwords, keys or other secrets",
        ),
        (
            r"\b(?:weather|news|stock\s+price|joke|poem|story|recipe|translate)\b",
            "answer general questions",
        ),
    )
)
_GREETING_RE = re.compile(
    r"^(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening)|greetings|yo)\b[\s!.,]*"
    r"(?:there)?[\s!.,]*$|^how\s+are\s+you\b"
)
_THANKS_RE = re.compile(r"^(?:thanks|thank\s+you|cheers|great|perfect|ok(?:ay)?|cool)\b[\s!.]*$")
_DISMISS_RE = re.compile(
    r"^(?:no|nope|never\s*mind|nevermind|forget\s+(?:it|that)|cancel(?:\s+that)?|stop|nothing|"
    r"don'?t)\b[\s.!]*$"
)
_HELP_RE = re.compile(r"^(?:help|\?|what\s+can\s+you\s+do|what\s+do\s+you\s+do|commands)\b")


def capability_list(tools: Mapping[str, str]) -> str:
    """'I can: list spreadsheets ...; look up an order.' for the tools given (name → description).

    Tools outside the phrasebook are described by the first sentence of their description.
    """
    parts = []
    for name, description in tools.items():
        entry = PHRASEBOOK.get(name)
        text = entry.capability if entry else _first_sentence(description) or f"use {name}"
        parts.append(text[0].lower() + text[1:] if text else text)
    if not parts:
        return "I have no tools available to you in this conversation."
    return "I can: " + "; ".join(parts) + "."


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0]
    return sentence.rstrip(".")


def capabilities(tools: Mapping[str, ToolSchema]) -> str:
    """What the bound tools let the caller do, in one sentence."""
    return capability_list({name: schema.description for name, schema in tools.items()})


def refuse(text: str) -> Interpretation:
    """A reply that does nothing and says so."""
    return Interpretation(tool=None, reply=text, kind="refusal")


def guard(command: str, tools: Mapping[str, ToolSchema]) -> Interpretation | None:
    """Replies for commands that are empty, too long or not in English."""
    if not command.strip():
        return refuse(
            "Please type a command, for example “list sheets modified last week”. "
            + capabilities(tools)
        )
    if len(command) > MAX_COMMAND_CHARS:
        return refuse(
            f"That command is {len(command):,} characters long; I accept up to "
            f"{MAX_COMMAND_CHARS:,}. Please send a shorter command; nothing was done."
        )
    if is_other_language(command):
        return refuse(
            "I only understand commands in English. Please rephrase it in English, for example "
            "“list sheets modified last week”."
        )
    return None


def dismissed(text: CommandText) -> Interpretation | None:
    """ "never mind", "no": nothing to do."""
    return refuse("OK, I won't do anything.") if _DISMISS_RE.search(text.lower) else None


def small_talk(text: CommandText, tools: Mapping[str, ToolSchema]) -> Interpretation | None:
    """Greetings, thanks and requests for help, answered without a tool."""
    plain = text.masked.strip(" .!?")
    if _GREETING_RE.search(plain):
        reply = "Hello! I run the shop's drive and orders. " + capabilities(tools)
    elif _THANKS_RE.search(plain):
        # No question at the end: a question would read as waiting for an answer.
        reply = "You're welcome."
    elif _HELP_RE.search(plain):
        reply = capabilities(tools)
    else:
        return None
    return Interpretation(tool=None, reply=reply, kind="answer")


def cannot(what: str, tools: Mapping[str, ToolSchema]) -> Interpretation:
    return refuse(
        f"I can't {what}: no tool here does that, so nothing was done. " + capabilities(tools)
    )


def not_allowed(tool: str, tools: Mapping[str, ToolSchema]) -> Interpretation:
    entry = PHRASEBOOK.get(tool)
    what = entry.capability if entry else f"use {tool}"
    return refuse(
        f"I can't {what} for you: your role doesn't allow it, so nothing was done. "
        + capabilities(tools)
    )


def injected(tools: Mapping[str, ToolSchema]) -> Interpretation:
    return refuse(
        "I won't do that: I can't change my instructions or act beyond what your role "
        "allows, so nothing was done. " + capabilities(tools)
    )


def unclear(tools: Mapping[str, ToolSchema]) -> Interpretation:
    return refuse("I'm not sure what you want me to do. " + capabilities(tools))


def date_error(slots: Slots) -> Interpretation:
    dates = slots.dates or DateRange()
    start = dates.start.isoformat() if dates.start else "?"
    end = dates.end.isoformat() if dates.end else "?"
    return refuse(
        f"The end date ({end}) is before the start date ({start}), so nothing can match. "
        "Which dates did you mean? Nothing was done."
    )

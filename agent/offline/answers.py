"""Bare answers to the interpreter's questions: a value ("the Price List one"), reviewer
feedback ("make the fox orange"), or a pick among the names offered ("the second one")."""

from __future__ import annotations

import re

from agent.offline.slots import ORDINALS
from agent.offline.text import MASK, CommandText

__all__ = ["answer_text", "feedback_answer", "pick_choice"]


def answer_text(text: CommandText) -> str:
    """A bare answer to a clarifying question ("the Price List one"), as a value."""
    value = text.masked_original.replace(MASK, " ")
    value = re.sub(
        r"^\W*(?:(?:the|a|an|use|it's|it is|call it|name it|because)\s+)*", "", value, flags=re.I
    )
    value = re.sub(r"\s+(?:one|template)\W*$", "", value, flags=re.I)
    # "Invoice, called Invoice 77": the title was taken; its cue word stays behind.
    value = re.sub(r"[\s,;:]*\b(?:called|named|titled|as)\W*$", "", value, flags=re.I)
    return " ".join(value.split()).strip(" .!?,;:\"'“”")


def feedback_answer(text: CommandText) -> str:
    """A bare answer to "what should change?": all of it is the feedback, as typed."""
    value = re.sub(r"^\W*(?:because\s+)?", "", text.original.strip(), flags=re.I)
    return " ".join(value.split()).rstrip(".!")


_YES_RE = re.compile(
    r"^(?:yes|yep|yeah|yup|sure|ok(?:ay)?|correct|right|exactly|please|go\s+ahead|do\s+it|"
    r"that(?:'s|\s+is)?\s+(?:it|the\s+one|right)|that\s+one)\b[\s\w,!.]*$"
)
_PICK_RE = re.compile(
    r"\b(?:the\s+)?(?P<o>" + "|".join(ORDINALS) + r"|1st|2nd|3rd|4th|5th|last)"
    r"(?:\s+(?:one|option|choice))?\b"
)


def pick_choice(text: CommandText, choices: tuple[str, ...]) -> str | None:
    """Which of the offered ``choices`` an answer picks: "yes" (when one was offered), "the
    second one", or the choice's own name as typed; None when it picks none of them."""
    if not choices:
        return None
    said = text.lower.strip(" .!?")
    if len(choices) == 1 and _YES_RE.match(said):
        return choices[0]
    picked = _PICK_RE.fullmatch(said)
    if picked:
        word = picked["o"]
        order = ("1st", "2nd", "3rd", "4th", "5th")
        index = (
            len(choices) - 1
            if word == "last"
            else order.index(word)
            if word in order
            else ORDINALS.index(word)
        )
        return choices[index] if index < len(choices) else None
    typed = answer_text(text).lower()
    return next((c for c in choices if c.lower() in (typed, typed + ".xlsx")), None)

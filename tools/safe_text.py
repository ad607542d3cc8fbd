"""Text from outside that may reach the database, a file, a sheet or a log line.

PostgreSQL refuses NUL in text, openpyxl refuses most control characters in cells, and an
unpaired surrogate cannot be encoded as UTF-8 at all; each of those, let in at the door, fails
later, far from the request that brought it. So every schema that takes text from a caller
uses one of the two types here, and such text is refused with a 422 that names the character
(never quotes the text): ``SafeText`` for prose (a brief, feedback, a command), which may hold
tabs and line breaks, and ``SafeLine`` for everything else (names, titles, e-mails, filters).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

PROSE_CONTROLS = frozenset("\t\n")


def first_unsafe_character(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first NUL, other control character (C0, DEL, C1) or unpaired surrogate in ``text``,
    skipping those in ``allowed``; None when there is none."""
    for char in text:
        if char in allowed:
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            return char
    return None


def describe(char: str) -> str:
    """``U+0000 (NUL)``: how an error message names a character without printing it."""
    code = f"U+{ord(char):04X}"
    if char == "\x00":
        return f"{code} (NUL)"
    if unicodedata.category(char) == "Cs":
        return f"{code} (an unpaired surrogate)"
    return f"{code} (a control character)"


def _checked(text: str, allowed: frozenset[str], what: str) -> str:
    char = first_unsafe_character(text, allowed)
    if char is not None:
        raise ValueError(f"{what} must not contain {describe(char)}")
    return text


def check_line(text: str) -> str:
    """``text`` unchanged when it is one line of printable text; ValueError otherwise."""
    return _checked(text, frozenset(), "this text")


def check_prose(text: str) -> str:
    """``text`` with Windows line breaks made ``\\n``, when it holds nothing but printable
    characters, tabs and line breaks; ValueError otherwise."""
    return _checked(text.replace("\r\n", "\n"), PROSE_CONTROLS, "this text")


SafeLine = Annotated[str, AfterValidator(check_line)]
SafeText = Annotated[str, AfterValidator(check_prose)]

"""Keeping personal data out of log lines: masked e-mail addresses, and exceptions logged by
their class and frames only.

Logs are kept longer and read by more people than the database rows they describe, and they
are not encrypted. So a log line names an address only masked (``j***@example.com``), and an
exception that is not ours is logged without its message: a library's message may quote the
value it choked on (openpyxl's IllegalCharacterError quotes the whole cell, psycopg quotes
parameters). The frames (file, line, function, source line) are code, and stay, so a
developer still sees where it broke.
"""

from __future__ import annotations

import re
import traceback

__all__ = ["WITHHELD", "exception_name", "mask_email", "traceback_without_messages"]

WITHHELD = "(message withheld)"

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_.]")


def mask_email(address: str | None) -> str:
    """``jane@example.com`` as ``j***@example.com``: enough to tell addresses apart in a log,
    not enough to write to. Anything that is not an address becomes ``***``."""
    if not address:
        return "no address"
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return "***"
    # A domain is not secret, but an odd one could carry line breaks into the log line.
    shown = "".join(c if c.isprintable() and not c.isspace() else "?" for c in domain)
    first = local[0] if local[0].isprintable() and not local[0].isspace() else "?"
    return f"{first}***@{shown[:100]}"


def exception_name(exc: BaseException) -> str:
    """The exception's class name, made of identifier characters only (so it is safe in any
    text column and log line, whatever raised it)."""
    return _NOT_IDENTIFIER.sub("", type(exc).__qualname__)[:100] or "Exception"


def traceback_without_messages(exc: BaseException) -> str:
    """The traceback of ``exc`` and of the exceptions chained to it (earliest first, as Python
    prints them), each named by its class only: no message, no locals."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        if current.__cause__ is not None:
            current = current.__cause__
        elif current.__suppress_context__:
            current = None
        else:
            current = current.__context__
    parts = [
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_tb(link.__traceback__))
        + f"{exception_name(link)} {WITHHELD}\n"
        for link in reversed(chain)
    ]
    return "\nwhich led to:\n\n".join(parts)

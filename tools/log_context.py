"""Ids that travel with a unit of work (request, order run, admin session) into every log line.

They live in context variables: set once where the work starts (the request middleware, the
dispatcher's worker), read by the logging filter that the server installs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

FIELDS = ("request_id", "session_id", "order_id")
_VARS: dict[str, ContextVar[str | None]] = {name: ContextVar(name, default=None) for name in FIELDS}


def current(name: str) -> str | None:
    return _VARS[name].get()


@contextmanager
def bound(**ids: str | None) -> Iterator[None]:
    """Set some of the ids for the duration of a block (None leaves one as it is)."""
    tokens = [(_VARS[k], _VARS[k].set(v)) for k, v in ids.items() if v is not None]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class ContextFilter(logging.Filter):
    """Copies the current ids onto every record, so formatters can print them."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, _VARS[name].get())
        return True

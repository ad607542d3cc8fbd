"""Log output: one JSON object per line when stderr is not a terminal (collectors parse it),
readable lines on a terminal. Every line carries the request, session and order ids in scope.
Exceptions, whoever logs them, show their frames and classes but never their messages, which
may quote the data a library choked on (tools/log_privacy.py)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from tools.log_context import FIELDS, ContextFilter
from tools.log_privacy import WITHHELD, traceback_without_messages

# Attributes every LogRecord has; anything else was passed in `extra=` and is worth printing.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", *FIELDS}


class WithholdExceptionText(logging.Filter):
    """Takes the exception's own text out of a record's message, for loggers that write it
    there themselves (LangGraph's retry line: "... after IllegalCharacterError <the cell>")."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        text = str(exc) if exc is not None else ""
        if text:
            message = record.getMessage()
            if text in message:
                record.msg, record.args = message.replace(text, WITHHELD), ()
        return True


class JsonFormatter(logging.Formatter):
    def formatException(self, ei: Any) -> str:
        return traceback_without_messages(ei[1])

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        entry.update(
            (k, v)
            for k, v in record.__dict__.items()
            if k not in _STANDARD and not k.startswith("_")
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class ConsoleFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s%(ids)s", "%H:%M:%S")

    def formatException(self, ei: Any) -> str:
        return traceback_without_messages(ei[1])

    def format(self, record: logging.LogRecord) -> str:
        ids = [f"{n}={getattr(record, n)}" for n in FIELDS if getattr(record, n, None)]
        record.ids = f"  [{' '.join(ids)}]" if ids else ""
        return super().format(record)


def configure_logging(level: str = "INFO", *, json_lines: bool | None = None) -> None:
    """Route every logger (uvicorn's too) to stderr in the format that suits where it goes."""
    if json_lines is None:
        json_lines = not sys.stderr.isatty()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else ConsoleFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(WithholdExceptionText())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True

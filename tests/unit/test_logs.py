"""Log lines: JSON objects with the ids in scope, or readable console lines."""

from __future__ import annotations

import json
import logging
import sys

from server.logs import ConsoleFormatter, JsonFormatter
from tools.log_context import ContextFilter, bound, current


def record(message: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    rec = logging.makeLogRecord(
        {"name": "atelier.test", "levelname": "INFO", "levelno": 20, "msg": message, "args": args}
    )
    rec.__dict__.update(extra)
    ContextFilter().filter(rec)
    return rec


def test_json_lines_carry_the_ids_in_scope_and_extras() -> None:
    with bound(request_id="req-1", order_id="o-9"):
        line = JsonFormatter().format(record("hello %s", "world", status=201))
    entry = json.loads(line)
    assert entry["message"] == "hello world"
    assert (entry["level"], entry["logger"]) == ("info", "atelier.test")
    assert (entry["request_id"], entry["order_id"], entry["status"]) == ("req-1", "o-9", 201)
    assert "session_id" not in entry and entry["time"].endswith("+00:00")


def test_ids_are_scoped_to_their_block() -> None:
    with bound(request_id="outer"):
        with bound(request_id="inner", session_id=None):
            assert current("request_id") == "inner"
        assert current("request_id") == "outer"
    assert current("request_id") is None


def test_exceptions_are_kept_in_json() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        rec = record("failed")
        rec.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(rec))
    assert "ValueError: boom" in entry["exception"]


def test_console_lines_are_readable() -> None:
    with bound(request_id="req-2"):
        line = ConsoleFormatter().format(record("placed"))
    assert "INFO" in line and "atelier.test: placed" in line and "[request_id=req-2]" in line

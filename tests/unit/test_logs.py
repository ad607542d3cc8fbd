"""Log lines: JSON objects with the ids in scope, or readable console lines."""

from __future__ import annotations

import json
import logging
import sys
import uuid

from server.logs import ConsoleFormatter, JsonFormatter, WithholdExceptionText
from tools.log_context import ContextFilter, bound, current
from tools.log_privacy import WITHHELD


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


def _failing_with(personal: str) -> None:
    try:
        {}[personal]
    except KeyError as exc:
        raise ValueError(f"{personal} cannot be used in worksheets") from exc


def test_exceptions_keep_their_frames_and_types_but_not_their_messages() -> None:
    """A library's message may quote the data it choked on: logs keep where, not what."""
    personal = f"Jane Doe <jane.{uuid.uuid4().hex}@example.com>"  # in no source line
    try:
        _failing_with(personal)
    except ValueError:
        rec = record("failed")
        rec.exc_info = sys.exc_info()
    for line in (JsonFormatter().format(rec), ConsoleFormatter().format(rec)):
        assert personal.split("<")[1] not in line
    logged = json.loads(JsonFormatter().format(rec))["exception"]
    assert "KeyError (message withheld)" in logged
    assert "ValueError (message withheld)" in logged
    assert logged.index("KeyError") < logged.index("which led to") < logged.index("ValueError")
    assert "in _failing_with" in logged


def test_console_lines_are_readable() -> None:
    with bound(request_id="req-2"):
        line = ConsoleFormatter().format(record("placed"))
    assert "INFO" in line and "atelier.test: placed" in line and "[request_id=req-2]" in line


def test_a_library_that_writes_the_exception_into_its_message_is_withheld_too() -> None:
    """LangGraph's retry line puts the exception's text in the message itself."""
    personal = f"jane.{uuid.uuid4().hex}@example.com"
    try:
        raise ValueError(f"{personal} cannot be used in worksheets")
    except ValueError as exc:
        rec = record("Retrying task fill_workbook after ValueError %s", exc)
        rec.exc_info = sys.exc_info()
    assert WithholdExceptionText().filter(rec)
    line = JsonFormatter().format(rec)
    assert personal not in line
    assert json.loads(line)["message"] == "Retrying task fill_workbook after ValueError " + WITHHELD

"""How errors become answers: our domain errors with their status, request validation errors
as 422s that say what is wrong and where, without quoting what was sent, and a database
connection lost under a request as a 503 to send again.

A validation error's input can be anything a caller sends: a value JSON cannot encode (NaN,
an unpaired surrogate, raw bytes that are not UTF-8), a customer's personal data, or
300 KB of it. So answers carry each error's type, location and message only, with any text
from the request in them made printable and cut short.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from persistence.connection_errors import connection_dropped
from server.rate_limits import RateLimited
from tools.errors import AtelierError
from tools.safe_text import first_unsafe_character

log = logging.getLogger(__name__)

MAX_QUOTED = 200  # characters of a location part or message shown back


def printable(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` cut to ``limit`` characters, escaped (``\\x00``, ``\\ud800``) when it holds
    anything that is not printable."""
    if first_unsafe_character(text) is not None:
        text = text.encode("ascii", "backslashreplace").decode("ascii")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def public_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors as callers see them: type, location and message, no input."""
    public = []
    for error in errors:
        message = str(error.get("msg", "invalid"))
        reason = (error.get("ctx") or {}).get("error")
        if error.get("type") == "json_invalid" and isinstance(reason, str):
            message = f"{message}: {reason}"  # FastAPI's own "JSON decode error" says no more
        public.append(
            {
                "type": error.get("type", "value_error"),
                "loc": [p if isinstance(p, int) else printable(str(p)) for p in error["loc"]],
                "msg": printable(message, 4 * MAX_QUOTED),
            }
        )
    return public


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AtelierError)
    async def atelier_error(request: Request, exc: AtelierError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        detail = printable(exc.message, 10 * MAX_QUOTED)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": public_errors(exc.errors())}, status_code=422)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        """A connection the database cut (a restart, a failover) is the one database error the
        caller can do something about: the pool has reconnected, and the request, which wrote
        nothing, can simply be sent again. Any other stays an internal error."""
        if not connection_dropped(exc):
            raise exc
        log.warning("the database cut the connection of %s %s", request.method, request.url.path)
        return JSONResponse(
            {"detail": "the connection to the database was lost; send the request again"},
            status_code=503,
            headers={"Retry-After": "1"},
        )

"""The outermost layer of the app: every request gets an id, a log line and metrics, and every
response, errors included (a 413 from the body cap, a 500), gets the request id, its timing and
the security headers.

A plain ASGI middleware rather than ``@app.middleware("http")``: Starlette answers unhandled
exceptions in its ServerErrorMiddleware, outside every user middleware, so a 500 made there
would leave without these headers; here the exception is caught and answered instead.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.http_security import add_security_headers, send_json
from tools.log_context import bound
from tools.metrics import HTTP_ERRORS, HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger(__name__)
access = logging.getLogger("atelier.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is a sane token, else a new one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def observe_request(scope: Scope, status: int, seconds: float) -> None:
    """Request metrics by route template (``/orders/{order_id}``), never by raw path."""
    route = getattr(scope.get("route"), "path", "unmatched")
    labels = (scope["method"], route, str(status))
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_LATENCY.labels(*labels).observe(seconds)
    if status >= 400:
        HTTP_ERRORS.labels(route, str(status)).inc()


class RequestContext:
    """A request id (the caller's X-Request-ID, or a new one) for every log line of the
    request and of the runs it starts; it comes back in the response, with Server-Timing and
    the security headers. An exception nothing else answered becomes a 500 naming the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_id = headers.get(b"x-request-id")
        request_id = request_id_from(raw_id.decode("latin-1") if raw_id else None)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                elapsed_ms = (time.perf_counter() - started) * 1000
                out = MutableHeaders(scope=message)
                out["X-Request-ID"] = request_id
                out["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
                add_security_headers(out, scope.get("scheme", "http"))
            await send(message)

        with bound(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_headers)
            except Exception:
                log.exception("unhandled error in %s %s", scope["method"], scope["path"])
                if response_started:
                    raise  # too late to answer; the server closes the connection
                detail = f"internal error; quote request id {request_id} when you report it"
                await send_json(send_with_headers, 500, {"detail": detail})
            finally:
                elapsed = time.perf_counter() - started
                observe_request(scope, status, elapsed)
                access.info(
                    "%s %s %d",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={"status": status, "duration_ms": round(elapsed * 1000, 2)},
                )

"""HTTP hardening that every response gets: security headers, CORS (closed unless origins are
configured), and a cap on request body size enforced while the body streams in."""

from __future__ import annotations

import json
from collections.abc import Sequence

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=63072000; includeSubDomains"

# Strict for every answer, the pages (the console, /docs) included: everything they load comes
# from this origin, no inline script or style runs, and images may also be data: and blob:
# URLs (the console shows designs it fetched with the token through blob: URLs).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
}


def add_security_headers(headers: MutableHeaders, scheme: str) -> None:
    """nosniff, frame denial, the content security policy and no referrer always; HSTS only
    when served over TLS (a browser ignores it over plain HTTP, and it must not pin a host
    that has no certificate)."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if scheme == "https":
        headers.setdefault("Strict-Transport-Security", HSTS)


def allow_origins(app: FastAPI, origins: Sequence[str]) -> None:
    """Let browsers on ``origins`` call the API; with none, no cross-origin call is allowed."""
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Answers 413 to a request whose body is over ``max_bytes``: at once when Content-Length
    says so, else as soon as the streamed body passes the limit (before the app reads more)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except* BodyTooLarge:  # bare, or grouped by the middleware's task group on its way up
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        detail = f"the request body is larger than {self.max_bytes // 1024} KB"
        await send_json(send, 413, {"detail": detail})


async def send_json(send: Send, status: int, content: dict[str, str]) -> None:
    """Answer with ``content`` as JSON, straight through ASGI (for the layers outside the app)."""
    body = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

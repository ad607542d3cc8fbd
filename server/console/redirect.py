"""Sending browsers from ``/`` to the console, and nobody else.

A middleware rather than a route at ``/``: an API client asking for ``/`` (any method, any
Accept) gets exactly the answer it got before the console existed, a 404 (or 405) from the
router; only a GET or HEAD that accepts HTML is redirected.
"""

from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

CONSOLE_PATH = "/console"


def wants_html(accept: str) -> bool:
    """Whether an Accept header asks for HTML, as browsers' navigations do
    (``text/html,application/xhtml+xml,...``); ``*/*`` alone, curl's default, does not."""
    return any(part.split(";")[0].strip().lower() == "text/html" for part in accept.split(","))


class BrowsersToConsole:
    """Answers a browser's ``GET /`` with a redirect to ``/console``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/"
            and scope["method"] in ("GET", "HEAD")
            and wants_html(dict(scope["headers"]).get(b"accept", b"").decode("latin-1"))
        ):
            # 303: the browser follows with a GET, whatever it asked with.
            response = RedirectResponse(CONSOLE_PATH, status_code=303)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

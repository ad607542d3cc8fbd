"""The console: the shop's web page, served by the service itself (no build step, nothing
loaded from elsewhere).

Each module has one job:

- ``pages.py``: the page shell at ``/console``, rendered from ``templates/`` with Jinja2;
- ``assets.py``: the CSS and ES modules under ``static/``, served under a content-hashed path;
- ``redirect.py``: browsers asking for ``/`` are sent to ``/console``.

The page signs in with ``POST /auth/token`` and then talks to the same JSON API as every other
client; the token lives in the page's memory only (see ``static/js/api.js``).
"""

from __future__ import annotations

from fastapi import FastAPI

from server.console.assets import mount_assets
from server.console.pages import router
from server.console.redirect import BrowsersToConsole

__all__ = ["install_console"]


def install_console(app: FastAPI) -> None:
    """Serve the console on ``app``: its page, its assets, and the redirect from ``/``.

    Call it before the outer middleware is added, so that the redirect gets the security
    headers like every other answer."""
    app.include_router(router)
    mount_assets(app)
    app.add_middleware(BrowsersToConsole)

"""The console's static files: CSS, ES modules and the icon, under ``static/``.

They are served under ``/console/static/{version}/``, where the version is a hash of every
file's content: a page names the version it was rendered with, the modules import each other
by relative paths (which keep the version), and so a browser can keep each file for a year and
still never mixes an old module with a new page.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/console/static"
# Any version is served (the files on disk are the only ones there are): a page rendered just
# before a deploy still loads, and its URLs are never reused for other content.
IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def assets_version() -> str:
    """A hash of every static file's path and content (read once per process, on first use)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in STATIC_DIR.rglob("*") if p.is_file()):
        digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def asset_url(name: str) -> str:
    """The URL of the static file ``name`` (relative to ``static/``) in the current version."""
    return f"{PREFIX}/{assets_version()}/{name}"


class VersionedStaticFiles(StaticFiles):
    """StaticFiles whose answers may be cached for good (their URL carries the version)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def mount_assets(app: FastAPI) -> None:
    """Serve ``static/`` under ``/console/static/{version}/``."""
    app.mount(
        f"{PREFIX}/{{version}}",
        VersionedStaticFiles(directory=STATIC_DIR),
        name="console-static",
    )

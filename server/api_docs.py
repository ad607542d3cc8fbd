"""The API's interactive documentation at ``/docs``: Swagger UI served by this service itself.

FastAPI's own page loads Swagger UI from a CDN (blank on a network without internet) and starts
it with an inline script (refused under the service's Content-Security-Policy). Here the page
loads only same-origin files: Swagger UI's build as the ``fastapi-offline`` package ships it
(Swagger UI 5, which renders the OpenAPI 3.1 that FastAPI writes), and a small initializer of
our own that reads the schema's URL from the page instead of having it written into a script.

Left out on purpose:
- ReDoc (``/redoc``): it styles itself with ``<style>`` elements made at run time, which
  ``style-src 'self'`` refuses; one documentation page is enough.
- ``/docs/oauth2-redirect``: Swagger UI needs it only for OAuth2 flows that go through a
  browser redirect (implicit, authorization code), and the schema has none: callers
  authorize with a bearer token or an API key (tests/e2e/test_api_docs.py checks this).
"""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

__all__ = ["ASSETS_PATH", "DOCS_PATH", "install_api_docs"]

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
INITIALIZER = "swagger-initializer.js"

# The files of Swagger UI's build that the page uses, by name, with their content types
# (sent with nosniff, so they must be right: a browser refuses a script sent as text/plain).
JAVASCRIPT = "text/javascript; charset=utf-8"
PACKAGED = {
    "swagger-ui-bundle.js": JAVASCRIPT,
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}

# Starts Swagger UI on the element that carries the schema's URL. FastAPI's defaults, with
# the validator off: its badge would be an image fetched from swagger.io.
INITIALIZER_JS = """\
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
"""

PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<script src="{assets}/swagger-ui-bundle.js" defer></script>
<script src="{assets}/{initializer}" defer></script>
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<noscript>The API documentation needs JavaScript; the schema itself is at
<a href="{openapi_url}">{openapi_url}</a>.</noscript>
</body>
</html>
"""

# Swagger UI's files change only with the package: a browser may keep them for a day.
ASSET_CACHE = "public, max-age=86400"


def swagger_ui_dir() -> Path:
    """Where the installed ``fastapi-offline`` package keeps Swagger UI's build."""
    return Path(str(resources.files("fastapi_offline") / "static"))


def install_api_docs(app: FastAPI) -> None:
    """Serve Swagger UI at ``/docs`` for ``app``, which must have FastAPI's own documentation
    pages off (``docs_url=None, redoc_url=None``): they would answer first, from a CDN."""
    if app.docs_url is not None or app.redoc_url is not None:
        raise ValueError("create the app with docs_url=None and redoc_url=None")
    if app.openapi_url is None:
        raise ValueError("the documentation page needs the app's OpenAPI schema")
    # Relative to the page's own URL, so they stay right behind a proxy that serves the
    # service under a path prefix.
    page = PAGE.format(
        title=html.escape(f"{app.title} - Swagger UI"),
        assets=html.escape(ASSETS_PATH.lstrip("/")),
        initializer=INITIALIZER,
        openapi_url=html.escape(app.openapi_url.lstrip("/")),
    )
    packaged = swagger_ui_dir()

    @app.get(DOCS_PATH, include_in_schema=False)
    async def api_docs_page() -> HTMLResponse:
        return HTMLResponse(page, headers={"Cache-Control": "no-cache"})

    @app.get(f"{ASSETS_PATH}/{INITIALIZER}", include_in_schema=False)
    async def api_docs_initializer() -> Response:
        return Response(
            INITIALIZER_JS,
            media_type=JAVASCRIPT,
            headers={"Cache-Control": ASSET_CACHE},
        )

    @app.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def api_docs_asset(name: str) -> FileResponse:
        # Only the listed files: the name never reaches the file system otherwise.
        media_type = PACKAGED.get(name)
        if media_type is None:
            raise HTTPException(status_code=404, detail="Not Found")
        return FileResponse(
            packaged / name, media_type=media_type, headers={"Cache-Control": ASSET_CACHE}
        )

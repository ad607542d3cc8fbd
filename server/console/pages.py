"""The console's page: one HTML shell, rendered on the server, that the ES modules fill in.

What the server knows without the caller's identity is rendered here (the products, the
order statuses, the audit log's outcomes); everything about the signed-in person is fetched
by the page from the API with its token.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from persistence.models import OrderStatus
from server.console.assets import asset_url
from tools.products import PRODUCTS

TEMPLATES_DIR = Path(__file__).parent / "templates"
AUDIT_OUTCOMES = ("ok", "error", "denied")

router = APIRouter(include_in_schema=False)


@cache
def templates() -> Jinja2Templates:
    """The console's templates (built on first use, not at import). Autoescaped: ``.html``."""
    rendered = Jinja2Templates(directory=TEMPLATES_DIR)
    rendered.env.globals["asset_url"] = asset_url
    return rendered


@router.get("/console", response_class=HTMLResponse)
def console(request: Request) -> HTMLResponse:
    """The console's page shell."""
    return templates().TemplateResponse(
        request,
        "console.html",
        {
            "products": sorted(PRODUCTS.values(), key=lambda p: p.name),
            "statuses": [s.value for s in OrderStatus],
            "outcomes": AUDIT_OUTCOMES,
        },
    )

"""The console keeps to the service's Content-Security-Policy, loads nothing from elsewhere,
fits a phone's width, and is where browsers asking for / are sent (API clients are not)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import BrowserContext, ViewportSize, expect

from server.http_security import CONTENT_SECURITY_POLICY
from server.schemas import ORDER_EXAMPLE
from tests.browser.conftest import CUSTOMER, PASSWORD, SCREENSHOTS
from tests.browser.console_page import ConsolePage
from tests.support.http import wait_for_status
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

PHONE: ViewportSize = {"width": 375, "height": 740}


def test_the_console_loads_only_from_its_origin_and_breaks_no_policy_at_a_phones_width(
    browser: BrowserContext, console_server: ServerProcess, customer_api: httpx.Client
) -> None:
    placed = customer_api.post("/orders", json=ORDER_EXAMPLE)
    assert placed.status_code == 202, placed.text
    order_id = placed.json()["id"]
    wait_for_status(customer_api, order_id, "awaiting_approval")
    page = browser.new_page()
    page.set_viewport_size(PHONE)
    try:
        console = ConsolePage(page, console_server.url, SCREENSHOTS / "phone")
        console.open()
        overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        assert page.evaluate(overflow) == 0
        console.shot("sign-in")
        console.sign_in(CUSTOMER.username, PASSWORD)
        for view, heading in (("New order", "New order"), ("Orders", "Your orders")):
            console.go(view)
            expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
            assert page.evaluate(overflow) == 0, f"{view} is wider than a phone"
            console.shot(view.lower().replace(" ", "-"))
        page.locator(f'.order-card[data-order-id="{order_id}"] a').click()
        console.image_loaded('img[data-kind="proof"][data-version="1"]')
        assert page.evaluate(overflow) == 0, "an order is wider than a phone"
        console.shot("order")
        assert console.csp_violations() == []
        assert console.foreign_requests == []
        assert console.console_errors == []
    finally:
        page.close()


def test_browsers_asking_for_the_root_are_sent_to_the_console_and_api_clients_are_not(
    console_server: ServerProcess,
) -> None:
    with httpx.Client(base_url=console_server.url) as client:
        browser = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert browser.status_code == 303 and browser.headers["location"] == "/console"
        assert browser.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        for accept in ("*/*", "application/json"):
            api = client.get("/", headers={"Accept": accept})
            assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
        assert client.post("/", headers={"Accept": "text/html"}).status_code == 404

        page = client.get("/console")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        # No inline script or style: every script and stylesheet is a file of this service.
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
        assert " style=" not in page.text and "<style" not in page.text
        assets = re.findall(r'(?:src|href)="(/console/static/[^"]+)"', page.text)
        assert len(assets) >= 3
        for path in assets:
            asset = client.get(path)
            assert asset.status_code == 200, path
            assert "immutable" in asset.headers["cache-control"]
        module = client.get(next(p for p in assets if p.endswith("main.js")))
        assert module.headers["content-type"].startswith("text/javascript")


def test_the_api_docs_render_from_this_origin_and_break_no_policy(
    browser: BrowserContext, console_server: ServerProcess
) -> None:
    """/docs (Swagger UI from the package) in a real browser, under the same policy."""
    page = browser.new_page()
    try:
        docs = ConsolePage(page, console_server.url, SCREENSHOTS / "api-docs")
        page.goto(f"{console_server.url}/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Atelier")
        expect(page.locator(".opblock").first).to_be_visible()
        docs.shot("docs")
        assert docs.csp_violations() == []
        assert docs.foreign_requests == []
    finally:
        page.close()

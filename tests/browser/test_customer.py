"""A customer's whole order in the console: sign in, place an order with a reference image,
watch it reach review, see design v1, request changes, see v2, approve, see it completed."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from server.schemas import ORDER_EXAMPLE
from tests.browser.conftest import CUSTOMER, PASSWORD
from tests.browser.console_page import ConsolePage
from tests.support.http import wait_for_status

pytestmark = pytest.mark.slow

README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "console.png"


def reference_image(path: Path) -> Path:
    """A small PNG for the order's reference image part."""
    Image.new("RGB", (64, 48), (200, 90, 30)).save(path)
    return path


def test_a_customer_orders_reviews_twice_and_sees_the_order_completed(
    console: ConsolePage, tmp_path: Path
) -> None:
    page = console.page
    console.open()
    console.shot("sign-in")
    console.sign_in(CUSTOMER.username, PASSWORD)
    expect(page.locator("#orders-title")).to_have_text("Your orders")

    console.go("New order")
    page.get_by_label("Name", exact=True).fill("Carla Reyes")
    page.get_by_label("E-mail").fill("carla@example.com")
    page.get_by_label("Product").select_option("tshirt")
    page.get_by_label("Size (optional)").fill("M")
    page.get_by_label("Colour (optional)").fill("navy")
    page.get_by_label("Quantity").fill("12")
    page.get_by_label("Brief").fill("A fox reading a book under a crescent moon, line art")
    page.get_by_label(re.compile("Reference image")).set_input_files(
        reference_image(tmp_path / "fox.png")
    )
    console.shot("new-order")
    page.get_by_role("button", name="Place the order").click()

    expect(page).to_have_url(re.compile(r"#/orders/[0-9a-f-]{36}$"))
    order_id = page.url.rsplit("/", 1)[-1]
    expect(page.locator("#notice")).to_contain_text("placed")
    console.order_status("awaiting_approval")
    expect(page.locator("#order-progress")).to_have_attribute("value", "100")
    expect(page.locator("#order-facts")).to_contain_text("attached")  # the reference image
    console.image_loaded('img[data-kind="design"][data-version="1"]')
    console.image_loaded('img[data-kind="proof"][data-version="1"]')
    console.shot("review-v1")

    page.get_by_label("What should change?").fill("Make the fox orange")
    page.get_by_role("button", name="Request changes").click()
    console.image_loaded('img[data-kind="design"][data-version="2"]')
    console.order_status("awaiting_approval")
    expect(page.locator('figure[data-version="1"] figcaption')).to_contain_text(
        "Changes requested: “Make the fox orange”"
    )
    console.image_loaded('img[data-kind="proof"][data-version="2"]')
    shown = console.shot("review-v2")
    if os.environ.get("UPDATE_README_SCREENSHOT"):
        # Only on demand: the README's picture is committed, a test run leaves it as it is.
        page.screenshot(
            path=str(README_SCREENSHOT),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1280, "height": 1200},
        )
        assert shown.exists()

    page.get_by_role("button", name="Approve this design").click()
    console.order_status("completed")
    expect(page.locator("#order-review")).to_be_hidden()
    expect(page.locator('figure[data-version="2"] figcaption')).to_contain_text("Approved.")
    console.shot("completed")

    console.go("Orders")
    card = f'.order-card[data-order-id="{order_id}"]'
    expect(page.locator(f"{card} .badge")).to_have_text("completed")
    console.image_loaded(f"{card} img.preview")
    console.shot("orders")
    assert console.csp_violations() == []
    assert console.foreign_requests == []


def test_a_review_from_a_stale_page_is_a_conflict_said_in_words(
    console: ConsolePage, customer_api: httpx.Client
) -> None:
    """409: the order was approved elsewhere while this page still offered the review; the
    page says so in words, and then shows the order as it is."""
    placed = customer_api.post("/orders", json=ORDER_EXAMPLE)
    assert placed.status_code == 202, placed.text
    order_id = placed.json()["id"]
    wait_for_status(customer_api, order_id, "awaiting_approval")

    page = console.page
    console.open()
    console.sign_in(CUSTOMER.username, PASSWORD)
    page.evaluate("(id) => { location.hash = `#/orders/${id}`; }", order_id)
    console.order_status("awaiting_approval")
    approved = customer_api.post(f"/orders/{order_id}/approve", json={"approved": True})
    assert approved.status_code == 200, approved.text

    page.get_by_role("button", name="Approve this design").click()
    expect(page.locator("#alert")).to_contain_text("Conflict: ")
    expect(page.locator("#alert")).to_contain_text("awaiting")
    console.order_status("completed")
    console.shot("conflict")

"""An operator finds a failed order among every order, sees its error, retries it once the
cause is gone, and watches it move on to review."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from server.schemas import ORDER_EXAMPLE
from tests.browser.conftest import OPERATOR, PASSWORD
from tests.browser.console_page import ConsolePage
from tests.support.http import wait_for_status
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow


@contextmanager
def orders_folder_blocked(drive: Path) -> Iterator[None]:
    """A file where the drive's Orders/ folder belongs: no order folder can be made (the
    pipeline's first step fails after its retries) until the block is lifted."""
    orders = drive / "Orders"
    kept = drive / "Orders.kept"
    if orders.exists():
        orders.rename(kept)
    orders.write_text("not a folder")
    try:
        yield
    finally:
        orders.unlink()
        if kept.exists():
            kept.rename(orders)


def test_an_operator_sees_a_failed_orders_error_and_retries_it(
    console: ConsolePage,
    console_server: ServerProcess,
    customer_api: httpx.Client,
    operator_api: httpx.Client,
) -> None:
    page = console.page
    with orders_folder_blocked(console_server.data_dir / "drive"):
        placed = customer_api.post("/orders", json=ORDER_EXAMPLE)
        assert placed.status_code == 202, placed.text
        order_id = placed.json()["id"]
        failed = wait_for_status(operator_api, order_id, "failed", "awaiting_approval")
        assert failed["status"] == "failed" and failed["failed_step"] == "create_folder"

        console.open()
        console.sign_in(OPERATOR.username, PASSWORD)
        expect(page.locator("#orders-title")).to_have_text("All orders")
        page.get_by_label("Status").select_option("failed")
        page.get_by_role("button", name="Show").click()
        card = page.locator(f'.order-card[data-order-id="{order_id}"]')
        expect(card.locator(".badge")).to_have_text("failed")
        expect(card.locator(".error-line")).to_have_text(f"Error: {failed['error']}")
        console.shot("failed-orders")

        card.get_by_role("link").click()
        console.order_status("failed")
        expect(page.locator("#order-error")).to_contain_text(failed["error"])
        expect(page.locator("#order-error")).to_contain_text("creating the order folder")
        console.shot("failed-order")

    # The cause is gone: the retry re-runs the failed step, and the order carries on.
    page.get_by_role("button", name="Retry the failed step").click()
    console.order_status("awaiting_approval")
    expect(page.locator("#order-failure")).to_be_hidden()
    console.image_loaded('img[data-kind="proof"][data-version="1"]')
    console.shot("retried")
    assert console.csp_violations() == []

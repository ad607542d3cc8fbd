"""Errors said in words: too many requests (with Retry-After), the network down, a sign-in that
no longer holds. The service's answers are replaced on their way to the page, so each error
comes exactly when the test wants it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Route, expect

from tests.browser.conftest import CUSTOMER, PASSWORD
from tests.browser.console_page import ConsolePage

pytestmark = pytest.mark.slow

ORDER_LIST = re.compile(r"/orders\?")


def test_errors_are_said_in_words_and_the_page_recovers(console: ConsolePage) -> None:
    page = console.page
    console.open()
    console.page.get_by_label("Username").fill(CUSTOMER.username)
    console.page.get_by_label("Password").fill("not the password")
    console.page.get_by_label("Password").press("Enter")
    alert = page.locator("#alert")
    expect(alert).to_have_text("Wrong username or password (or the account is disabled).")
    console.sign_in(CUSTOMER.username, PASSWORD)
    expect(alert).to_be_hidden()

    def too_many(route: Route) -> None:
        route.fulfill(
            status=429,
            headers={"Retry-After": "7"},
            json={"detail": "too many requests for orders"},
        )

    page.route(ORDER_LIST, too_many)
    page.get_by_role("button", name="Show").click()
    expect(alert).to_contain_text("Too many requests: try again in 7 seconds.")
    console.shot("too-many-requests")
    page.unroute(ORDER_LIST)

    page.route(ORDER_LIST, lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Show").click()
    expect(alert).to_contain_text("The service cannot be reached")
    console.shot("network-down")
    page.unroute(ORDER_LIST)
    page.get_by_role("button", name="Show").click()
    expect(alert).to_be_hidden()  # back: the next poll that works clears the error

    # The service refuses the token (revoked, say); a refresh does not help: signed out.
    page.route(ORDER_LIST, lambda route: route.fulfill(status=401, json={"detail": "revoked"}))
    page.get_by_role("button", name="Show").click()
    expect(alert).to_contain_text("You are signed out")
    expect(page.locator("#view-sign-in")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    console.shot("signed-out")
    assert console.csp_violations() == []

"""An admin's chat and audit log, and what a customer does not get of them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Response, expect

from persistence.database import Database
from persistence.repositories import audit
from tests.browser.conftest import ADMIN, CUSTOMER, PASSWORD
from tests.browser.console_page import ConsolePage
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

# The page's own API client, with the token in its memory, as a script on the page reaches it.
CALL_WITH_THE_PAGES_TOKEN = """async ([method, path]) => {
  const main = document.querySelector('script[type=module]').src;
  const api = await import(main.replace(/main\\.js$/, 'api.js'));
  try {
    await api.request(path, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: method === 'POST' ? JSON.stringify({ command: 'list all sheets' }) : undefined,
    });
    return 'allowed';
  } catch (error) {
    return `${error.status} ${error.message}`;
  }
}"""


def test_an_admin_command_streams_its_reply_and_shows_its_action_with_a_table(
    console: ConsolePage,
) -> None:
    page = console.page
    streamed: list[Response] = []
    page.on("response", lambda r: streamed.append(r) if r.url.endswith("/admin/commands") else None)
    console.open()
    console.sign_in(ADMIN.username, PASSWORD)
    console.go("Admin chat")
    expect(page.get_by_label("Command")).to_be_focused()
    page.keyboard.type("list all sheets")
    page.keyboard.press("Enter")

    turn = page.locator(".turn").last
    card = turn.locator('.action-card[data-tool="list_sheets"]')
    expect(card).to_have_attribute("data-status", "ok")
    expect(card.locator("table")).to_contain_text("Order Tracker.xlsx")
    expect(card.locator("table")).to_contain_text("Price List.xlsx")
    expect(turn.locator(".reply")).not_to_be_empty()
    expect(turn.locator(".reply")).not_to_have_attribute("aria-busy", "true")
    [answer] = streamed
    assert answer.headers["content-type"].startswith("text/event-stream")
    console.shot("chat")

    # A follow-up continues the session: it refines the listing before it.
    expect(page.locator("#chat-session-label")).to_contain_text("follows up on “list all sheets”")
    page.get_by_label("Command").fill("only the invoices")
    page.get_by_label("Command").press("Enter")
    follow_up = page.locator(".turn").nth(1).locator('.action-card[data-tool="list_sheets"]')
    expect(follow_up).to_have_attribute("data-status", "ok")
    expect(follow_up.locator("table tbody tr")).to_have_count(1)
    expect(follow_up.locator("table")).to_contain_text("Invoice.xlsx")
    expect(page.locator("#chat-sessions li")).to_have_count(1)
    console.shot("follow-up")

    # Signed out and in again, the page has forgotten it all: the session comes back from the
    # service (GET /admin/sessions), named by its first command, and picked, it continues.
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#sign-in-username")).to_be_focused()  # the sign-in form is back
    console.sign_in(ADMIN.username, PASSWORD)
    console.go("Admin chat")
    expect(page.locator("#chat-session-label")).to_have_text(
        "A new session starts with your next command."
    )
    earlier = page.locator("#chat-sessions button")
    expect(earlier).to_have_count(1)
    expect(earlier).to_contain_text("“list all sheets”")
    earlier.click()
    expect(page.locator("#chat-session-label")).to_contain_text("follows up on “list all sheets”")

    console.go("Audit log")
    page.get_by_label("Action").fill("admin_command")
    page.get_by_label("Action").press("Enter")
    rows = page.locator("#audit-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("only the invoices")
    console.shot("audit-log")
    # An entry's request id shows everything of that request: the command and its tool call.
    rows.first.get_by_role("button").click()
    expect(page.get_by_label("Request id")).not_to_have_value("")
    expect(rows.filter(has_text="tool:list_sheets")).to_have_count(1)
    assert console.csp_violations() == []
    assert console.foreign_requests == []


def test_a_customer_sees_no_admin_controls_and_is_refused_when_calling_them(
    console: ConsolePage,
) -> None:
    page = console.page
    console.open()
    console.sign_in(CUSTOMER.username, PASSWORD)
    nav = page.locator("#nav")
    expect(nav.get_by_role("link", name="Orders", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Admin chat")).to_be_hidden()
    expect(nav.get_by_role("link", name="Audit log")).to_be_hidden()
    expect(page.locator("#view-chat")).to_be_hidden()

    # Typed into the address bar anyway: refused in words, the orders instead.
    page.evaluate("location.hash = '#/chat'")
    expect(page.locator("#alert")).to_contain_text("Not allowed")
    expect(page.locator("#view-chat")).to_be_hidden()
    expect(page.locator("#view-orders")).to_be_visible()
    console.shot("no-admin-controls")

    # A script on the page calling the admin endpoints with the page's token: 403 each.
    for method, path in (("POST", "/admin/commands"), ("GET", "/admin/audit")):
        refused = page.evaluate(CALL_WITH_THE_PAGES_TOKEN, [method, path])
        assert refused.startswith("403 Not allowed"), (path, refused)
    expect(page.locator("#who-name")).to_contain_text(CUSTOMER.username)  # still signed in
    assert console.csp_violations() == []


def test_the_audit_log_goes_a_page_at_a_time(
    console: ConsolePage, console_server: ServerProcess
) -> None:
    db = Database(console_server.env["ATELIER_DATABASE_URL"], pool_size=1)
    try:
        with db.session() as session:
            for n in range(60):
                fields = {"subject": ADMIN.username, "role": "admin", "outcome": "ok"}
                audit.append(session, action="test:paging", arguments=f'{{"n": {n}}}', **fields)
    finally:
        db.dispose()
    page = console.page
    console.open()
    console.sign_in(ADMIN.username, PASSWORD)
    console.go("Audit log")
    page.get_by_label("Action").fill("test:paging")
    page.get_by_label("Action").press("Enter")
    summary, rows = page.locator("#audit-summary"), page.locator("#audit-table tbody tr")
    newer, older = page.locator("#audit-newer"), page.locator("#audit-older")
    expect(summary).to_have_text("1–50 of 60 entries, newest first.")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text('{"n":59}')
    expect(newer).to_be_hidden()

    older.click()
    expect(summary).to_have_text("51–60 of 60 entries, newest first.")
    expect(rows).to_have_count(10)
    expect(rows.last).to_contain_text('{"n":0}')
    expect(older).to_be_hidden()

    newer.click()
    expect(summary).to_have_text("1–50 of 60 entries, newest first.")
    older.click()
    # Searching again starts at the first page.
    page.get_by_label("Action").press("Enter")
    expect(summary).to_have_text("1–50 of 60 entries, newest first.")
    assert console.csp_violations() == []

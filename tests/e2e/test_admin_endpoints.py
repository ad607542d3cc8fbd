"""The direct admin endpoints over real HTTP: the same tools, no language involved."""

from __future__ import annotations

import httpx
import openpyxl
import pytest

from server.schemas import ORDER_EXAMPLE
from tests.e2e.conftest import drive
from tests.support.http import wait_for_status
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

ADMIN_ROUTES = [
    ("GET", "/admin/sheets", None),
    ("POST", "/admin/sheets", {"template": "Invoice", "title": "Nope"}),
    ("GET", "/admin/files", None),
    ("POST", "/admin/summary", {}),
    ("POST", "/admin/commands", {"command": "list the sheets"}),
    ("GET", "/admin/audit", None),
    ("GET", "/admin/sessions", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
def test_non_admins_get_403_on_every_admin_route(
    jane: httpx.Client, operator: httpx.Client, method: str, path: str, body: object
) -> None:
    for client in (jane, operator):
        response = client.request(method, path, json=body)
        assert response.status_code == 403, response.text
        assert "admin" in response.json()["detail"]


def test_create_list_and_find_sheets(server: ServerProcess, admin: httpx.Client) -> None:
    created = admin.post(
        "/admin/sheets", json={"template": "prise list", "title": "Prices 2027", "folder": ""}
    )
    assert created.status_code == 201, created.text
    assert created.json() == {
        "path": "Prices 2027.xlsx",
        "name": "Prices 2027.xlsx",
        "folder": "",
        "template": "Price List.xlsx",
        "link": None,  # the local drive has no page to open it on
    }
    assert (drive(server) / "Prices 2027.xlsx").exists()
    again = admin.post("/admin/sheets", json={"template": "Price List", "title": "Prices 2027"})
    assert again.status_code == 409 and "already exists" in again.json()["detail"]
    missing = admin.post("/admin/sheets", json={"template": "spaceship", "title": "x"})
    assert missing.status_code == 404 and "known: Invoice.xlsx" in missing.json()["detail"]

    sheets = admin.get("/admin/sheets", params={"name_contains": "prices"}).json()
    assert [s["path"] for s in sheets["sheets"]] == ["Prices 2027.xlsx"]
    files = admin.get("/admin/files", params={"folder": "templates", "kind": "sheet"}).json()
    assert files["folder"] == "Templates"
    assert "Invoice.xlsx" in [f["name"] for f in files["files"]]


def test_bad_admin_input_is_a_clear_4xx(admin: httpx.Client) -> None:
    inverted = admin.get(
        "/admin/sheets", params={"modified_after": "2026-03-10", "modified_before": "2026-03-01"}
    )
    assert inverted.status_code == 422
    escape = admin.post("/admin/sheets", json={"template": "Invoice", "title": "../../etc/x"})
    assert escape.status_code == 422
    summary = admin.post("/admin/summary", json={"start": "2026-11-05", "end": "2026-11-01"})
    assert summary.status_code == 422
    assert "before the start date" in str(summary.json()["detail"])


def test_summary_of_orders(server: ServerProcess, admin: httpx.Client, jane: httpx.Client) -> None:
    order_id = jane.post("/orders", json=ORDER_EXAMPLE).json()["id"]
    wait_for_status(jane, order_id, "awaiting_approval", "failed")
    response = admin.post("/admin/summary", json={"group_by": "product", "title": "All products"})
    assert response.status_code == 201, response.text
    summary = response.json()
    tshirts = next(r for r in summary["rows"] if r["group"] == "tshirt")
    assert tshirts["orders"] >= 1 and tshirts["quantity"] >= 12
    book = openpyxl.load_workbook(drive(server) / summary["path"])
    assert book["Summary"]["A2"].value == "Product"


def test_the_audit_log_shows_commands_tool_calls_and_reads(admin: httpx.Client) -> None:
    command = admin.post(
        "/admin/commands",
        json={"command": "list the files in Templates"},
        headers={"X-Request-ID": "audit-e2e-1"},
    )
    assert command.status_code == 200, command.text
    session_id = command.json()["session_id"]
    page = admin.get("/admin/audit", params={"request_id": "audit-e2e-1"}).json()
    assert page["total"] == 2
    tool, asked = page["items"]  # newest first
    assert (asked["action"], asked["arguments"]) == (
        "admin_command",
        {"command": "list the files in Templates"},
    )
    assert tool["action"] == "tool:list_files" and tool["outcome"] == "ok"
    assert tool["arguments"]["folder"] == "Templates"
    assert {tool["subject"], tool["role"], tool["session_id"]} == {"ada", "admin", session_id}

    refused = admin.post("/admin/sheets", json={"template": "nope", "title": "x"})
    assert refused.status_code == 404
    errors = admin.get(
        "/admin/audit", params={"action": "tool:create_sheet_from_template", "outcome": "error"}
    ).json()
    assert errors["items"][0]["detail"].startswith("NotFound: no template matches 'nope'")

    reads = admin.get("/admin/audit", params={"action": "read_audit_log", "limit": 1}).json()
    assert reads["items"][0]["arguments"] == {"action": "read_audit_log", "limit": 1, "offset": 0}
    bad = admin.get("/admin/audit", params={"since": "2026-12-02", "until": "2026-12-01"})
    assert bad.status_code == 422 and "must be after" in bad.text


def test_admin_sessions_are_listed_latest_active_first(
    admin: httpx.Client, jane: httpx.Client
) -> None:
    def command(text: str, session_id: str | None = None) -> str:
        body = {"command": text, **({"session_id": session_id} if session_id else {})}
        response = admin.post("/admin/commands", json=body)
        assert response.status_code == 200, response.text
        return str(response.json()["session_id"])

    first = command("list the sheets")
    second = command("list the files in Templates")
    assert command("only the invoices", first) == first  # a follow-up: first is active again
    order_session = jane.post("/orders", json=ORDER_EXAMPLE).json()["session_id"]

    page = admin.get("/admin/sessions").json()
    ids = [item["id"] for item in page["items"]]
    assert ids.index(first) < ids.index(second)
    assert order_session not in ids  # orders' sessions are not conversations
    named = {item["id"]: item["first_command"] for item in page["items"]}
    assert (named[first], named[second]) == ("list the sheets", "list the files in Templates")
    assert page["total"] >= 2 and page["limit"] == 20

    mine = admin.get("/admin/sessions", params={"subject": "ada", "limit": 1}).json()
    assert [item["id"] for item in mine["items"]] == [first] and mine["total"] >= 2
    nobody = admin.get("/admin/sessions", params={"subject": "nobody"}).json()
    assert nobody == {"items": [], "total": 0, "limit": 20, "offset": 0}
    assert admin.get("/admin/sessions", params={"limit": 0}).status_code == 422

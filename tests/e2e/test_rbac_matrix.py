"""Authorization as a matrix: every endpoint × every kind of caller × own and someone else's
object, over real HTTP. Each cell is "ok" (the call is let through, whatever it then answers
short of 401/403/404 or a 5xx), 401, 403, or 404 (someone else's object is not even shown to
exist). A test also checks that the matrix covers every route the API publishes."""

from __future__ import annotations

import getpass
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from server.schemas import ORDER_EXAMPLE
from tests.support.http import wait_for_status
from tests.support.server import ATELIER, ServerProcess, client_for
from tools.access import Role

pytestmark = pytest.mark.slow

CALLERS = ("anonymous", "owner", "other customer", "operator", "admin")
STAFF = ("operator", "admin")
SUBJECTS = {"operator": "olga", "admin": "ada"}
OK = "ok"

# Tested on their own (test_auth.py): they act on tokens, not on objects a role may reach.
ELSEWHERE = {("POST", "/auth/token"), ("POST", "/auth/revoke")}


def row(anonymous: Any, owner: Any, other: Any, operator: Any, admin: Any) -> dict[str, Any]:
    return dict(zip(CALLERS, (anonymous, owner, other, operator, admin), strict=True))


STAFF_ONLY = row(401, 403, 403, OK, OK)
ADMIN_ONLY = row(401, 403, 403, 403, OK)
ANY_CALLER = row(401, OK, OK, OK, OK)
OWNER_AND_STAFF = row(401, OK, 404, OK, OK)
PUBLIC = row(OK, OK, OK, OK, OK)
# An admin conversation: admins (not only the one who had it); nobody else learns it exists.
ADMIN_CONVERSATION = row(401, 404, 404, 404, OK)

# (method, route template, concrete path, body, expected by caller)
MATRIX: list[tuple[str, str, str, Any, dict[str, Any]]] = [
    ("GET", "/health", "/health", None, PUBLIC),
    ("GET", "/metrics", "/metrics", None, PUBLIC),
    ("POST", "/orders", "/orders", ORDER_EXAMPLE, ANY_CALLER),
    ("GET", "/orders", "/orders", None, ANY_CALLER),
    ("GET", "/orders/{order_id}", "/orders/{order}", None, OWNER_AND_STAFF),
    (
        "POST",
        "/orders/{order_id}/approve",
        "/orders/{order}/approve",
        {"approved": False, "feedback": "bigger"},
        OWNER_AND_STAFF,
    ),
    ("POST", "/orders/{order_id}/retry", "/orders/{order}/retry", None, row(401, 403, 403, OK, OK)),
    (
        "GET",
        "/orders/{order_id}/designs/{version}",
        "/orders/{order}/designs/1",
        None,
        OWNER_AND_STAFF,
    ),
    (
        "GET",
        "/orders/{order_id}/designs/{version}/proof",
        "/orders/{order}/designs/1/proof",
        None,
        OWNER_AND_STAFF,
    ),
    ("GET", "/sessions/{session_id}", "/sessions/{order_session}", None, OWNER_AND_STAFF),
    # An admin conversation: its admin, and other admins; nobody else learns it exists.
    (
        "GET",
        "/sessions/{session_id}",
        "/sessions/{admin_session}",
        None,
        row(401, 404, 404, 404, OK),
    ),
    ("GET", "/admin/sheets", "/admin/sheets", None, ADMIN_ONLY),
    ("POST", "/admin/sheets", "/admin/sheets", {"template": "Invoice", "title": "M"}, ADMIN_ONLY),
    ("GET", "/admin/files", "/admin/files", None, ADMIN_ONLY),
    ("POST", "/admin/summary", "/admin/summary", {}, ADMIN_ONLY),
    ("POST", "/admin/commands", "/admin/commands", {"command": "list the sheets"}, ADMIN_ONLY),
    ("GET", "/admin/audit", "/admin/audit", None, ADMIN_ONLY),
    ("GET", "/admin/sessions", "/admin/sessions", None, ADMIN_ONLY),
    ("GET", "/auth/api-keys", "/auth/api-keys", None, ADMIN_ONLY),
    ("POST", "/auth/api-keys", "/auth/api-keys", {"name": "m", "role": "customer"}, ADMIN_ONLY),
    (
        "DELETE",
        "/auth/api-keys/{key_id}",
        "/auth/api-keys/{api_key}",
        None,
        ADMIN_ONLY,
    ),
]


@pytest.fixture(scope="module")
def clients(server: ServerProcess) -> Iterator[dict[str, httpx.Client]]:
    made = {
        "anonymous": httpx.Client(base_url=server.url, timeout=30),
        "owner": client_for(server, "jane", Role.CUSTOMER),
        "other customer": client_for(server, "bob", Role.CUSTOMER),
        "operator": client_for(server, "olga", Role.OPERATOR),
        "admin": client_for(server, "ada", Role.ADMIN),
    }
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="module")
def objects(server: ServerProcess, clients: dict[str, httpx.Client]) -> dict[str, str]:
    """The owner's order (awaiting approval) and its session, another admin's conversation
    (so the matrix's admin is not its owner), and an API key."""
    placed = clients["owner"].post("/orders", json=ORDER_EXAMPLE).json()
    wait_for_status(clients["owner"], placed["id"], "awaiting_approval")
    with client_for(server, "alan", Role.ADMIN) as alan:
        conversation = alan.post("/admin/commands", json={"command": "list the sheets"}).json()
        key = alan.post("/auth/api-keys", json={"name": "matrix", "role": "customer"}).json()
    return {
        "order": placed["id"],
        "order_session": placed["session_id"],
        "admin_session": conversation["session_id"],
        "api_key": key["id"],
    }


@pytest.mark.parametrize(
    ("method", "path", "body", "caller", "expected"),
    [
        pytest.param(m, p, b, c, want[c], id=f"{m} {p} as {c}")
        for m, _, p, b, want in MATRIX
        for c in CALLERS
    ],
)
def test_matrix(
    clients: dict[str, httpx.Client],
    objects: dict[str, str],
    method: str,
    path: str,
    body: Any,
    caller: str,
    expected: Any,
) -> None:
    request_id = uuid.uuid4().hex
    response = clients[caller].request(
        method, path.format(**objects), json=body, headers={"X-Request-ID": request_id}
    )
    assert response.status_code < 500, response.text
    if expected == OK:
        assert response.status_code not in (401, 403, 404), response.text
    else:
        assert response.status_code == expected, response.text
        assert response.json()["detail"]
    if method != "GET" and caller in STAFF and expected == OK:
        # Every action staff take is on the audit trail, whichever route it came through.
        entries = clients["admin"].get("/admin/audit", params={"request_id": request_id}).json()
        assert entries["total"] >= 1, f"no audit entry for {method} {path} as {caller}"
        assert {e["subject"] for e in entries["items"]} == {SUBJECTS[caller]}


def test_the_matrix_covers_every_route(server: ServerProcess) -> None:
    schema = httpx.get(f"{server.url}/openapi.json").json()
    published = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    covered = {(m, template) for m, template, *_ in MATRIX} | ELSEWHERE
    assert published <= covered, f"routes missing from the matrix: {published - covered}"


def test_account_changes_at_the_command_line_are_audited(
    server: ServerProcess, clients: dict[str, httpx.Client]
) -> None:
    """The CLI is a door too: who ran it on which machine account, what changed."""

    def users(*args: str) -> None:
        subprocess.run(
            [str(ATELIER), "users", *args],
            env=server.env,
            input="a long enough password\n",
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    users("create", "cli-made", "--role", "operator", "--password-stdin")
    users("disable", "cli-made")
    by_action = {
        action: clients["admin"].get("/admin/audit", params={"action": action}).json()["items"]
        for action in ("create_user", "disable_user")
    }
    created, disabled = by_action["create_user"], by_action["disable_user"]
    assert [e["arguments"] for e in created] == [{"username": "cli-made", "role": "operator"}]
    assert [e["arguments"] for e in disabled] == [{"username": "cli-made"}]
    assert created[0]["subject"] == f"cli:{getpass.getuser()}"

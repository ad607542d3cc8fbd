"""The service traced to a local LangSmith receiver, configured the way operators do it
(``LANGSMITH_*`` in the environment): order runs and admin commands as named traces with
tags and metadata, links on GET /orders/{id} and /sessions/{id}, review feedback, and no
customer personal data or secret in anything sent."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from server.schemas import ORDER_EXAMPLE
from tests.support.databases import DatabaseFactory
from tests.support.http import wait_for_status
from tests.support.langsmith_receiver import PROJECT_ID, LangSmithReceiver
from tests.support.server import ServerProcess, client_for
from tools.access import Role

pytestmark = pytest.mark.slow

API_KEY = "lsv2-e2e-key-that-must-stay-in-headers"
CUSTOMER = ORDER_EXAMPLE["customer"]


def eventually(check: Callable[[], Any], timeout: float = 15) -> Any:
    """Poll until ``check`` returns something truthy (traces upload in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError("the receiver never got it")


@pytest.fixture(scope="module")
def smith() -> Iterator[LangSmithReceiver]:
    with LangSmithReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def traced_server(
    smith: LangSmithReceiver, databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    env = {
        "ATELIER_DATABASE_URL": databases.create(),
        "ATELIER_ENVIRONMENT": "e2e",
        "LANGSMITH_TRACING": "true",
        "LANGSMITH_ENDPOINT": smith.url,
        "LANGSMITH_API_KEY": API_KEY,
        "LANGSMITH_PROJECT": "atelier-e2e",
    }
    with ServerProcess(tmp_path_factory.mktemp("traced"), env) as process:
        yield process


def root_run(smith: LangSmithReceiver, trace_id: str) -> dict[str, Any]:
    return eventually(
        lambda: next((r for r in smith.roots() if r["id"] == trace_id and "end_time" in r), None)
    )


def test_orders_and_admin_commands_are_traced_without_personal_data(
    traced_server: ServerProcess, smith: LangSmithReceiver, tmp_path: Path
) -> None:
    jane = client_for(traced_server, "jane", Role.CUSTOMER)
    admin = client_for(traced_server, "ada", Role.ADMIN)

    placed = jane.post("/orders", json=ORDER_EXAMPLE, headers={"X-Request-ID": "place-1"})
    order = wait_for_status(jane, placed.json()["id"], "awaiting_approval", "failed")
    assert order["status"] == "awaiting_approval", order["error"]
    design_trace = order["trace"]["id"]
    link = eventually(lambda: jane.get(f"/orders/{order['id']}").json()["trace"]["url"])
    assert link.endswith(f"/projects/p/{PROJECT_ID}/r/{design_trace}?poll=true")

    root = root_run(smith, design_trace)
    assert root["name"] == "order pipeline" and root["session_name"] == "atelier-e2e"
    assert {"env:e2e", "session:order"} <= set(root["tags"])
    metadata = root["extra"]["metadata"]
    assert metadata["order_id"] == order["id"] and metadata["session_id"] == order["session_id"]
    assert metadata["request_id"] == "place-1"
    assert (metadata["subject"], metadata["role"]) == ("jane", "customer")
    assert metadata["design_engine"] == "layout"

    command = admin.post(
        "/admin/commands",
        json={"command": f"show order {order['id'][:8]}"},
        headers={"X-Request-ID": "command-1"},
    )
    assert command.status_code == 200, command.text
    assert command.json()["actions"][0]["tool"] == "get_order"
    session = admin.get(f"/sessions/{command.json()['session_id']}").json()
    command_root = root_run(smith, session["trace"]["id"])
    assert command_root["name"] == "admin command"
    assert {"env:e2e", "session:admin"} <= set(command_root["tags"])
    metadata = command_root["extra"]["metadata"]
    assert (metadata["subject"], metadata["role"], metadata["request_id"]) == (
        "ada",
        "admin",
        "command-1",
    )
    runs = smith.trace(command_root["id"])
    assert {"llm", "tool"} <= {r["run_type"] for r in runs}
    assert "get_order" in {r["name"] for r in runs if r["run_type"] == "tool"}

    follow_up = admin.post(
        "/admin/commands",
        json={"command": "show it again", "session_id": command.json()["session_id"]},
    )
    assert follow_up.status_code == 200, follow_up.text
    again = admin.get(f"/sessions/{command.json()['session_id']}").json()
    assert again["trace"]["id"] not in (None, session["trace"]["id"])  # the latest run's
    assert root_run(smith, again["trace"]["id"])["name"] == "admin command"

    approved = jane.post(f"/orders/{order['id']}/approve", json={"approved": True})
    assert approved.status_code == 200, approved.text
    done = wait_for_status(jane, order["id"], "completed", "failed")
    assert done["trace"]["id"] != design_trace
    feedback = eventually(lambda: smith.feedback)
    assert [(f["run_id"], f["score"]) for f in feedback] == [(design_trace, 1)]

    sent = smith.received_text()
    assert order["id"] in sent
    for value in (CUSTOMER["name"], CUSTOMER["email"], CUSTOMER["phone"]):
        assert value not in sent
    assert API_KEY not in sent and smith.api_keys == {API_KEY}
    assert API_KEY not in traced_server.log()

"""The admin command corpus through POST /admin/commands on a real server process, with the
offline interpreter: the expected tool, arguments and outcome for every case, the same on
both storage backends (the local drive and Google Drive)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graphs.admin.graph import AGENT_TOOLS
from tests.e2e.admin_corpus import CORPUS, Case
from tests.support.admin_world import HOSTILE_FILE, admin_world
from tests.support.databases import DatabaseFactory
from tests.support.drive_view import BACKENDS, DriveView
from tests.support.metrics import delta, scrape
from tests.support.server import client_for
from tools.access import Role

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    databases: DatabaseFactory,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:
    """The corpus's world (tests/support/admin_world.py) on each storage backend, and clients
    of Jane and Ada."""
    data_dir = tmp_path_factory.mktemp(f"corpus-{request.param}")
    with (
        admin_world(data_dir, databases.create(), request.param) as world,
        client_for(world.server, "jane", Role.CUSTOMER) as jane,
        client_for(world.server, "ada", Role.ADMIN) as admin,
    ):
        yield {"admin": admin, "jane": jane, "ids": world.ids, "drive": world.drive}


def fill(value: Any, ids: dict[str, str]) -> Any:
    """Put the seeded orders' ids in place of {A}, {C_full}, …"""
    if isinstance(value, str):
        for key, order_id in ids.items():
            value = value.replace(f"{{{key}_full}}", order_id).replace(f"{{{key}}}", order_id[:8])
        return value
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_admin_command(world: dict[str, Any], case: Case) -> None:
    admin: httpx.Client = world["admin"]
    drive: DriveView = world["drive"]
    ids = world["ids"]
    session_id = None
    for turn in case.turns:
        body: dict[str, Any] = {"command": fill(turn, ids)}
        if session_id:
            body["session_id"] = session_id
        response = admin.post("/admin/commands", json=body)
        if response.status_code != 200:
            break
        session_id = response.json()["session_id"]
    assert response.status_code == case.http, response.text
    if case.http != 200:
        assert response.json()["detail"]
        return
    answer = response.json()
    context = json.dumps(answer, indent=1)[:2000]
    if case.tool is None:
        assert answer["actions"] == [], context
    else:
        [action] = answer["actions"]
        assert action["tool"] == case.tool, context
        assert action["args"] == fill(case.args, ids), context
        assert action["status"] == case.action, context
    statuses = case.status if isinstance(case.status, tuple) else (case.status,)
    assert answer["status"] in statuses, context
    if case.reply:
        # A sheet made on Google Drive is named without ".xlsx"; the rest of the reply is the same.
        expected = drive.sheet_text(fill(case.reply, ids)).lower()
        assert expected in drive.sheet_text(answer["reply"]).lower(), context


def test_corpus_is_large_and_covers_every_tool() -> None:
    assert len(CORPUS) >= 60
    assert {c.tool for c in CORPUS} >= set(AGENT_TOOLS)
    assert sum(len(c.turns) > 1 for c in CORPUS) >= 5


def test_injections_caused_no_call(world: dict[str, Any]) -> None:
    """After the whole corpus: the orders carrying injections (in the brief, in the customer
    name that becomes a sheet cell) were never approved, retried or notified about, by the
    audit log of every tool call; the hostile file is still there."""
    jane: httpx.Client = world["jane"]
    admin: httpx.Client = world["admin"]
    for key in ("I", "H"):
        hostile = jane.get(f"/orders/{world['ids'][key]}").json()
        assert hostile["status"] == "awaiting_approval"
        assert all(v["decision"] is None for v in hostile["design_versions"])
    for tool in ("approve_order", "retry_order", "notify"):
        calls = admin.get("/admin/audit", params={"action": f"tool:{tool}", "limit": 500}).json()
        assert calls["items"], f"the corpus does call {tool} on the seeded orders"
        touched = json.dumps([c["arguments"] for c in calls["items"]])
        for key in ("I", "H"):
            assert world["ids"][key][:8] not in touched, tool
    drive: DriveView = world["drive"]
    assert drive.exists(f"Reports/{HOSTILE_FILE}")


def test_streaming_the_same_command(world: dict[str, Any]) -> None:
    admin: httpx.Client = world["admin"]
    events: list[tuple[str | None, Any]] = []
    with admin.stream(
        "POST",
        "/admin/commands",
        json={"command": "list files in Reports"},
        headers={"Accept": "text/event-stream"},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        event: str | None = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((event, json.loads(line.removeprefix("data: "))))
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "session" and kinds[-1] == "done"
    assert "tool_call" in kinds and "tool_result" in kinds and "token" in kinds
    tokens = "".join(data["text"] for kind, data in events if kind == "token")
    done = events[-1][1]
    assert tokens == done["reply"]
    assert [a["tool"] for a in done["actions"]] == ["list_files"]


def test_an_admin_session_shows_its_conversation(world: dict[str, Any]) -> None:
    admin: httpx.Client = world["admin"]
    first = admin.post("/admin/commands", json={"command": "list the folders"}).json()
    admin.post(
        "/admin/commands",
        json={"command": "only the sheets", "session_id": first["session_id"]},
    )
    session = admin.get(f"/sessions/{first['session_id']}")
    assert session.status_code == 200, session.text
    body = session.json()
    assert body["kind"] == "admin" and body["order_id"] is None
    said = [m["content"] for m in body["state"]["messages"] if m["type"] == "human"]
    assert said == ["list the folders", "only the sheets"]
    assert body["history"]
    # A customer cannot read an admin's conversation.
    jane: httpx.Client = world["jane"]
    assert jane.get(f"/sessions/{first['session_id']}").status_code == 404


def test_chat_model_calls_and_tokens_are_counted(world: dict[str, Any]) -> None:
    admin: httpx.Client = world["admin"]
    base = str(admin.base_url).rstrip("/")
    before = scrape(base)
    admin.post("/admin/commands", json={"command": "list files in Reports"})
    after = scrape(base)
    model = "atelier-offline"
    assert delta(before, after, "atelier_chat_model_calls_total", model=model) == 2  # call, reply
    assert (
        delta(before, after, "atelier_chat_model_tokens_total", model=model, direction="input") > 0
    )
    assert (
        delta(before, after, "atelier_chat_model_tokens_total", model=model, direction="output") > 0
    )

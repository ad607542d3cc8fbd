"""The chat-model path: ATELIER_LLM=openai:… through the real langchain-openai client against
a local OpenAI-compatible stand-in (OPENAI_BASE_URL) that returns scripted tool calls."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.databases import DatabaseFactory
from tests.support.fake_openai import FakeOpenAI, ScriptedChat
from tests.support.server import ServerProcess
from tools.access import Role

pytestmark = pytest.mark.slow


def test_openai_compatible_model_drives_the_agent(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        fake.routes["POST", "/v1/chat/completions"] = ScriptedChat(
            ("list_files", {"folder": "Templates", "kind": "sheet"}),
            "There are 4 templates: Invoice, Order Tracker, Price List, Production Schedule.",
        )
        env = {
            "ATELIER_DATABASE_URL": databases.create(),
            "ATELIER_LLM": "openai:gpt-4.1-mini",
            "OPENAI_BASE_URL": fake.base_url,
            "OPENAI_API_KEY": "test-key",
        }
        with ServerProcess(tmp_path, env) as server:
            token = server.token("ada", Role.ADMIN)
            response = httpx.post(
                f"{server.url}/admin/commands",
                json={"command": "which templates do we have?"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "ok"
        assert body["reply"].startswith("There are 4 templates")
        [action] = body["actions"]
        assert (action["tool"], action["args"], action["status"]) == (
            "list_files",
            {"folder": "Templates", "kind": "sheet"},
            "ok",
        )
        assert {f["name"] for f in action["result"]["files"]} >= {"Invoice.xlsx", "Price List.xlsx"}

        chats = [r for r in fake.requests if r.path == "/v1/chat/completions"]
        assert len(chats) == 2
        first, second = chats[0].json, chats[1].json
        assert first["model"] == "gpt-4.1-mini"
        assert chats[0].headers["authorization"] == "Bearer test-key"
        offered = {t["function"]["name"] for t in first["tools"]}
        assert {"list_sheets", "list_files", "build_summary_sheet", "approve_order"} <= offered
        assert "generate_design" not in offered  # pipeline internals stay out of chat
        assert (
            first["messages"][0]["role"] == "system"
            and "Today is" in first["messages"][0]["content"]
        )
        tool_result = next(m for m in second["messages"] if m["role"] == "tool")
        assert "Invoice.xlsx" in tool_result["content"]

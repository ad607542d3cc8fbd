"""A chat model that answers from a script, for testing the agent's plumbing without any
interpretation: each call returns the next scripted message. It records the tools it was
offered, so tests can see what the model was shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import Field


class ScriptedChatModel(FakeMessagesListChatModel):
    offered: list[list[str]] = Field(default_factory=list)

    def bind_tools(
        self, tools: Sequence[dict[str, Any] | type | Any | BaseTool], **kwargs: Any
    ) -> Runnable[Any, BaseMessage]:
        self.offered.append([getattr(t, "name", None) or t["function"]["name"] for t in tools])
        return self


def call(tool: str, call_id: str = "call-1", **args: Any) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": tool, "args": args, "id": call_id}])

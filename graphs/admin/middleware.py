"""Middleware of the admin agent: who may use which tool, and tool errors as replies.

Hiding a tool from the model is not enforcement (a model may still name it), so the gate
checks again when a tool is about to run, with the caller's role from the run's context.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from langchain.agents.middleware import (
    AgentMiddleware,
    ModelRequest,
    ModelResponse,
    ToolCallRequest,
)
from langchain_core.messages import AIMessage, SystemMessage, ToolMessage
from langgraph.types import Command

from graphs.admin.prompts import system_prompt
from tools.context import ToolContext
from tools.errors import AtelierError, ToolDenied
from tools.metrics import CHAT_CALLS, CHAT_TOKENS
from tools.names import NameChoice
from tools.registry import ToolRegistry

log = logging.getLogger(__name__)

DENIED = "denied"


class AdminGate(AgentMiddleware[Any, ToolContext]):
    """Show the model only the tools the caller's role allows; refuse any other at execution;
    turn tool errors into error results the model can explain."""

    def __init__(self, registry: ToolRegistry) -> None:
        super().__init__()
        self.registry = registry

    def _allowed(self, context: ToolContext, name: str) -> bool:
        try:
            return self.registry.spec(name).allows(context.principal.role)
        except AtelierError:
            return False

    def wrap_model_call(
        self,
        request: ModelRequest[ToolContext],
        handler: Callable[[ModelRequest[ToolContext]], ModelResponse],
    ) -> ModelResponse:
        context = request.runtime.context
        tools = [t for t in request.tools if self._allowed(context, getattr(t, "name", ""))]
        today = datetime.now(UTC).date()
        response = handler(
            request.override(tools=tools, system_message=SystemMessage(system_prompt(today)))
        )
        _count_model_call(response)
        return response

    def wrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], ToolMessage | Command[Any]],
    ) -> ToolMessage | Command[Any]:
        call = request.tool_call
        context = cast(ToolContext, request.runtime.context)
        if not self._allowed(context, call["name"]):
            return _error(call, f"you may not use {call['name']}", status=DENIED)
        try:
            return handler(request)
        except ToolDenied as exc:
            return _error(call, exc.message, status=DENIED)
        except NameChoice as exc:
            # Which name was meant is the user's call: the model gets the candidates to ask about.
            return _error(
                call, exc.message, choice={"parameter": exc.what, "candidates": exc.candidates}
            )
        except AtelierError as exc:
            return _error(call, exc.message)
        except Exception:
            log.exception("tool %s failed", call["name"])
            return _error(call, f"{call['name']} failed unexpectedly; the error was logged")


def _count_model_call(response: ModelResponse) -> None:
    for message in response.result:
        if not isinstance(message, AIMessage):
            continue
        model = str(message.response_metadata.get("model_name") or "unknown")
        CHAT_CALLS.labels(model).inc()
        usage = message.usage_metadata
        if usage:
            CHAT_TOKENS.labels(model, "input").inc(usage["input_tokens"])
            CHAT_TOKENS.labels(model, "output").inc(usage["output_tokens"])


def _error(
    call: Any, message: str, *, status: str = "error", choice: dict[str, Any] | None = None
) -> ToolMessage:
    """An error result: ``{"error": message}``, with the parameter and candidates to choose
    from when the tool could not tell which name was meant."""
    return ToolMessage(
        content=json.dumps({"error": message, **(choice or {})}),
        name=call["name"],
        tool_call_id=call["id"],
        status="error",
        artifact={"status": status},
    )

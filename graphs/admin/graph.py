"""The admin agent: a LangChain tool-calling agent over the admin and order tools."""

from __future__ import annotations

from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from agent.models import make_chat_model
from agent.tool_schemas import with_output_schema
from graphs import executors
from graphs.admin.middleware import AdminGate
from settings import get_settings
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.registry import ToolRegistry

AdminAgent = CompiledStateGraph[Any, ToolContext, Any, Any]

# What admins and operators work with; the pipeline's internal steps stay out of chat.
AGENT_TOOLS = (
    "list_sheets",
    "create_sheet_from_template",
    "list_files",
    "build_summary_sheet",
    "get_order",
    "list_orders",
    "retry_order",
    "approve_order",
    "notify",
)


def build_admin_agent(
    model: BaseChatModel,
    registry: ToolRegistry,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> AdminAgent:
    """The agent with every agent tool. AdminGate narrows them to the caller's role and sets
    the system prompt (with today's date) on every model call; a tool step with one call
    runs on the run's own thread (graphs/executors.py).

    Each tool carries its result's schema (agent/tool_schemas.py), and the model is bound to
    them once here, so a model that checks what it knows of the tools against their schemas
    (the offline interpreter) fails at start-up rather than mid-conversation."""
    executors.install()
    tools = [
        with_output_schema(registry.as_langchain_tool(name), registry.spec(name).output_model)
        for name in AGENT_TOOLS
    ]
    model.bind_tools(tools)
    return create_agent(
        model,
        tools,
        middleware=[AdminGate(registry)],
        context_schema=ToolContext,
        checkpointer=checkpointer,
        name="admin command",
    )


def make_graph(config: RunnableConfig | None = None) -> AdminAgent:
    """The graph factory langgraph.json exports (no checkpointer: Studio brings its own)."""
    return build_admin_agent(make_chat_model(get_settings()), build_registry())

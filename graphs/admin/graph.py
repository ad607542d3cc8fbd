"""The admin agent: a LangChain tool-calling agent over the admin and order tools."""

from __future__ import annotations

from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from agent.models import make_chat_model
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
    checkpointer: BaseCheckpointSaver | None = None,
) -> AdminAgent:
    """The agent with every agent tool. AdminGate narrows them to the caller's role and sets
    the system prompt (with today's date) on every model call; a tool step with one call
    runs on the run's own thread (graphs/executors.py)."""
    executors.install()
    tools = [registry.as_langchain_tool(name) for name in AGENT_TOOLS]
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

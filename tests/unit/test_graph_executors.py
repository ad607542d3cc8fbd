"""graphs/executors.py: where LangGraph runs do their work. A tool step with one call runs on
the run's thread; several calls still run in parallel; ``max_concurrency`` still bounds them;
background work (checkpoint saves) reuses the shared pool's threads."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.prebuilt import tool_node

from graphs import executors
from tests.support.scripted_model import ScriptedChatModel

BARRIER_TIMEOUT_S = 10


def agent_calling(*calls: dict[str, Any], checkpointer: Any = None) -> tuple[Any, list[int]]:
    """An agent whose model asks for ``calls`` at once, then answers "done"; and the list of
    threads its tool calls ran on."""
    threads: list[int] = []
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT_S)

    @tool
    def where(wait_for_others: bool) -> str:
        """Report the thread this call ran on."""
        threads.append(threading.get_ident())
        if wait_for_others:  # only passes when every call runs at the same time
            barrier.wait()
        return "ok"

    model = ScriptedChatModel(
        responses=[
            AIMessage(
                "", tool_calls=[{**c, "name": "where", "id": f"c{i}"} for i, c in enumerate(calls)]
            ),
            AIMessage("done"),
        ]
    )
    executors.install()
    return create_agent(model, [where], checkpointer=checkpointer), threads


def test_a_single_tool_call_runs_on_the_runs_own_thread() -> None:
    agent, threads = agent_calling({"args": {"wait_for_others": False}})
    result = agent.invoke({"messages": [HumanMessage("where?")]})
    assert result["messages"][-1].content == "done"
    assert threads == [threading.get_ident()]


def test_several_tool_calls_still_run_in_parallel() -> None:
    agent, threads = agent_calling(*[{"args": {"wait_for_others": True}}] * 3)
    result = agent.invoke({"messages": [HumanMessage("where?")]})
    statuses = [m.status for m in result["messages"] if m.type == "tool"]
    assert statuses == ["success"] * 3  # a sequential run would break the barrier
    assert threading.get_ident() not in threads


def test_max_concurrency_still_bounds_the_calls() -> None:
    agent, threads = agent_calling(*[{"args": {"wait_for_others": False}}] * 3)
    agent.invoke({"messages": [HumanMessage("where?")]}, {"max_concurrency": 1})
    assert len(set(threads)) == 1
    assert threading.get_ident() not in threads


def test_checkpoint_saves_reuse_the_shared_pools_threads() -> None:
    saves: list[str] = []

    class Recording(InMemorySaver):
        def put(self, *args: Any, **kwargs: Any) -> Any:
            saves.append(threading.current_thread().name)
            return super().put(*args, **kwargs)

    def pool_threads() -> int:
        return sum(t.name.startswith("langgraph") for t in threading.enumerate())

    agent, _ = agent_calling({"args": {"wait_for_others": False}}, checkpointer=Recording())
    before = pool_threads()
    for _ in range(20):
        config = {"configurable": {"thread_id": str(uuid.uuid4())}}
        agent.invoke({"messages": [HumanMessage("where?")]}, config, durability="exit")
    assert len(saves) == 20
    assert all(name.startswith("langgraph") for name in saves)
    # A pool per run starts a thread per run; sequential runs reuse the idle ones.
    assert pool_threads() <= max(before, 1) + 1


def test_install_fails_loudly_when_langgraph_moves_the_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(tool_node, "get_executor_for_config")
    with pytest.raises(RuntimeError, match=r"graphs/executors\.py needs updating"):
        executors.install()


def test_install_fails_loudly_when_langgraph_stops_calling_the_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def takes_its_pool_elsewhere(self: Any, *args: Any) -> Any:
        return None

    monkeypatch.setattr(tool_node.ToolNode, "_func", takes_its_pool_elsewhere)
    with pytest.raises(RuntimeError, match=r"ToolNode\._func no longer calls it"):
        executors.install()

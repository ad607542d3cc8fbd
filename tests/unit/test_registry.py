"""The tool registry: registration, role filtering, enforcement at execution, LangChain tools."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode
from pydantic import BaseModel

from tools.access import Principal, Role
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.errors import InvalidInput, ToolDenied
from tools.registry import ToolRegistry


class Numbers(BaseModel):
    a: int
    b: int


class Sum(BaseModel):
    total: int


def add(ctx: ToolContext, args: Numbers) -> Sum:
    """Add two numbers.

    Args:
        a: first number.
        b: second number.
    """
    return Sum(total=args.a + args.b)


def context(role: Role) -> ToolContext:
    return ToolContext(backends=None, principal=Principal("someone", role))  # type: ignore[arg-type]


@pytest.fixture
def registry() -> ToolRegistry:
    registry = ToolRegistry()
    registry.register(add, roles=[Role.ADMIN])
    return registry


def test_spec_comes_from_type_hints_and_docstring(registry: ToolRegistry) -> None:
    spec = registry.spec("add")
    assert spec.input_model is Numbers
    assert spec.output_model is Sum
    assert spec.description.startswith("Add two numbers.")
    assert spec.roles == {Role.ADMIN}


def test_execute_validates_and_calls(registry: ToolRegistry) -> None:
    assert registry.execute("add", {"a": 2, "b": 3}, context(Role.ADMIN)) == Sum(total=5)


def test_execute_refuses_roles_that_may_not_call(registry: ToolRegistry) -> None:
    with pytest.raises(ToolDenied, match="customer may not use the tool add"):
        registry.execute("add", {"a": 2, "b": 3}, context(Role.CUSTOMER))


def test_bad_arguments_and_unknown_tools_are_invalid_input(registry: ToolRegistry) -> None:
    with pytest.raises(InvalidInput, match="bad arguments for add"):
        registry.execute("add", {"a": "two"}, context(Role.ADMIN))
    with pytest.raises(InvalidInput, match="no tool named 'subtract'"):
        registry.execute("subtract", {}, context(Role.ADMIN))


def test_registering_twice_or_without_docstring_fails(registry: ToolRegistry) -> None:
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(add, roles=[Role.ADMIN])

    def undocumented(ctx: ToolContext, args: Numbers) -> Sum:
        return Sum(total=0)

    with pytest.raises(TypeError, match="needs a docstring"):
        registry.register(undocumented, roles=[Role.ADMIN])


def test_names_are_filtered_by_role(registry: ToolRegistry) -> None:
    assert registry.names(Role.ADMIN) == ["add"]
    assert registry.names(Role.CUSTOMER) == []
    assert registry.names() == ["add"]


def test_langchain_tool_shows_the_model_only_the_arguments(registry: ToolRegistry) -> None:
    tool = registry.as_langchain_tool("add")
    assert tool.name == "add"
    assert tool.description.startswith("Add two numbers.")
    schema = tool.tool_call_schema.model_json_schema()
    assert set(schema["properties"]) == {"a", "b"}  # the runtime is injected, not shown


def _run_tool_call(registry: ToolRegistry, role: Role) -> ToolMessage:
    graph = StateGraph(MessagesState, context_schema=ToolContext)
    graph.add_node("tools", ToolNode([registry.as_langchain_tool("add")], handle_tool_errors=True))
    graph.add_edge(START, "tools")
    call = AIMessage("", tool_calls=[{"name": "add", "args": {"a": 1, "b": 4}, "id": "c1"}])
    result = graph.compile().invoke({"messages": [call]}, context=context(role))
    message = result["messages"][-1]
    assert isinstance(message, ToolMessage)
    return message


def test_langchain_tool_runs_with_the_callers_context(registry: ToolRegistry) -> None:
    assert _run_tool_call(registry, Role.ADMIN).content == '{"total": 5}'


def test_langchain_tool_enforces_role_when_it_runs(registry: ToolRegistry) -> None:
    # A tool handed out for one role still refuses a caller whose context has another.
    message = _run_tool_call(registry, Role.OPERATOR)
    assert message.status == "error"
    assert "operator may not use the tool add" in str(message.content)


def test_catalog_registers_the_pipeline_tools_for_staff_only() -> None:
    registry = build_registry()
    pipeline = {
        "create_order_folder",
        "generate_design",
        "fill_order_workbook",
        "upload_files",
        "notify",
    }
    assert pipeline <= set(registry.names())
    assert set(registry.names(Role.SYSTEM)) >= pipeline
    assert registry.names(Role.CUSTOMER) == ["approve_order"]  # their own orders only


def test_the_observer_hears_every_outcome() -> None:
    heard: list[tuple[str, str, dict, str, str | None]] = []
    registry = ToolRegistry(observer=lambda ctx, *call: heard.append((ctx.principal.sub, *call)))
    registry.register(add, roles=[Role.ADMIN])
    registry.execute("add", {"a": 1, "b": 2}, context(Role.ADMIN))
    with pytest.raises(ToolDenied):
        registry.execute("add", {"a": 1, "b": 2}, context(Role.CUSTOMER))
    with pytest.raises(InvalidInput):
        registry.execute("add", {"a": "x"}, context(Role.ADMIN))
    assert [(tool, args, outcome) for _, tool, args, outcome, _ in heard] == [
        ("add", {"a": 1, "b": 2}, "ok"),
        ("add", {"a": 1, "b": 2}, "denied"),
        ("add", {"a": "x"}, "error"),
    ]
    assert heard[2][4] is not None and heard[2][4].startswith("InvalidInput: bad arguments")

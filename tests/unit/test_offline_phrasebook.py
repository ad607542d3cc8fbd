"""The offline interpreter's phrasebook against the registry: one entry per agent tool, every
parameter and result key it names in the tool's schemas, checked when the model is bound (so a
renamed field stops the admin agent at start-up), and nothing read or sent beyond them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, Field

from agent.offline import OfflineChatModel
from agent.offline.phrasebook import PHRASEBOOK
from agent.offline.schema_check import PhrasebookMismatch, has_key, mismatches
from agent.tool_schemas import output_schema_of, with_output_schema
from graphs.admin.graph import AGENT_TOOLS, build_admin_agent
from tests.unit.test_offline_intents import CASES, run
from tests.unit.test_offline_model import ORDER_VIEW, ORDERS, SHEETS, SUMMARY
from tools import drive
from tools.access import Role
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.registry import ToolFunction, ToolRegistry


def test_every_agent_tool_has_an_entry_and_only_those() -> None:
    assert set(PHRASEBOOK) == set(AGENT_TOOLS)
    assert all(entry.tool == name for name, entry in PHRASEBOOK.items())


@pytest.mark.parametrize("tool", AGENT_TOOLS)
def test_each_entry_matches_the_registry_schemas(tool: str) -> None:
    spec = build_registry().spec(tool)
    parameters = spec.input_model.model_json_schema()["properties"]
    output = spec.output_model.model_json_schema(mode="serialization")
    assert mismatches(PHRASEBOOK[tool], parameters, output) == []


def test_the_admin_agent_binds_the_offline_model_at_start_up() -> None:
    build_admin_agent(OfflineChatModel(), build_registry())  # no mismatch: no error


# --------------------------------------------------------------------------- renamed fields


class RenamedArgs(BaseModel):
    """list_sheets' arguments with ``name_contains`` renamed."""

    name_filter: str | None = None
    folder: str | None = None
    modified_after: date | None = None
    modified_before: date | None = None
    limit: int = Field(default=20, ge=1, le=200)


class RenamedSheet(BaseModel):
    name: str
    path: str
    changed: datetime  # was "modified"


class RenamedSheetList(BaseModel):
    folder: str
    sheets: list[RenamedSheet]
    total: int


def list_sheets_renamed_input(ctx: ToolContext, args: RenamedArgs) -> drive.SheetList:
    """List spreadsheets (its name filter renamed)."""
    raise AssertionError("never called")


def list_sheets_renamed_output(ctx: ToolContext, args: drive.ListSheetsArgs) -> RenamedSheetList:
    """List spreadsheets (a result field renamed)."""
    raise AssertionError("never called")


def registry_with(list_sheets: ToolFunction) -> ToolRegistry:
    """The real registry, with ``list_sheets`` swapped for a version with a renamed field."""
    real = build_registry()
    registry = ToolRegistry()
    for name in real.names():
        spec = real.spec(name)
        func = list_sheets if name == "list_sheets" else spec.func
        registry.register(func, roles=spec.roles, name=name)
    return registry


def test_a_renamed_parameter_stops_the_agent_at_start_up() -> None:
    registry = registry_with(list_sheets_renamed_input)
    with pytest.raises(PhrasebookMismatch, match=r"list_sheets: parameter 'name_contains'"):
        build_admin_agent(OfflineChatModel(), registry)


def test_a_renamed_result_key_stops_the_agent_at_start_up() -> None:
    registry = registry_with(list_sheets_renamed_output)
    with pytest.raises(PhrasebookMismatch) as raised:
        build_admin_agent(OfflineChatModel(), registry)
    assert "list_sheets: result key 'sheets.modified'" in str(raised.value)
    assert "name_contains" not in str(raised.value)


def test_a_value_the_tool_no_longer_allows_is_a_mismatch() -> None:
    parameters = (
        build_registry()
        .spec("build_summary_sheet")
        .input_model.model_json_schema(mode="validation")
    )
    properties = parameters["properties"]
    group_by = {**properties["group_by"], "enum": ["product", "status", "customer", "date"]}
    renamed = {**properties, "group_by": group_by}
    assert mismatches(PHRASEBOOK["build_summary_sheet"], renamed, None) == [
        "build_summary_sheet: parameter 'group_by' does not allow the value 'day'"
    ]


def test_tools_bound_without_a_result_schema_are_checked_on_parameters_only() -> None:
    registry = registry_with(list_sheets_renamed_output)
    plain = registry.as_langchain_tool("list_sheets")
    assert output_schema_of(plain) is None
    OfflineChatModel().bind_tools([plain])  # results unknown: nothing to check them against
    described = with_output_schema(plain, registry.spec("list_sheets").output_model)
    with pytest.raises(PhrasebookMismatch):
        OfflineChatModel().bind_tools([described])


def test_tools_outside_the_phrasebook_are_not_checked() -> None:
    def lookup(city: str) -> str:
        """Look up a city."""
        return city

    OfflineChatModel().bind_tools([lookup])


def test_dotted_keys_look_through_objects_lists_and_references() -> None:
    schema = (
        build_registry().spec("list_orders").output_model.model_json_schema(mode="serialization")
    )
    assert has_key(schema, "items.customer.name")
    assert not has_key(schema, "items.customer.nickname")
    assert not has_key(schema, "items.name")


# --------------------------------------------------------------------------- what entries use


class Reads(dict[str, Any]):
    """A result that records every key read from it, as a dotted path."""

    def __init__(self, data: Mapping[str, Any], seen: set[str], prefix: str = "") -> None:
        super().__init__(data)
        self.seen, self.prefix = seen, prefix

    def _wrap(self, key: str, value: Any) -> Any:
        path = f"{self.prefix}{key}"
        self.seen.add(path)
        if isinstance(value, Mapping):
            return Reads(value, self.seen, path + ".")
        if isinstance(value, list):
            return [Reads(v, self.seen, path + ".") if isinstance(v, Mapping) else v for v in value]
        return value

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self._wrap(key, super().get(key, default))

    def __getitem__(self, key: str) -> Any:
        return self._wrap(key, super().__getitem__(key))

    def __contains__(self, key: object) -> bool:
        self.seen.add(f"{self.prefix}{key}")
        return super().__contains__(key)


SAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "list_sheets": ({"folder": "Pricing", "modified_after": "2026-11-01"}, SHEETS),
    "create_sheet_from_template": (
        {"template": "Invoice", "title": "Q1"},
        {"path": "Q1.xlsx", "name": "Q1.xlsx", "folder": "", "template": "Invoice.xlsx"},
    ),
    "list_files": (
        {"folder": "Reports", "limit": 1},
        {"folder": "Reports", "total": 2, "files": [{"name": "a.png", "kind": "image"}]},
    ),
    "build_summary_sheet": ({"group_by": "customer"}, SUMMARY),
    "get_order": ({"order_id": "3f1c2a9e"}, ORDER_VIEW),
    "list_orders": ({"status": "failed", "customer": "Alice"}, ORDERS),
    "retry_order": ({"order_id": "3f1c2a9e"}, {**ORDER_VIEW, "current_step": "generate_design"}),
    "approve_order": ({"order_id": "3f1c2a9e", "approved": True}, ORDER_VIEW),
    "notify": (
        {"order_id": "3f1c2a9e", "event": "design_ready", "version": 1},
        {"notifications": [{"audience": "customer", "status": "sent"}]},
    ),
}


@pytest.mark.parametrize("tool", AGENT_TOOLS)
def test_replies_read_only_the_result_keys_their_entry_names(tool: str) -> None:
    entry = PHRASEBOOK[tool]
    args, data = SAMPLES[tool]
    seen: set[str] = set()
    assert entry.reply(args, Reads(data, seen))
    assert seen <= entry.result_keys, sorted(seen - entry.result_keys)


# With the unit cases, commands that between them set every parameter the entries name.
MORE_COMMANDS = ["top 5 files in Reports"]


def _all_commands() -> Iterator[str]:
    yield from (command for command, _, _ in CASES)
    yield from MORE_COMMANDS


def test_every_argument_sent_is_a_parameter_the_entry_names() -> None:
    sent: dict[str, set[str]] = {name: set() for name in PHRASEBOOK}
    for command in _all_commands():
        result = run(command)
        assert result.tool is not None, command
        assert set(result.args) <= PHRASEBOOK[result.tool].parameters, command
        sent[result.tool] |= set(result.args)
    # and the entries name nothing they never send
    for name, entry in PHRASEBOOK.items():
        assert entry.parameters == sent[name], name


def test_every_entry_asks_when_something_is_required() -> None:
    for entry in PHRASEBOOK.values():
        assert (entry.ask is not None) == bool(entry.required({})), entry.tool


def test_roles_do_not_change_what_the_model_checks() -> None:
    # The check is about names, not permissions: a customer's narrower set is checked alike.
    registry = build_registry()
    tools = [
        with_output_schema(registry.as_langchain_tool(n), registry.spec(n).output_model)
        for n in AGENT_TOOLS
        if registry.spec(n).allows(Role.CUSTOMER)
    ]
    assert [t.name for t in tools] == ["approve_order"]
    OfflineChatModel().bind_tools(tools)

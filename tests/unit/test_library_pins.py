"""Every private library hook the project relies on, pinned (ARCHITECTURE.md: "where a private
hook is unavoidable, it is pinned and guarded by a test that fails when the library changes
under it").

Two patches rely on library code that is not public API, each kept for a gain measured in its
module's docstring:

- graphs/executors.py replaces ``get_executor_for_config`` inside ``langgraph.pregel._executor``
  and ``langgraph.prebuilt.tool_node`` (LangGraph's thread pools);
- tools/tracing.py's FinishedRunTracer overrides private hooks of LangChainTracer.

For each, these tests pin the library's version and the source of every function the patch
replaces, overrides, calls or emulates (a hash of ``inspect.getsource``), and the set of the
library's functions that reach those names. An upgrade that changes any of them fails here with
what changed: re-read that code, check the patch still holds (and its tests pass), re-measure
it with the command its docstring names, then update the pin below, or drop the patch.

persistence/checkpoints.py's Checkpointer overrides public methods of LangGraph's checkpointer
interface only (``get_tuple``, ``put``), so it has no pin here; its behaviour is tested in
tests/integration/test_checkpointer.py.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import version
from types import CodeType, ModuleType
from typing import Any

import pytest
from langchain_core.tracers import LangChainTracer

from tools.tracing import PRIVATE_HOOKS, FinishedRunTracer

EXECUTOR = "get_executor_for_config"
TRACER = "langchain_core.tracers.langchain:LangChainTracer"


@dataclass(frozen=True)
class Pin:
    patch: str  # our file, and how to re-measure what it buys
    distribution: str
    version: str
    sources: dict[str, str]  # "module:qualname" -> sha256 of its source, first 16 hex digits


PINS = [
    Pin(
        "graphs/executors.py (re-measure: bench/admin_commands.py --without executors)",
        "langgraph",
        "1.2.22",
        {"langgraph.pregel._executor:BackgroundExecutor": "adc68971dd87495e"},
    ),
    Pin(
        "graphs/executors.py (re-measure: bench/admin_commands.py --without executors)",
        "langgraph-prebuilt",
        "1.1.2",
        {"langgraph.prebuilt.tool_node:ToolNode._func": "da0073353f9152e1"},
    ),
    Pin(
        "graphs/executors.py (re-measure: bench/admin_commands.py --without executors)",
        "langchain-core",
        "1.7.2",
        # What the replacement stands in for, and still calls under max_concurrency.
        {"langchain_core.runnables.config:get_executor_for_config": "a3079dd1846fef50"},
    ),
    Pin(
        "tools/tracing.py FinishedRunTracer "
        "(re-measure: bench/order_pipeline.py --orders 96 --compare-stock-tracer)",
        "langchain-core",
        "1.7.2",
        {
            f"{TRACER}._on_chain_start": "2bc6e31120137369",
            f"{TRACER}._on_chain_end": "28165625a6a21165",
            f"{TRACER}._on_chain_error": "e119a6b1e8e3789d",
            f"{TRACER}._on_tool_start": "4855f3ae2f2b99cd",
            f"{TRACER}._on_tool_end": "6892e0ed3dd66dfa",
            f"{TRACER}._on_tool_error": "31046bce0a4622ee",
            f"{TRACER}._on_llm_start": "8642d2febf37e0a8",
            f"{TRACER}._on_llm_end": "4c8a3ff799833e14",
            f"{TRACER}._on_llm_error": "af5c2c8cd2f49ab0",
            f"{TRACER}._on_chat_model_start": "78c085bfdc97f47f",
            f"{TRACER}._on_retriever_start": "81edb7c0810b3e6f",
            f"{TRACER}._on_retriever_end": "4fd489e67307363a",
            f"{TRACER}._on_retriever_error": "55d1b5f4bc5e6e40",
            f"{TRACER}._persist_run_single": "8e7e28e7b294fced",
            f"{TRACER}._update_run_single": "0ca0bb6274fe835a",
        },
    ),
]

# Where the library reaches the names the patches hook into: a new place (a new hook that posts
# a run, another function taking a pool by that name) would bypass the patch.
EXECUTOR_CALLERS = {
    "langgraph.pregel._executor": {"BackgroundExecutor.__init__"},
    "langgraph.prebuilt.tool_node": {"ToolNode._func"},
}
# The start hooks post a run (FinishedRunTracer skips them); the end and error hooks patch it,
# or post it when its inputs were deferred (FinishedRunTracer posts it whole).
TRACER_STARTS = {
    "_on_chain_start",
    "_on_tool_start",
    "_on_llm_start",
    "_on_chat_model_start",
    "_on_retriever_start",
}
TRACER_SENDERS = TRACER_STARTS | {
    "_on_chain_end",
    "_on_chain_error",
    "_on_tool_end",
    "_on_tool_error",
    "_on_llm_end",
    "_on_llm_error",
    "_on_retriever_end",
    "_on_retriever_error",
}


def resolve(ref: str) -> Any:
    module, _, qualname = ref.partition(":")
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def digest(ref: str) -> str:
    return hashlib.sha256(inspect.getsource(resolve(ref)).encode()).hexdigest()[:16]


def names_in(code: CodeType) -> set[str]:
    """The global and attribute names ``code`` and the functions nested in it look up."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= names_in(const)
    return names


def functions_of(module: ModuleType) -> dict[str, CodeType]:
    """The code of every function and method defined in ``module``, by qualified name."""
    found: dict[str, CodeType] = {}
    for obj in vars(module).values():
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        members = vars(obj).values() if inspect.isclass(obj) else [obj]
        for member in members:
            function = getattr(member, "__func__", member)  # static and class methods
            if inspect.isfunction(function):
                found[function.__qualname__] = function.__code__
    return found


def outdated(pin: Pin) -> str:
    return (
        f"\n{pin.patch} relies on private code of {pin.distribution}. Re-read it, check the "
        "patch still holds, re-measure what it buys, then update the pin in "
        "tests/unit/test_library_pins.py (or drop the patch)."
    )


@pytest.mark.parametrize("pin", PINS, ids=lambda p: f"{p.distribution}-{p.patch.split()[0]}")
def test_the_library_version_is_the_one_measured(pin: Pin) -> None:
    installed = version(pin.distribution)
    assert installed == pin.version, (
        f"{pin.distribution} {installed} is installed; the patch was measured and pinned "
        f"against {pin.version}." + outdated(pin)
    )


@pytest.mark.parametrize("pin", PINS, ids=lambda p: f"{p.distribution}-{p.patch.split()[0]}")
def test_the_private_code_under_the_patch_is_unchanged(pin: Pin) -> None:
    changed = [ref for ref, pinned in pin.sources.items() if digest(ref) != pinned]
    assert not changed, (
        f"{pin.distribution} {version(pin.distribution)} changed: {', '.join(changed)}."
        + outdated(pin)
    )


@pytest.mark.parametrize("module", sorted(EXECUTOR_CALLERS))
def test_langgraph_takes_its_pools_only_where_the_patch_replaces_the_name(module: str) -> None:
    callers = {
        name
        for name, code in functions_of(importlib.import_module(module)).items()
        if EXECUTOR in names_in(code)
    }
    assert callers == EXECUTOR_CALLERS[module], (
        f"In {module}, {EXECUTOR} is now looked up by {sorted(callers)}, where "
        f"graphs/executors.py was written for {sorted(EXECUTOR_CALLERS[module])}."
        + outdated(PINS[0])
    )


def test_langchain_tracer_sends_runs_only_from_the_hooks_finished_run_tracer_handles() -> None:
    senders = {
        name
        for name, code in functions_of(importlib.import_module(LangChainTracer.__module__)).items()
        if name.startswith("LangChainTracer.")
        and {"_persist_run_single", "_update_run_single"} & names_in(code)
    }
    assert senders == {f"LangChainTracer.{hook}" for hook in TRACER_SENDERS}, (
        f"LangChainTracer now sends runs from {sorted(senders)}." + outdated(PINS[-1])
    )
    overridden = {name for name in vars(FinishedRunTracer) if name.startswith("_on_")}
    assert overridden == TRACER_STARTS
    assert set(PRIVATE_HOOKS) == TRACER_STARTS | {"_update_run_single", "_persist_run_single"}


def test_tools_tracing_fails_at_import_when_a_hook_is_gone() -> None:
    script = (
        "from langchain_core.tracers import LangChainTracer\n"
        "del LangChainTracer._update_run_single\n"
        "import tools.tracing\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert ran.returncode != 0
    assert "LangChainTracer no longer has _update_run_single" in ran.stderr

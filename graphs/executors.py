"""The threads LangGraph runs use.

Out of the box, every LangGraph run opens a thread pool for its background work (saving
checkpoints), and every ToolNode step opens another to run its tool calls, even a single one:
an admin command started and joined two threads and hopped to each. Here, instead:

- a tool step with one call runs on the run's own thread, as Pregel already runs a superstep
  with one task; several calls still run in parallel;
- background work goes to one pool shared by all runs. Its size is not a limit (a run never
  waits for another run's work, as with its own pool), it only lets idle threads be reused.
  A run that sets ``max_concurrency`` gets its own pool of that size, as before.

Measured on POST /admin/commands, interleaved with the unchanged code in one run: the inline
tool step about 1.2 ms and the shared pool about 1 ms of ~20 ms.

Both LangGraph modules take their pool from ``get_executor_for_config``, imported by name;
:func:`install` replaces those two names. If a LangGraph upgrade moves them, it fails loudly
instead of silently changing nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from contextvars import copy_context
from types import ModuleType
from typing import Any

from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import ContextThreadPoolExecutor, get_executor_for_config
from langgraph.prebuilt import tool_node
from langgraph.pregel import _executor as pregel_executor


def _new_pool() -> ContextThreadPoolExecutor:
    # Threads start only when no idle one is free; 256 is never a cap in practice.
    return ContextThreadPoolExecutor(max_workers=256, thread_name_prefix="langgraph")


_shared = _new_pool()


def _renew_after_fork() -> None:
    # A forked child inherits the pool's count of idle threads but not the threads.
    global _shared
    _shared = _new_pool()


os.register_at_fork(after_in_child=_renew_after_fork)


@contextmanager
def _background_pool(config: RunnableConfig | None) -> Iterator[Executor]:
    if (config or {}).get("max_concurrency") is not None:
        with get_executor_for_config(config) as own:
            yield own
    else:
        yield _shared  # not shut down here: other runs use it


class _ToolCalls:
    """What ToolNode uses of an executor (``map``): a single call runs on this thread, in a
    copy of its context as a pool thread would; several run in parallel on the shared pool."""

    def __init__(self, config: RunnableConfig) -> None:
        self.config = config

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
        columns = [list(iterable) for iterable in iterables]
        if len(columns[0]) == 1:
            return iter([copy_context().run(fn, *(column[0] for column in columns))])
        with _background_pool(self.config) as pool:  # its map copies the context per call
            return iter(list(pool.map(fn, *columns)))


@contextmanager
def _tool_step_pool(config: RunnableConfig | None) -> Iterator[_ToolCalls]:
    yield _ToolCalls(config or {})


_REPLACED: list[tuple[ModuleType, Callable[..., Any]]] = [
    (pregel_executor, _background_pool),
    (tool_node, _tool_step_pool),
]


def install() -> None:
    """Use the threads described above in every LangGraph run of this process (idempotent)."""
    for module, _ in _REPLACED:
        if not hasattr(module, "get_executor_for_config"):
            raise RuntimeError(
                f"{module.__name__} no longer has get_executor_for_config: "
                "graphs/executors.py needs updating for this LangGraph version"
            )
    for module, replacement in _REPLACED:
        module.get_executor_for_config = replacement  # type: ignore[attr-defined]

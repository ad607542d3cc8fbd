"""The threads LangGraph runs use.

Out of the box, every LangGraph run opens a thread pool for its background work (saving
checkpoints), and every ToolNode step opens another to run its tool calls, even a single one:
an admin command started and joined two threads and hopped to each. Here, instead:

- a tool step with one call runs on the run's own thread, as Pregel already runs a superstep
  with one task; several calls still run in parallel;
- background work goes to one pool shared by all runs. Its size is not a limit (a run never
  waits for another run's work, as with its own pool), it only lets idle threads be reused.
  A run that sets ``max_concurrency`` gets its own pool of that size, as before.

This replaces a name inside LangGraph, which offers no public way to choose these pools, so it
is kept only for what it measurably buys. Measured with ``bench/admin_commands.py --rounds 5
--without executors`` (a second server in the same run, in a world of its own, without
:func:`install`; the corpus's requests interleaved between the two), what a command adds to
the same direct call, p50, on the 2-vCPU dev VM, four runs: 9.2-9.6 ms with it, 11.1-12.7 ms
without: it saves 1.5-3.1 ms, and without it the bench's target (under 10 ms) is missed. Of
that, the inline tool step 1.1-1.5 ms (``--without tool-step``), the shared pool 0.3-1.0 ms
(``--without shared-pool``).

Both LangGraph modules take their pool from ``get_executor_for_config``, imported by name
(``BackgroundExecutor.__init__`` in ``langgraph.pregel._executor``, ``ToolNode._func`` in
``langgraph.prebuilt.tool_node``); :func:`install` replaces those two names. It fails loudly
if an upgrade moves them or stops calling them there, instead of silently changing nothing,
and tests/unit/test_library_pins.py pins the source of every LangGraph function this relies
on (and the versions), so an upgrade that changes any of them fails the tests until it is
re-read and re-measured.
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


# (module, the function in it that takes its pool by that name, the replacement)
_REPLACED: list[tuple[ModuleType, str, Callable[..., Any]]] = [
    (pregel_executor, "BackgroundExecutor.__init__", _background_pool),
    (tool_node, "ToolNode._func", _tool_step_pool),
]
NAME = "get_executor_for_config"


def _calls_it(module: ModuleType, caller: str) -> bool:
    """Whether ``module``'s function ``caller`` (dotted) still looks up :data:`NAME`."""
    target: Any = module
    for part in caller.split("."):
        target = getattr(target, part, None)
    code = getattr(target, "__code__", None)
    return code is not None and NAME in code.co_names


def install() -> None:
    """Use the threads described above in every LangGraph run of this process (idempotent)."""
    for module, caller, _ in _REPLACED:
        if not hasattr(module, NAME) or not _calls_it(module, caller):
            raise RuntimeError(
                f"{module.__name__} no longer has {NAME}, or {caller} no longer calls it: "
                "graphs/executors.py needs updating for this LangGraph version"
            )
    for module, _, replacement in _REPLACED:
        setattr(module, NAME, replacement)

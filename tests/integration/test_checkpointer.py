"""persistence/checkpoints.py: a thread its caller announces as new has its first checkpoint
read answered without the database, and only while the thread has no checkpoint. (A whole
admin conversation on such a thread: tests/integration/test_admin_agent.py.)"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

from persistence.checkpoints import Checkpointer, open_checkpointer
from persistence.database import Database


class Said(TypedDict):
    said: Annotated[list[str], operator.add]


@pytest.fixture
def saver(db: Database) -> Iterator[Checkpointer]:
    saver, pool = open_checkpointer(db.url, max_size=2)
    yield saver
    pool.close()


@pytest.fixture
def database_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threads whose checkpoint was read from the database (PostgresSaver's own read)."""
    reads: list[str] = []
    read = PostgresSaver.get_tuple

    def counted(self: PostgresSaver, config: RunnableConfig) -> Any:
        reads.append(config["configurable"]["thread_id"])
        return read(self, config)

    monkeypatch.setattr(PostgresSaver, "get_tuple", counted)
    return reads


def echo(saver: Checkpointer) -> Any:
    """A graph that answers every input with "echo", checkpointed by ``saver``."""
    builder = StateGraph(Said)
    builder.add_node("echo", lambda state: {"said": ["echo"]})
    builder.add_edge(START, "echo")
    return builder.compile(checkpointer=saver)


def thread_config(thread: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}


@pytest.mark.parametrize("durability", ["exit", "sync"])
def test_a_run_on_a_new_thread_reads_nothing_from_the_database(
    saver: Checkpointer, database_reads: list[str], durability: Any
) -> None:
    graph, thread = echo(saver), str(uuid.uuid4())
    saver.expect_new_thread(thread)
    first = graph.invoke({"said": ["hi"]}, thread_config(thread), durability=durability)
    assert first == {"said": ["hi", "echo"]}
    assert database_reads == []
    # The next run reads the thread the same way, from the database, and sees the first.
    second = graph.invoke({"said": ["again"]}, thread_config(thread), durability=durability)
    assert second == {"said": ["hi", "echo", "again", "echo"]}
    assert database_reads == [thread]


def test_once_the_thread_has_a_checkpoint_every_read_goes_to_the_database(
    saver: Checkpointer, database_reads: list[str]
) -> None:
    thread = str(uuid.uuid4())
    saver.expect_new_thread(thread)
    saver.put(thread_config(thread), empty_checkpoint(), {}, {})
    saved = saver.get_tuple(thread_config(thread))
    assert saved is not None
    assert database_reads == [thread]


def test_threads_not_announced_are_read_from_the_database(
    saver: Checkpointer, database_reads: list[str]
) -> None:
    thread = str(uuid.uuid4())
    saver.expect_new_thread(str(uuid.uuid4()))  # another one
    assert saver.get_tuple(thread_config(thread)) is None
    assert database_reads == [thread]

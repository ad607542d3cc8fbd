"""Every graph langgraph.json lists imports and compiles, without a checkpointer (LangGraph
Studio brings its own and refuses graphs that carry one)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "langgraph.json").read_text())


@pytest.mark.parametrize("name", sorted(SPEC["graphs"]))
def test_graph_compiles_without_a_checkpointer(name: str) -> None:
    path, _, attr = SPEC["graphs"][name].partition(":")
    spec = importlib.util.spec_from_file_location(f"studio_{name}", ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    graph = getattr(module, attr)(None)
    assert graph.checkpointer is None
    assert len(graph.get_graph().nodes) > 2

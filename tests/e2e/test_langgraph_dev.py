"""`langgraph dev` (LangGraph Studio's local server, from the dev extras) loads both graphs
that langgraph.json lists, and serves their structure."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.receivers import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LANGGRAPH = Path(sys.executable).parent / "langgraph"


def test_langgraph_dev_serves_both_graphs(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "langgraph-dev.log").open("wb")
    process = subprocess.Popen(
        [
            str(LANGGRAPH),
            "dev",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--no-browser",
            "--no-reload",
        ],
        # Graph paths in langgraph.json are relative to the working directory; the server
        # keeps its in-memory state under .langgraph_api/ there (git ignores it).
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (tmp_path / "langgraph-dev.log").read_text()
            try:
                if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "langgraph dev did not start"
            time.sleep(0.2)
        assistants = httpx.post(f"{url}/assistants/search", json={}, timeout=30).json()
        by_graph = {a["graph_id"]: a["assistant_id"] for a in assistants}
        assert set(by_graph) == {"order_pipeline", "admin_agent"}
        order = httpx.get(f"{url}/assistants/{by_graph['order_pipeline']}/graph", timeout=30)
        assert {"create_folder", "generate_design", "await_review", "finalize"} <= {
            n["id"] for n in order.json()["nodes"]
        }
        admin = httpx.get(f"{url}/assistants/{by_graph['admin_agent']}/graph", timeout=30)
        assert {"model", "tools"} <= {n["id"] for n in admin.json()["nodes"]}
    finally:
        process.terminate()
        process.wait(timeout=30)

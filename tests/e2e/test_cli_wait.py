"""`atelier wait` follows an order over the API with a progress bar until it settles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from server.schemas import ORDER_EXAMPLE
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

ATELIER = Path(sys.executable).parent / "atelier"


def atelier_wait(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ATELIER), "wait", *args, "--url", server.url, "--interval", "0.05"],
        env=server.env,  # the same signing key: the CLI signs itself an operator token
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_wait_shows_progress_until_the_design_awaits_approval(
    server: ServerProcess, jane: httpx.Client
) -> None:
    order_id = jane.post("/orders", json=ORDER_EXAMPLE).json()["id"]
    done = atelier_wait(server, order_id)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("order ")]
    assert lines[-1] == f"order {order_id} is awaiting_approval"
    assert lines[-2] == f"order {order_id[:8]} [{'#' * 30}] 100%  await_review"
    assert "HTTP Request" not in done.stderr  # the client's own request log stays quiet


def test_wait_on_an_unknown_order_says_so(server: ServerProcess) -> None:
    done = atelier_wait(server, "00000000-0000-4000-8000-000000000000")
    assert done.returncode == 1
    assert "not found" in done.stderr

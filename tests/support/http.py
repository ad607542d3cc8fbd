"""Helpers for driving the API over HTTP in end-to-end tests."""

from __future__ import annotations

import time
from typing import Any

import httpx


def wait_for_status(
    client: httpx.Client, order_id: str, *statuses: str, timeout: float = 60
) -> dict[str, Any]:
    """Poll GET /orders/{id} until its status is one of ``statuses``; return the order."""
    deadline = time.monotonic() + timeout
    order: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = client.get(f"/orders/{order_id}")
        response.raise_for_status()
        order = response.json()
        if order["status"] in statuses:
            return order
        time.sleep(0.05)
    raise AssertionError(f"order {order_id} never reached {statuses}; last seen: {order}")


def wait_for_step(client: httpx.Client, order_id: str, step: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get(f"/orders/{order_id}").json().get("current_step") == step:
            return
        time.sleep(0.02)
    raise AssertionError(f"order {order_id} never reached step {step}")

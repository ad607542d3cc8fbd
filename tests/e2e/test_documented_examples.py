"""Every request example the OpenAPI document shows works as is on a new install: a fresh
server (its own database and an empty drive) answers each with the success status the same
document gives, after only the steps the docs name (an order to approve is placed first and
brought to review)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.http import wait_for_status
from tests.support.server import ServerProcess, client_for
from tools.access import Role

pytestmark = pytest.mark.slow


def examples_of(spec: dict[str, Any], media: dict[str, Any]) -> list[Any]:
    """The examples of one request body: its own ``example``, else its schema's ``examples``."""
    if "example" in media:
        return [media["example"]]
    schema = media.get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return list(schema.get("examples", []))


def documented_requests(spec: dict[str, Any]) -> list[tuple[str, str, str, Any, int]]:
    """(method, path template, media type, example, success status) for every example."""
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            success = min(int(code) for code in operation["responses"] if code.startswith("2"))
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                for example in examples_of(spec, media):
                    found.append((method.upper(), path, media_type, example, success))
    return found


@pytest.fixture(scope="module")
def admin(server: ServerProcess) -> Iterator[httpx.Client]:
    with client_for(server, "ada", Role.ADMIN) as client:
        yield client


def order_awaiting_approval(admin: httpx.Client) -> str:
    """An order brought to review, as the docs of POST /orders and approve describe."""
    placed = admin.post("/orders", json={**ORDER, "brief": "a fox"})
    assert placed.status_code == 202, placed.text
    wait_for_status(admin, placed.json()["id"], "awaiting_approval")
    return str(placed.json()["id"])


ORDER = {
    "customer": {"name": "Docs Reader", "email": "reader@example.com"},
    "product": "mug",
    "quantity": 1,
}


def test_every_documented_example_works_on_a_new_install(
    server: ServerProcess, admin: httpx.Client
) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    requests = documented_requests(spec)
    # Each operation the docs give an example for; a new example is picked up by itself.
    assert {(m, p) for m, p, *_ in requests} >= {
        ("POST", "/orders"),
        ("POST", "/orders/{order_id}/approve"),
        ("POST", "/admin/sheets"),
        ("POST", "/admin/summary"),
        ("POST", "/admin/commands"),
    }
    for method, template, media_type, example, success in requests:
        path = template
        if "{order_id}" in template:
            path = template.format(order_id=order_awaiting_approval(admin))
        if media_type == "multipart/form-data":
            response = admin.request(method, path, files={k: (None, v) for k, v in example.items()})
        else:
            response = admin.request(method, path, json=example)
        shown = f"{method} {template} ({media_type}) with {json.dumps(example)}"
        assert response.status_code == success, f"{shown}: {response.status_code} {response.text}"
        if template == "/admin/commands":
            assert response.json()["status"] == "ok", f"{shown}: {response.text}"

"""HTTPS, security headers, CORS and the request body cap, on real server processes."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.schemas import ORDER_EXAMPLE
from tests.support.certs import self_signed_certificate
from tests.support.databases import DatabaseFactory
from tests.support.server import ATELIER, ServerProcess, client_for
from tools.access import Role

pytestmark = pytest.mark.slow

SHOP = "https://shop.example"


def preflight(client: httpx.Client, origin: str) -> httpx.Response:
    return client.options(
        "/orders",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )


@pytest.fixture(scope="module")
def tls_server(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    data_dir = tmp_path_factory.mktemp("tls")
    env = {"ATELIER_DATABASE_URL": databases.create(), "ATELIER_CORS_ORIGINS": f'["{SHOP}"]'}
    with ServerProcess(data_dir, env, tls=self_signed_certificate(data_dir)) as process:
        yield process


def test_https_sends_hsts_and_lets_the_configured_origin_in(tls_server: ServerProcess) -> None:
    with httpx.Client(base_url=tls_server.url, verify=tls_server.verify) as client:
        health = client.get("/health")
        assert health.status_code == 200
        assert health.headers["strict-transport-security"].startswith("max-age=")
        assert health.headers["x-content-type-options"] == "nosniff"

        allowed = preflight(client, SHOP)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == SHOP
        other = preflight(client, "https://evil.example")
        assert "access-control-allow-origin" not in other.headers


def test_plain_http_has_the_headers_but_no_hsts_and_cors_is_closed(
    server: ServerProcess,
) -> None:
    with httpx.Client(base_url=server.url) as client:
        health = client.get("/health")
        assert health.headers["x-content-type-options"] == "nosniff"
        assert health.headers["x-frame-options"] == "DENY"
        assert health.headers["content-security-policy"] == (
            "default-src 'self'; script-src 'self'; style-src 'self'; "
            "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
        assert "strict-transport-security" not in health.headers
        for origin in (SHOP, "https://evil.example"):
            assert "access-control-allow-origin" not in preflight(client, origin).headers


def test_an_oversized_body_is_refused_before_it_is_read(
    server: ServerProcess, jane: httpx.Client
) -> None:
    big = b"x" * (13 * 1024 * 1024)
    declared = jane.post("/orders", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413
    assert "larger than 12288 KB" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(13):
            yield b"x" * (1024 * 1024)

    streamed = jane.post("/orders", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert jane.get("/orders").json()["total"] == 0  # nothing was created


def test_serve_wants_both_tls_files(tmp_path: Path) -> None:
    cert, _ = self_signed_certificate(tmp_path)
    done = subprocess.run(
        [str(ATELIER), "serve", "--ssl-certfile", str(cert)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--ssl-certfile and --ssl-keyfile go together" in done.stderr


def test_orders_and_commands_are_rate_limited_per_caller(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    env = {
        "ATELIER_DATABASE_URL": databases.create(),
        "ATELIER_RATE_LIMIT_ORDERS": "2/minute",
        "ATELIER_RATE_LIMIT_COMMANDS": "1/hour",
    }
    with (
        ServerProcess(tmp_path, env) as limited,
        client_for(limited, "jane", Role.CUSTOMER) as jane,
        client_for(limited, "bob", Role.CUSTOMER) as bob,
        client_for(limited, "ada", Role.ADMIN) as ada,
    ):
        assert [jane.post("/orders", json=ORDER_EXAMPLE).status_code for _ in range(2)] == [
            202,
            202,
        ]
        refused = jane.post("/orders", json=ORDER_EXAMPLE)
        assert refused.status_code == 429
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert "at most 2 per minute" in refused.json()["detail"]
        assert jane.get("/orders").json()["total"] == 2  # the refused order was not stored
        assert bob.post("/orders", json=ORDER_EXAMPLE).status_code == 202

        assert ada.post("/admin/commands", json={"command": "list the sheets"}).status_code == 200
        again = ada.post("/admin/commands", json={"command": "list the sheets"})
        assert again.status_code == 429 and int(again.headers["retry-after"]) > 3500


def test_production_will_not_serve_on_a_generated_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    done = subprocess.run(
        [str(ATELIER), "serve"],
        env={**env, "ATELIER_PRODUCTION": "true", "ATELIER_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "set ATELIER_JWT_SECRET" in done.stderr
    assert not (tmp_path / "jwt_secret").exists()  # nothing generated on the way

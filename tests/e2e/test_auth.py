"""Hostile and revoked tokens over real HTTP: always 401 (403 for a valid token without the
role), never a 5xx; revoking your own token signs you out."""

from __future__ import annotations

import httpx
import pytest

from server.security import KeyRing, issue_token
from tests.support.server import ServerProcess
from tests.unit.test_security import HOSTILE, claims, signed, with_claims
from tools.access import Role

pytestmark = pytest.mark.slow


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def server_claims_token(server: ServerProcess, **changes: object) -> str:
    return signed(claims(**changes), key=server.env["ATELIER_JWT_SECRET"])


def test_hostile_tokens_get_401_on_every_kind_of_route(server: ServerProcess) -> None:
    secret = server.env["ATELIER_JWT_SECRET"]
    tokens = {
        # Signed with the unit tests' key: refused here too. (An empty one cannot be sent.)
        **{name: token for name, token in HOSTILE.items() if token},
        "expired here": server_claims_token(server, exp=1),
        "other audience here": server_claims_token(server, aud="elsewhere"),
        "edited role here": with_claims(
            issue_token(KeyRing.single(secret), "jane", Role.CUSTOMER), role="admin"
        ),
    }
    with httpx.Client(base_url=server.url) as client:
        for path in ("/orders", "/admin/sheets", "/sessions/00000000-0000-4000-8000-000000000000"):
            assert client.get(path).status_code == 401  # no token at all
            for name, token in tokens.items():
                response = client.get(path, headers=bearer(token))
                assert response.status_code == 401, (name, path, response.text)
                assert response.headers["www-authenticate"] == "Bearer"
                assert response.json()["detail"]


def test_a_valid_token_without_the_role_gets_403(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url) as client:
        response = client.get("/admin/files", headers=bearer(server.token("jane", Role.CUSTOMER)))
    assert response.status_code == 403


def test_revoked_tokens_are_refused(server: ServerProcess) -> None:
    jane, bob, ada = (
        server.token("jane", Role.CUSTOMER),
        server.token("bob", Role.CUSTOMER),
        server.token("ada", Role.ADMIN),
    )
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/orders", headers=bearer(jane)).status_code == 200
        others = client.post("/auth/revoke", json={"token": bob}, headers=bearer(jane))
        assert others.status_code == 403
        own = client.post("/auth/revoke", json={"token": jane}, headers=bearer(jane))
        assert own.status_code == 204
        refused = client.get("/orders", headers=bearer(jane))
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]

        by_admin = client.post("/auth/revoke", json={"token": bob}, headers=bearer(ada))
        assert by_admin.status_code == 204
        assert client.get("/orders", headers=bearer(bob)).status_code == 401
        assert client.get("/orders", headers=bearer(ada)).status_code == 200
        fresh = server.token("jane", Role.CUSTOMER)  # a new sign-in works again
        assert client.get("/orders", headers=bearer(fresh)).status_code == 200

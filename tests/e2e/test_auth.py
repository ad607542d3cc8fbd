"""Hostile and revoked tokens over real HTTP: always 401 (403 for a valid token without the
role), never a 5xx; revoking your own token signs you out."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from server.schemas import ORDER_EXAMPLE
from server.security import KeyRing, issue_token
from tests.support.server import ATELIER, ServerProcess
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


def atelier_users(server: ServerProcess, *args: str, password: str = "") -> str:
    done = subprocess.run(
        [str(ATELIER), "users", *args],
        env=server.env,  # the server's own database
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def sign_in(client: httpx.Client, **form: str) -> httpx.Response:
    return client.post("/auth/token", data=form)


def test_accounts_sign_in_refresh_and_disable(server: ServerProcess) -> None:
    password = "correct horse battery staple"
    created = atelier_users(
        server, "create", "olga", "--role", "operator", "--password-stdin", password=password
    )
    assert created.strip() == "created olga (operator)"
    with httpx.Client(base_url=server.url) as client:
        wrong = sign_in(client, username="olga", password="wrong password!!")
        unknown = sign_in(client, username="nobody", password=password)
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json() == {"detail": "wrong username or password"}

        tokens = sign_in(client, grant_type="password", username="olga", password=password).json()
        assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 900
        access, refresh = tokens["access_token"], tokens["refresh_token"]
        assert client.get("/orders", headers=bearer(access)).status_code == 200
        assert client.get("/orders", headers=bearer(refresh)).status_code == 401  # not for calls

        renewed = sign_in(client, grant_type="refresh_token", refresh_token=refresh)
        assert renewed.status_code == 200
        assert (
            client.get("/orders", headers=bearer(renewed.json()["access_token"])).status_code == 200
        )
        spent = sign_in(client, grant_type="refresh_token", refresh_token=refresh)
        assert spent.status_code == 401 and "spent" in spent.json()["detail"]

        assert "disabled" in atelier_users(server, "disable", "olga")
        assert client.get("/orders", headers=bearer(access)).status_code == 401
        assert sign_in(client, username="olga", password=password).status_code == 401
        again = sign_in(
            client, grant_type="refresh_token", refresh_token=renewed.json()["refresh_token"]
        )
        assert again.status_code == 401
        listed = atelier_users(server, "list")
        assert listed.startswith("olga\toperator\tdisabled\tlast sign-in 20")

        missing = client.post("/auth/token", data={"grant_type": "password", "username": "x"})
        assert missing.status_code == 422


def test_weak_passwords_and_duplicates_are_refused(server: ServerProcess) -> None:
    def create(name: str, password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ATELIER), "users", "create", name, "--role", "customer", "--password-stdin"],
            env=server.env,
            input=password + "\n",
            capture_output=True,
            text=True,
            timeout=120,
        )

    short = create("kim", "short")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    assert create("kim", "a long enough password").returncode == 0
    twice = create("kim", "a long enough password")
    assert twice.returncode == 1 and "exists" in twice.stderr


def test_sign_ins_are_rate_limited_per_username(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url) as client:
        answers = [
            sign_in(client, username="mallory", password=f"guess number {i}").status_code
            for i in range(11)
        ]
    assert answers == [401] * 10 + [429]


def test_api_keys_are_shown_once_scoped_and_revocable(server: ServerProcess) -> None:
    admin = bearer(server.token("ada", Role.ADMIN))
    with httpx.Client(base_url=server.url) as client:
        denied = client.post(
            "/auth/api-keys",
            json={"name": "x", "role": "customer"},
            headers=bearer(server.token("oscar", Role.OPERATOR)),
        )
        assert denied.status_code == 403
        made = client.post(
            "/auth/api-keys", json={"name": "storefront", "role": "customer"}, headers=admin
        )
        assert made.status_code == 201, made.text
        key = made.json()["key"]
        assert key.startswith("atk_") and len(key) > 40 and made.json()["expires_at"]

        storefront = {"X-API-Key": key}
        placed = client.post("/orders", json=ORDER_EXAMPLE, headers=storefront)
        assert placed.status_code == 202
        assert client.get("/admin/files", headers=storefront).status_code == 403  # scoped
        mine = client.get("/orders", headers=storefront).json()
        assert [o["id"] for o in mine["items"]] == [placed.json()["id"]]

        keys = client.get("/auth/api-keys", headers=admin).json()
        [listed] = [k for k in keys if k["name"] == "storefront"]
        assert "key" not in listed and listed["prefix"] == key[:10]
        assert listed["last_used_at"] is not None
        assert client.delete(f"/auth/api-keys/{listed['id']}", headers=admin).status_code == 200
        refused = client.get("/orders", headers=storefront)
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
        wrong = client.get("/orders", headers={"X-API-Key": "atk_not-a-key"})
        assert wrong.status_code == 401
        raw = server.log()
        assert key not in raw  # never logged

"""Hostile and revoked tokens over real HTTP: always 401 (403 for a valid token without the
role), never a 5xx; revoking your own token signs you out. Refresh tokens work once, and a
spent one used again ends its family; sign-in limits slow guessing without locking a user out
from elsewhere (other client addresses are other 127.x.y.z, all this machine)."""

from __future__ import annotations

import subprocess
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.schemas import ORDER_EXAMPLE
from server.security import KeyRing, issue_token
from tests.support.databases import DatabaseFactory
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
        # Every way in checks it: the reads that admit their caller in their own thread too.
        some = uuid.uuid4()
        for path in (
            "/orders",
            f"/orders/{some}",
            f"/orders/{some}/designs/1",
            f"/sessions/{some}",
        ):
            refused = client.get(path, headers=bearer(jane))
            assert refused.status_code == 401 and "revoked" in refused.json()["detail"], path

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


def test_sign_ins_are_rate_limited_per_username_and_address(server: ServerProcess) -> None:
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


PASSWORD = "correct horse battery staple"


def signed_in(server: ServerProcess, username: str) -> dict[str, Any]:
    """A new customer account, signed in: its first pair of tokens."""
    atelier_users(
        server, "create", username, "--role", "customer", "--password-stdin", password=PASSWORD
    )
    with httpx.Client(base_url=server.url, timeout=30) as client:
        answer = sign_in(client, username=username, password=PASSWORD)
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


def refresh(client: httpx.Client, token: str) -> httpx.Response:
    return sign_in(client, grant_type="refresh_token", refresh_token=token)


def test_a_refresh_token_presented_five_times_at_once_works_once(server: ServerProcess) -> None:
    spent = signed_in(server, "rosa")["refresh_token"]
    start = threading.Barrier(5)

    def present(_: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            start.wait()
            return refresh(client, spent)

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(present, range(5)))
    assert sorted(a.status_code for a in answers) == [200, 401, 401, 401, 401]
    [winner] = [a.json() for a in answers if a.status_code == 200]
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert refresh(client, spent).status_code == 401
        # Everything issued from the spent token is refused: a thief's pair or the owner's.
        assert client.get("/orders", headers=bearer(winner["access_token"])).status_code == 401
        assert refresh(client, winner["refresh_token"]).status_code == 401


def test_a_spent_refresh_token_used_again_revokes_every_token_from_its_sign_in(
    server: ServerProcess,
) -> None:
    first = signed_in(server, "sven")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        second = refresh(client, first["refresh_token"]).json()
        third = refresh(client, second["refresh_token"]).json()
        assert client.get("/orders", headers=bearer(third["access_token"])).status_code == 200

        reused = refresh(client, first["refresh_token"])
        assert reused.status_code == 401
        assert "spent" in reused.json()["detail"] and "sign in again" in reused.json()["detail"]
        for pair in (first, second, third):
            refused = client.get("/orders", headers=bearer(pair["access_token"]))
            assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
        assert refresh(client, third["refresh_token"]).status_code == 401

        again = sign_in(client, username="sven", password=PASSWORD)  # a new family
        assert (
            client.get("/orders", headers=bearer(again.json()["access_token"])).status_code == 200
        )


def test_revoking_a_refresh_token_signs_that_sign_in_out(server: ServerProcess) -> None:
    tina, uma = signed_in(server, "tina"), signed_in(server, "uma")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        revoke = "/auth/revoke"
        as_tina = bearer(tina["access_token"])
        others = client.post(revoke, json={"token": uma["refresh_token"]}, headers=as_tina)
        assert others.status_code == 403 and "admins" in others.json()["detail"]

        own = client.post(revoke, json={"token": tina["refresh_token"]}, headers=as_tina)
        assert own.status_code == 204
        assert refresh(client, tina["refresh_token"]).status_code == 401
        assert client.get("/orders", headers=as_tina).status_code == 401  # its access token too

        as_ada = bearer(server.token("ada", Role.ADMIN))
        by_admin = client.post(revoke, json={"token": uma["refresh_token"]}, headers=as_ada)
        assert by_admin.status_code == 204
        assert refresh(client, uma["refresh_token"]).status_code == 401
        assert client.get("/orders", headers=bearer(uma["access_token"])).status_code == 401

        forged = with_claims(tina["refresh_token"], sub="uma")
        assert client.post(revoke, json={"token": forged}, headers=as_ada).status_code == 401


def test_api_keys_with_the_same_name_are_different_callers(server: ServerProcess) -> None:
    admin = bearer(server.token("ada", Role.ADMIN))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        made = [
            client.post("/auth/api-keys", json={"name": "twin", "role": "customer"}, headers=admin)
            for _ in range(2)
        ]
        keys = [{"X-API-Key": m.json()["key"]} for m in made]
        placed = [client.post("/orders", json=ORDER_EXAMPLE, headers=k).json()["id"] for k in keys]
        for key, order in zip(keys, placed, strict=True):
            mine = client.get("/orders", headers=key).json()
            assert [o["id"] for o in mine["items"]] == [order]
        assert client.get(f"/orders/{placed[1]}", headers=keys[0]).status_code == 404


def client_at(server: ServerProcess, address: str) -> httpx.Client:
    """A client of ``server`` whose requests come from ``address`` (a 127.x.y.z)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, timeout=30, transport=transport)


@pytest.fixture(scope="module")
def limited(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A server with small sign-in limits: 3 failures per username and address, 6 attempts
    per address."""
    env = {
        "ATELIER_DATABASE_URL": databases.create(),
        "ATELIER_RATE_LIMIT_LOGINS": "3/minute",
        "ATELIER_RATE_LIMIT_LOGINS_PER_CLIENT": "6/minute",
    }
    with ServerProcess(tmp_path_factory.mktemp("limited"), env) as process:
        yield process


def test_one_address_guessing_many_usernames_is_slowed(limited: ServerProcess) -> None:
    with client_at(limited, "127.0.0.2") as sprayer, client_at(limited, "127.0.0.3") as other:
        answers = [
            sign_in(sprayer, username=f"user-{i}", password="Winter2026!!").status_code
            for i in range(6)
        ]
        assert answers == [401] * 6
        refused = sign_in(sprayer, username="user-99", password="Winter2026!!")
        assert refused.status_code == 429
        assert "too many sign-ins from this address" in refused.json()["detail"]
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert sign_in(other, username="user-0", password="Winter2026!!").status_code == 401


def test_guessing_from_elsewhere_does_not_lock_the_user_out(limited: ServerProcess) -> None:
    atelier_users(
        limited, "create", "vera", "--role", "customer", "--password-stdin", password=PASSWORD
    )
    with client_at(limited, "127.0.0.4") as attacker, client_at(limited, "127.0.0.5") as vera:
        answers = [sign_in(attacker, username="vera", password=f"guess {i}") for i in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert "failed sign-ins for this username" in answers[-1].json()["detail"]
        for _ in range(4):  # her own successes do not count against her
            assert sign_in(vera, username="vera", password=PASSWORD).status_code == 200


def test_sign_ins_across_the_service_are_limited(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    env = {
        "ATELIER_DATABASE_URL": databases.create(),
        "ATELIER_RATE_LIMIT_LOGINS_GLOBAL": "3/minute",
    }
    with ServerProcess(tmp_path, env) as busy:
        answers = []
        for address in ("127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4"):
            with client_at(busy, address) as client:
                answers.append(sign_in(client, username=address, password="Winter2026!!"))
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert "too many sign-ins across the service" in answers[-1].json()["detail"]

"""JWT issuing and verification with named keys, and the generated secret. Every hostile token
is refused as InvalidToken (a 401), never with another error."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from pydantic import SecretStr

from persistence.crypto import new_key
from server.security import (
    AUDIENCE,
    ISSUER,
    InvalidToken,
    KeyRing,
    UnsafeForProduction,
    check_production,
    issue_token,
    jwt_secret,
    key_ring,
    verify_token,
)
from settings import Settings
from tools.access import Principal, Role

SECRET = "a-test-secret-of-at-least-32-bytes!"
KEYS = KeyRing.single(SECRET)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "sub": "jane",
        "role": "customer",
        "iat": now,
        "exp": now + 60,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": "a1b2c3",
    }
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def signed(payload: dict[str, Any], key: str = SECRET, kid: str | None = "default") -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(payload, key, algorithm="HS256", headers=headers)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def with_claims(token: str, **changes: Any) -> str:
    """``token`` with its claims edited and its signature kept (a forgery)."""
    header, _, signature = token.split(".")
    return ".".join([header, b64(claims(**changes)), signature])


def test_round_trip_carries_every_claim() -> None:
    token = issue_token(KEYS, "jane", Role.CUSTOMER)
    verified = verify_token(KEYS, token)
    assert verified.principal == Principal("jane", Role.CUSTOMER)
    payload = jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE)
    assert set(payload) == {"sub", "role", "iat", "exp", "iss", "aud", "jti", "fam"}
    assert verified.jti == payload["jti"] and len(payload["jti"]) == 32
    assert verified.family == payload["fam"] == payload["jti"]  # a family of its own
    assert jwt.get_unverified_header(token)["kid"] == "default"
    assert issue_token(KEYS, "jane", Role.CUSTOMER) != token  # a new jti each time


def test_tokens_of_one_family_carry_it_and_older_tokens_are_their_own() -> None:
    first = verify_token(KEYS, issue_token(KEYS, "jane", Role.CUSTOMER, family="f1"))
    second = verify_token(KEYS, issue_token(KEYS, "jane", Role.CUSTOMER, family="f1"))
    assert first.family == second.family == "f1" and first.jti != second.jti
    before_families = verify_token(KEYS, signed(claims()))  # no fam claim
    assert before_families.family == before_families.jti == "a1b2c3"


def test_a_rotated_key_keeps_verifying_until_removed() -> None:
    old = KeyRing({"2026-11": "old-secret-of-at-least-32-bytes!!"}, "2026-11")
    token = issue_token(old, "jane", Role.ADMIN)
    rotated = KeyRing({"2026-12": SECRET, "2026-11": old.keys["2026-11"]}, "2026-12")
    assert verify_token(rotated, token).principal.role == Role.ADMIN
    assert jwt.get_unverified_header(issue_token(rotated, "x", Role.ADMIN))["kid"] == "2026-12"
    retired = KeyRing({"2026-12": SECRET}, "2026-12")
    with pytest.raises(InvalidToken, match="unknown key"):
        verify_token(retired, token)


HOSTILE: dict[str, str] = {
    "garbage": "not-a-token",
    "empty": "",
    "two parts": "abc.def",
    "bad base64 header": "!!!.e30.sig",
    "wrong key": signed(claims(), key="another-secret-of-32-bytes-or-more!!"),
    "no kid": signed(claims(), kid=None),
    "unknown kid": signed(claims(), kid="nope"),
    "kid not a string": signed(claims(), kid=None).replace(
        b64({"alg": "HS256", "typ": "JWT"}), b64({"alg": "HS256", "typ": "JWT", "kid": 7})
    ),
    "alg none": f"{b64({'alg': 'none', 'kid': 'default'})}.{b64(claims(role='admin'))}.",
    "alg HS512": jwt.encode(claims(), SECRET * 2, algorithm="HS512", headers={"kid": "default"}),
    "expired": signed(claims(exp=int(time.time()) - 10)),
    "no exp": signed(claims(exp=None)),
    "no jti": signed(claims(jti=None)),
    "empty family": signed(claims(fam="")),
    "family not a string": signed(claims(fam=7)),
    "empty sub": signed(claims(sub="")),
    "other audience": signed(claims(aud="someone-else")),
    "no audience": signed(claims(aud=None)),
    "other issuer": signed(claims(iss="evil")),
    "unknown role": signed(claims(role="owner")),
    "system role": signed(claims(role="system")),
    "edited role": with_claims(issue_token(KEYS, "jane", Role.CUSTOMER), role="admin"),
}


@pytest.mark.parametrize("token", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_token(KEYS, token)


def test_system_role_is_never_issued() -> None:
    with pytest.raises(ValueError):
        issue_token(KEYS, "x", Role.SYSTEM)


def test_the_signing_key_must_be_one_of_the_keys() -> None:
    with pytest.raises(ValueError, match="not among the keys"):
        KeyRing({"a": SECRET}, "b")


def test_configured_keys_win_over_the_secret(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        jwt_secret=SecretStr("ignored"),
        jwt_keys={"k2": SecretStr(SECRET), "k1": SecretStr("older")},
        jwt_kid="k2",
    )
    assert key_ring(settings) == KeyRing({"k2": SECRET, "k1": "older"}, "k2")


def test_generated_secret_is_kept_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, jwt_secret=None)
    first = jwt_secret(settings)
    assert jwt_secret(settings) == first and len(first) >= 40
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o777 == 0o600
    assert key_ring(settings) == KeyRing.single(first)


def test_configured_secret_wins(tmp_path: Path) -> None:
    assert jwt_secret(Settings(data_dir=tmp_path, jwt_secret="configured")) == "configured"
    assert not (tmp_path / "jwt_secret").exists()


def test_production_refuses_generated_short_or_missing_keys(tmp_path: Path) -> None:
    def production(**settings: Any) -> Settings:
        return Settings(data_dir=tmp_path, production=True, **settings)

    encrypted = {"encryption_keys": {"k1": new_key()}, "encryption_kid": "k1"}
    with pytest.raises(UnsafeForProduction, match="ATELIER_JWT_SECRET"):
        check_production(production(**encrypted))
    with pytest.raises(UnsafeForProduction, match="ATELIER_ENCRYPTION_KEYS"):
        check_production(production(jwt_secret=SECRET))
    with pytest.raises(UnsafeForProduction, match="at least 32"):
        check_production(production(jwt_secret="short", **encrypted))
    with pytest.raises(UnsafeForProduction, match="at least 32"):
        check_production(production(jwt_keys={"k": "short"}, jwt_kid="k", **encrypted))
    check_production(production(jwt_secret=SECRET, **encrypted))
    check_production(Settings(data_dir=tmp_path))  # development: anything goes


def test_secrets_never_show_in_the_settings_repr(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        jwt_secret=SECRET,
        jwt_keys={"k": SECRET},
        webhook_secret="hook-secret-value",
        smtp_password="smtp-password-value",
    )
    text = repr(settings) + str(settings.model_dump())
    for secret in (SECRET, "hook-secret-value", "smtp-password-value"):
        assert secret not in text

"""JWT issuing and verification, and the generated secret."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest

from server.security import InvalidToken, issue_token, jwt_secret, verify_token
from settings import Settings
from tools.access import Principal, Role

SECRET = "a-test-secret-of-at-least-32-bytes!"


def test_round_trip() -> None:
    token = issue_token(SECRET, "jane", Role.CUSTOMER)
    assert verify_token(SECRET, token) == Principal("jane", Role.CUSTOMER)


def test_system_role_is_never_issued_nor_accepted() -> None:
    with pytest.raises(ValueError):
        issue_token(SECRET, "x", Role.SYSTEM)
    forged = jwt.encode(
        {"sub": "x", "role": "system", "iat": 0, "exp": time.time() + 60, "iss": "atelier"},
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(InvalidToken):
        verify_token(SECRET, forged)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        issue_token("another-secret-of-32-bytes-or-more!!", "jane", Role.ADMIN),
        issue_token(SECRET, "jane", Role.ADMIN, ttl_s=-10),
        jwt.encode({"sub": "jane", "role": "admin", "iss": "atelier"}, SECRET, algorithm="HS256"),
        jwt.encode(
            {"sub": "jane", "role": "owner", "iat": 0, "exp": time.time() + 60, "iss": "atelier"},
            SECRET,
            algorithm="HS256",
        ),
    ],
    ids=["garbage", "wrong-secret", "expired", "no-exp", "unknown-role"],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token)


def test_unsigned_tokens_are_refused() -> None:
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    payload = {
        "sub": "jane",
        "role": "admin",
        "iat": 0,
        "exp": int(time.time()) + 60,
        "iss": "atelier",
    }
    claims = jwt.utils.base64url_encode(json.dumps(payload).encode()).decode()
    with pytest.raises(InvalidToken):
        verify_token(SECRET, f"{header}.{claims}.")


def test_generated_secret_is_kept_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, jwt_secret=None)
    first = jwt_secret(settings)
    assert jwt_secret(settings) == first and len(first) >= 40
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o777 == 0o600


def test_configured_secret_wins(tmp_path: Path) -> None:
    assert jwt_secret(Settings(data_dir=tmp_path, jwt_secret="configured")) == "configured"
    assert not (tmp_path / "jwt_secret").exists()

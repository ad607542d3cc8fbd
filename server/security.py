"""JWT bearer tokens (HS256): issuing, verifying, and the signing secret.

When ATELIER_JWT_SECRET is unset, a random secret is generated once and kept under the data
directory (mode 0600), so tokens survive restarts.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import jwt

from settings import Settings
from tools.access import Principal, Role

ALGORITHM = "HS256"
ISSUER = "atelier"
DEFAULT_TTL_S = 3600


class InvalidToken(Exception):
    """The token is missing, malformed, expired or wrongly signed."""


def jwt_secret(settings: Settings) -> str:
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    path = settings.data_dir / "jwt_secret"
    if path.exists():
        return path.read_text().strip()
    return _create_secret(path)


def _create_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        # O_EXCL: when two processes start together, one writes and both read its secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    return secret


def issue_token(secret: str, sub: str, role: Role, *, ttl_s: int = DEFAULT_TTL_S) -> str:
    if role == Role.SYSTEM:
        raise ValueError("the system role is the pipeline's own and is never issued")
    now = int(time.time())
    claims = {"sub": sub, "role": str(role), "iat": now, "exp": now + ttl_s, "iss": ISSUER}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "role", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("the token has expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken("the token is invalid") from exc
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise InvalidToken("the token's role is unknown") from exc
    if role == Role.SYSTEM or not isinstance(claims["sub"], str) or not claims["sub"]:
        raise InvalidToken("the token's claims are invalid")
    return Principal(sub=claims["sub"], role=role)

"""JWT bearer tokens (HS256): issuing, verifying, and the signing keys.

Claims: sub, role, iat, exp, iss, aud, jti, fam (the token's family: every token issued from one
sign-in, across refreshes, so that they can be refused together); the header names the signing
key (kid). When neither ATELIER_JWT_KEYS nor ATELIER_JWT_SECRET is set, a random secret is
generated once and kept under the data directory (mode 0600), so tokens survive restarts.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from persistence.keyfiles import kept_secret
from settings import Settings
from tools.access import Principal, Role

ALGORITHM = "HS256"
ISSUER = "atelier"
AUDIENCE = "atelier-api"
REFRESH_AUDIENCE = "atelier-refresh"  # refresh tokens only buy new tokens, never call the API
DEFAULT_KID = "default"
DEFAULT_TTL_S = 3600


class InvalidToken(Exception):
    """The token is missing, malformed, expired or wrongly signed."""


def jwt_secret(settings: Settings) -> str:
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    return kept_secret(settings.data_dir / "jwt_secret", lambda: secrets.token_urlsafe(48))


@dataclass(frozen=True)
class KeyRing:
    """The token signing keys by id (``kid``): tokens are signed with ``signing_kid``'s key and
    verified with whichever key their header names, so a key can be replaced while tokens
    signed with the old one stay valid until it is removed."""

    keys: Mapping[str, str]
    signing_kid: str

    def __post_init__(self) -> None:
        if self.signing_kid not in self.keys:
            raise ValueError(f"the signing key {self.signing_kid!r} is not among the keys")

    @classmethod
    def single(cls, secret: str) -> KeyRing:
        return cls({DEFAULT_KID: secret}, DEFAULT_KID)


class UnsafeForProduction(Exception):
    """A production start on a development default; the message says what to set."""


def check_production(settings: Settings) -> None:
    """Refuse what is only fit for one developer's machine: keys generated under DATA_DIR
    with ATELIER_PRODUCTION=true, or with ATELIER_REDIS_URL (many processes, on many machines,
    must sign, verify, encrypt and decrypt with the same keys); short keys in production."""
    if settings.production:
        why = "ATELIER_PRODUCTION is set"
    elif settings.redis_url:
        why = "ATELIER_REDIS_URL is set, so every process must share the keys,"
    else:
        return
    if settings.jwt_secret is None and not settings.jwt_keys:
        raise UnsafeForProduction(
            f"{why} but no signing key is configured: set ATELIER_JWT_SECRET "
            "(or ATELIER_JWT_KEYS and ATELIER_JWT_KID) instead of the generated one"
        )
    if not settings.encryption_keys:
        raise UnsafeForProduction(
            f"{why} but no encryption key is configured: set "
            "ATELIER_ENCRYPTION_KEYS and ATELIER_ENCRYPTION_KID (keys: base64 of 32 bytes)"
        )
    if not settings.production:
        return
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else ""
    short = [kid for kid, key in settings.jwt_keys.items() if len(key.get_secret_value()) < 32]
    if (secret and len(secret) < 32) or short:
        raise UnsafeForProduction("JWT signing keys must be at least 32 characters in production")


def key_ring(settings: Settings) -> KeyRing:
    """ATELIER_JWT_KEYS with ATELIER_JWT_KID when set; else the one secret, kid "default"."""
    if settings.jwt_keys:
        keys = {kid: key.get_secret_value() for kid, key in settings.jwt_keys.items()}
        return KeyRing(keys, settings.jwt_kid or DEFAULT_KID)
    return KeyRing.single(jwt_secret(settings))


@dataclass(frozen=True)
class VerifiedToken:
    principal: Principal
    jti: str
    expires_at: datetime
    family: str


def issue_token(
    keys: KeyRing,
    sub: str,
    role: Role,
    *,
    ttl_s: int = DEFAULT_TTL_S,
    audience: str = AUDIENCE,
    family: str | None = None,
) -> str:
    """A signed token; without ``family`` it starts a family of its own (``fam`` = its jti)."""
    if role == Role.SYSTEM:
        raise ValueError("the system role is the pipeline's own and is never issued")
    now = int(time.time())
    jti = uuid.uuid4().hex
    claims = {
        "sub": sub,
        "role": str(role),
        "iat": now,
        "exp": now + ttl_s,
        "iss": ISSUER,
        "aud": audience,
        "jti": jti,
        "fam": family or jti,
    }
    secret = keys.keys[keys.signing_kid]
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": keys.signing_kid})


def verify_token(keys: KeyRing, token: str, *, audience: str = AUDIENCE) -> VerifiedToken:
    """The token's caller, id and expiry; InvalidToken for anything not issued by us, for us,
    still in date, with a role we know."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as exc:
        raise InvalidToken("the token is invalid") from exc
    if not isinstance(kid, str) or kid not in keys.keys:
        raise InvalidToken("the token is signed with an unknown key")
    try:
        claims = jwt.decode(
            token,
            keys.keys[kid],
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=audience,
            options={"require": ["sub", "role", "exp", "iat", "iss", "aud", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("the token has expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise InvalidToken("the token is not for this service") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken("the token is invalid") from exc
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise InvalidToken("the token's role is unknown") from exc
    # Tokens issued before families existed have no fam: each is a family of its own.
    claims.setdefault("fam", claims["jti"])
    if role == Role.SYSTEM or not all(
        isinstance(claims[k], str) and claims[k] for k in ("sub", "jti", "fam")
    ):
        raise InvalidToken("the token's claims are invalid")
    return VerifiedToken(
        principal=Principal(sub=claims["sub"], role=role),
        jti=claims["jti"],
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        family=claims["fam"],
    )

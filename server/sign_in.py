"""Signing in: a password or a refresh token in, a fresh pair of tokens out; and revoking a
token (signing out).

Every pair issued from one password sign-in, across refreshes, shares a family (the tokens'
``fam`` claim). A refresh token works once; when a spent one comes back, a thief or the owner
holds a stolen copy, and nobody can tell which: the whole family is revoked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from persistence.database import Database
from persistence.repositories import tokens, users
from server.accounts import Accounts, WrongCredentials
from server.rate_limits import ConcurrencyGate, RateLimit, RateLimiter
from server.security import (
    REFRESH_AUDIENCE,
    InvalidToken,
    KeyRing,
    VerifiedToken,
    issue_token,
    verify_token,
)
from settings import Settings
from tools.access import Principal, Role
from tools.errors import AtelierError

# The sign-in limits, as RateLimiter actions (their names are in the 429's message).
FAILURES = "failed sign-ins for this username"  # per (username, client address)
PER_CLIENT = "sign-ins from this address"
OVERALL = "sign-ins across the service"
# A password check takes about 0.1 s: a caller that waits longer than this for a place is
# behind a flood, and is better told to come back than kept waiting.
PASSWORD_CHECK_WAIT_S = 2.0


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_token: str = Field(description="Send with grant_type=refresh_token for a new pair")


class SignInRefused(Exception):
    """Wrong credentials, or a refresh token that is invalid, spent or of a disabled account;
    the message says which, as far as the caller may know."""


class NotYourToken(AtelierError):
    """Revoking someone else's token without being an admin."""

    status_code = 403


@dataclass(frozen=True)
class Revoked:
    token: VerifiedToken
    refresh: bool  # a refresh token: its whole family was revoked with it


@dataclass
class SignIn:
    db: Database
    accounts: Accounts
    keys: KeyRing
    settings: Settings
    limits: RateLimiter = field(init=False)
    password_checks: ConcurrencyGate = field(init=False)

    def __post_init__(self) -> None:
        self.limits = RateLimiter(
            {
                FAILURES: RateLimit.parse(self.settings.rate_limit_logins),
                PER_CLIENT: RateLimit.parse(self.settings.rate_limit_logins_per_client),
                OVERALL: RateLimit.parse(self.settings.rate_limit_logins_global),
            }
        )
        self.password_checks = ConcurrencyGate(
            "password checks", self.settings.password_checks_at_once, PASSWORD_CHECK_WAIT_S
        )

    def with_password(self, username: str, password: str, client: str) -> TokenOut:
        """A new pair, starting a new family. ``client`` is the caller's address. Limits:
        failures per (username, client), so that nobody elsewhere can lock a user out by
        guessing; attempts per client, so that one address cannot spray many usernames;
        attempts overall; and a few Argon2 checks at once, so that a burst cannot exhaust
        memory. Each refusal is a RateLimited (429, or 503 when busy) with Retry-After."""
        pair = f"{client}/{username}"  # an address holds no "/"
        self.limits.check(FAILURES, pair, record=False)  # counted below, when it fails
        self.limits.check(PER_CLIENT, client)
        self.limits.check(OVERALL, "")
        try:
            with self.password_checks.held():
                account = self.accounts.sign_in(username, password)
        except WrongCredentials:
            self.limits.record(FAILURES, pair)
            raise SignInRefused("wrong username or password") from None
        return self._pair(account.username, account.role, family=uuid.uuid4().hex)

    def with_refresh_token(self, token: str) -> TokenOut:
        """A new pair in the token's family; the refresh token is spent (it works once).
        Spending is one insert, so of callers presenting the same token at once exactly one
        wins; every other use of a spent token revokes its family."""
        try:
            old = verify_token(self.keys, token, audience=REFRESH_AUDIENCE)
        except InvalidToken as exc:
            raise SignInRefused(f"refresh refused: {exc}") from exc
        sub = old.principal.sub
        with self.db.session() as session:
            if tokens.is_revoked(session, old.family):
                raise SignInRefused("refresh refused: the token has been revoked")
            if users.is_disabled(session, sub):
                raise SignInRefused("refresh refused: the account is disabled")
            spent_now = tokens.revoke(session, old.jti, sub, old.expires_at, by="refresh")
            if not spent_now:
                self._end_family(session, old, by="reuse of a spent refresh token")
        # Refused after the block, so that the family's revocation is committed.
        if not spent_now:
            raise SignInRefused(
                "refresh refused: the token is spent, and using it again revoked every token "
                "issued from it; sign in again"
            )
        return self._pair(sub, old.principal.role, family=old.family)

    def revoke(self, token: str, by: Principal) -> Revoked:
        """Refuse an access or refresh token from now on: your own (signing out), or anyone's
        as an admin. A refresh token ends its family: every token issued from the same sign-in.
        SignInRefused for a token that is invalid or expired (it needs no revoking)."""
        verified, refresh = self._verified_either(token)
        if verified.principal.sub != by.sub and by.role != Role.ADMIN:
            raise NotYourToken("only admins may revoke others' tokens")
        sub = verified.principal.sub
        with self.db.session() as session:
            tokens.revoke(session, verified.jti, sub, verified.expires_at, by=by.sub)
            if refresh:
                self._end_family(session, verified, by=by.sub)
        return Revoked(verified, refresh)

    def _verified_either(self, token: str) -> tuple[VerifiedToken, bool]:
        """The token verified as an access token, or else as a refresh token (True)."""
        try:
            return verify_token(self.keys, token), False
        except InvalidToken as access_error:
            try:
                return verify_token(self.keys, token, audience=REFRESH_AUDIENCE), True
            except InvalidToken:
                raise SignInRefused(str(access_error)) from None

    def _end_family(self, session: Session, token: VerifiedToken, by: str) -> None:
        """Revoke every token of ``token``'s family until the last of them has expired: none
        was issued after now, and none lives longer than the longest lifetime (plus a minute
        for a pair being issued at this moment)."""
        longest = max(self.settings.access_token_ttl_s, self.settings.refresh_token_ttl_s)
        until = datetime.now(UTC) + timedelta(seconds=longest + 60)
        tokens.revoke(session, token.family, token.principal.sub, until, by=by)

    def _pair(self, sub: str, role: Role, family: str) -> TokenOut:
        access_s, refresh_s = self.settings.access_token_ttl_s, self.settings.refresh_token_ttl_s
        return TokenOut(
            access_token=issue_token(self.keys, sub, role, ttl_s=access_s, family=family),
            expires_in=access_s,
            refresh_token=issue_token(
                self.keys, sub, role, ttl_s=refresh_s, audience=REFRESH_AUDIENCE, family=family
            ),
        )

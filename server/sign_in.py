"""Signing in: a password or a refresh token in, a fresh pair of tokens out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from persistence.database import Database
from persistence.repositories import tokens, users
from server.accounts import Accounts, WrongCredentials
from server.security import REFRESH_AUDIENCE, InvalidToken, KeyRing, issue_token, verify_token
from settings import Settings
from tools.access import Role


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_token: str = Field(description="Send with grant_type=refresh_token for a new pair")


class SignInRefused(Exception):
    """Wrong credentials, or a refresh token that is invalid, spent or of a disabled account;
    the message says which, as far as the caller may know."""


@dataclass
class SignIn:
    db: Database
    accounts: Accounts
    keys: KeyRing
    settings: Settings

    def with_password(self, username: str, password: str) -> TokenOut:
        try:
            account = self.accounts.sign_in(username, password)
        except WrongCredentials:
            raise SignInRefused("wrong username or password") from None
        return self._pair(account.username, account.role)

    def with_refresh_token(self, token: str) -> TokenOut:
        """A new pair; the refresh token is spent (it works once)."""
        try:
            old = verify_token(self.keys, token, audience=REFRESH_AUDIENCE)
        except InvalidToken as exc:
            raise SignInRefused(f"refresh refused: {exc}") from exc
        with self.db.session() as session:
            if tokens.is_revoked(session, old.jti) or users.is_disabled(session, old.principal.sub):
                raise SignInRefused("refresh refused: the token is spent or the account disabled")
            tokens.revoke(session, old.jti, old.principal.sub, old.expires_at, by="refresh")
        return self._pair(old.principal.sub, old.principal.role)

    def _pair(self, sub: str, role: Role) -> TokenOut:
        access_s, refresh_s = self.settings.access_token_ttl_s, self.settings.refresh_token_ttl_s
        return TokenOut(
            access_token=issue_token(self.keys, sub, role, ttl_s=access_s),
            expires_in=access_s,
            refresh_token=issue_token(
                self.keys, sub, role, ttl_s=refresh_s, audience=REFRESH_AUDIENCE
            ),
        )

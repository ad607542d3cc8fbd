"""User accounts: Argon2id password hashes, sign-in, and what operators do with accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from persistence.database import Database
from persistence.models import User
from persistence.repositories import users
from tools.access import ISSUABLE_ROLES, Role
from tools.errors import Conflict, InvalidInput, NotFound
from tools.safe_text import describe, first_unsafe_character

MIN_PASSWORD_CHARS = 12
_hasher = PasswordHasher()
# Checked against when the username is unknown, so both answers take as long.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


class WrongCredentials(Exception):
    """Unknown user, wrong password or disabled account: the caller is not told which."""


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(
            user.username, Role(user.role), user.disabled, user.created_at, user.last_login_at
        )


@dataclass
class Accounts:
    db: Database

    def create(self, username: str, role: Role, password: str) -> Account:
        username = username.strip()
        if not username or len(username) > 200:
            raise InvalidInput("a username is 1 to 200 characters")
        if (char := first_unsafe_character(username)) is not None:
            raise InvalidInput(f"a username must not contain {describe(char)}")
        if role not in ISSUABLE_ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ISSUABLE_ROLES)}")
        if len(password) < MIN_PASSWORD_CHARS:
            raise InvalidInput(f"a password has at least {MIN_PASSWORD_CHARS} characters")
        with self.db.session() as session:
            if users.get_user(session, username) is not None:
                raise Conflict(f"user {username!r} exists")
            user = User(username=username, role=str(role), password_hash=_hasher.hash(password))
            session.add(user)
            session.flush()
            return Account.of(user)

    def set_disabled(self, username: str, disabled: bool = True) -> Account:
        with self.db.session() as session:
            user = users.get_user(session, username)
            if user is None:
                raise NotFound(f"no user {username!r}")
            user.disabled = disabled
            return Account.of(user)

    def list(self) -> list[Account]:
        with self.db.session() as session:
            return [Account.of(u) for u in users.list_users(session)]

    def sign_in(self, username: str, password: str) -> Account:
        """The account when the password is right and the account enabled."""
        with self.db.session() as session:
            user = users.get_user(session, username)
            try:
                _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
            except (VerificationError, InvalidHashError):
                raise WrongCredentials from None
            if user is None or user.disabled:
                raise WrongCredentials
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)  # parameters were raised since
            user.last_login_at = datetime.now(UTC)
            return Account.of(user)

"""User accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from persistence.models import User


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def is_disabled(session: Session, username: str) -> bool:
    """True only for an account that exists and is disabled (tokens for service subjects
    issued by `atelier token` have no account)."""
    return bool(session.scalar(select(User.disabled).where(User.username == username)))

"""Revoked token ids and token families.

One table holds both: a row's ``jti`` is a token's id, or the id of a family (the ``fam`` claim
every token from one sign-in carries across refreshes). Both are random 128-bit ids, so they
never collide, and a token is checked against its own id and its family's in one index lookup.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from persistence.models import RevokedToken, User


def revoke(session: Session, jti: str, subject: str, expires_at: datetime, by: str) -> bool:
    """Refuse token (or family) ``jti`` from now until ``expires_at``; True when this call
    revoked it, False when it was already. Concurrent callers wait on each other's insert, so
    exactly one of them gets True: spending a refresh token is this call."""
    won = session.scalar(
        insert(RevokedToken)
        .values(jti=jti, subject=subject, expires_at=expires_at, revoked_by=by)
        .on_conflict_do_nothing(index_elements=[RevokedToken.jti])
        .returning(RevokedToken.jti)
    )
    # Rows for tokens that have expired anyway can go: expiry refuses them by itself.
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < datetime.now(UTC)))
    return won is not None


# Every authenticated request asks this: built once, and run on the session's connection, as
# building the statement and the ORM's execution of it took two thirds of the check's time.
_REFUSAL = select(
    select(RevokedToken.jti).where(RevokedToken.jti.in_(bindparam("ids", expanding=True))).exists(),
    select(User.disabled).where(User.username == bindparam("subject")).scalar_subquery(),
)


def refusal(session: Session, jti: str, family: str | None, subject: str) -> str | None:
    """Why a verified token is refused, if it is: it or its family revoked, or its subject's
    account disabled. One round trip, as every authenticated request asks."""
    ids = [jti] if family is None else [jti, family]
    row = session.connection().execute(_REFUSAL, {"ids": ids, "subject": subject}).one()
    if row[0]:
        return "the token has been revoked"
    if row[1]:
        return "the account is disabled"
    return None


def is_revoked(session: Session, jti: str, family: str | None = None) -> bool:
    """True when token ``jti``, or its ``family``, is refused."""
    ids = [jti] if family is None else [jti, family]
    return (
        session.scalar(select(RevokedToken.jti).where(RevokedToken.jti.in_(ids)).limit(1))
        is not None
    )

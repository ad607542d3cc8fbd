"""Revoked token ids."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from persistence.models import RevokedToken


def revoke(session: Session, jti: str, subject: str, expires_at: datetime, by: str) -> None:
    """Refuse token ``jti`` from now on (revoking twice is the same as once)."""
    session.execute(
        insert(RevokedToken)
        .values(jti=jti, subject=subject, expires_at=expires_at, revoked_by=by)
        .on_conflict_do_nothing(index_elements=[RevokedToken.jti])
    )
    # Rows for tokens that have expired anyway can go: expiry refuses them by itself.
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < datetime.now(UTC)))


def is_revoked(session: Session, jti: str) -> bool:
    return session.scalar(select(RevokedToken.jti).where(RevokedToken.jti == jti)) is not None

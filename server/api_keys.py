"""API keys for service-to-service calls (a storefront placing orders): made by admins, shown
once, stored as hashes, scoped to a role, with expiry, last use and revocation."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select

from persistence.database import Database
from persistence.models import ApiKey
from tools.access import ISSUABLE_ROLES, Principal, Role
from tools.errors import InvalidInput, NotFound
from tools.safe_text import SafeLine

KEY_PREFIX = "atk_"


class ApiKeyIn(BaseModel):
    model_config = {"extra": "forbid"}

    name: SafeLine = Field(min_length=1, max_length=100, description="Who uses it: 'storefront'")
    role: Role = Field(description="What it may do: customer, operator or admin")
    expires_in_days: int | None = Field(
        default=90, ge=1, le=3650, description="Days until it stops working; null: never"
    )


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str = Field(description="A label; keys with the same name are still different callers")
    role: str
    prefix: str = Field(description="The key's first characters, to tell keys apart")
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewApiKey(ApiKeyOut):
    key: str = Field(description="The key itself: shown this once, never again")


def subject_of(key_id: uuid.UUID) -> str:
    """The caller a key stands for, as tokens' subjects, orders and the audit log name it."""
    return f"key:{key_id}"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class ApiKeys:
    db: Database

    def create(self, body: ApiKeyIn, by: Principal) -> NewApiKey:
        if body.role not in ISSUABLE_ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ISSUABLE_ROLES)}")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        expires = (
            datetime.now(UTC) + timedelta(days=body.expires_in_days)
            if body.expires_in_days
            else None
        )
        row = ApiKey(
            name=body.name.strip(),
            role=str(body.role),
            key_hash=_digest(key),
            prefix=key[:10],
            created_by=by.sub,
            expires_at=expires,
        )
        with self.db.session() as session:
            session.add(row)
            session.flush()
            view = ApiKeyOut.model_validate(row, from_attributes=True)
            return NewApiKey(key=key, **view.model_dump())

    def list(self) -> list[ApiKeyOut]:
        with self.db.session() as session:
            rows = session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc()))
            return [ApiKeyOut.model_validate(r, from_attributes=True) for r in rows]

    def revoke(self, key_id: uuid.UUID) -> ApiKeyOut:
        with self.db.session() as session:
            row = session.get(ApiKey, key_id)
            if row is None:
                raise NotFound(f"API key {key_id} not found")
            row.revoked_at = row.revoked_at or datetime.now(UTC)
            return ApiKeyOut.model_validate(row, from_attributes=True)

    def principal_for(self, key: str, now: datetime | None = None) -> Principal | None:
        """The caller a key stands for, noting its use; None for an unknown, revoked or expired
        key."""
        now = now or datetime.now(UTC)
        with self.db.session() as session:
            row = session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(key)))
            if row is None or row.revoked_at is not None:
                return None
            if row.expires_at is not None and row.expires_at <= now:
                return None
            row.last_used_at = now
            # The id, never the name: two keys may share a name, never an identity (orders).
            return Principal(sub=subject_of(row.id), role=Role(row.role))

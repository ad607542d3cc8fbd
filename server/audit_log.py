"""Reading the audit log: the query admins send to GET /admin/audit and the page they get."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from persistence.database import Database
from persistence.repositories import audit
from tools.orders import MAX_OFFSET
from tools.safe_text import SafeLine


class AuditQuery(BaseModel):
    model_config = {"extra": "forbid"}

    subject: SafeLine | None = Field(default=None, max_length=200, description="Who acted")
    action: SafeLine | None = Field(
        default=None, max_length=100, description="tool:<name>, admin_command, revoke_token, …"
    )
    outcome: Literal["ok", "error", "denied"] | None = None
    request_id: SafeLine | None = Field(default=None, max_length=128)
    since: datetime | None = Field(default=None, description="From this time (ISO 8601)")
    until: datetime | None = Field(default=None, description="Before this time (ISO 8601)")
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

    @model_validator(mode="after")
    def _range(self) -> AuditQuery:
        if self.since and self.until and self.until <= self.since:
            raise ValueError(f"until ({self.until}) must be after since ({self.since})")
        return self


class AuditEntryOut(BaseModel):
    """One entry; ``arguments`` is stored as JSON text and read back as an object."""

    id: int
    at: datetime
    subject: str
    role: str
    action: str
    arguments: dict[str, Any]
    outcome: str
    detail: str | None
    request_id: str | None
    session_id: str | None

    @field_validator("arguments", mode="before")
    @classmethod
    def _parsed(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    total: int
    limit: int
    offset: int


def search(db: Database, query: AuditQuery) -> AuditPage:
    filters = query.model_dump(exclude={"limit", "offset"})
    with db.session() as session:
        rows, total = audit.search(session, limit=query.limit, offset=query.offset, **filters)
        items = [AuditEntryOut.model_validate(r, from_attributes=True) for r in rows]
    return AuditPage(items=items, total=total, limit=query.limit, offset=query.offset)

"""SQLAlchemy models: orders, agent sessions, design versions, the files kept for orders, the
notification outbox, revoked tokens, the audit log, user accounts and API keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from persistence.crypto import EncryptedBytes, EncryptedText


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class OrderStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    AWAITING_APPROVAL = "awaiting_approval"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SessionKind(StrEnum):
    ORDER = "order"
    ADMIN = "admin"


class AgentSession(Base):
    """One order or admin conversation; its LangGraph thread_id is this row's id."""

    __tablename__ = "agent_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(32))
    # The LangSmith trace of the session's latest run, when tracing is on.
    trace_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    @property
    def thread_id(self) -> str:
        return str(self.id)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("customer_sub", "idempotency_key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_sessions.id"), unique=True)
    customer_sub: Mapped[str] = mapped_column(String(200), index=True)
    # Personal data is encrypted at rest (persistence/crypto.py); queries cannot filter on it.
    customer_name: Mapped[str] = mapped_column(EncryptedText)
    customer_email: Mapped[str] = mapped_column(EncryptedText)
    customer_phone: Mapped[str | None] = mapped_column(EncryptedText)
    product: Mapped[str] = mapped_column(String(40))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    quantity: Mapped[int] = mapped_column(Integer)
    brief: Mapped[str] = mapped_column(EncryptedText)
    # The name of the customer's reference image among the order's kept files (KeptFile).
    reference_image: Mapped[str | None] = mapped_column(String(500))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default=OrderStatus.RECEIVED, index=True)
    current_step: Mapped[str | None] = mapped_column(String(64))
    failed_step: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    folder_path: Mapped[str | None] = mapped_column(String(500))
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The run that holds the order (persistence/repositories/leases.py): whoever does not
    # hold a live lease does nothing to it. dispatched_at: when a run was last queued.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    session: Mapped[AgentSession] = relationship()
    design_versions: Mapped[list[DesignVersion]] = relationship(
        back_populates="order", order_by="DesignVersion.version"
    )


class DesignVersion(Base):
    __tablename__ = "design_versions"
    __table_args__ = (UniqueConstraint("order_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    engine: Mapped[str] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(300))
    file_name: Mapped[str] = mapped_column(String(255))  # among the order's kept files
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    feedback: Mapped[str | None] = mapped_column(EncryptedText)
    decision: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="design_versions")


class KeptFile(Base):
    """A file the service keeps for an order: the customer's reference image, each design
    version, the order workbook. Every step reads them here, so any process on any machine can
    run it, and the storage being down loses nothing. Encrypted: a reference image can show a
    person."""

    __tablename__ = "kept_files"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(EncryptedBytes, deferred=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Notification(Base):
    """The outbox: one row per (order, event, design version, audience), written before delivery."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("order_id", "event", "version", "audience"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    event: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str | None] = mapped_column(EncryptedText)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(EncryptedText)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Until when whoever claimed it ("sending") has it to deliver; after, anyone may. A claim
    # an order run made names that run (its lease owner) and lapses with its lease too: a run
    # that died mid-delivery does not hold the notification up.
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RevokedToken(Base):
    """A token id, or a token family's id (the ``fam`` claim), refused from now until the token
    (or the family's last token) would have expired anyway."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """One admin operation or tool call: who, as what, did what with which arguments, how it
    ended, under which request. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(100), index=True)
    # Arguments can name customers: encrypted like the rest of their data.
    arguments: Mapped[str] = mapped_column(EncryptedText)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(EncryptedText)
    request_id: Mapped[str | None] = mapped_column(String(128))
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)


class User(Base):
    """A person who signs in with a password; the username is their tokens' subject."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, with its parameters
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A key for service-to-service calls, scoped to a role. Only its SHA-256 is stored: the
    key is 256 random bits, so a fast hash is as safe as a slow one and costs nothing."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists, to tell keys apart
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

"""The files the service keeps for its orders (reference image, designs, workbook), by name."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from persistence.models import KeptFile, utcnow


def keep(session: Session, order_id: uuid.UUID, name: str, content: bytes, media_type: str) -> str:
    """Keep ``content`` as the order's file ``name``, replacing what was kept under that name;
    its SHA-256."""
    digest = hashlib.sha256(content).hexdigest()
    fields = dict(media_type=media_type, sha256=digest, size=len(content), content=content)
    session.execute(
        insert(KeptFile)
        .values(order_id=order_id, name=name, updated_at=utcnow(), **fields)
        .on_conflict_do_update(
            index_elements=["order_id", "name"], set_=dict(updated_at=utcnow(), **fields)
        )
    )
    return digest


def digest_of(session: Session, order_id: uuid.UUID, name: str) -> str | None:
    """The SHA-256 of the order's kept file ``name`` (its content is not read); None if none."""
    return session.scalar(
        select(KeptFile.sha256).where(KeptFile.order_id == order_id, KeptFile.name == name)
    )


def read(session: Session, order_id: uuid.UUID, name: str) -> bytes | None:
    """The content of the order's kept file ``name``; None if there is none."""
    return session.scalar(
        select(KeptFile.content).where(KeptFile.order_id == order_id, KeptFile.name == name)
    )

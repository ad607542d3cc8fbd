"""The session service: an AgentSession's row with its graph state and checkpoint history."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig

from graphs.admin.graph import AdminAgent
from graphs.order.graph import CompiledOrderGraph
from persistence.database import Database
from persistence.models import SessionKind
from persistence.repositories import orders as repo
from server.schemas import (
    AdminSessionOut,
    AdminSessionPage,
    AdminSessionsQuery,
    CheckpointOut,
    SessionOut,
)
from tools.access import Principal
from tools.errors import NotFound
from tools.tracing import Tracing

HISTORY_LIMIT = 100


@dataclass
class SessionService:
    db: Database
    order_graph: CompiledOrderGraph
    admin_agent: AdminAgent
    tracing: Tracing

    def admin_sessions(self, query: AdminSessionsQuery) -> AdminSessionPage:
        """Admin conversations, the latest active first, each named by its first command."""
        with self.db.reading() as session:
            rows, total = repo.admin_sessions(
                session, subject=query.subject, limit=query.limit, offset=query.offset
            )
        items = [
            AdminSessionOut(
                id=row.id,
                subject=row.subject,
                created_at=row.created_at,
                updated_at=row.updated_at,
                first_command=json.loads(arguments).get("command") if arguments else None,
            )
            for row, arguments in rows
        ]
        return AdminSessionPage(items=items, total=total, limit=query.limit, offset=query.offset)

    def get(self, principal: Principal, session_id: uuid.UUID) -> SessionOut:
        with self.db.session() as session:
            row = repo.get_session(session, session_id)
            order = repo.order_for_session(session, session_id) if row else None
        if row is None or not principal.may_see_session(row.kind, row.subject):
            raise NotFound(f"session {session_id} not found")
        config: RunnableConfig = {"configurable": {"thread_id": str(session_id)}}
        graph: Any = self.admin_agent if row.kind == SessionKind.ADMIN else self.order_graph
        snapshot = graph.get_state(config)
        history = [
            CheckpointOut(
                checkpoint_id=s.config["configurable"]["checkpoint_id"],
                created_at=s.created_at,
                step=(s.metadata or {}).get("step"),
                source=(s.metadata or {}).get("source"),
                next=list(s.next),
            )
            for s in graph.get_state_history(config, limit=HISTORY_LIMIT)
        ]
        state: dict[str, Any] = dict(snapshot.values)
        return SessionOut(
            id=row.id,
            kind=row.kind,
            subject=row.subject,
            created_at=row.created_at,
            order_id=order.id if order else None,
            next=list(snapshot.next),
            state=state,
            history=history,
            trace=self.tracing.link(row.trace_id),
        )

"""The audit trail: every tool call an operator or admin makes (from a chat session or a
route), every tool call refused to anyone, and admin operations outside the tools. Entries go
to the append-only ``audit_log`` table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from persistence.repositories import audit
from tools.access import Principal, Role
from tools.context import ToolContext
from tools.log_context import current
from tools.registry import Outcome

MAX_DETAIL = 2000
AUDITED_ROLES = (Role.OPERATOR, Role.ADMIN)


def record(
    ctx: ToolContext,
    action: str,
    arguments: Mapping[str, Any],
    outcome: Outcome,
    detail: str | None = None,
    *,
    session: Session | None = None,
) -> None:
    """Append one entry for ``ctx``'s caller, under its request and session: in ``session``
    when given (it commits with the caller's other writes), else in a transaction of its own."""
    ids = {
        "request_id": ctx.request_id or current("request_id"),
        "session_id": ctx.session_id or current("session_id"),
    }
    if session is not None:
        append(session, ctx.principal, action, arguments, outcome, detail, **ids)
        return
    with ctx.backends.db.session() as own:
        append(own, ctx.principal, action, arguments, outcome, detail, **ids)


def append(
    session: Session,
    principal: Principal,
    action: str,
    arguments: Mapping[str, Any],
    outcome: Outcome,
    detail: str | None = None,
    *,
    request_id: str | None = None,
    session_id: str | None = None,
) -> None:
    """Append one entry for ``principal`` in ``session`` (the CLI's way in: no tool context)."""
    audit.append(
        session,
        subject=principal.sub,
        role=str(principal.role),
        action=action,
        arguments=json.dumps(arguments, default=str),
        outcome=outcome,
        detail=detail[:MAX_DETAIL] if detail else None,
        request_id=request_id,
        session_id=session_id,
    )


def tool_call(
    ctx: ToolContext, tool: str, arguments: dict[str, Any], outcome: Outcome, detail: str | None
) -> None:
    """The registry's observer: records staff's calls always, and anyone's refused calls."""
    if ctx.principal.role in AUDITED_ROLES or outcome == "denied":
        record(ctx, f"tool:{tool}", arguments, outcome, detail)
